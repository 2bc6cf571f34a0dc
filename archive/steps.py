"""The archivable steps of a case and their PDF/A documents.

A step is archivable once it has happened and its document can no longer
change: a decision when it is recorded; the plan as it stood at the end of
each half-year (30 June, 31 December, Norwegian time) while a plan exists,
and at closing; the minutes of a meeting once they are distributed (or, at
closing, as they stand); the closing letter when the case is closed.

Every step and document is derived from the case-view fold and the events
alone, dated by the events, so listing and rendering again gives the same
steps and the same bytes. A plan snapshot holds the events that had
*happened* by its moment (the plan "as of" then); an event recorded late
with an earlier date changes a snapshot rendered after it, and the digest
in the archive shows the difference.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from functools import cached_property
from typing import Any
from uuid import UUID

from audit.compliance.timeline import NORWAY
from audit.report.labels import date_text
from audit.report.plan import render_plan_pdf
from audit.report.records import (
    closing_title,
    decision_title,
    minutes_title,
    render_closing_letter_pdf,
    render_decision_pdf,
    render_minutes_pdf,
)
from ledger.events import CaseOpened, DecisionRecorded
from ledger.events_plan import CaseClosed, MeetingHeld, MinutesDistributed

SYSTEM_ACTOR = "coordination-ledger"  # who "made" a plan snapshot: the ledger itself, at a date


class StepKind(Enum):
    DECISION = "vedtak"
    PLAN_SNAPSHOT = "plan"
    MINUTES = "referat"
    CLOSING_LETTER = "avslutningsbrev"


@dataclass(frozen=True)
class Journal:
    """How a kind of step is recorded: Noark journalposttype (code, text), document type (Fiks code,
    Noark text), whether it is a letter to the subject, and which unit answers for it."""

    record_type: tuple[str, str]
    document_type: tuple[str, str]
    to_subject: bool
    by_ke: bool


JOURNAL: dict[StepKind, Journal] = {
    StepKind.DECISION: Journal(("U", "Utgående dokument"), ("VEDTAK", "Vedtak"), to_subject=True, by_ke=True),
    StepKind.PLAN_SNAPSHOT: Journal(
        ("X", "Organinternt dokument uten oppfølging"), ("NOTAT", "Notat"), to_subject=False, by_ke=False
    ),
    StepKind.MINUTES: Journal(
        ("X", "Organinternt dokument uten oppfølging"), ("PROTOKOLL", "Protokoll"), to_subject=False, by_ke=False
    ),
    StepKind.CLOSING_LETTER: Journal(
        ("U", "Utgående dokument"), ("KORR", "Korrespondanse"), to_subject=True, by_ke=True
    ),
}


@dataclass(frozen=True)
class Step:
    kind: StepKind
    key: str  # the decision or meeting id, the snapshot's date, or "avslutning"
    made_at: datetime  # the moment the document records (from the events)
    created_by: str  # the id of whoever recorded the event (never a name)
    title: str  # without personal data: it is shown in the public journal

    @property
    def id(self) -> str:
        """Unique within the case, stable: the external key of the record in the archive."""
        return f"{self.kind.value}:{self.key}"

    @property
    def journal(self) -> Journal:
        return JOURNAL[self.kind]

    @property
    def label(self) -> str:
        """What a person is told the step is: its title, dated (a plan snapshot's title holds its date)."""
        if self.kind is StepKind.PLAN_SNAPSHOT:
            return self.title
        return f"{self.title} ({date_text(self.made_at.isoformat())})"


@dataclass(frozen=True)
class ArchiveDocument:
    """A step's PDF/A document."""

    step: Step
    content: bytes

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def file_name(self) -> str:
        """A file name without spaces or letters outside ASCII, as Fiks Arkiv asks of `referanseDokumentfil`."""
        return f"{self.step.kind.value}-{re.sub(r'[^A-Za-z0-9-]', '-', self.step.key)}.pdf"


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def half_year_ends(start: datetime, end: datetime) -> list[datetime]:
    """The ends of half-years (midnight after 30 June and after 31 December, Norwegian time) in (start, end]."""
    out = []
    for year in range(start.astimezone(NORWAY).year, end.astimezone(NORWAY).year + 1):
        for month in (7, 1):
            boundary = datetime.combine(date(year + (month == 1), month, 1), time(), NORWAY).astimezone(UTC)
            if start < boundary <= end:
                out.append(boundary)
    return sorted(out)


def _recorder(events: Sequence[Any], kind: type[Any], **match: str) -> str:
    for e in events:
        if isinstance(e, kind) and all(str(getattr(e, k)) == v for k, v in match.items()):
            return str(e.recorded_by.id)
    return SYSTEM_ACTOR


def _first_recorders(events: Sequence[Any], kind: type[Any], field: str) -> dict[str, str]:
    """Who recorded the first event of `kind` for each value of `field` (as `_recorder` finds it)."""
    found: dict[str, str] = {}
    for e in events:
        if isinstance(e, kind):
            found.setdefault(str(getattr(e, field)), str(e.recorded_by.id))
    return found


def _last_recorder(events: Sequence[Any], kind: type[Any]) -> str:
    found = [e for e in events if isinstance(e, kind)]
    return str(found[-1].recorded_by.id) if found else SYSTEM_ACTOR


def _plan_title(view: dict[str, Any]) -> str:
    plan = view.get("plan") or {}
    return "Individuell plan" if plan.get("tool") != "minutes" else "Koordineringsplan"


def archivable_steps(
    view: dict[str, Any], events: Sequence[Any], now: datetime, *, team_name: str = "ansvarsgruppe"
) -> list[Step]:
    """Every step of the case that is archivable at `now`, in the order it happened.

    A reopened case keeps its last closing in the view; it counts only while the case is closed
    (the steps of an earlier closing were decided when it was made). A second closing's steps are
    keyed by its number ("avslutning-2"), so they are filed as records of their own."""
    steps: list[Step] = []
    closure = view.get("closure") if view.get("status") == "closed" else None
    closed_at = _moment(closure["at"]) if closure else None
    closings = sum(isinstance(e, CaseClosed) for e in events)
    closing_key = "avslutning" if closings <= 1 else f"avslutning-{closings}"
    # Who recorded each item, looked up once per kind (a case of hundreds of meetings asks for each).
    decided_by = _first_recorders(events, DecisionRecorded, "decision_id")
    minutes_by = _first_recorders(events, MinutesDistributed, "meeting_id")
    held_by = _first_recorders(events, MeetingHeld, "meeting_id")
    for d in view.get("decisions", []):
        steps.append(
            Step(
                StepKind.DECISION,
                d["decision_id"],
                _moment(d["decided_at"]),
                decided_by.get(d["decision_id"], SYSTEM_ACTOR),
                decision_title(d),
            )
        )
    name = (view.get("team") or {}).get("local_name") or team_name
    for m in view.get("meetings", {}).values():
        held, minutes = m["held"], m["minutes"]
        if held is None or (minutes is None and closed_at is None):
            continue
        made_at = _moment(minutes["at"] if minutes else held["at"])
        by = (minutes_by if minutes else held_by).get(m["meeting_id"], SYSTEM_ACTOR)
        steps.append(Step(StepKind.MINUTES, m["meeting_id"], made_at, by, minutes_title(m, name)))
    plan = view.get("plan")
    if plan:
        title = _plan_title(view)
        until = min(closed_at, now) if closed_at else now
        for boundary in half_year_ends(_moment(plan["established_at"]), until):
            last_day = boundary.astimezone(NORWAY).date() - timedelta(days=1)  # 30 June or 31 December
            steps.append(
                Step(
                    StepKind.PLAN_SNAPSHOT,
                    last_day.isoformat(),
                    boundary,
                    SYSTEM_ACTOR,
                    f"{title} per {date_text(last_day.isoformat())}",
                )
            )
        if closure is not None and closed_at is not None:
            steps.append(
                Step(
                    StepKind.PLAN_SNAPSHOT,
                    closing_key,
                    closed_at,
                    _last_recorder(events, CaseClosed),
                    f"{title} ved avslutning {date_text(closure['at'])}",
                )
            )
    if closure is not None and closed_at is not None:
        steps.append(
            Step(
                StepKind.CLOSING_LETTER,
                closing_key,
                closed_at,
                _last_recorder(events, CaseClosed),
                closing_title(closure),
            )
        )
    return sorted(steps, key=lambda s: (s.made_at, s.kind.value, s.key))


def render_step(
    step: Step,
    view: dict[str, Any],
    events: Sequence[Any],
    *,
    fold: Callable[[Sequence[Any]], dict[str, Any]],
    team_name: str = "ansvarsgruppe",
) -> ArchiveDocument:
    """The step's PDF/A document, rendered from the view and the events; a plan snapshot is the
    view of the events that had happened by then (`fold`, the case view's, is given by the caller:
    archive/ is a pure room and knows no projection)."""
    if step.kind is StepKind.DECISION:
        content = render_decision_pdf(view, step.key)
    elif step.kind is StepKind.MINUTES:
        content = render_minutes_pdf(view, events, step.key, team_name=team_name)
    elif step.kind is StepKind.CLOSING_LETTER:
        content = render_closing_letter_pdf(view)
    else:
        snapshot = [e for e in events if e.occurred_at <= step.made_at]
        content = render_plan_pdf(fold(snapshot), view["municipality"], UUID(view["case_id"]), snapshot)
    return ArchiveDocument(step, content)


def opened_by(events: Sequence[Any]) -> str:
    return _recorder(events, CaseOpened)


@dataclass(frozen=True)
class Archivable:
    """The archivable steps of a case from its events alone: the one rule the erasure check
    (INV-12), the archive projection and the archive seam share. `fold` is the case view's and
    `team_name` the municipality profile's name of the team (minutes are titled with it); the
    composition root gives both, as archive/ knows no projection and no profile."""

    fold: Callable[[Sequence[Any]], dict[str, Any]]
    team_name: Callable[[str], str]

    def of(
        self, events: Sequence[Any], now: datetime, view: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], list[Step]]:
        """The case view of `events` (folded here unless the caller has it) and its archivable steps at `now`."""
        view = view if view is not None else self.fold(events)
        if not view:
            return view, []
        return view, archivable_steps(view, events, now, team_name=self.team_name(view["municipality"]))

    def labels(self, events: Sequence[Any], now: datetime) -> dict[str, str]:
        """step id -> what the step is, in Norwegian (for the erasure check's refusal)."""
        return {step.id: step.label for step in self.of(events, now)[1]}

    def render(self, step: Step, view: dict[str, Any], events: Sequence[Any]) -> ArchiveDocument:
        return render_step(step, view, events, fold=self.fold, team_name=self.team_name(view["municipality"]))
