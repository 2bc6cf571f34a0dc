"""The plan as a PDF export: the whole plan in Norwegian, the same bytes for
the same events, its sha256 recorded and reproduced when fetched again."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from typing import Any

from pypdf import PdfReader

from audit.report import PlanPdf
from commands.plan_commands import ReviseGoal
from ledger.values import Role
from projections.case_view import fold
from tests.support.http import Api, created, populated_case
from tests.support.story import Story

GOAL = "Jeg vil lære å lage middag selv og bo på Søndre Land"


def text_of(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


def planned(ledger: Any) -> Story:
    s = Story(ledger.app)
    s.running("2026-01-20")
    s.plan("2026-01-21")
    goal = s.goal("2026-01-21", "2026-06-01")
    s.do(ReviseGoal, "2026-01-22", goal_id=goal, text=GOAL, evaluate_by=date(2026, 6, 1))
    s.evaluate_goal("2026-05-30", goal)
    s.meeting("2026-02-10", agenda="2026-02-01", minutes="2026-02-12")
    return s


def test_the_plan_pdf_holds_the_whole_plan_in_norwegian(ledger):
    """Subject, coordinator, team, consents, goals with evaluations and meetings, with æøå intact."""
    s = planned(ledger)
    text = text_of(PlanPdf(fold)("3447", s.case_id, s.events()))
    for expected in (
        "Individuell plan",
        "Søndre Land kommune (3447)",
        "Åse Testesen",
        "Kåre Koordinator",
        "Team og deltakere",
        "NAV",
        "fastlege",
        "Samtykker",
        "Mål, tiltak og evalueringer",
        GOAL,
        "delvis nådd",
        "Møter",
        "holdt",
    ):
        assert expected in text, expected


def test_the_same_events_give_the_same_bytes(ledger, clock):
    """Dated by the last event, not by when it is rendered."""
    s = planned(ledger)
    events = s.events()
    first = PlanPdf(fold)("3447", s.case_id, events)
    clock.advance(days=3)
    assert PlanPdf(fold)("3447", s.case_id, events) == first
    assert PlanPdf(fold)("3447", s.case_id, events[:-1]) != first


def test_a_pdf_export_is_recorded_by_digest_and_fetched_byte_for_byte(api: Api):
    """POST …/exports {"format": "pdf"} records the sha256; GET renders it again, as application/pdf, and later
    events do not change it."""
    case, _ = populated_case(api)
    out = created(api.post(f"{case.path}/exports", Role.KE_CASEWORKER, {"format": "pdf"}))
    created(
        api.post(
            f"{case.path}/goals",
            Role.COORDINATOR,
            {
                "text": "Et nytt mål etter eksporten",
                "life_area": "health",
                "responsible_service": "NAV",
                "evaluate_by": "2027-06-01",
            },
        )
    )
    response = api.get(f"{case.path}/exports/{out['export_id']}", Role.COORDINATOR)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(response.content).hexdigest() == out["sha256"]
    assert response.headers["digest"] == f"sha-256={out['sha256']}"
    assert "Et nytt mål" not in text_of(response.content)
