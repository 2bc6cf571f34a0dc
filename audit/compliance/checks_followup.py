"""Checks of follow-up over time: the team's review, goals evaluated, the
yearly status to KE (CHK-08, 09, 10). Transitions by age are in
`checks_transitions`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from uuid import UUID

from audit.compliance.result import (
    CheckResult,
    CheckStatus,
    Finding,
    Task,
    awaited,
    breach,
    combine,
    not_applicable,
    ok,
    pending,
)
from audit.compliance.timeline import Timeline, add_months, fmt, local_date, plural
from ledger.events_plan import (
    CaseClosed,
    GoalClosed,
    GoalEvaluated,
    GoalRevised,
    GoalSet,
    StatusReportedToKE,
    TeamReviewed,
    TransferredOut,
)
from ledger.profiles import MunicipalProfile
from ledger.vocabulary import LIFE_AREAS


def recurring(
    t: Timeline,
    rule: str,
    anchor: Any,
    anchor_text: str,
    done: list[Any],
    months: int,
    what: str,
    task: Task | None = None,
) -> CheckResult:
    """Something due every `months` months from `anchor`: each occurrence must come at most that long
    after the previous one (or the anchor), and the last must not be overdue at the case's end (its
    closing, or today). Pending before the first occurrence while the first is not yet due; ok after
    that with the next due date as deadline. While the case is open, the next occurrence (`task`) is
    awaited at most `months` months after the latest one, whatever an earlier lateness concluded."""
    result = _recurring(t, rule, anchor, anchor_text, done, months, what)
    if task is None or not t.is_open:
        return result
    latest = done[-1] if done else anchor
    due = add_months(local_date(latest.occurred_at), months)
    status = CheckStatus.BREACH if t.today_date > due else CheckStatus.PENDING
    return awaited(result, Finding(status, "", (latest,), due, task))


def _recurring(
    t: Timeline, rule: str, anchor: Any, anchor_text: str, done: list[Any], months: int, what: str
) -> CheckResult:
    last, last_text = anchor, anchor_text
    end_day = local_date(t.end)
    for e in done:
        due = add_months(local_date(last.occurred_at), months)
        if local_date(e.occurred_at) > due:
            return breach(
                rule,
                f"{what} kom først {fmt(e.occurred_at)}, mer enn {months} måneder etter "
                f"{last_text} {fmt(last.occurred_at)} (frist {fmt(due)}).",
                last,
                e,
                deadline=due,
            )
        last, last_text = e, f"forrige {what.lower()}"
    due = add_months(local_date(last.occurred_at), months)
    closed = "" if t.is_open else f" før saken ble avsluttet {fmt(t.end)}"
    if end_day > due:
        return breach(
            rule,
            f"Ingen {what.lower()} innen {months} måneder etter {last_text} {fmt(last.occurred_at)}"
            f"{closed}; fristen gikk ut {fmt(due)}.",
            last,
            deadline=due,
        )
    if not done:
        if not t.is_open:
            return not_applicable(
                rule, f"Saken ble avsluttet {fmt(t.end)}, før første {what.lower()} forfalt {fmt(due)}.", anchor
            )
        return pending(
            rule,
            f"Første {what.lower()} skal gjøres innen {fmt(due)} ({months} måneder etter "
            f"{anchor_text} {fmt(anchor.occurred_at)}).",
            anchor,
            deadline=due,
        )
    times = plural(len(done), "gang", "ganger")
    following = f"; neste innen {fmt(due)}" if t.is_open else ""
    return ok(
        rule,
        f"{what} er gjort {times}, med høyst {months} måneder mellom hver, sist {fmt(last.occurred_at)}{following}.",
        anchor,
        done,
        deadline=due if t.is_open else None,
    )


# ------------------------------------------------------------------ CHK-08
def chk08_team_reviewed(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-08. The team's work, composition and the continued need for IP/coordinator (TeamReviewed)
    must be evaluated at most `max_months_between_team_reviews` months after the first team meeting held,
    and then at most that long after each review, for as long as the case is open (up to its closing, or
    up to today). Pending until the first review falls due; a breach once a due date passed without one."""
    rule, months = "CHK-08", p.max_months_between_team_reviews
    if months is None:
        return not_applicable(rule, f"{p.name} har ikke satt hvor ofte teamets arbeid skal evalueres.")
    first = t.first_meeting
    if first is None:
        return not_applicable(rule, "Ingen møter er holdt; fristen for evaluering regnes fra første møte.")
    reviews = [e for e in t.of(TeamReviewed) if e.occurred_at >= first.at]
    return recurring(
        t, rule, first.held, "første møte", reviews, months, "Evaluering av teamets arbeid", Task.REVIEW_TEAM
    )


# ------------------------------------------------------------------ CHK-10
def chk10_status_to_ke(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-10. Where the profile asks for it (`yearly_status_report_to_ke`), a status (still active, who
    coordinates: StatusReportedToKE) must reach KE at most 12 months after the first team meeting, and
    then at most 12 months after the previous report, while the case is open. Pending until the first
    report falls due."""
    rule = "CHK-10"
    if not p.yearly_status_report_to_ke:
        return not_applicable(rule, f"{p.name} krever ikke årlig statusrapport til koordinerende enhet.")
    first = t.first_meeting
    if first is None:
        return not_applicable(rule, "Ingen møter er holdt; den årlige rapporten regnes fra første møte.")
    reports = [e for e in t.of(StatusReportedToKE) if e.occurred_at >= first.at]
    return recurring(
        t, rule, first.held, "første møte", reports, 12, "Statusrapport til koordinerende enhet", Task.REPORT_STATUS
    )


# ------------------------------------------------------------------ CHK-09
@dataclass
class _GoalTrack:
    set_event: GoalSet
    deadline: date
    since: Any  # the event that set the current deadline
    met: bool = False
    history: list[Any] = field(default_factory=list)


def chk09_goals_evaluated(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-09. Every goal must be evaluated (GoalEvaluated) by its evaluation date. A revision (GoalRevised)
    that moves the date before it has passed sets a new date; a revision after the date passed without
    an evaluation does not excuse the missed date. An evaluation after the date is a breach. After an
    evaluation the goal has no further date until a revision sets one. A goal closed before its date
    owes nothing more, as does one whose date falls after the case was closed. Pending while a date
    is still ahead."""
    rule = "CHK-09"
    goals: dict[UUID, _GoalTrack] = {}
    findings: list[Finding] = []
    for e in t.of(GoalSet, GoalRevised, GoalEvaluated, GoalClosed, CaseClosed, TransferredOut):
        if isinstance(e, GoalSet):
            goals[e.goal_id] = _GoalTrack(e, e.evaluate_by, e, history=[e])
            continue
        if isinstance(e, (CaseClosed, TransferredOut)):
            for track in goals.values():
                if not track.met and track.deadline >= local_date(e.occurred_at):
                    track.met = True  # not due while the case was open
            continue
        goal = goals.get(e.goal_id)
        if goal is None:
            continue
        track = goal
        track.history.append(e)
        day = local_date(e.occurred_at)
        missed = not track.met and day > track.deadline
        if isinstance(e, GoalEvaluated):
            if missed:
                findings.append(_late(track, f"ble først evaluert {fmt(e.occurred_at)}"))
            track.met = True
        elif isinstance(e, GoalRevised):
            if e.evaluate_by == track.deadline:
                continue
            if missed:
                findings.append(_late(track, f"ble revidert {fmt(e.occurred_at)} uten å være evaluert"))
            track.deadline, track.since, track.met = e.evaluate_by, e, False
        else:
            if missed:
                findings.append(_late(track, f"ble avsluttet {fmt(e.occurred_at)} uten å være evaluert"))
            track.met = True
    if not goals:
        return not_applicable(rule, "Planen har ingen mål.")
    for track in goals.values():
        if track.met:
            findings.append(Finding(CheckStatus.OK, "", tuple(track.history), track.deadline))
        elif t.today_date <= track.deadline:
            findings.append(
                Finding(
                    CheckStatus.PENDING,
                    f"Et mål skal evalueres innen {fmt(track.deadline)}.",
                    tuple(track.history),
                    track.deadline,
                    Task.EVALUATE_GOAL,
                    track.set_event.goal_id,
                )
            )
        else:
            unevaluated = _late(track, "er ikke evaluert")
            findings.append(replace(unevaluated, task=Task.EVALUATE_GOAL, item=track.set_event.goal_id))
    all_ok = (
        "Målet ble evaluert innen evalueringsdatoen."
        if len(goals) == 1
        else f"Alle {len(goals)} målene ble evaluert innen evalueringsdatoene."
    )
    return combine(rule, findings, all_ok=all_ok)


def _late(track: _GoalTrack, what: str) -> Finding:
    area = track.set_event.life_area
    return Finding(
        CheckStatus.BREACH,
        f"Et mål ({LIFE_AREAS.get(area, str(area))}, ansvarlig "
        f"{track.set_event.responsible_service}) med evalueringsdato {fmt(track.deadline)} {what}.",
        tuple(track.history),
        track.deadline,
    )
