"""`POST /v1/cases/transfers-in`: the receiving municipality opens a case from
the former municipality's bundle, after verifying it, and records
TransferredIn with the bundle's sha256."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
import pytest

from ledger.values import Role
from tests.support.http import Api, HttpCase, assert_problem, created, running_case

RECEIVER = "0301"  # Oslo


def send(
    api: Api,
    document: bytes,
    *,
    role: Role = Role.KE_CASEWORKER,
    municipality: str = RECEIVER,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """The bundle as the body, byte for byte, as a caseworker of the receiving municipality."""
    return api.client.post(
        "/v1/cases/transfers-in",
        content=document,
        params=params,
        headers={**api.auth(role, municipality=municipality), "Content-Type": "application/json", **(headers or {})},
    )


def moved(api: Api, to: str | None = RECEIVER) -> tuple[HttpCase, dict[str, Any], bytes]:
    """A running case in 3447, transferred out (unless `to` is None) and exported as JSON."""
    case = running_case(api)
    if to is not None:
        created(
            api.post(
                f"{case.path}/transfers",
                Role.KE_CASEWORKER,
                {"to_municipality": to, "transferred": ["individuell plan"]},
            )
        )
    out = created(api.post(f"{case.path}/exports", Role.KE_CASEWORKER, {"format": "json"}))
    document = api.get(f"{case.path}/exports/{out['export_id']}", Role.KE_CASEWORKER).content
    return case, out, document


@pytest.fixture
def source(api: Api) -> tuple[HttpCase, dict[str, Any], bytes]:
    return moved(api)


def history(api: Api, case_id: str, municipality: str = RECEIVER) -> list[dict[str, Any]]:
    response = api.get(f"/v1/cases/{case_id}/history", Role.KE_CASEWORKER, municipality=municipality)
    assert response.status_code == 200, response.text
    return response.json()["events"]


def test_an_import_opens_a_case_for_the_same_subject_and_records_transferred_in_with_the_digest(api, source):
    """CaseOpened (same subject and provisions) and TransferredIn(from, sha256, source case) in the receiver."""
    case, exported, document = source
    out = created(send(api, document))
    events = history(api, out["case_id"])

    assert out["sha256"] == exported["sha256"] == hashlib.sha256(document).hexdigest()
    assert [e["type"] for e in events] == ["CaseOpened", "TransferredIn"]
    opened, transferred = events[0]["data"], events[1]["data"]
    assert opened["municipality"] == RECEIVER and opened["subject"]["national_id"] == case.national_id
    assert opened["requested"] == ["coordinator", "individual_plan"]
    assert opened["referrer_name"] == "Overført fra kommune 3447"
    assert transferred == {
        "from_municipality": "3447",
        "bundle_sha256": exported["sha256"],
        "source_case_id": case.case_id,
    }


def test_the_new_case_belongs_to_the_receiver_only(api, source):
    """Tenancy holds: the source municipality does not see the case it was opened from its bundle."""
    out = created(send(api, source[2]))

    assert api.get(f"/v1/cases/{out['case_id']}", Role.KE_CASEWORKER).status_code == 404  # 3447's caseworker


@pytest.mark.parametrize(
    "tamper, check",
    [
        (lambda b: b["events"][1]["data"].update(person_id="koord-9"), "view"),
        (lambda b: b["events"][2].update(hash="0" * 64), "chain"),
        (lambda b: b["events"].pop(1), "sequence"),
        (lambda b: b["checkpoint"].update(signature="0" * 128), "signature"),
    ],
)
def test_a_tampered_bundle_is_refused_with_422_naming_the_check_and_nothing_is_written(api, source, tamper, check):
    """Verified before anything is opened: problem+json naming the failed check; the log does not grow."""
    bundle = orjson.loads(source[2])
    tamper(bundle)
    head = api.ledger.app.recorder.max_notification_id()

    body = assert_problem(send(api, orjson.dumps(bundle)), 422)

    assert f"Eksportpakken er ikke intakt ({check})" in body["detail"]
    assert api.ledger.app.recorder.max_notification_id() == head


def test_a_body_that_is_not_a_bundle_is_422(api):
    """Not JSON, or JSON of another shape: 422, never a server error."""
    assert "ikke gyldig JSON" in assert_problem(send(api, b"{"), 422)["detail"]
    assert "feltet format" in assert_problem(send(api, b'{"a": 1}'), 422)["detail"]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.SERVICE_PROVIDER, Role.UNIT_LEADER, Role.ADMIN])
def test_only_a_caseworker_of_the_coordinating_unit_imports(api, source, role):
    """403 INV-07 for every other role, before the bundle is looked at."""
    assert_problem(send(api, source[2], role=role), 403, "INV-07")


def test_a_bundle_is_imported_only_where_the_person_moved(api, source):
    """Not in the source municipality itself, nor in a third one."""
    assert "egen kommune" in assert_problem(send(api, source[2], municipality="3447"), 422)["detail"]
    assert "ikke til din kommune" in assert_problem(send(api, source[2], municipality="4601"), 422)["detail"]


def test_a_bundle_without_a_recorded_move_is_refused(api):
    """The source must have recorded TransferredOut before the export."""
    _, _, document = moved(api, to=None)

    assert "TransferredOut" in assert_problem(send(api, document), 422)["detail"]


def test_a_second_import_for_the_same_subject_is_refused_by_inv_02(api, source):
    """One open individual plan per person and municipality, as for any new referral."""
    created(send(api, source[2]))

    assert_problem(send(api, source[2]), 409, "INV-02")


def test_an_idempotency_key_replays_the_first_import(api, source):
    """The same key and bundle again: 200 with the first answer, no second case."""
    first = created(send(api, source[2], headers={"Idempotency-Key": "flytting-1"}))
    again = send(api, source[2], headers={"Idempotency-Key": "flytting-1"})

    assert again.status_code == 200 and again.json() == first


def test_a_pinned_public_key_must_be_the_one_that_signed_the_bundle(api, source):
    """?public_key= pins the source ledger's key: another key is refused, the right one accepted."""
    wrong = send(api, source[2], params={"public_key": "ab" * 32})
    right = send(api, source[2], params={"public_key": api.ledger.integrity.signer.public_key_hex})

    assert "(public_key)" in assert_problem(wrong, 422)["detail"]
    assert right.status_code == 201, right.text


def test_a_body_past_the_size_limit_is_refused_with_413(api, source, monkeypatch):
    """Read no further than the limit: 413 problem+json."""
    monkeypatch.setattr("api.bundle_upload.MAX_BUNDLE_BYTES", 1024)

    assert_problem(send(api, source[2]), 413)


def test_a_bundle_signed_with_a_key_the_ledger_does_not_trust_is_refused(api, source):
    """Anyone can sign a self-consistent bundle with a fresh key: it opens a case only when that key is
    this ledger's own or listed in LEDGER_TRUSTED_BUNDLE_KEYS."""
    ledger = api.ledger
    own = ledger.integrity.signer.public_key_raw
    ledger.app.trusted_bundle_keys = frozenset({b"\x01" * 32})
    refused = send(api, source[2])
    assert "LEDGER_TRUSTED_BUNDLE_KEYS" in assert_problem(refused, 422)["detail"]
    ledger.app.trusted_bundle_keys = frozenset({b"\x01" * 32, own})
    assert send(api, source[2]).status_code == 201


def test_trusted_bundle_keys_are_read_from_the_environment_and_checked():
    from app.settings import Settings
    from store.config import ConfigError

    base = {
        "LEDGER_DATABASE_URL": "sqlite:///unused.db",
        "LEDGER_MASTER_KEY": "11" * 32,
        "LEDGER_SIGNING_KEY": "22" * 32,
        "LEDGER_JWT_SECRET": "j" * 40,
    }
    keys = Settings.from_env({**base, "LEDGER_TRUSTED_BUNDLE_KEYS": f"{'ab' * 32}, {'CD' * 32}"}).trusted_bundle_keys
    assert keys == (bytes.fromhex("ab" * 32), bytes.fromhex("cd" * 32))
    with pytest.raises(ConfigError, match="LEDGER_TRUSTED_BUNDLE_KEYS"):
        Settings.from_env({**base, "LEDGER_TRUSTED_BUNDLE_KEYS": "not-a-key"})
