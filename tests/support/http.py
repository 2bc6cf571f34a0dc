"""HTTP test support: the `Api` client the `api` fixture yields (a client around
`create_app(ledger)` (app/server.py) with bearer tokens per role), problem+json assertions, and a
case walked over HTTP as the contract describes it. The `api` fixture builds on
`ledger`, so every API test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from api.auth import issue_token
from app.bootstrap import Ledger
from ledger.national_id import synthesize
from ledger.values import Role
from tests.support.cases import MUNICIPALITY

PROBLEM = "application/problem+json"
ADULT_BIRTH = date(1979, 4, 2)

# Who each role is when a test does not say otherwise. The coordinator's
# `sub` is the person id the KE appoints in `running_case`.
DEFAULT_CLAIMS: dict[Role, dict[str, str]] = {
    Role.KE_CASEWORKER: {"sub": "ke-1", "name": "Kari Saksbehandler"},
    Role.UNIT_LEADER: {"sub": "leder-1", "name": "Lise Leder"},
    Role.COORDINATOR: {"sub": "koord-1", "name": "Kåre Koordinator", "service": "psykisk helse"},
    Role.SERVICE_PROVIDER: {"sub": "nav-1", "name": "Nina NAV", "service": "NAV"},
    Role.CITIZEN: {"sub": "innbygger-1", "name": "Ola Nordmann"},
    Role.GUARDIAN: {"sub": "foresatt-1", "name": "Mor Nordmann"},
    Role.SUPERVISOR: {"sub": "sf-1", "name": "Siri Statsforvalter"},
    Role.ADMIN: {"sub": "admin-1", "name": "Arne Admin"},
    Role.ARCHIVE_INTEGRATION: {"sub": "arkiv-1", "name": "Arkivintegrasjon"},
}


@dataclass
class Api:
    """A test client with the ledger behind it and tokens signed by its secret."""

    client: TestClient
    ledger: Ledger

    def token(self, role: Role, *, municipality: str = MUNICIPALITY, **claims: Any) -> str:
        values = {**DEFAULT_CLAIMS[role], **claims}
        # Issued at the real time: token expiry is checked against the wall clock, not the ledger's.
        return issue_token(self.ledger.settings.jwt_secret, role=role, municipality=municipality, **values)

    def auth(self, role: Role, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, **claims)}"}

    def post(
        self,
        path: str,
        role: Role,
        body: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        **claims: Any,
    ) -> Any:
        return self.client.post(path, json=body, headers={**self.auth(role, **claims), **(headers or {})})

    def get(self, path: str, role: Role, *, params: dict[str, Any] | None = None, **claims: Any) -> Any:
        return self.client.get(path, params=params, headers=self.auth(role, **claims))

    def access_log(self, case_id: UUID | str) -> list[dict[str, Any]]:
        """The case's access log as stored (read beside the API, so not logged)."""
        return self.ledger.access_log.entries(UUID(str(case_id)))

    def event_count(self, case_id: UUID | str) -> int:
        return len(self.ledger.app.case_events(UUID(str(case_id))))


def created(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


def assert_problem(response: Any, status: int, rule: str | None = None) -> dict[str, Any]:
    """An RFC 9457 problem with the status (and rule) expected."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    if rule is not None:
        assert body.get("rule") == rule, body
    return body


# ------------------------------------------------------------ a case over HTTP
@dataclass
class HttpCase:
    case_id: str
    national_id: str | None
    participants: dict[str, str] = field(default_factory=dict)
    consents: dict[str, str] = field(default_factory=dict)
    guardians: list[dict[str, str]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/v1/cases/{self.case_id}"


def open_case(
    api: Api,
    *,
    birth: date = ADULT_BIRTH,
    individual: int = 0,
    guardians: list[dict[str, str]] | None = None,
    requested: tuple[str, ...] = ("coordinator", "individual_plan"),
    municipality: str = MUNICIPALITY,
    name: str = "Ola Nordmann",
) -> HttpCase:
    nid = synthesize(birth, individual)
    body: dict[str, Any] = {
        "subject": {"national_id": nid, "name": name},
        "requested": list(requested),
        "referred_by": {"kind": "gp", "name": "Dr. Lege"},
    }
    if guardians:
        body["guardians"] = guardians
    out = created(api.post("/v1/cases", Role.KE_CASEWORKER, body, municipality=municipality))
    return HttpCase(out["case_id"], nid, guardians=list(guardians or []))


def appoint(api: Api, case: HttpCase, *, person_id: str = "koord-1", municipality: str = MUNICIPALITY) -> None:
    created(
        api.post(
            f"{case.path}/coordinators",
            Role.KE_CASEWORKER,
            {
                "person": {"id": person_id, "name": "Kåre Koordinator"},
                "unit": "Psykisk helse og rus",
                "kind": "coordinator",
                "subject_wish_heard": True,
            },
            municipality=municipality,
        )
    )


def add_participant(
    api: Api, case: HttpCase, key: str, person_id: str, service: str, municipality: str = MUNICIPALITY
) -> str:
    out = created(
        api.post(
            f"{case.path}/participants",
            Role.COORDINATOR,
            {"person": {"id": person_id, "name": f"{service} Person"}, "service": service, "role": "deltaker"},
            municipality=municipality,
        )
    )
    case.participants[key] = out["participant_id"]
    return out["participant_id"]


def running_case(api: Api, **kw: Any) -> HttpCase:
    """An adult's case with a coordinator (koord-1) and NAV (nav-1) in the team."""
    case = open_case(api, **kw)
    m = kw.get("municipality", MUNICIPALITY)
    appoint(api, case, municipality=m)
    add_participant(api, case, "nav", "nav-1", "NAV", municipality=m)
    return case


def consent_for(api: Api, case: HttpCase, participants: list[str], categories: list[str], *, key: str = "main") -> str:
    """The adult subject's own consent, recorded by the coordinator."""
    out = created(
        api.post(
            f"{case.path}/consents",
            Role.COORDINATOR,
            {
                "given_by": {"role": "subject", "name": "Ola Nordmann", "national_id": case.national_id},
                "participants": participants,
                "categories": categories,
            },
        )
    )
    case.consents[key] = out["consent_id"]
    return out["consent_id"]


def set_goal(
    api: Api, case: HttpCase, life_area: str, text: str = "Jeg vil ha en fast jobb", service: str = "NAV"
) -> str:
    return created(
        api.post(
            f"{case.path}/goals",
            Role.COORDINATOR,
            {"text": text, "life_area": life_area, "responsible_service": service, "evaluate_by": "2027-06-01"},
        )
    )["goal_id"]


def populated_case(api: Api) -> tuple[HttpCase, dict[str, str]]:
    """A case with something behind every kind of id a read route may name."""
    case = running_case(api)
    created(api.post(f"{case.path}/plan", Role.COORDINATOR, {"tool": "individual_plan"}))
    ids = {
        "case_id": case.case_id,
        "participant_id": case.participants["nav"],
        "consent_id": consent_for(api, case, [case.participants["nav"]], ["work"]),
        "goal_id": set_goal(api, case, "education_work"),
    }
    ids["meeting_id"] = created(
        api.post(
            f"{case.path}/meetings",
            Role.COORDINATOR,
            {"scheduled_for": "2026-12-01T10:00:00Z", "invitees": [case.participants["nav"]]},
        )
    )["meeting_id"]
    ids["activity_id"] = created(
        api.post(
            f"{case.path}/goals/{ids['goal_id']}/activities",
            Role.COORDINATOR,
            {"what": "Arbeidstrening tre dager i uka", "responsible_service": "NAV"},
        )
    )["activity_id"]
    ids["transition_id"] = created(
        api.post(
            f"{case.path}/transitions",
            Role.COORDINATOR,
            {"kind": "adult_services", "from_service": "skole", "to_service": "NAV", "responsible": "koord-1"},
        )
    )["transition_id"]
    ids["complaint_id"] = created(
        api.post(f"{case.path}/complaints", Role.KE_CASEWORKER, {"concerns": ["coordinator"]})
    )["complaint_id"]
    ids["export_id"] = created(api.post(f"{case.path}/exports", Role.KE_CASEWORKER, {"format": "json"}))["export_id"]
    return case, ids


def file_in_archive(api: Api, case: HttpCase, *, municipality: str = MUNICIPALITY) -> int:
    """Every archive message of the case answered over HTTP, as an integration passes the archive's receipts on
    (INV-12: erasure waits for them); returns how many were answered."""
    from uuid import uuid4

    from archive.receipt import Receipt, build_receipt

    listing = api.get(
        "/v1/archive/messages",
        Role.ARCHIVE_INTEGRATION,
        params={"case_id": case.case_id, "limit": 500},
        municipality=municipality,
    )
    assert listing.status_code == 200, listing.text
    answered = 0
    for number, item in enumerate(listing.json()["items"], 1):
        if item["status"] == "archived":
            continue
        receipt = Receipt(str(uuid4()), number == 1, 2026, 42, str(uuid4()), 2026, 100 + number, number)
        response = api.client.post(
            f"/v1/archive/messages/{item['message_id']}/receipt",
            content=build_receipt(receipt),
            headers={
                **api.auth(Role.ARCHIVE_INTEGRATION, municipality=municipality),
                "Content-Type": "application/xml",
            },
        )
        assert response.status_code == 201, response.text
        answered += 1
    return answered
