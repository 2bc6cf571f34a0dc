"""Commands over HTTP as CONTRACT.md describes them: 201 with the case id, the
new version and the id of what was created; refusals as problem+json with
the rule; If-Match and Idempotency-Key."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.national_id import synthesize
from ledger.values import Role
from tests.support.cases import born
from tests.support.clock import TODAY
from tests.support.http import (
    PROBLEM,
    Api,
    HttpCase,
    assert_problem,
    consent_for,
    created,
    file_in_archive,
    open_case,
    running_case,
    set_goal,
)


class Walk:
    """Posts commands on one case and checks each answer as the contract says."""

    def __init__(self, api: Api, case_id: str, version: int) -> None:
        self.api, self.case_id, self.version = api, case_id, version

    def step(
        self, path: str, role: Role, body: dict[str, Any] | None = None, *, names: str | None = None, **claims: Any
    ) -> dict[str, Any]:
        response = self.api.post(f"/v1/cases/{self.case_id}{path}", role, body, **claims)
        out = created(response)
        assert out["case_id"] == self.case_id
        assert out["version"] > self.version, (path, out)
        assert response.headers["etag"] == f'"{out["version"]}"'
        if names is not None:
            assert out[names], (path, out)
        self.version = out["version"]
        return out


def test_a_case_runs_from_referral_to_complaint_over_http(api: Api) -> None:
    """Scenario 1 end to end: each command answers 201, the next version, and the id it created."""
    nid = synthesize(date(1979, 4, 2))
    response = api.post(
        "/v1/cases",
        Role.KE_CASEWORKER,
        {
            "subject": {"national_id": nid, "name": "Per Hansen"},
            "requested": ["coordinator", "individual_plan"],
            "referred_by": {"kind": "gp", "name": "Dr. Lege"},
            "occurred_at": "2026-01-06T09:00:00Z",
        },
    )
    opened = created(response)
    assert opened["version"] >= 1 and response.headers["etag"] == f'"{opened["version"]}"'
    walk = Walk(api, opened["case_id"], 0)
    walk.version = opened["version"]

    walk.step(
        "/decisions",
        Role.KE_CASEWORKER,
        {
            "outcome": "granted",
            "concerns": ["coordinator", "individual_plan"],
            "legal_basis": "hol. §§ 7-1, 7-2",
            "reasons": "Behov for langvarige og koordinerte tjenester.",
            "occurred_at": "2026-01-14T09:00:00Z",
        },
        names="decision_id",
    )
    request_id = walk.step(
        "/coordinator-requests",
        Role.KE_CASEWORKER,
        {
            "unit": "Psykisk helse og rus",
            "unit_leader": {"id": "leder-1", "name": "Lise Leder"},
            "occurred_at": "2026-01-15T09:00:00Z",
        },
        names="request_id",
    )["request_id"]
    walk.step(
        "/coordinators",
        Role.UNIT_LEADER,
        {
            "person": {"id": "koord-1", "name": "Kåre Koordinator"},
            "unit": "Psykisk helse og rus",
            "kind": "coordinator",
            "subject_wish_heard": True,
            "request_id": request_id,
            "occurred_at": "2026-02-12T09:00:00Z",
        },
    )
    walk.step(
        "/startup-conversations",
        Role.COORDINATOR,
        {
            "what_matters": "Å bo i egen leilighet og ha en jobb å gå til",
            "interpreter_needed": False,
            "occurred_at": "2026-02-18T09:00:00Z",
        },
    )
    nav = walk.step(
        "/participants",
        Role.COORDINATOR,
        {
            "person": {"id": "nav-1", "name": "Nina NAV"},
            "service": "NAV",
            "role": "veileder",
            "occurred_at": "2026-02-19T09:00:00Z",
        },
        names="participant_id",
    )["participant_id"]
    walk.step(
        "/consents",
        Role.CITIZEN,
        {
            "given_by": {"role": "subject", "name": "Per Hansen", "national_id": nid},
            "participants": [nav],
            "categories": ["health", "economy", "work"],
            "occurred_at": "2026-02-20T09:00:00Z",
        },
        names="consent_id",
        pid=nid,
    )
    walk.step(
        "/plan",
        Role.COORDINATOR,
        {
            "tool": "minutes",
            "informed_of_right_to_ip": True,
            "ip_declined": True,
            "occurred_at": "2026-03-16T12:00:00Z",
        },
    )
    goal = walk.step(
        "/goals",
        Role.COORDINATOR,
        {
            "text": "Jeg vil ha en fast jobb innen ett år",
            "life_area": "education_work",
            "responsible_service": "NAV",
            "evaluate_by": "2026-09-01",
            "occurred_at": "2026-03-16T12:00:00Z",
        },
        names="goal_id",
    )["goal_id"]
    meeting = walk.step(
        "/meetings",
        Role.COORDINATOR,
        {"scheduled_for": "2026-03-16T10:00:00Z", "invitees": [nav], "occurred_at": "2026-03-02T09:00:00Z"},
        names="meeting_id",
    )["meeting_id"]
    walk.step(
        f"/meetings/{meeting}/agenda",
        Role.COORDINATOR,
        {
            "items": ["Hva er viktig for deg?", "Arbeid"],
            "agreed_with_subject": True,
            "occurred_at": "2026-03-09T09:00:00Z",
        },
    )
    walk.step(
        f"/meetings/{meeting}/held",
        Role.COORDINATOR,
        {
            "attendees": [nav],
            "subject_voice": "Han snakket først.",
            "informed_of_right_to_ip": True,
            "occurred_at": "2026-03-16T11:00:00Z",
        },
    )
    walk.step(
        f"/meetings/{meeting}/minutes", Role.COORDINATOR, {"recipients": [nav], "occurred_at": "2026-03-20T09:00:00Z"}
    )
    walk.step(
        f"/goals/{goal}/evaluations",
        Role.SERVICE_PROVIDER,
        {"status": "partly_achieved", "note": "Arbeidstrening i gang.", "occurred_at": "2026-08-25T09:00:00Z"},
    )
    walk.step(
        "/reviews",
        Role.COORDINATOR,
        {"continued_need": True, "note": "Teamet fungerer.", "occurred_at": "2026-09-10T09:00:00Z"},
    )
    walk.step(
        "/closure",
        Role.COORDINATOR,
        {
            "reason": "Målene er nådd",
            "assessment": "Ikke lenger behov.",
            "agreed_by_subject": True,
            "occurred_at": "2026-11-01T09:00:00Z",
        },
    )
    export = walk.step("/exports", Role.KE_CASEWORKER, {"format": "json"}, names="export_id")
    assert len(export["sha256"]) == 64 and int(export["sha256"], 16) >= 0
    # The archive files the case's documents first (INV-12); its receipts come over the archive seam.
    file_in_archive(api, HttpCase(walk.case_id, nid))
    walk.step("/erasure", Role.KE_CASEWORKER)
    walk.step(
        "/complaints",
        Role.KE_CASEWORKER,
        {"concerns": ["coordinator"], "received_at": "2026-11-20T09:00:00Z"},
        names="complaint_id",
    )


# ------------------------------------------------------------------ refusals
def test_a_fifteen_year_olds_own_consent_is_refused_with_inv_04(api: Api) -> None:
    """A subject under 16 does not consent for themselves: 409, rule INV-04."""
    child = open_case(api, birth=born(TODAY.date(), 15))
    response = api.post(
        f"{child.path}/consents",
        Role.KE_CASEWORKER,
        {
            "given_by": {"role": "subject", "name": "Ola Nordmann", "national_id": child.national_id},
            "services": ["NAV"],
            "categories": ["school"],
        },
    )
    assert_problem(response, 409, "INV-04")


def test_a_command_on_a_closed_case_is_refused_with_inv_08(api: Api) -> None:
    """After closure only export, erasure, complaints and reopening: a goal is 409, INV-08."""
    case = running_case(api)
    created(api.post(f"{case.path}/plan", Role.COORDINATOR, {"tool": "individual_plan"}))
    created(
        api.post(
            f"{case.path}/closure",
            Role.KE_CASEWORKER,
            {"reason": "Flyttet", "assessment": "Ingen behov", "agreed_by_subject": True},
        )
    )
    response = api.post(
        f"{case.path}/goals",
        Role.COORDINATOR,
        {"text": "Jeg vil", "life_area": "health", "responsible_service": "NAV", "evaluate_by": "2027-01-01"},
    )
    assert_problem(response, 409, "INV-08")


@pytest.mark.parametrize("national_id", ["12345678901", "02047900186", "31027900000"])
def test_an_invalid_national_id_is_refused_with_422_inv_11(api: Api, national_id: str) -> None:
    """Bad check digits or an impossible date: 422, rule INV-11, and no case opened."""
    response = api.post(
        "/v1/cases",
        Role.KE_CASEWORKER,
        {"subject": {"national_id": national_id}, "requested": ["coordinator"], "referred_by": {"kind": "gp"}},
    )
    body = assert_problem(response, 422, "INV-11")
    assert national_id not in response.text, "the number itself is personal data and is never echoed"
    assert "case_id" not in body


def test_an_invalid_guardian_national_id_is_refused_with_inv_11(api: Api) -> None:
    """INV-11 holds for a guardian's number too."""
    response = api.post(
        "/v1/cases",
        Role.KE_CASEWORKER,
        {
            "subject": {"national_id": synthesize(date(2021, 5, 10))},
            "requested": ["child_coordinator"],
            "guardians": [{"national_id": "12345678901", "name": "Mor"}],
            "referred_by": {"kind": "kindergarten"},
        },
    )
    assert_problem(response, 422, "INV-11")


def test_a_decision_by_a_coordinator_is_refused_with_403_inv_07(api: Api) -> None:
    """Only the coordinating unit records decisions (INV-07)."""
    case = running_case(api)
    response = api.post(
        f"{case.path}/decisions",
        Role.COORDINATOR,
        {"outcome": "granted", "concerns": ["coordinator"], "legal_basis": "hol. § 7-2", "reasons": "Behov"},
    )
    assert_problem(response, 403, "INV-07")


def test_a_goal_by_another_coordinator_is_refused_with_403_inv_07(api: Api) -> None:
    """A coordinator runs only the cases they coordinate."""
    case = running_case(api)
    response = api.post(f"{case.path}/plan", Role.COORDINATOR, {"tool": "individual_plan"}, sub="koord-2")
    assert_problem(response, 403, "INV-07")


def test_a_case_of_another_municipality_is_reported_as_absent(api: Api) -> None:
    """KE of Vestre Toten acting on a Søndre Land case gets 404, the same as for no case at all."""
    case = running_case(api)
    body = {"outcome": "granted", "concerns": ["coordinator"], "legal_basis": "hol. § 7-2", "reasons": "Behov"}
    other = api.post(f"{case.path}/decisions", Role.KE_CASEWORKER, body, municipality="3443")
    absent = api.post("/v1/cases/00000000-0000-4000-8000-000000000000/decisions", Role.KE_CASEWORKER, body)
    assert_problem(other, 404)
    assert_problem(absent, 404)
    assert other.json()["detail"] == absent.json()["detail"]


def test_a_stale_if_match_is_refused_with_412_and_writes_nothing(api: Api) -> None:
    """If-Match naming an older version: 412, and the case has no new event."""
    case = running_case(api)
    before = api.event_count(case.case_id)
    response = api.post(
        f"{case.path}/reviews", Role.COORDINATOR, {"continued_need": True}, headers={"If-Match": f'"{before - 1}"'}
    )
    assert_problem(response, 412)
    assert api.event_count(case.case_id) == before


def test_a_current_if_match_is_accepted(api: Api) -> None:
    """If-Match with the version from the case's ETag lets the command through."""
    case = running_case(api)
    etag = api.get(case.path, Role.KE_CASEWORKER).headers["etag"]
    response = api.post(f"{case.path}/reviews", Role.COORDINATOR, {"continued_need": True}, headers={"If-Match": etag})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("value", ["3", "*", '"abc"', '"1" "2"', '"-1"'])
def test_a_malformed_if_match_is_refused_and_writes_nothing(api: Api, value: str) -> None:
    """If-Match must be a quoted version; anything else does not match: 412, nothing written."""
    case = running_case(api)
    before = api.event_count(case.case_id)
    response = api.post(f"{case.path}/reviews", Role.COORDINATOR, {"continued_need": True}, headers={"If-Match": value})
    assert_problem(response, 412)
    assert api.event_count(case.case_id) == before


def test_an_idempotency_key_replay_answers_200_with_the_first_body_and_writes_nothing(api: Api) -> None:
    """The same key again: 200, the first answer, no second event."""
    case = running_case(api)
    body = {"text": "Jeg vil", "life_area": "health", "responsible_service": "NAV", "evaluate_by": "2027-01-01"}
    created(api.post(f"{case.path}/plan", Role.COORDINATOR, {"tool": "individual_plan"}))
    first = api.post(f"{case.path}/goals", Role.COORDINATOR, body, headers={"Idempotency-Key": "goal-1"})
    assert first.status_code == 201, first.text
    count = api.event_count(case.case_id)
    again = api.post(f"{case.path}/goals", Role.COORDINATOR, body, headers={"Idempotency-Key": "goal-1"})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert api.event_count(case.case_id) == count


def test_an_idempotency_key_reused_for_another_request_is_refused(api: Api) -> None:
    """The same key with a different body is a client error, not a replay."""
    case = running_case(api)
    first = api.post(
        f"{case.path}/reviews", Role.COORDINATOR, {"continued_need": True}, headers={"Idempotency-Key": "k"}
    )
    assert first.status_code == 201
    count = api.event_count(case.case_id)
    response = api.post(
        f"{case.path}/reviews", Role.COORDINATOR, {"continued_need": False}, headers={"Idempotency-Key": "k"}
    )
    assert_problem(response, 422)
    assert api.event_count(case.case_id) == count


def test_opening_a_case_replays_for_its_idempotency_key(api: Api) -> None:
    """A retried referral does not open a second case."""
    body = {
        "subject": {"name": "Ola", "birth_date": "1990-12-01"},
        "requested": ["coordinator"],
        "referred_by": {"kind": "gp"},
    }
    first = api.post("/v1/cases", Role.KE_CASEWORKER, body, headers={"Idempotency-Key": "referral-77"})
    again = api.post("/v1/cases", Role.KE_CASEWORKER, body, headers={"Idempotency-Key": "referral-77"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["case_id"] == first.json()["case_id"]


@pytest.mark.parametrize("key", ["", " ", "x" * 201, "a\tb"])
def test_an_unusable_idempotency_key_is_refused_with_422(api: Api, key: str) -> None:
    """An empty, overlong or unprintable key is malformed input."""
    case = running_case(api)
    response = api.post(
        f"{case.path}/reviews", Role.COORDINATOR, {"continued_need": True}, headers={"Idempotency-Key": key}
    )
    assert_problem(response, 422)


# ------------------------------------------------------------ malformed input
def _raw(api: Api, case: HttpCase, content: bytes, content_type: str = "application/json") -> Any:
    return api.client.post(
        f"{case.path}/reviews", content=content, headers={**api.auth(Role.COORDINATOR), "Content-Type": content_type}
    )


@pytest.mark.parametrize(
    "content",
    [
        b"{",
        b"",
        b"null",
        b"[]",
        b'"text"',
        b'{"continued_need": tru}',
        b"\xff\xfe",
        b'{"continued_need": true}' * 2,
        b'{"continued_need": true, "note": "\x80\xfe"}',
        b"[" * 100_000,
    ],
)
def test_malformed_json_is_refused_with_422(api: Api, content: bytes) -> None:
    """A body that is not a JSON object is a 422 problem, never a 500."""
    case = running_case(api)
    assert_problem(_raw(api, case, content), 422)


@pytest.mark.parametrize(
    "body",
    [
        {"continued_need": "perhaps"},
        {"continued_need": True, "note": 42},
        {"continued_need": True, "occurred_at": "yesterday"},
        {"continued_need": True, "occurred_at": "2026-01-01T10:00:00"},  # no time zone
        {"continued_need": [True]},
    ],
)
def test_wrong_types_are_refused_with_422(api: Api, body: dict[str, Any]) -> None:
    """A field of the wrong type (or a time without zone) is a 422 problem naming the field."""
    case = running_case(api)
    response = api.post(f"{case.path}/reviews", Role.COORDINATOR, body)
    problem = assert_problem(response, 422)
    assert problem["errors"] and all(e["loc"] for e in problem["errors"])


@pytest.mark.parametrize(
    "body",
    [
        {"person": {"id": "nav-2\u0000", "name": "Nils"}, "service": "NAV", "role": "veileder"},
        {"person": {"id": "nav-2", "name": "Nils"}, "service": "N\u0000AV", "role": "veileder"},
        {"person": {"id": "nav-2", "name": "Nils\nNilsen"}, "service": "NAV", "role": "veileder"},
    ],
)
def test_control_characters_in_names_and_ids_are_refused_with_422(api: Api, body: dict[str, Any]) -> None:
    """A NUL (which PostgreSQL text cannot hold) or a line break in an id, name or service is malformed input."""
    case = running_case(api)
    before = api.event_count(case.case_id)
    assert_problem(api.post(f"{case.path}/participants", Role.COORDINATOR, body), 422)
    assert api.event_count(case.case_id) == before
    assert api.get("/v1/register/teams", Role.KE_CASEWORKER).status_code == 200


def test_a_line_break_in_a_note_is_accepted_but_a_nul_is_not(api: Api) -> None:
    """Free text may span lines; it may not carry a NUL."""
    case = running_case(api)
    response = api.post(f"{case.path}/reviews", Role.COORDINATOR, {"continued_need": True, "note": "a\nb"})
    assert response.status_code == 201
    assert_problem(api.post(f"{case.path}/reviews", Role.COORDINATOR, {"continued_need": True, "note": "a\u0000"}), 422)


def test_unknown_fields_are_refused_with_422(api: Api) -> None:
    """A field the contract does not know is refused, not silently dropped."""
    case = running_case(api)
    response = api.post(f"{case.path}/reviews", Role.COORDINATOR, {"continued_need": True, "approved_by": "me"})
    problem = assert_problem(response, 422)
    assert ["body", "approved_by"] in [e["loc"] for e in problem["errors"]]


def test_a_missing_required_field_is_refused_with_422(api: Api) -> None:
    """A required field left out is a 422 problem."""
    case = running_case(api)
    assert_problem(api.post(f"{case.path}/reviews", Role.COORDINATOR, {}), 422)


def test_a_path_id_that_is_not_a_uuid_is_refused_with_422(api: Api) -> None:
    """A malformed case id is malformed input."""
    assert_problem(api.post("/v1/cases/not-a-uuid/reviews", Role.COORDINATOR, {"continued_need": True}), 422)


def test_an_occurred_at_in_the_future_is_refused(api: Api) -> None:
    """INV-10: an event never happened in the future; nothing is written."""
    case = running_case(api)
    before = api.event_count(case.case_id)
    response = api.post(
        f"{case.path}/reviews", Role.COORDINATOR, {"continued_need": True, "occurred_at": "2027-01-01T00:00:00Z"}
    )
    assert response.status_code in (409, 422)
    assert_problem(response, response.status_code, "INV-10")
    assert api.event_count(case.case_id) == before


@pytest.mark.parametrize("occurred_at", ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59"])
def test_an_occurred_at_at_the_edge_of_the_calendar_is_refused_not_a_500(api: Api, occurred_at: str) -> None:
    """Extreme times are refused as input, whatever the offset."""
    case = running_case(api)
    response = api.post(f"{case.path}/reviews", Role.COORDINATOR, {"continued_need": True, "occurred_at": occurred_at})
    assert response.status_code in (409, 422)
    assert response.headers["content-type"].startswith(PROBLEM)


def test_a_coordinator_replacement_leaves_the_case_readable(api: Api) -> None:
    """After a replacement the case reads, with the new coordinator of the same kind (was a 500)."""
    case = running_case(api)
    created(
        api.post(
            f"{case.path}/coordinators/replacement",
            Role.KE_CASEWORKER,
            {"person": {"id": "koord-2", "name": "Kari Ny"}, "unit": "Psykisk helse og rus"},
        )
    )
    response = api.get(case.path, Role.KE_CASEWORKER)
    assert response.status_code == 200, response.text
    assert response.json()["coordinator"]["person_id"] == "koord-2"
    assert response.json()["coordinator"]["kind"] == "coordinator"


# ------------------------------------------------------ every error's shape
ERRORS = {
    "401 no token": lambda api, case: api.client.post(f"{case.path}/reviews", json={"continued_need": True}),
    "403 role": lambda api, case: api.post(
        f"{case.path}/decisions",
        Role.SERVICE_PROVIDER,
        {"outcome": "granted", "concerns": ["coordinator"], "legal_basis": "x", "reasons": "y"},
    ),
    "404 no case": lambda api, case: api.post(
        f"{case.path}/reviews", Role.COORDINATOR, {"continued_need": True}, municipality="4647"
    ),
    "404 no route": lambda api, case: api.get("/v1/nothing-here", Role.KE_CASEWORKER),
    "405 method": lambda api, case: api.client.put(case.path, headers=api.auth(Role.KE_CASEWORKER)),
    "409 rule": lambda api, case: api.post(
        f"{case.path}/coordinators",
        Role.KE_CASEWORKER,
        {"person": {"id": "x", "name": "X"}, "unit": "U", "kind": "coordinator", "subject_wish_heard": True},
    ),
    "412 version": lambda api, case: api.post(
        f"{case.path}/reviews", Role.COORDINATOR, {"continued_need": True}, headers={"If-Match": '"1"'}
    ),
    "422 body": lambda api, case: api.post(f"{case.path}/reviews", Role.COORDINATOR, {"continued_need": 3}),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_every_error_is_a_problem_document(api: Api, name: str) -> None:
    """Each error answers application/problem+json with type, title, status and detail."""
    case = running_case(api)
    response = ERRORS[name](api, case)
    status = int(name.split()[0])
    body = assert_problem(response, status)
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]


def test_a_refusal_by_an_invariant_names_the_rule_in_the_type(api: Api) -> None:
    """A rule's problem type is a stable URI naming the rule."""
    case = running_case(api)
    response = api.post(
        f"{case.path}/decisions",
        Role.COORDINATOR,
        {"outcome": "granted", "concerns": ["coordinator"], "legal_basis": "x", "reasons": "y"},
    )
    assert assert_problem(response, 403, "INV-07")["type"].endswith("/inv-07")


def test_health_needs_no_token(api: Api) -> None:
    """GET /v1/health answers anyone, naming the store but no secret."""
    response = api.client.get("/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert "secret" not in response.text.lower()


def test_consent_by_the_coordinator_is_created(api: Api) -> None:
    """The coordinator records the adult subject's own consent: 201 with consent_id."""
    case = running_case(api)
    assert consent_for(api, case, [case.participants["nav"]], ["work"])


def test_removing_a_participant_answers_with_the_new_version(api: Api) -> None:
    """DELETE of a participant is a command too: 201 and the next version."""
    case = running_case(api)
    version = api.event_count(case.case_id)
    response = api.client.delete(
        f"{case.path}/participants/{case.participants['nav']}", headers=api.auth(Role.COORDINATOR)
    )
    assert created(response)["version"] == version + 1


def test_a_goal_names_its_id(api: Api) -> None:
    """POST goals answers goal_id."""
    case = running_case(api)
    created(api.post(f"{case.path}/plan", Role.COORDINATOR, {"tool": "individual_plan"}))
    assert set_goal(api, case, "health")


def test_a_request_without_a_token_is_refused_before_its_headers_are_judged(api: Api) -> None:
    """No token and a malformed If-Match: 401, not 412."""
    case = running_case(api)
    response = api.client.post(f"{case.path}/reviews", json={"continued_need": True}, headers={"If-Match": "x"})
    assert_problem(response, 401)


def test_the_schema_names_the_command_headers_and_the_replay_answer(api: Api) -> None:
    """GET /openapi.json documents If-Match, Idempotency-Key, the 200 replay and the ETag of every command on a
    case (the archive seam's claims and receipts, and KE's notification set-up in /v1/contacts and /v1/webhooks,
    change no case: tests/test_archive_seam.py, tests/test_notify_api.py)."""
    schema = api.client.get("/openapi.json").json()
    commands = [
        (path, op)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if method in ("post", "delete") and path.startswith("/v1/cases")
    ]
    assert len(commands) >= 40
    for path, op in commands:
        headers = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        assert {"If-Match", "Idempotency-Key"} <= headers, path
        assert {"200", "201", "401", "403", "404", "409", "412", "422"} <= op["responses"].keys(), path
        assert "ETag" in op["responses"]["201"]["headers"], path


def test_reopening_an_erased_case_is_refused_with_inv_12(api: Api) -> None:
    """After erasure the case cannot be reopened: 409 INV-12 (was a 500), nothing written."""
    case = running_case(api)
    created(
        api.post(
            f"{case.path}/closure",
            Role.KE_CASEWORKER,
            {
                "reason": "Flyttet",
                "assessment": "Ingen behov",
                "agreed_by_subject": False,
                "termination_letter_sent": True,
            },
        )
    )
    created(api.post(f"{case.path}/exports", Role.KE_CASEWORKER, {"format": "json"}))
    file_in_archive(api, case)
    created(api.post(f"{case.path}/erasure", Role.KE_CASEWORKER))
    before = api.event_count(case.case_id)
    assert_problem(api.post(f"{case.path}/reopening", Role.KE_CASEWORKER, {"reason": "Feil"}), 409, "INV-12")
    assert api.event_count(case.case_id) == before


def test_reopening_a_closed_case_reclaims_its_plan(api: Api) -> None:
    """A closed case with an IP reopens (201); a second open IP for the person is then refused (INV-02)."""
    case = running_case(api)
    created(
        api.post(
            f"{case.path}/closure",
            Role.KE_CASEWORKER,
            {"reason": "Flyttet", "assessment": "Ingen behov", "agreed_by_subject": True},
        )
    )
    second = open_case(api)  # the first plan was released on closing
    created(
        api.post(
            f"{second.path}/closure",
            Role.KE_CASEWORKER,
            {"reason": "Feil", "assessment": "Åpnet ved en feil", "agreed_by_subject": True},
        )
    )
    created(api.post(f"{case.path}/reopening", Role.KE_CASEWORKER, {"reason": "Tilbake"}))
    assert_problem(api.post(f"{second.path}/reopening", Role.KE_CASEWORKER, {"reason": "Igjen"}), 409, "INV-02")


def test_after_erasure_no_reader_sees_the_subjects_name_or_national_id(api: Api) -> None:
    """Scenario 3: erased, the case and its history still read, without the person, and the ledger verifies."""
    case = running_case(api)
    consent_for(api, case, [case.participants["nav"]], ["work"])
    created(
        api.post(
            f"{case.path}/closure",
            Role.KE_CASEWORKER,
            {
                "reason": "Samtykke trukket",
                "assessment": "Ikke grunnlag",
                "agreed_by_subject": False,
                "termination_letter_sent": True,
            },
        )
    )
    created(api.post(f"{case.path}/exports", Role.KE_CASEWORKER, {"format": "json"}))
    file_in_archive(api, case)
    created(api.post(f"{case.path}/erasure", Role.KE_CASEWORKER))
    created(api.post(f"{case.path}/complaints", Role.KE_CASEWORKER, {"concerns": ["coordinator"]}))
    for role in (Role.KE_CASEWORKER, Role.SUPERVISOR, Role.COORDINATOR, Role.SERVICE_PROVIDER):
        for part in ("", "/history", "/access-log"):
            response = api.get(case.path + part, role)
            assert response.status_code in (200, 403), (role, part, response.text)
            assert case.national_id not in response.text and "Ola Nordmann" not in response.text, (role, part)
    verification = api.get("/v1/ledger/verify", Role.SUPERVISOR).json()
    assert verification["ok"] and verification["access_log_problems"] == []
