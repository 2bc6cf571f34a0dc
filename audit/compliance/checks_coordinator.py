"""Checks of the coordinator: named in time, start-up conversation, training,
absence and change, and the relay log handed over (CHK-01, 02, 11, 14, 17)."""

from __future__ import annotations

from typing import Any

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
from audit.compliance.timeline import Timeline, add_days, days_between, fmt, local_date, plural
from ledger.events import (
    CoordinatorAppointed,
    CoordinatorReleased,
    CoordinatorReplaced,
    CoordinatorRequested,
    CoordinatorTrainingCompleted,
    RelayLogClosed,
    StartupConversationHeld,
    SubstituteAssigned,
)
from ledger.events_plan import CaseClosed, MeetingHeld, PlanEstablished, TransferredOut
from ledger.profiles import MunicipalProfile
from ledger.values import CoordinatorKind, PlanTool, Provision


def coordinators(t: Timeline) -> list[Any]:
    """Appointments of a coordinator or child coordinator, and replacements (not relay holders)."""
    return [
        e
        for e in t.of(CoordinatorAppointed, CoordinatorReplaced)
        if not (isinstance(e, CoordinatorAppointed) and e.kind is CoordinatorKind.RELAY_HOLDER)
    ]


def first_meeting_after(t: Timeline, moment: Any) -> MeetingHeld | None:
    return next((m.held for m in t.held_meetings if m.at >= moment), None)


def awaiting_meeting(t: Timeline, rule: str, detail: str, *evidence: Any, task: Task | None = None) -> CheckResult:
    """Something due before the first meeting is still missing and no meeting is held: pending until
    the next scheduled meeting (no deadline if none is scheduled). With a `task`, the result names it as
    awaited by that meeting."""
    coming = t.next_meeting()
    if coming is None:
        return pending(rule, f"{detail} Det må skje før første møte; ingen møte er planlagt ennå.", *evidence)
    when = coming.scheduled_for
    result = pending(rule, f"{detail} Det må skje før møtet {fmt(when)}.", *evidence, coming, deadline=when)
    if task is None:
        return result
    return awaited(result, Finding(CheckStatus.PENDING, "", (coming,), when, task, coming.meeting_id))


# ------------------------------------------------------------------ CHK-01
def chk01_coordinator_named_in_time(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-01. For every request from KE to a unit (CoordinatorRequested) the coordinator must be named
    (CoordinatorAppointed answering that request) at most `unit_leader_days_to_name_coordinator` calendar
    days later; otherwise the routine says the matter goes to kommunalsjef. An unanswered request is
    pending until the last day and a breach after it. No parameter in the profile: not applicable."""
    rule, days = "CHK-01", p.unit_leader_days_to_name_coordinator
    if days is None:
        return not_applicable(rule, f"{p.name} har ikke satt frist for når avdelingsleder skal peke ut koordinator.")
    requests = t.of(CoordinatorRequested)
    if not requests:
        return not_applicable(rule, "Koordinerende enhet har ikke bedt noen enhet peke ut koordinator i saken.")
    appointments = t.of(CoordinatorAppointed)
    findings, fine = [], []
    for request in requests:
        asked = request.occurred_at
        deadline = add_days(local_date(asked), days)
        answer = next((a for a in appointments if a.request_id == request.request_id), None) or next(
            (a for a in appointments if a.request_id is None and a.occurred_at >= asked), None
        )
        unit = f"«{request.unit}»"
        if answer is None:
            if t.today_date <= deadline:
                findings.append(
                    Finding(
                        CheckStatus.PENDING,
                        f"Forespørselen til {unit} {fmt(asked)} er ikke besvart "
                        f"ennå; avdelingsleder har frist til {fmt(deadline)}.",
                        (request,),
                        deadline,
                        Task.NAME_COORDINATOR,
                        request.request_id,
                    )
                )
            else:
                findings.append(
                    Finding(
                        CheckStatus.BREACH,
                        f"Ingen koordinator er oppnevnt etter forespørselen til "
                        f"{unit} {fmt(asked)}; fristen på {days} dager gikk ut {fmt(deadline)}, og "
                        "saken skulle vært løftet til kommunalsjef.",
                        (request,),
                        deadline,
                        Task.NAME_COORDINATOR,
                        request.request_id,
                    )
                )
            continue
        took = days_between(asked, answer.occurred_at)
        said = (
            f"Koordinator ble oppnevnt {fmt(answer.occurred_at)}, {plural(took, 'dag', 'dager')} etter "
            f"forespørselen til {unit} {fmt(asked)}"
        )
        if local_date(answer.occurred_at) <= deadline:
            fine.append(f"{said} (frist {days} dager).")
            findings.append(Finding(CheckStatus.OK, "", (request, answer), deadline))
        else:
            findings.append(
                Finding(
                    CheckStatus.BREACH,
                    f"{said}; fristen var {days} dager ({fmt(deadline)}), og "
                    "saken skulle vært løftet til kommunalsjef.",
                    (request, answer),
                    deadline,
                )
            )
    return combine(rule, findings, all_ok=" ".join(fine))


# ------------------------------------------------------------------ CHK-02
def chk02_startup_conversation(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-02. After the first coordinator (or child coordinator) is appointed, a start-up conversation
    (StartupConversationHeld) must take place before the first team meeting held after that appointment.
    Pending while no meeting has been held (until the next scheduled meeting); a breach when the first
    meeting came without one. A relay holder is not a coordinator: with no coordinator, not applicable."""
    rule = "CHK-02"
    appointed = coordinators(t)
    if not appointed:
        return not_applicable(rule, "Ingen koordinator er oppnevnt; oppstartsamtalen kommer etter oppnevningen.")
    first = appointed[0]
    talks = [s for s in t.of(StartupConversationHeld) if s.occurred_at >= first.occurred_at]
    meeting = first_meeting_after(t, first.occurred_at)
    if meeting is None:
        if talks:
            return ok(
                rule,
                f"Oppstartsamtalen ble holdt {fmt(talks[0].occurred_at)}, etter oppnevningen "
                f"{fmt(first.occurred_at)}; ingen møte er holdt ennå.",
                first,
                talks[0],
            )
        return awaiting_meeting(
            t, rule, "Oppstartsamtale med brukeren er ikke holdt ennå.", first, task=Task.STARTUP_CONVERSATION
        )
    before = [s for s in talks if s.occurred_at <= meeting.occurred_at]
    if before:
        return ok(
            rule,
            f"Oppstartsamtalen ble holdt {fmt(before[0].occurred_at)}, etter oppnevningen "
            f"{fmt(first.occurred_at)} og før første møte {fmt(meeting.occurred_at)}.",
            first,
            before[0],
            meeting,
        )
    if talks:
        return breach(
            rule,
            f"Oppstartsamtalen ble først holdt {fmt(talks[0].occurred_at)}, etter første møte "
            f"{fmt(meeting.occurred_at)}.",
            first,
            talks[0],
            meeting,
            deadline=meeting.occurred_at,
        )
    missed = breach(
        rule,
        f"Ingen oppstartsamtale med brukeren er registrert før første møte {fmt(meeting.occurred_at)}.",
        first,
        meeting,
        deadline=meeting.occurred_at,
    )
    if not t.is_open:
        return missed
    # Late is better than never: the conversation is still owed.
    owed = Finding(CheckStatus.BREACH, "", (first, meeting), meeting.occurred_at, Task.STARTUP_CONVERSATION)
    return awaited(missed, owed)


# ------------------------------------------------------------------ CHK-11
def chk11_coordinator_trained(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-11. Where the profile requires it (`coordinator_training_before_first_meeting`), every person
    who becomes coordinator (appointed or replacing another) must have a CoordinatorTrainingCompleted
    recorded on this case before the first meeting held after they took over. Pending while that meeting
    has not been held. Training recorded only on another case does not count: the evaluation reads one
    case's events."""
    rule = "CHK-11"
    if not p.coordinator_training_before_first_meeting:
        offered = "; kurset tilbys, men kreves ikke" if p.training_offered else ""
        return not_applicable(rule, f"{p.name} krever ikke innføringskurs før første møte{offered}.")
    appointed = coordinators(t)
    if not appointed:
        return not_applicable(rule, "Ingen koordinator er oppnevnt i saken.")
    trainings = t.of(CoordinatorTrainingCompleted)
    findings: list[Finding] = []
    for n, start in enumerate(appointed):
        until = appointed[n + 1].occurred_at if n + 1 < len(appointed) else None
        meeting = first_meeting_after(t, start.occurred_at)
        if meeting is not None and until is not None and meeting.occurred_at >= until:
            continue  # replaced before leading any meeting
        done = [
            c
            for c in trainings
            if c.person_id == start.person_id and (meeting is None or c.occurred_at <= meeting.occurred_at)
        ]
        if done:
            findings.append(Finding(CheckStatus.OK, "", (start, done[0], meeting)))
        elif meeting is None:
            coming = t.next_meeting()
            when = coming.scheduled_for if coming is not None else None
            findings.append(
                Finding(
                    CheckStatus.PENDING,
                    f"Koordinator oppnevnt {fmt(start.occurred_at)} har ikke "
                    "fullført innføringskurset; det må gjøres før første møte.",
                    (start,),
                    when,
                )
            )
        else:
            findings.append(
                Finding(
                    CheckStatus.BREACH,
                    f"Koordinator oppnevnt {fmt(start.occurred_at)} hadde ikke "
                    f"fullført innføringskurset før møtet {fmt(meeting.occurred_at)}.",
                    (start, meeting),
                    meeting.occurred_at,
                )
            )
    return combine(rule, findings, all_ok="Koordinator har fullført innføringskurset før første møte.")


# ------------------------------------------------------------------ CHK-14
def chk14_absence_covered(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-14. Every change of coordinator must be told to the subject: a substitute (SubstituteAssigned)
    and a new coordinator (CoordinatorReplaced) must say `subject_informed`. A coordinator released
    (CoordinatorReleased) while the case stays open must be followed by a new appointment within the
    days the profile gives the unit leader to name a coordinator (pending until then; with no such
    parameter, pending without a deadline); closing the case after the release also covers it. With no
    absence or change recorded, not applicable."""
    rule = "CHK-14"
    changes = t.of(SubstituteAssigned, CoordinatorReplaced, CoordinatorReleased)
    if not changes:
        return not_applicable(rule, "Det er ikke registrert fravær eller bytte av koordinator i saken.")
    findings: list[Finding] = []
    for e in changes:
        when = fmt(e.occurred_at)
        if isinstance(e, SubstituteAssigned):
            findings.append(
                Finding(CheckStatus.OK, "", (e,))
                if e.subject_informed
                else Finding(
                    CheckStatus.BREACH, f"Brukeren ble ikke informert om vikar for koordinator fra {when}.", (e,)
                )
            )
        elif isinstance(e, CoordinatorReplaced):
            findings.append(
                Finding(CheckStatus.OK, "", (e,))
                if e.subject_informed
                else Finding(CheckStatus.BREACH, f"Brukeren ble ikke informert da koordinator ble byttet {when}.", (e,))
            )
        else:
            findings.append(_release_covered(t, p, e))
    return combine(rule, findings, all_ok="Fravær og bytte av koordinator er dekket, og brukeren er informert.")


def _release_covered(t: Timeline, p: MunicipalProfile, released: CoordinatorReleased) -> Finding:
    after = [e for e in t.of(CoordinatorAppointed, CaseClosed, TransferredOut) if e.occurred_at >= released.occurred_at]
    if after:
        return Finding(CheckStatus.OK, "", (released, after[0]))
    days = p.unit_leader_days_to_name_coordinator
    left = f"Koordinatoren ble fritatt {fmt(released.occurred_at)}, og ingen ny koordinator er oppnevnt"
    if days is None:
        return Finding(CheckStatus.PENDING, f"{left}; rutinen setter ingen frist.", (released,))
    deadline = add_days(local_date(released.occurred_at), days)
    if t.today_date <= deadline:
        return Finding(CheckStatus.PENDING, f"{left} ennå; frist {fmt(deadline)}.", (released,), deadline)
    return Finding(
        CheckStatus.BREACH, f"{left}; fristen på {days} dager gikk ut {fmt(deadline)}.", (released,), deadline
    )


# ------------------------------------------------------------------ CHK-17
def chk17_relay_log_closed(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-17. A case that asked for a relay log (stafettlogg) must close it (RelayLogClosed) when a
    coordinator or child coordinator is appointed or an individual plan is established, whichever comes
    first: at the latest the same calendar day. Judged from the case, whatever the profile says about
    relay logs. Without a relay log, or while no coordinator or IP has taken over, not applicable."""
    rule = "CHK-17"
    if Provision.RELAY_LOG not in t.requested:
        return not_applicable(rule, "Saken har ingen stafettlogg.")
    takeovers = [
        e
        for e in t.of(CoordinatorAppointed, PlanEstablished)
        if (isinstance(e, CoordinatorAppointed) and e.kind is not CoordinatorKind.RELAY_HOLDER)
        or (isinstance(e, PlanEstablished) and e.tool is PlanTool.INDIVIDUAL_PLAN)
    ]
    closed = t.first(RelayLogClosed)
    if not takeovers:
        state = f"ble lukket {fmt(closed.occurred_at)}" if closed else "er fortsatt i bruk"
        return not_applicable(
            rule, f"Stafettloggen {state}; ingen koordinator eller individuell plan har tatt over.", closed
        )
    took = takeovers[0]
    who = "koordinator ble oppnevnt" if isinstance(took, CoordinatorAppointed) else "individuell plan ble opprettet"
    deadline = local_date(took.occurred_at)
    if closed is None:
        return breach(
            rule, f"Stafettloggen er ikke lukket, selv om {who} {fmt(took.occurred_at)}.", took, deadline=deadline
        )
    if local_date(closed.occurred_at) <= deadline:
        when = "da" if local_date(closed.occurred_at) == deadline else "før"
        return ok(
            rule,
            f"Stafettloggen ble lukket {fmt(closed.occurred_at)}, {when} {who} {fmt(took.occurred_at)}.",
            took,
            closed,
        )
    late = days_between(took.occurred_at, closed.occurred_at)
    return breach(
        rule,
        f"Stafettloggen ble først lukket {fmt(closed.occurred_at)}, {plural(late, 'dag', 'dager')} "
        f"etter at {who} {fmt(took.occurred_at)}.",
        took,
        closed,
        deadline=deadline,
    )
