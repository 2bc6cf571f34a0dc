"""Duties per person: every upcoming and overdue deadline of one case, with who must act on it.

`duties_of(events, profile, now)` is pure, like `audit.compliance.evaluate`: it runs the checks that
protect a deadline and turns each item a check found still awaited (its `Finding.task`) into a duty,
so a deadline is computed once, by the rule that judges it. A profile that sets no deadline gives no
duty, as the check gives `not_applicable`. The one duty no check judges is a consent in force that
runs out within `CONSENT_NOTICE_DAYS`: the person (or guardian) who gave it is asked to renew it.

A referral has no answering deadline in the domain or in any profile, so KE has no duty to answer
one here; the ledger never invents a deadline a municipality did not set.

Who is responsible:

- the unit leader a request named (CHK-01);
- the acting coordinator: a substitute (vikar) while one is assigned, otherwise the coordinator last
  appointed (a relay holder included); with none, the unit of the last appointment (`id` None);
- KE (the municipality's coordinating unit; the events name no one person) for complaints;
- the subject or a guardian (by the guardian's place among the case's guardians) for consents.

`what` is one Norwegian sentence of what to do. It names no person and repeats no free text of the
case: only dates and what kind of thing is due, which the assignee already sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from audit.compliance import CHECKS
from audit.compliance.result import CheckStatus, Finding, Task, versions
from audit.compliance.timeline import Timeline, add_days, due_instant, fmt, local_date
from ledger.events import (
    CaseOpened,
    CoordinatorAppointed,
    CoordinatorReleased,
    CoordinatorReplaced,
    CoordinatorRequested,
    SubstituteAssigned,
)
from ledger.profiles import MunicipalProfile
from ledger.values import ConsentGiverRole, TransitionKind

# How long before a consent runs out its giver is told.
CONSENT_NOTICE_DAYS = 30

# The rule each task protects (the check that found it awaited).
TASK_RULES: dict[Task, str] = {
    Task.NAME_COORDINATOR: "CHK-01",
    Task.STARTUP_CONVERSATION: "CHK-02",
    Task.SEND_AGENDA: "CHK-04",
    Task.DISTRIBUTE_MINUTES: "CHK-05",
    Task.REVIEW_TEAM: "CHK-08",
    Task.EVALUATE_GOAL: "CHK-09",
    Task.REPORT_STATUS: "CHK-10",
    Task.PREPARE_TRANSITION: "CHK-16",
    Task.FORWARD_COMPLAINT: "CHK-20",
    Task.RENEW_CONSENT: "CHK-03",
}

# Short Norwegian names of the tasks, for lists and for messages that must not say more.
TASK_LABELS: dict[Task, str] = {
    Task.NAME_COORDINATOR: "Peke ut koordinator",
    Task.STARTUP_CONVERSATION: "Holde oppstartsamtale",
    Task.SEND_AGENDA: "Sende saksliste før møte",
    Task.DISTRIBUTE_MINUTES: "Sende referat etter møte",
    Task.REVIEW_TEAM: "Evaluere teamets arbeid",
    Task.EVALUATE_GOAL: "Evaluere mål i planen",
    Task.REPORT_STATUS: "Rapportere årlig status til koordinerende enhet",
    Task.PREPARE_TRANSITION: "Forberede overgang",
    Task.FORWARD_COMPLAINT: "Oversende klage til Statsforvalteren",
    Task.RENEW_CONSENT: "Ta stilling til samtykke som utløper",
}

_TRANSITIONS: dict[Any, str] = {
    TransitionKind.SCHOOL_NOTIFIED: "Gi skolen beskjed om tiltak med store kostnader",
    TransitionKind.SCHOOL_TRANSFER_MEETING: "Hold overføringsmøte med skolen",
    TransitionKind.LOWER_SECONDARY: "Forbered overgangen til ungdomsskolen (7. trinn)",
    TransitionKind.UPPER_SECONDARY: "Start planleggingen av videregående skole (9. trinn)",
    TransitionKind.ADULT_SERVICES: "Koble inn NAV og tjenester for voksne før 18 år",
}


class AssigneeKind(StrEnum):
    UNIT_LEADER = "unit_leader"
    COORDINATOR = "coordinator"
    KE = "ke"
    SUBJECT = "subject"
    GUARDIAN = "guardian"


class DutyStatus(StrEnum):
    UPCOMING = "upcoming"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Assignee:
    """Who must act. `id` is the person's id where the events name one (a unit leader, a coordinator);
    `unit` the unit they act for; `guardian` the guardian's place among the case's guardians
    (CaseOpened.guardians), never their name or national id."""

    kind: AssigneeKind
    id: str | None = None
    unit: str | None = None
    guardian: int | None = None


@dataclass(frozen=True)
class Duty:
    case_id: UUID
    municipality: str
    profile: str  # the municipal profile's key the deadline comes from
    rule: str  # the CHK-xx the duty protects
    task: Task
    item: str | None  # what it is about: a request, meeting, goal, complaint or consent id, a transition kind
    deadline: date  # the Norwegian calendar day the deadline falls on
    due_at: datetime  # the moment it passes (UTC): the end of that day in Norway, or a meeting's start
    status: DutyStatus
    assignee: Assignee
    what: str  # Norwegian: what to do, without personal data
    evidence: tuple[int, ...] = ()  # versions of the events the duty follows from

    @property
    def label(self) -> str:
        return TASK_LABELS[self.task]


def duties_of(events: Sequence[Any], profile: MunicipalProfile, now: datetime) -> list[Duty]:
    """Every upcoming and overdue duty of one case's events under `profile` at `now`, soonest first."""
    t = Timeline(events, now)
    if t.opened is None:
        return []
    case = _Case(t, t.opened, profile)
    found: list[Duty] = []
    rules = dict.fromkeys(TASK_RULES[task] for task in Task if task is not Task.RENEW_CONSENT)
    for rule in rules:
        result = CHECKS[rule](t, profile)
        for finding in result.findings:
            duty = case.duty(rule, finding)
            if duty is not None:
                found.append(duty)
    found += case.consent_duties()
    return sorted(found, key=lambda d: (d.due_at, d.rule, d.item or "", d.assignee.guardian or 0))


class _Case:
    def __init__(self, t: Timeline, opened: CaseOpened, profile: MunicipalProfile) -> None:
        self.t = t
        self.profile = profile
        self.case_id: UUID = opened.originator_id
        self.municipality: str = opened.municipality

    def duty(self, rule: str, finding: Finding) -> Duty | None:
        task, deadline = finding.task, finding.deadline
        if task is None or deadline is None or finding.status not in (CheckStatus.PENDING, CheckStatus.BREACH):
            return None
        if task is not Task.FORWARD_COMPLAINT and not self.t.is_open:
            return None  # a closed case owes KE its complaint, nothing else
        status = DutyStatus.OVERDUE if finding.status is CheckStatus.BREACH else DutyStatus.UPCOMING
        day = local_date(deadline) if isinstance(deadline, datetime) else deadline
        return Duty(
            case_id=self.case_id,
            municipality=self.municipality,
            profile=self.profile.key,
            rule=rule,
            task=task,
            item=None if finding.item is None else str(finding.item),
            deadline=day,
            due_at=due_at(deadline),
            status=status,
            assignee=self.assignee(task, finding),
            what=self.what(task, finding, day, status),
            evidence=versions(finding.evidence),
        )

    # ------------------------------------------------------------ who
    def assignee(self, task: Task, finding: Finding) -> Assignee:
        if task is Task.NAME_COORDINATOR:
            request = next(r for r in self.t.of(CoordinatorRequested) if r.request_id == finding.item)
            return Assignee(AssigneeKind.UNIT_LEADER, request.unit_leader_id, request.unit)
        if task is Task.FORWARD_COMPLAINT:
            return Assignee(AssigneeKind.KE)
        return self.coordinator()

    def coordinator(self) -> Assignee:
        """The acting coordinator: a substitute while assigned, else the one last appointed."""
        appointed: Any = None
        substitute: Any = None
        unit: str | None = None
        for e in self.t.of(CoordinatorAppointed, CoordinatorReplaced, SubstituteAssigned, CoordinatorReleased):
            if isinstance(e, SubstituteAssigned):
                substitute = e if appointed is not None else None
            else:  # a new coordinator, or none, ends any substitute (as the case's appliers do)
                appointed = None if isinstance(e, CoordinatorReleased) else e
                substitute = None
            unit = getattr(e, "unit", unit)
        if substitute is not None and (substitute.until is None or substitute.until >= self.t.today_date):
            appointed = substitute
        if appointed is None:
            return Assignee(AssigneeKind.COORDINATOR, None, unit)
        return Assignee(AssigneeKind.COORDINATOR, appointed.person_id, appointed.unit)

    # ----------------------------------------------------------- what
    def what(self, task: Task, finding: Finding, day: date, status: DutyStatus) -> str:
        by = f"senest {fmt(day)}" if status is DutyStatus.UPCOMING else f"fristen gikk ut {fmt(day)}"
        if task is Task.NAME_COORDINATOR:
            request = next(r for r in self.t.of(CoordinatorRequested) if r.request_id == finding.item)
            return (
                f"Pek ut koordinator i saken etter forespørselen fra koordinerende enhet "
                f"{fmt(request.occurred_at)}; {by}."
            )
        if task is Task.STARTUP_CONVERSATION:
            if status is DutyStatus.UPCOMING:
                return f"Hold oppstartsamtale med brukeren før møtet {fmt(day)}."
            return f"Hold oppstartsamtale med brukeren; den skulle vært holdt før første møte {fmt(day)}."
        if task is Task.SEND_AGENDA:
            meeting = self.t.meetings[finding.item]
            assert meeting.scheduled is not None  # only a scheduled meeting awaits an agenda
            return f"Send saksliste, avtalt med brukeren, til møtet {fmt(meeting.scheduled.scheduled_for)}; {by}."
        if task is Task.DISTRIBUTE_MINUTES:
            held = self.t.meetings[finding.item].held
            assert held is not None  # only a held meeting awaits minutes
            return f"Send referat fra møtet {fmt(held.occurred_at)} til teamet; {by}."
        if task is Task.REVIEW_TEAM:
            return f"Evaluer teamets arbeid, sammensetning og behovet for IP og koordinator; {by}."
        if task is Task.EVALUATE_GOAL:
            return f"Evaluer et mål i planen som har evalueringsdato {fmt(day)}."
        if task is Task.REPORT_STATUS:
            return (
                "Rapporter årlig status for saken (fortsatt aktiv, hvem som koordinerer) til koordinerende enhet; "
                f"{by}."
            )
        if task is Task.PREPARE_TRANSITION:
            return f"{_TRANSITIONS.get(finding.item, 'Forbered overgangen')}; {by}."
        if task is Task.FORWARD_COMPLAINT:
            return (
                "Oversend klagen til Statsforvalteren med sakens dokumenter hvis kommunen ikke gir klageren "
                f"medhold; {by}."
            )
        raise ValueError(f"no sentence for task {task}")  # a new Task needs its sentence here

    # -------------------------------------------------------- consent
    def consent_duties(self) -> list[Duty]:
        """A consent in force that runs out within CONSENT_NOTICE_DAYS: its giver decides whether to renew it."""
        if not self.t.is_open:
            return []
        today = self.t.today_date
        found = []
        for record in self.t.consents_in_force(self.t.today):
            consent = record.state
            ends = consent.valid_until
            if ends is None or not today <= ends <= add_days(today, CONSENT_NOTICE_DAYS):
                continue
            if consent.giver_role is ConsentGiverRole.SUBJECT:
                givers = [Assignee(AssigneeKind.SUBJECT)]
            elif consent.required_refs or consent.signed_refs:
                givers = [
                    Assignee(AssigneeKind.GUARDIAN, guardian=ref)
                    for ref in sorted(consent.required_refs | consent.signed_refs)
                ]
            else:  # a verge, or a parent where the case records none: not matched to a place
                givers = [Assignee(AssigneeKind.GUARDIAN)]
            what = (
                f"Samtykket til samarbeid i saken gjelder til og med {fmt(ends)}. Ta stilling til om det skal fornyes."
            )
            for giver in givers:
                found.append(
                    Duty(
                        case_id=self.case_id,
                        municipality=self.municipality,
                        profile=self.profile.key,
                        rule=TASK_RULES[Task.RENEW_CONSENT],
                        task=Task.RENEW_CONSENT,
                        item=str(consent.consent_id),
                        deadline=ends,
                        due_at=due_at(ends),
                        status=DutyStatus.UPCOMING,
                        assignee=giver,
                        what=what,
                        evidence=versions(record.events),
                    )
                )
        return found


def due_at(deadline: date | datetime) -> datetime:
    """The UTC moment a deadline passes: a moment is itself; a day runs to its end in Norway."""
    return due_instant(deadline)
