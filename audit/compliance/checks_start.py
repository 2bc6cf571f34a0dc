"""Checks of what must be in place when the team meets: consent, the
interpreter, and the right to an individual plan (CHK-03, 12, 13)."""

from __future__ import annotations

from typing import Any

from audit.compliance.checks_coordinator import awaiting_meeting, coordinators
from audit.compliance.result import (
    CheckResult,
    CheckStatus,
    Finding,
    combine,
    not_applicable,
    ok,
)
from audit.compliance.timeline import HeldMeeting, Timeline, fmt, local_date
from ledger.events import (
    CoordinatorAppointed,
    CoordinatorReleased,
    DecisionRecorded,
    StartupConversationHeld,
)
from ledger.events_plan import MeetingHeld, PlanEstablished
from ledger.profiles import MunicipalProfile
from ledger.values import DecisionOutcome, Provision


def _no_team(t: Timeline) -> bool:
    return not t.participants and not t.meetings and not coordinators(t)


def _consent_events(records: list[Any]) -> list[Any]:
    return [e for r in records for e in r.events]


# ------------------------------------------------------------------ CHK-03
def chk03_consent_before_meeting(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-03. At every team meeting held, a consent to cooperation must be in force (as INV-05 reads
    consents: signed by everyone required, not withdrawn, not expired), and it must cover every
    participant who has joined the team since the previous meeting (for the first meeting: everyone
    in the team), by name or by service. A participant who joins after the consent was given is the
    team's composition changing: a renewed consent must cover them by the next meeting (pending until
    then). The categories shared change only through a new consent or a withdrawal, so the ledger sees
    such a change as the renewal itself; the check judges composition."""
    rule = "CHK-03"
    held = t.held_meetings
    in_force_now = t.consents_in_force(t.today)
    if not held:
        if _no_team(t):
            return not_applicable(rule, "Det er ikke etablert noe team, og ingen møter er holdt.")
        if not in_force_now:
            return awaiting_meeting(t, rule, "Samtykke til samarbeid er ikke gitt ennå.")
    findings: list[Finding] = []
    previous = None
    for meeting in held:
        findings.append(_consent_at(t, meeting, previous))
        previous = meeting.at
    waiting = [
        pr
        for pr in t.participants.values()
        if t.is_open
        and pr.active_at(t.today)
        and (previous is None or pr.state.added_at > previous)
        and not t.covered(pr, t.today)
    ]
    if waiting:
        coming = t.next_meeting()
        services = ", ".join(sorted({pr.state.service for pr in waiting}))
        findings.append(
            Finding(
                CheckStatus.PENDING,
                f"Samtykket dekker ikke {services} som er med i teamet; det må fornyes før neste møte.",
                tuple(pr.added for pr in waiting),
                coming.scheduled_for if coming is not None else None,
            )
        )
    if not held:
        since = min(c.state.granted_at for c in in_force_now)
        return combine(
            rule,
            findings,
            all_ok=f"Samtykke til samarbeid er gitt {fmt(since)}; ingen møte er holdt ennå.",
            evidence=tuple(_consent_events(in_force_now)),
        )
    return combine(
        rule,
        findings,
        all_ok=f"Samtykke var i kraft ved første møte {fmt(held[0].at)} og dekket alle i teamet ved hvert møte.",
    )


def _consent_at(t: Timeline, meeting: HeldMeeting, previous: Any) -> Finding:
    at = meeting.at
    in_force = t.consents_in_force(at)
    label = "første møte" if previous is None else "møtet"
    if not in_force:
        given = [c for c in t.consents.values() if c.state.granted_at <= at]
        waiting = " (samtykket som var gitt, var ikke i kraft)" if given else ""
        return Finding(
            CheckStatus.BREACH,
            f"Det var ikke samtykke i kraft ved {label} {fmt(at)}{waiting}.",
            (meeting.held, *_consent_events(given)),
            at,
        )
    newcomers = [
        pr for pr in t.participants.values() if pr.active_at(at) and (previous is None or pr.state.added_at > previous)
    ]
    uncovered = [pr for pr in newcomers if not t.covered(pr, at)]
    if uncovered:
        services = ", ".join(sorted({pr.state.service for pr in uncovered}))
        change = "var med i teamet" if previous is None else "kom med i teamet"
        return Finding(
            CheckStatus.BREACH,
            f"Samtykket dekket ikke {services} som {change} ved {label} {fmt(at)}.",
            (meeting.held, *(pr.added for pr in uncovered), *_consent_events(in_force)),
            at,
        )
    return Finding(CheckStatus.OK, "", (meeting.held, *_consent_events(in_force)))


# ------------------------------------------------------------------ CHK-12
def chk12_interpreter(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-12. The need for an interpreter is assessed in the start-up conversation (its
    `interpreter_needed`), which must come before the first team meeting (or that meeting must have an
    interpreter booked, which shows the need was assessed). Once a need is recorded, every meeting held
    after it must have been scheduled with an interpreter booked. Pending while no meeting has been held
    and the need is not yet assessed."""
    rule = "CHK-12"
    talks = t.of(StartupConversationHeld)
    held = t.held_meetings
    if not held:
        if talks:
            need = "behov for tolk" if talks[-1].interpreter_needed else "ikke behov for tolk"
            return ok(
                rule,
                f"Tolkebehovet ble vurdert i oppstartsamtalen {fmt(talks[-1].occurred_at)}: {need}; "
                "ingen møte er holdt ennå.",
                talks[-1],
            )
        if _no_team(t):
            return not_applicable(rule, "Ingen koordinator eller team er på plass, og ingen møter er holdt.")
        return awaiting_meeting(t, rule, "Behovet for tolk er ikke vurdert ennå.")
    first = held[0]
    assessed = [s for s in talks if s.occurred_at <= first.at]
    booked_first = first.scheduled is not None and first.scheduled.interpreter_booked
    findings: list[Finding] = []
    if not assessed and not booked_first:
        findings.append(
            Finding(
                CheckStatus.BREACH,
                f"Behovet for tolk ble ikke vurdert før første møte {fmt(first.held.occurred_at)}.",
                (first.held,),
                first.held.occurred_at,
            )
        )
    for meeting in held:
        before = [s for s in talks if s.occurred_at <= meeting.at]
        if not before or not before[-1].interpreter_needed:
            continue
        if meeting.scheduled is not None and meeting.scheduled.interpreter_booked:
            findings.append(Finding(CheckStatus.OK, "", (before[-1], meeting.scheduled, meeting.held)))
        else:
            findings.append(
                Finding(
                    CheckStatus.BREACH,
                    f"Tolk var ikke bestilt til møtet "
                    f"{fmt(meeting.held.occurred_at)}, selv om behov for tolk ble registrert "
                    f"{fmt(before[-1].occurred_at)}.",
                    (before[-1], meeting.scheduled, meeting.held),
                    meeting.held.occurred_at,
                )
            )
    needed = any(s.interpreter_needed for s in assessed)
    summary = "og tolk ble bestilt til møtene" if needed else "og det var ikke behov for tolk"
    return combine(
        rule, findings, all_ok=f"Tolkebehovet ble vurdert før første møte, {summary}.", evidence=(*assessed, first.held)
    )


# ------------------------------------------------------------------ CHK-13
def chk13_right_to_plan(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-13. The subject must be told of the right to an individual plan at the latest on the day of
    the first team meeting: a MeetingHeld or PlanEstablished saying `informed_of_right_to_ip`, or a
    decision granting an IP, recorded by that day. And if the subject declined the IP (PlanEstablished
    with `ip_declined`), the coordinator must stay: releasing the coordinator without a new one, or a
    decision refusing a coordinator, after the refusal is a breach. Pending before the first meeting."""
    rule = "CHK-13"
    held = t.held_meetings
    flagged = [e for e in t.of(PlanEstablished) if e.informed_of_right_to_ip]
    flagged += [m.held for m in held if m.held.informed_of_right_to_ip]
    flagged.sort(key=lambda e: e.occurred_at)
    granted = [
        d
        for d in t.of(DecisionRecorded)
        if d.outcome is DecisionOutcome.GRANTED and Provision.INDIVIDUAL_PLAN in d.concerns
    ]
    first = held[0].held if held else None
    by = local_date(first.occurred_at) if first is not None else t.today_date
    told = [e for e in flagged if local_date(e.occurred_at) <= by] or [
        d for d in granted if local_date(d.occurred_at) <= by
    ]
    findings: list[Finding] = []
    if first is None and not told:
        if _no_team(t):
            return not_applicable(rule, "Ingen koordinator eller team er på plass, og ingen møter er holdt.")
        return awaiting_meeting(t, rule, "Brukeren er ikke informert om retten til individuell plan ennå.")
    if first is not None and not told:
        findings.append(
            Finding(
                CheckStatus.BREACH,
                "Det er ikke registrert at brukeren ble informert om retten "
                f"til individuell plan i første møte {fmt(first.occurred_at)}.",
                (first,),
                local_date(first.occurred_at),
            )
        )
    declined = [e for e in t.of(PlanEstablished) if e.ip_declined]
    findings += [_coordinator_kept(t, refusal) for refusal in declined]
    sentences = [_told(told[0])] if told else []
    sentences += [f"Brukeren takket nei til IP {fmt(e.occurred_at)} og beholdt koordinatoren." for e in declined]
    return combine(rule, findings, all_ok=" ".join(sentences), evidence=(*told[:1], first))


def _told(e: Any) -> str:
    if isinstance(e, DecisionRecorded):
        return f"Brukeren har vedtak om individuell plan fra {fmt(e.occurred_at)}."
    where = "i første møte " if isinstance(e, MeetingHeld) else ""
    return f"Brukeren ble informert om retten til individuell plan {where}{fmt(e.occurred_at)}."


def _coordinator_kept(t: Timeline, refusal: PlanEstablished) -> Finding:
    after = [
        e
        for e in t.of(CoordinatorReleased, CoordinatorAppointed, DecisionRecorded)
        if e.occurred_at >= refusal.occurred_at
    ]
    for n, e in enumerate(after):
        if (
            isinstance(e, DecisionRecorded)
            and e.outcome is DecisionOutcome.REFUSED
            and ({Provision.COORDINATOR, Provision.CHILD_COORDINATOR} & set(e.concerns))
        ):
            return Finding(
                CheckStatus.BREACH,
                f"Etter at brukeren takket nei til IP {fmt(refusal.occurred_at)}, ble "
                f"koordinator avslått {fmt(e.occurred_at)}.",
                (refusal, e),
            )
        if isinstance(e, CoordinatorReleased) and not any(isinstance(a, CoordinatorAppointed) for a in after[n:]):
            return Finding(
                CheckStatus.BREACH,
                f"Etter at brukeren takket nei til IP {fmt(refusal.occurred_at)}, ble "
                f"koordinatoren fritatt {fmt(e.occurred_at)} uten at ny ble oppnevnt.",
                (refusal, e),
            )
    return Finding(CheckStatus.OK, "", (refusal,))
