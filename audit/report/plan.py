"""The whole plan as the PDF a coordinator files in the case system
(DOMAIN §7, 003 §3: "Ta utskrift av hele IP").

`PlanPdf` is an exporter (`app.exporters["pdf"]`): pure and deterministic,
built from the case-view fold of the events before the export, dated by the
last of them. Only its sha256 is stored; fetching the
export renders it again and must give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from audit.report import labels as L
from audit.report import sections as S
from audit.report.blocks import (
    Block,
    D,
    Pairs,
    consent_blocks,
    coordinator_blocks,
    goal_blocks,
    meeting_blocks,
    review_blocks,
    subject_rows,
    team_blocks,
)
from audit.report.origins import created_versions
from audit.report.pdf import render_document
from ledger import vocabulary as V
from ledger.profiles import MUNICIPALITY_NAMES

# The date of a plan with no events at all (never exported in practice).
_NO_EVENTS = datetime(2000, 1, 1, tzinfo=UTC)


class PlanPdf:
    """The "pdf" exporter: `(municipality, case_id, events) -> bytes`, folding
    the events into the case's view with `fold` (the case-view fold)."""

    def __init__(self, fold: Callable[[Sequence[Any]], dict[str, Any]]) -> None:
        self._fold = fold

    def __call__(self, municipality: str, case_id: UUID, events: Sequence[Any]) -> bytes:
        return render_plan_pdf(self._fold(events), municipality, case_id, events)


def render_plan_pdf(view: dict[str, Any], municipality: str, case_id: UUID, events: Sequence[Any]) -> bytes:
    """The plan as `view` (the fold of `events`) shows it."""
    erased = bool(view.get("erased"))
    versions = created_versions(events)
    plan = view.get("plan") or {}
    title = "Individuell plan" if plan.get("tool") != "minutes" else "Koordineringsplan (referat som verktøy)"
    made_at = events[-1].timestamp if events else _NO_EVENTS
    name = MUNICIPALITY_NAMES.get(municipality, municipality)
    intro = [
        f"{name} kommune ({municipality}), sak {case_id}",
        f"Utskrift av hele planen slik den står etter hendelse {view.get('version', 0)}, "
        f"registrert {L.moment_text(made_at.isoformat())}",
    ]
    team = S.team(view, "team", versions, erased)
    goals = {
        "goals": S.goals(view, versions, erased),
        "life_areas": S.life_areas(view, erased),
        **S.team_reviews(view, erased),
    }
    sections: list[tuple[str, list[Block]]] = [
        (
            "Bruker og plan",
            [
                Pairs(
                    [
                        *subject_rows({"subject": S.subject(view, erased)}),
                        ("Verktøy", L.word(V.PLAN_TOOLS, plan.get("tool")) or "ingen plan opprettet ennå"),
                        ("Plan opprettet", D(plan.get("established_at"))),
                        ("Status", L.word(V.CASE_STATUSES, view.get("status"))),
                    ]
                )
            ],
        ),
        ("Koordinator", coordinator_blocks(S.coordinators(view, events, versions, erased))),
        ("Team og deltakere", team_blocks(team)),
        ("Samtykker", consent_blocks(S.consents(view, versions, erased))),
        ("Mål, tiltak og evalueringer", goal_blocks(goals) + review_blocks(goals)),
        ("Møter", meeting_blocks(S.meetings(view, versions, erased))),
    ]
    return render_document(title, intro, sections, made_at, f"{title}, sak {case_id}")
