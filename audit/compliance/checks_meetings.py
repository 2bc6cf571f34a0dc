"""Checks of the team's meetings: agenda, minutes, the subject's voice and
how often the team meets (CHK-04, 05, 06, 07)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from audit.compliance.result import (
    CheckResult,
    CheckStatus,
    Finding,
    Task,
    combine,
    not_applicable,
    ok,
    pending,
)
from audit.compliance.timeline import (
    ComingMeeting,
    HeldMeeting,
    Timeline,
    add_days,
    add_months,
    fmt,
    local_date,
    plural,
)
from ledger.events import TeamEstablished
from ledger.events_plan import MeetingHeld
from ledger.profiles import MunicipalProfile
from ledger.values import is_erased

MINUTES_CONTENT = (
    ("states_status", "status for brukerens situasjon"),
    ("states_evaluation", "evaluering av tiltak"),
    ("states_new_activities", "nye tiltak"),
    ("states_responsibilities", "ansvarsfordeling"),
    ("states_next_meeting", "dato for neste møte"),
)


# ------------------------------------------------------------------ CHK-04
def chk04_agenda_in_time(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-04. For every meeting held, an agenda agreed with the subject (AgendaSent with
    `agreed_with_subject`) must have been sent at least `min_days_agenda_before_meeting` calendar days
    before the day the meeting was held. A meeting still to come is pending until the last day for its
    agenda and a breach once that day has passed without one. Cancelled meetings are not judged."""
    rule, days = "CHK-04", p.min_days_agenda_before_meeting
    if days is None:
        return not_applicable(rule, f"{p.name} har ikke satt frist for når sakslisten skal sendes før møtet.")
    held, coming = t.held_meetings, t.coming_meetings()
    if not held and not coming:
        return not_applicable(rule, "Ingen møter er holdt eller planlagt.")
    meetings: list[HeldMeeting | ComingMeeting] = [*held, *coming]
    findings = [_still_to_send(_agenda(t, m, days), m) for m in meetings]
    return combine(
        rule,
        findings,
        all_ok=f"Sakslisten var avtalt med brukeren og sendt minst {days} dager før "
        f"hvert møte ({plural(len(held), 'møte', 'møter')} holdt).",
    )


def _agenda(t: Timeline, meeting: HeldMeeting | ComingMeeting, days: int) -> Finding:
    when = meeting.at
    deadline = add_days(local_date(when), -days)
    sent = [a for a in meeting.agendas if a.occurred_at <= when]
    good = [a for a in sent if a.agreed_with_subject and local_date(a.occurred_at) <= deadline]
    held_event = meeting.held if isinstance(meeting, HeldMeeting) else None
    held = held_event is not None
    facts = (meeting.scheduled, held_event, *sent)
    if good:
        return Finding(CheckStatus.OK, "", (held_event, good[0]), deadline)
    name = f"møtet {fmt(when)}"
    if not sent:
        if not held and t.today_date <= deadline:
            return Finding(
                CheckStatus.PENDING, f"Saksliste til {name} må sendes senest {fmt(deadline)}.", facts, deadline
            )
        return Finding(
            CheckStatus.BREACH, f"Ingen saksliste ble sendt før {name}; fristen var {fmt(deadline)}.", facts, deadline
        )
    agreed = [a for a in sent if a.agreed_with_subject]
    faults = [] if agreed else ["var ikke avtalt med brukeren"]
    first = (agreed or sent)[0]
    if local_date(first.occurred_at) > deadline:
        ahead = (local_date(when) - local_date(first.occurred_at)).days
        faults.append(f"ble sendt {fmt(first.occurred_at)}, bare {plural(ahead, 'dag', 'dager')} før (minst {days})")
    if not held and t.today_date <= deadline:
        return Finding(
            CheckStatus.PENDING, f"Sakslisten til {name} {' og '.join(faults)}; frist {fmt(deadline)}.", facts, deadline
        )
    return Finding(CheckStatus.BREACH, f"Sakslisten til {name} {' og '.join(faults)}.", facts, deadline)


def _still_to_send(finding: Finding, meeting: HeldMeeting | ComingMeeting) -> Finding:
    """A meeting still to come without a good agenda still needs one, even after its last day."""
    if finding.status is CheckStatus.OK or isinstance(meeting, HeldMeeting):
        return finding
    return replace(finding, task=Task.SEND_AGENDA, item=meeting.scheduled.meeting_id)


# ------------------------------------------------------------------ CHK-05
def chk05_minutes(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-05. For every meeting held, minutes must be distributed at most `max_days_meeting_to_minutes`
    calendar days after the meeting day, and minutes sent within that time must state the five things
    the routines name: status, evaluation of activities, new activities, responsibilities and the date
    of the next meeting. Pending until the last day; a breach after it without minutes. A routine that
    says only "innan rimeleg tid" gives no deadline: not applicable, as with no parameter at all."""
    rule, days = "CHK-05", p.max_days_meeting_to_minutes
    if days is None:
        if p.minutes_deadline_text:
            return not_applicable(
                rule,
                f"{p.name} sier bare at referat skal sendes «{p.minutes_deadline_text}»; "
                "det gir ingen frist å kontrollere.",
            )
        return not_applicable(rule, f"{p.name} har ikke satt frist for når referatet skal sendes.")
    held = t.held_meetings
    if not held:
        return not_applicable(rule, "Ingen møter er holdt.")
    findings = [_minutes(t, m, days) for m in held]
    return combine(
        rule,
        findings,
        all_ok=f"Referat med fullstendig innhold ble sendt innen {days} dager etter "
        f"hvert møte ({plural(len(held), 'møte', 'møter')}).",
    )


def _minutes(t: Timeline, meeting: HeldMeeting, days: int) -> Finding:
    held = meeting.held
    deadline = add_days(local_date(held.occurred_at), days)
    name = f"møtet {fmt(held.occurred_at)}"
    in_time = [m for m in meeting.minutes if local_date(m.occurred_at) <= deadline]
    complete = [m for m in in_time if all(getattr(m, field) for field, _ in MINUTES_CONTENT)]
    if complete:
        return Finding(CheckStatus.OK, "", (held, complete[0]), deadline)
    if in_time:
        last = in_time[-1]
        missing = ", ".join(label for field, label in MINUTES_CONTENT if not getattr(last, field))
        return Finding(CheckStatus.BREACH, f"Referatet fra {name} mangler: {missing}.", (held, last), deadline)
    if meeting.minutes:
        late = meeting.minutes[0]
        after = (local_date(late.occurred_at) - local_date(held.occurred_at)).days
        return Finding(
            CheckStatus.BREACH,
            f"Referatet fra {name} ble sendt {fmt(late.occurred_at)}, "
            f"{plural(after, 'dag', 'dager')} etter (høyst {days}).",
            (held, late),
            deadline,
        )
    owed, meeting_id = Task.DISTRIBUTE_MINUTES, held.meeting_id
    if t.today_date <= deadline:
        return Finding(
            CheckStatus.PENDING,
            f"Referat fra {name} må sendes senest {fmt(deadline)}.",
            (held,),
            deadline,
            owed,
            meeting_id,
        )
    return Finding(
        CheckStatus.BREACH,
        f"Referat fra {name} er ikke sendt; fristen var {fmt(deadline)}.",
        (held,),
        deadline,
        owed,
        meeting_id,
    )


# ------------------------------------------------------------------ CHK-06
def chk06_subject_voice(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-06. Every meeting held must record the subject's own voice (MeetingHeld `subject_voice` not
    blank): what they said, or for a child how participation was ensured. The text is personal data:
    after erasure it cannot be read, and the check reports not applicable rather than guess."""
    rule = "CHK-06"
    held = [m.held for m in t.held_meetings]
    if not held:
        return not_applicable(rule, "Ingen møter er holdt.")
    if any(is_erased(m.subject_voice) for m in held):
        erased = f" {fmt(t.erasure.occurred_at)}" if t.erasure is not None else ""
        return not_applicable(
            rule,
            f"Personopplysningene i saken ble slettet{erased}; hva brukeren sa i møtene kan ikke lenger leses.",
            t.erasure,
            held,
        )
    findings = [
        Finding(CheckStatus.OK, "", (m,))
        if isinstance(m.subject_voice, str) and m.subject_voice.strip()
        else Finding(CheckStatus.BREACH, f"Brukerens stemme er ikke ført for møtet {fmt(m.occurred_at)}.", (m,))
        for m in held
    ]
    every = "møtet" if len(held) == 1 else f"alle de {len(held)} møtene"
    return combine(rule, findings, all_ok=f"Brukerens stemme er ført for {every}.")


# ------------------------------------------------------------------ CHK-07
def chk07_meeting_frequency(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-07. While the team is active (from TeamEstablished, or a reopening, to closing or transfer)
    every 12-month window must hold at least `min_meetings_per_12_months` meetings: the window from the
    team's start and the window after each meeting, counted in calendar days. Only windows that have
    fully passed can be breached. A team younger than 12 months with too few meetings yet is pending
    until its first year is out; one that closed before a year had passed is judged only if it met the
    number anyway (ok), otherwise not applicable. The deadline of an ok result is when the next meeting
    is needed."""
    rule, needed = "CHK-07", p.min_meetings_per_12_months
    if needed is None:
        return not_applicable(rule, f"{p.name} har ikke satt et minste antall møter per 12 måneder.")
    team = t.first(TeamEstablished)
    if team is None:
        return not_applicable(rule, "Det er ikke etablert noe team i saken.")
    results = [
        _frequency(t, needed, max(start, team.occurred_at), end, team)
        for start, end in t.active_periods()
        if end is None or end > team.occurred_at
    ]
    order = (CheckStatus.BREACH, CheckStatus.PENDING, CheckStatus.OK, CheckStatus.NOT_APPLICABLE)
    worst = next((r for s in order for r in results if r.status is s), None)
    return worst or not_applicable(rule, "Teamet har ikke vært aktivt.")


def _frequency(t: Timeline, needed: int, start: datetime, end: datetime | None, team: TeamEstablished) -> CheckResult:
    rule = "CHK-07"
    last_day = local_date(end) if end is not None else t.today_date
    meetings = [m.held for m in t.held_meetings if m.at >= start and (end is None or m.at <= end)]
    days = [local_date(m.occurred_at) for m in meetings]
    first_day = local_date(start)
    windows: list[tuple[date, date]] = [(first_day, add_months(first_day, 12))]
    windows += [(add_days(d, 1), add_months(d, 12)) for d in days]
    next_due: date | None = None
    for begin, finish in windows:
        count = sum(begin <= d <= finish for d in days)
        if count >= needed:
            continue
        if finish < last_day:
            return CheckResult(
                rule,
                CheckStatus.BREACH,
                f"I perioden {fmt(begin)}–{fmt(finish)} ble det holdt "
                f"{plural(count, 'møte', 'møter')}; minst {needed} skal holdes per 12 måneder.",
                finish,
                _evidence(team, meetings, begin, finish),
            )
        if end is None:
            next_due = finish if next_due is None else min(next_due, finish)
    young = add_months(first_day, 12) >= last_day
    if young and len(meetings) < needed:
        if end is None:
            return pending(
                rule,
                f"Teamet ble etablert {fmt(first_day)}; {plural(len(meetings), 'møte', 'møter')} er "
                f"holdt, og minst {needed} skal holdes innen {fmt(add_months(first_day, 12))}.",
                team,
                meetings,
                deadline=add_months(first_day, 12),
            )
        return not_applicable(
            rule,
            f"Teamet var aktivt fra {fmt(first_day)} til {fmt(last_day)}, kortere enn 12 "
            f"måneder, og holdt {plural(len(meetings), 'møte', 'møter')}.",
            team,
            meetings,
        )
    period = f"fra {fmt(first_day)} til {fmt(last_day)}" if end is not None else f"siden {fmt(first_day)}"
    return ok(
        rule,
        f"Teamet har holdt minst {needed} møter i hver 12-månedersperiode {period} "
        f"({plural(len(meetings), 'møte', 'møter')} i alt).",
        team,
        meetings,
        deadline=next_due,
    )


def _evidence(team: TeamEstablished, meetings: list[MeetingHeld], begin: date, finish: date) -> tuple[int, ...]:
    inside = [m for m in meetings if begin <= local_date(m.occurred_at) <= finish]
    return tuple(sorted({team.originator_version, *(m.originator_version for m in inside)}))
