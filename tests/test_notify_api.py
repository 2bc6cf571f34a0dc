"""KE's notification set-up over HTTP (issue #11): the e-mail directory, webhook subscriptions (the
secret shown once) and the dead-letter list, for the coordinating unit of the municipality only."""

from __future__ import annotations

import pytest

from ledger.values import Role
from tests.support.http import Api, assert_problem

OTHERS = [Role.COORDINATOR, Role.UNIT_LEADER, Role.SERVICE_PROVIDER, Role.CITIZEN, Role.SUPERVISOR, Role.ADMIN]


def put(api: Api, path: str, body: dict, role: Role = Role.KE_CASEWORKER, **claims):
    return api.client.put(path, json=body, headers=api.auth(role, **claims))


def delete(api: Api, path: str, role: Role = Role.KE_CASEWORKER):
    return api.client.delete(path, headers=api.auth(role))


def test_ke_sets_changes_lists_and_removes_contacts(api: Api) -> None:
    first = put(api, "/v1/contacts/person/koord-1", {"email": "koordinator@kommune.test"})
    assert first.status_code == 201, first.text
    assert first.json() | {"updated_at": None} == {
        "kind": "person",
        "key": "koord-1",
        "email": "koordinator@kommune.test",
        "updated_at": None,
        "updated_by": "ke-1",
    }
    assert put(api, "/v1/contacts/person/koord-1", {"email": "ny@kommune.test"}).status_code == 200
    assert put(api, "/v1/contacts/unit/Psykisk helse og rus", {"email": "enhet@kommune.test"}).status_code == 201
    assert put(api, "/v1/contacts/ke/postmottak", {"email": "ke@kommune.test"}).status_code == 201
    listed = api.get("/v1/contacts", Role.KE_CASEWORKER).json()["items"]
    assert [(c["kind"], c["key"], c["email"]) for c in listed] == [
        ("ke", "postmottak", "ke@kommune.test"),
        ("person", "koord-1", "ny@kommune.test"),
        ("unit", "Psykisk helse og rus", "enhet@kommune.test"),
    ]
    assert api.get("/v1/contacts", Role.KE_CASEWORKER, municipality="5032").json()["items"] == []
    assert delete(api, "/v1/contacts/person/koord-1").status_code == 204
    assert_problem(delete(api, "/v1/contacts/person/koord-1"), 404)


@pytest.mark.parametrize("email", ["ingen-krøllalfa", "to@@", "a b@kommune.test", "x@y", "<x@kommune.test>"])
def test_an_address_that_is_not_one_is_refused(api: Api, email: str) -> None:
    assert_problem(put(api, "/v1/contacts/person/koord-1", {"email": email}), 422)


def test_a_contact_kind_must_be_person_unit_or_ke(api: Api) -> None:
    assert_problem(put(api, "/v1/contacts/team/x", {"email": "x@kommune.test"}), 422)


def test_a_webhooks_secret_is_shown_once_and_never_listed(api: Api) -> None:
    created = api.post("/v1/webhooks", Role.KE_CASEWORKER, {"url": "https://fagsystem.kommune.test/hooks"})
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["secret"].startswith("whsec_") and len(hook["secret"]) >= 40
    listed = api.get("/v1/webhooks", Role.KE_CASEWORKER).json()["items"]
    assert [(h["id"], h["url"]) for h in listed] == [(hook["id"], "https://fagsystem.kommune.test/hooks")]
    assert "secret" not in listed[0] and hook["secret"] not in api.get("/v1/webhooks", Role.KE_CASEWORKER).text
    assert_problem(delete(api, f"/v1/webhooks/{hook['id']}", Role.COORDINATOR), 403, "INV-07")
    assert delete(api, f"/v1/webhooks/{hook['id']}").status_code == 204
    assert api.get("/v1/webhooks", Role.KE_CASEWORKER).json()["items"] == []
    assert_problem(delete(api, f"/v1/webhooks/{hook['id']}"), 404)


@pytest.mark.parametrize(
    "url", ["http://fagsystem.kommune.test/hooks", "ftp://x.test/", "https://user:pw@x.test/", "https:///nohost"]
)
def test_a_webhook_url_must_be_https_or_this_machine(api: Api, url: str) -> None:
    assert_problem(api.post("/v1/webhooks", Role.KE_CASEWORKER, {"url": url}), 422)


def test_the_dead_letter_list_starts_empty_and_an_unknown_one_cannot_be_replayed(api: Api) -> None:
    body = api.get("/v1/notifications/dead-letters", Role.KE_CASEWORKER).json()
    assert (body["total"], body["items"]) == (0, [])
    assert_problem(api.post("/v1/notifications/dead-letters/12345/replay", Role.KE_CASEWORKER), 404)


@pytest.mark.parametrize("role", OTHERS)
def test_only_the_coordinating_unit_manages_notifications(api: Api, role: Role) -> None:
    assert_problem(api.get("/v1/contacts", role), 403, "INV-07")
    assert_problem(put(api, "/v1/contacts/person/koord-1", {"email": "x@kommune.test"}, role), 403, "INV-07")
    assert_problem(api.get("/v1/webhooks", role), 403, "INV-07")
    assert_problem(api.post("/v1/webhooks", role, {"url": "https://x.kommune.test/h"}), 403, "INV-07")
    assert_problem(api.get("/v1/notifications/dead-letters", role), 403, "INV-07")
    assert_problem(api.post("/v1/notifications/dead-letters/1/replay", role), 403, "INV-07")
