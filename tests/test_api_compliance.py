"""GET /v1/cases/{id}/compliance: every check, judged under the case's profile at the ledger's clock."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from api.auth import issue_token
from app.server import create_app
from ledger.values import Role
from tests.support.story import Story


def get(ledger, case_id, role=Role.KE_CASEWORKER, sub="ke-1", **claims):
    client = TestClient(create_app(ledger, run_projections=False))
    token = issue_token(ledger.settings.jwt_secret, role=role, sub=sub, municipality="3447", **claims)
    return client.get(f"/v1/cases/{case_id}/compliance", headers={"Authorization": f"Bearer {token}"})


def test_the_compliance_read_lists_every_check_with_evidence(ledger, clock):
    """Twenty checks in order; a coordinator named 28 days after KE's request breaches CHK-01 in Søndre Land."""
    story = Story(ledger.app)
    story.decide("2026-01-14")
    story.request("2026-01-15")
    story.appoint("2026-02-12")
    response = get(ledger, story.case_id)
    body = response.json()
    assert response.status_code == 200
    assert [c["rule"] for c in body["checks"]] == [f"CHK-{i:02d}" for i in range(1, 21)]
    assert body["profile"] == "sondre-land"
    chk01 = body["checks"][0]
    assert chk01["status"] == "breach" and chk01["deadline"].startswith("2026-01-29")
    versions = {e.originator_version: type(e).__name__ for e in story.events()}
    assert {versions[v] for v in chk01["evidence"]} >= {"CoordinatorRequested", "CoordinatorAppointed"}


def test_a_deadline_not_yet_passed_is_pending_and_becomes_a_breach(ledger, clock):
    """With the clock before the 14 days have run CHK-01 is pending; after, a breach."""
    story = Story(ledger.app)
    story.request("2026-01-15")
    clock.set(datetime(2026, 1, 20, 12, tzinfo=UTC))
    assert get(ledger, story.case_id).json()["checks"][0]["status"] == "pending"
    clock.set(datetime(2026, 2, 20, 12, tzinfo=UTC))
    assert get(ledger, story.case_id).json()["checks"][0]["status"] == "breach"


def test_compliance_is_for_ke_the_coordinator_and_statsforvalteren_with_a_complaint(ledger, clock):
    """A service provider is refused (INV-07); the supervisor only once a complaint is recorded."""
    story = Story(ledger.app)
    provider = get(ledger, story.case_id, Role.SERVICE_PROVIDER, "nav-1", service="NAV")
    supervisor = get(ledger, story.case_id, Role.SUPERVISOR, "sf-1")
    assert provider.status_code == 403
    assert supervisor.status_code == 403
