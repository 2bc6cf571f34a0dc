"""The three worked cases of SCENARIOS.md, told once: the same dates and steps,
lived by whoever the caller casts, with the outcome each check must give on the
scenario's "today" as SCENARIOS.md states it.

`ledger demo` casts its invented staff and people (`write_scenarios`); the
tests cast fixed actors and check both the outcomes and the case itself
(tests/test_compliance_scenarios.py, tests/test_case_lifecycle.py). A scenario
is told one step at a time to a `Step`: a command class, when it happened and
its fields, handled on the scenario's case (`OnOneCase` hands each step to an
application's `handle`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol
from uuid import UUID

from audit.compliance.result import CheckStatus
from commands.base import CaseCommand, Command, CommandResult
from commands.case_commands import (
    AddParticipant,
    AppointCoordinator,
    CloseRelayLog,
    GrantConsent,
    HoldStartupConversation,
    OpenCase,
    RecordDecision,
    RequestCoordinator,
    RequestProvision,
    SignConsent,
    WithdrawConsent,
)
from commands.plan_commands import (
    CloseCase,
    DistributeMinutes,
    EraseCase,
    EstablishPlan,
    EvaluateGoal,
    ExportPlan,
    HoldMeeting,
    NotifyClosure,
    ScheduleMeeting,
    SendAgenda,
    SetGoal,
)
from demo.cases import CaseRun, Stage, StopCase, Writer
from demo.people import DemoPerson, People, Staff
from ledger.values import (
    Actor,
    ConsentGiverRole,
    CoordinatorKind,
    DecisionOutcome,
    EvaluationStatus,
    InfoCategory,
    LifeArea,
    Person,
    PlanTool,
    Provision,
    ReferrerKind,
    Role,
    Signer,
    Subject,
    WithdrawalScope,
)

OK, BREACH, NOT_APPLICABLE = CheckStatus.OK, CheckStatus.BREACH, CheckStatus.NOT_APPLICABLE


class Step(Protocol):
    """One command on the scenario's case: its class, when it happened, its fields."""

    def __call__(self, command: type[Command], when: datetime, **fields: Any) -> CommandResult: ...

    def file_in_archive(self, when: datetime) -> None:
        """Every archivable step of the case answered by the municipality's archive (a simulated one),
        as INV-12 requires before erasure."""
        ...


class OnOneCase:
    """A `Step` that hands each command to `handle` (an application's), on the case the first one opened."""

    def __init__(
        self, handle: Callable[[Command], CommandResult], archive: Callable[[UUID, datetime], object] | None = None
    ) -> None:
        self.handle = handle
        self.archive = archive
        self.case_id: UUID | None = None

    def __call__(self, command: type[Command], when: datetime, **fields: Any) -> CommandResult:
        if issubclass(command, CaseCommand):
            fields["case_id"] = self.case_id
        result = self.handle(command(occurred_at=when, **fields))
        self.case_id = result.case_id  # OpenCase's id is a wish; the case is whatever id the result names
        return result

    def file_in_archive(self, when: datetime) -> None:
        if self.archive is None or self.case_id is None:
            raise TypeError("this telling has no archive to file the case in")  # a programming error
        self.archive(self.case_id, when)


@dataclass(frozen=True)
class Member:
    """Someone in the team, with their role in it (their service is the actor's)."""

    actor: Actor
    role: str


@dataclass(frozen=True)
class Cast:
    """Who lives a worked case. `unit` is the unit that holds the coordinator (and,
    where it is asked to, names one through its leader); a relay log has its own holder."""

    subject: DemoPerson
    ke: Actor
    unit: str
    unit_leader: Actor
    coordinator: Actor
    team: tuple[Member, ...]
    relay_unit: str = ""
    relay_holder: Actor | None = None

    def member(self, service: str) -> Actor:
        return next(m.actor for m in self.team if m.actor.service == service)


@dataclass
class Told:
    """What telling a scenario created: the case, the team's participant ids in the
    cast's order, and the other ids by name ("request", "consent", "meeting", "goal")."""

    case_id: UUID
    team: tuple[UUID, ...] = ()
    ids: dict[str, UUID] = field(default_factory=dict)


Teller = Callable[[Step, Cast, UUID], Told]


@dataclass(frozen=True)
class Scenario:
    """A worked case: where, whose birth date, its "today", the outcome SCENARIOS.md
    expects of each check it names (by profile, then rule), and how it is told."""

    title: str
    municipality: str
    birth: date
    today: date
    expected: Mapping[str, Mapping[str, CheckStatus]]
    tell: Teller
    stage: Stage  # how far the demo's copy of the case gets


def at(day: str, hour: int = 10) -> datetime:
    """A scenario date at a working hour, in UTC."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def _citizen(
    municipality: str, case_id: UUID, name: str, pid: str | None, role: Role = Role.CITIZEN, who: str = ""
) -> Actor:
    """The subject or a parent, logged in with ID-porten."""
    key = who or role.value
    return Actor(id=f"idporten-{case_id.hex[:8]}-{key}", role=role, municipality=municipality, name=name, pid=pid)


def _join(step: Step, cast: Cast, when: datetime) -> tuple[UUID, ...]:
    """The cast's team added by the coordinator, in order."""
    ids = []
    for m in cast.team:
        result = step(
            AddParticipant,
            when,
            actor=cast.coordinator,
            person=Person(m.actor.id, m.actor.name),
            service=m.actor.service or "",
            role=m.role,
        )
        ids.append(UUID(str(result.created["participant_id"])))
    return tuple(ids)


def _created(result: CommandResult, name: str) -> UUID:
    return UUID(str(result.created[name]))


# ------------------------------------------------------- 1. Søndre Land
def sondre_land(step: Step, cast: Cast, case_id: UUID) -> Told:
    """Scenario 1: the GP reports a need; he is told of his right to an individual
    plan, declines it, and keeps his coordinator."""
    p, ke, coordinator = cast.subject, cast.ke, cast.coordinator
    name = p.name or ""
    case_id = step(
        OpenCase,
        at("2026-01-06"),
        actor=ke,
        municipality=ke.municipality,
        case_id=case_id,
        subject=Subject(national_id=p.national_id, name=p.name),
        referrer_kind=ReferrerKind.GP,
        requested=(Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN),
        referrer_name="Fastlegen",
        reported_under_hpl_38a=True,
    ).case_id
    step(
        RecordDecision,
        at("2026-01-14"),
        actor=ke,
        outcome=DecisionOutcome.GRANTED,
        concerns=(Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN),
        legal_basis="hol. §§ 7-1, 7-2",
        reasons="Behov for langvarige og koordinerte tjenester; meldt av fastlegen etter hpl. § 38 a.",
    )
    request = step(
        RequestCoordinator,
        at("2026-01-15"),
        actor=ke,
        unit=cast.unit,
        unit_leader=Person(cast.unit_leader.id, cast.unit_leader.name),
    )
    step(
        AppointCoordinator,
        at("2026-02-12"),
        actor=cast.unit_leader,
        kind=CoordinatorKind.COORDINATOR,
        person=Person(coordinator.id, coordinator.name),
        unit=cast.unit,
        subject_wish_heard=True,
        request_id=_created(request, "request_id"),
    )
    step(
        HoldStartupConversation,
        at("2026-02-18"),
        actor=coordinator,
        interpreter_needed=False,
        what_matters="å bo i egen leilighet og ha en jobb å gå til",
    )
    team = _join(step, cast, at("2026-02-20", 9))
    consent = step(
        GrantConsent,
        at("2026-02-20"),
        actor=_citizen(ke.municipality, case_id, name, p.national_id),
        given_by=Signer(ConsentGiverRole.SUBJECT, name, p.national_id),
        participants=team,
        categories=(InfoCategory.HEALTH, InfoCategory.ECONOMY, InfoCategory.WORK),
    )
    meeting = _created(
        step(ScheduleMeeting, at("2026-03-09", 9), actor=coordinator, scheduled_for=at("2026-03-16"), invitees=team),
        "meeting_id",
    )
    step(
        SendAgenda,
        at("2026-03-09"),
        actor=coordinator,
        meeting_id=meeting,
        agreed_with_subject=True,
        items=("Hva er viktig for deg?", "Retten til individuell plan", "Mål og ansvar", "Neste møte"),
    )
    step(
        HoldMeeting,
        at("2026-03-16"),
        actor=coordinator,
        meeting_id=meeting,
        attendees=team,
        subject_voice="Han snakket først. Han fikk vite om retten til individuell plan og takket nei; "
        "han vil fortsatt ha koordinator.",
        minute_taker=coordinator.name,
        informed_of_right_to_ip=True,
    )
    step(
        EstablishPlan,
        at("2026-03-16", 11),
        actor=coordinator,
        tool=PlanTool.MINUTES,
        informed_of_right_to_ip=True,
        ip_declined=True,
    )
    goal = step(
        SetGoal,
        at("2026-03-16", 12),
        actor=coordinator,
        text="Jeg vil ha en fast jobb innen ett år",
        life_area=LifeArea.EDUCATION_WORK,
        responsible_service="NAV",
        evaluate_by=date(2026, 9, 1),
    )
    step(DistributeMinutes, at("2026-03-20"), actor=coordinator, meeting_id=meeting, recipients=team)
    step(
        EvaluateGoal,
        at("2026-08-25"),
        actor=cast.member("NAV"),
        goal_id=_created(goal, "goal_id"),
        status=EvaluationStatus.PARTLY_ACHIEVED,
        note="Er i arbeidstrening fire dager i uka; fast stilling er ikke på plass ennå.",
    )
    return Told(
        case_id,
        team,
        {
            "request": _created(request, "request_id"),
            "consent": _created(consent, "consent_id"),
            "meeting": meeting,
            "goal": _created(goal, "goal_id"),
        },
    )


# ------------------------------------------------------ 2. Vestre Toten
def vestre_toten(step: Step, cast: Cast, case_id: UUID) -> Told:
    """Scenario 2: a relay log in the kindergarten becomes a child coordinator
    at the health station; the consent waits for the second parent."""
    p, ke, coordinator, holder = cast.subject, cast.ke, cast.coordinator, cast.relay_holder
    if holder is None:
        raise ValueError("scenario 2 needs a relay holder")
    mother, father = p.guardians
    case_id = step(
        OpenCase,
        at("2025-09-01"),
        actor=ke,
        municipality=ke.municipality,
        case_id=case_id,
        subject=Subject(national_id=p.national_id, name=p.name),
        guardians=p.guardians,
        requested=(Provision.RELAY_LOG,),
        referrer_kind=ReferrerKind.KINDERGARTEN,
        referrer_name="Barnehagen (BTI nivå 2)",
    ).case_id
    step(
        AppointCoordinator,
        at("2025-09-05"),
        actor=ke,
        kind=CoordinatorKind.RELAY_HOLDER,
        person=Person(holder.id, holder.name),
        unit=cast.relay_unit,
        subject_wish_heard=True,
    )
    step(
        RequestProvision,
        at("2026-01-10"),
        actor=ke,
        requested=(Provision.CHILD_COORDINATOR,),
        note="Foreldrene ber om barnekoordinator.",
    )
    step(
        RecordDecision,
        at("2026-01-20"),
        actor=ke,
        outcome=DecisionOutcome.GRANTED,
        concerns=(Provision.CHILD_COORDINATOR,),
        legal_basis="hol. § 7-2 a",
        reasons="Barnet har alvorlig sykdom og behov for langvarige tjenester; helsestasjonen har koordineringen.",
    )
    step(
        AppointCoordinator,
        at("2026-02-01"),
        actor=ke,
        kind=CoordinatorKind.CHILD_COORDINATOR,
        person=Person(coordinator.id, coordinator.name),
        unit=cast.unit,
        subject_wish_heard=True,
    )
    step(CloseRelayLog, at("2026-02-01", 11), actor=coordinator, reason="Barnekoordinator har tatt over.")
    team = _join(step, cast, at("2026-02-01", 12))
    signers = [Signer(ConsentGiverRole.GUARDIAN, g.name, g.national_id) for g in (mother, father)]
    consent = _created(
        step(
            GrantConsent,
            at("2026-02-05"),
            actor=_citizen(ke.municipality, case_id, mother.name, mother.national_id, Role.GUARDIAN),
            given_by=signers[0],
            participants=team,
            categories=(InfoCategory.HEALTH, InfoCategory.KINDERGARTEN),
        ),
        "consent_id",
    )
    step(
        SignConsent,
        at("2026-02-07"),
        actor=_citizen(ke.municipality, case_id, father.name, father.national_id, Role.GUARDIAN, "father"),
        consent_id=consent,
        signer=signers[1],
    )
    for scheduled, held in (("2026-02-09", "2026-02-20"), ("2026-09-01", "2026-09-15")):
        meeting = step(ScheduleMeeting, at(scheduled), actor=coordinator, scheduled_for=at(held), invitees=team)
        step(
            HoldMeeting,
            at(held),
            actor=coordinator,
            meeting_id=_created(meeting, "meeting_id"),
            attendees=team,
            subject_voice="Foreldrene formidlet barnets ønsker; barnehagen viste bilder fra hverdagen.",
        )
    return Told(case_id, team, {"consent": consent})


# --------------------------------------------------------- 3. Sunnfjord
def sunnfjord(step: Step, cast: Cast, case_id: UUID, *, erase: bool = True) -> Told:
    """Scenario 3: the whole consent is withdrawn; KE closes with a termination
    letter, the plan is exported and filed, and (unless `erase` is false) the
    personal data erased."""
    p, ke, coordinator = cast.subject, cast.ke, cast.coordinator
    name = p.name or ""
    case_id = step(
        OpenCase,
        at("2025-10-01"),
        actor=ke,
        municipality=ke.municipality,
        case_id=case_id,
        subject=Subject(national_id=p.national_id, name=p.name),
        referrer_kind=ReferrerKind.SERVICE,
        requested=(Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN),
        referrer_name=cast.unit,
    ).case_id
    subject = _citizen(ke.municipality, case_id, name, p.national_id)
    step(
        RecordDecision,
        at("2025-10-10"),
        actor=ke,
        outcome=DecisionOutcome.GRANTED,
        concerns=(Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN),
        legal_basis="hol. §§ 7-1, 7-2",
        reasons="Behov for langvarige og koordinerte tenester.",
    )
    step(
        AppointCoordinator,
        at("2025-10-20", 9),
        actor=cast.unit_leader,
        kind=CoordinatorKind.COORDINATOR,
        person=Person(coordinator.id, coordinator.name),
        unit=cast.unit,
        subject_wish_heard=True,
    )
    team = _join(step, cast, at("2025-10-20", 10))
    consent = _created(
        step(
            GrantConsent,
            at("2025-10-20", 11),
            actor=subject,
            given_by=Signer(ConsentGiverRole.SUBJECT, name, p.national_id),
            participants=team,
            categories=(InfoCategory.HEALTH, InfoCategory.HOUSING, InfoCategory.ECONOMY),
        ),
        "consent_id",
    )
    for n, (scheduled, held, minutes) in enumerate(
        (("2025-10-22", "2025-11-05", "2025-11-07"), ("2026-02-18", "2026-03-04", "2026-03-06"))
    ):
        meeting = _created(
            step(ScheduleMeeting, at(scheduled), actor=coordinator, scheduled_for=at(held), invitees=team),
            "meeting_id",
        )
        step(
            HoldMeeting,
            at(held),
            actor=coordinator,
            meeting_id=meeting,
            attendees=team,
            subject_voice=f"{p.first_name} opna møtet og fortalde korleis kvardagen er.",
            informed_of_right_to_ip=n == 0,
        )
        if n == 0:
            step(
                EstablishPlan,
                at(held, 11),
                actor=coordinator,
                tool=PlanTool.INDIVIDUAL_PLAN,
                informed_of_right_to_ip=True,
            )
        step(DistributeMinutes, at(minutes), actor=coordinator, meeting_id=meeting, recipients=team)
    step(
        WithdrawConsent,
        at("2026-05-01"),
        actor=subject,
        consent_id=consent,
        scope=WithdrawalScope.ALL,
        reason="Ønskjer ikkje lenger at opplysningar blir delte.",
    )
    step(
        CloseCase,
        at("2026-06-01"),
        actor=ke,
        agreed_by_subject=False,
        termination_letter_sent=True,
        reason="Samtykket er trekt; koordinering kan ikkje halde fram.",
        assessment="Koordinerande eining har vurdert saka; opphøyrsbrev er sendt til brukaren.",
    )
    step(ExportPlan, at("2026-06-02"), actor=ke, format="json", filed_in="kommunens sak- og arkivsystem")
    step(NotifyClosure, at("2026-06-02", 11), actor=ke, ke_notified=True, participants=team)
    if erase:
        step.file_in_archive(at("2026-06-09"))
        step(EraseCase, at("2026-06-10"), actor=ke)
    return Told(case_id, team, {"consent": consent})


# The outcomes SCENARIOS.md states, check by check, under the profile it names.
SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        title="1, Søndre Land",  # an adult declines an individual plan
        municipality="3447",
        birth=date(1979, 4, 2),
        today=date(2026, 11, 22),
        expected={
            "sondre-land": {
                "CHK-01": BREACH,  # named 28 days after the request; Søndre Land allows 14
                "CHK-02": OK,
                "CHK-03": OK,
                "CHK-04": NOT_APPLICABLE,  # Søndre Land sets no agenda deadline
                "CHK-05": NOT_APPLICABLE,  # nor one for the minutes
                "CHK-08": BREACH,  # no review of the team's work within 6 months of 2026-03-16
                "CHK-09": OK,
                "CHK-13": OK,  # told of the right; refusing the IP did not end the coordinator
            }
        },
        tell=sondre_land,
        stage=Stage.ACTIVE,
    ),
    Scenario(
        title="2, Vestre Toten",  # from relay log to child coordinator
        municipality="3443",
        birth=date(2021, 5, 10),
        today=date(2026, 11, 22),
        expected={
            "vestre-toten": {
                "CHK-07": OK,  # two meetings within 12 months
                "CHK-16": NOT_APPLICABLE,  # transitions "i god tid", with no deadline
                "CHK-17": OK,  # relay log closed when the coordinator took over
            },
            # The same history under Selbu's profile: no transfer meeting with the
            # school by August 2026, a year before school start.
            "selbu": {"CHK-16": BREACH},
        },
        tell=vestre_toten,
        stage=Stage.ACTIVE,
    ),
    Scenario(
        title="3, Sunnfjord",  # consent withdrawn, closed by KE, exported, erased
        municipality="4647",
        birth=date(1990, 12, 1),
        today=date(2026, 7, 1),
        expected={
            "sunnfjord": {
                "CHK-07": OK,  # for the period the team was active
                "CHK-15": OK,  # assessment, termination letter, export, notice
            }
        },
        tell=sunnfjord,
        stage=Stage.ERASED,
    ),
)
SCENARIO_1, SCENARIO_2, SCENARIO_3 = SCENARIOS


# ---------------------------------------------------------- ledger demo
def scenario_people(people: People) -> list[DemoPerson]:
    """The subjects of the three scenarios, for the birth dates given."""
    born1, born2, born3 = (s.birth for s in SCENARIOS)
    child_parents = (
        people.parent(born2, female=True, surname="Skårdal"),
        people.parent(born2, female=False, surname="Skårdal"),
    )
    return [
        DemoPerson(people.full_name(False), False, born1, people.national_id(born1)),
        DemoPerson(people.full_name(True, "Skårdal"), True, born2, people.national_id(born2), child_parents),
        DemoPerson(people.full_name(True), True, born3, people.national_id(born3)),
    ]


def demo_cast(scenario: Scenario, staff: Staff, person: DemoPerson) -> Cast:
    """The municipality's own staff in the scenario's parts."""

    def team(*roles: tuple[str, str]) -> tuple[Member, ...]:
        return tuple(Member(staff.providers[service][0], role) for service, role in roles)

    ke = staff.ke[0]
    if scenario is SCENARIO_1:
        unit = staff.unit_of("psykisk helse og rus")
        members = team(
            ("NAV", "veileder"), ("fastlege", "fastlege"), ("psykisk helse og rus", "psykiatrisk sykepleier")
        )
        return Cast(person, ke, unit.name, unit.leader, unit.coordinators[0], members)
    if scenario is SCENARIO_2:
        unit, relay = staff.unit_of("helsestasjon"), staff.unit_of("barnehage")
        members = team(
            ("barnehage", "pedagogisk leder"),
            ("helsestasjon", "helsesykepleier"),
            ("fysioterapi", "fysioterapeut"),
            ("PPT", "PP-rådgiver"),
        )
        return Cast(
            person, ke, unit.name, unit.leader, unit.coordinators[0], members, relay.name, relay.coordinators[0]
        )
    unit = staff.unit_of("hjemmetjenesten")
    members = team(("hjemmetjenesten", "primærkontakt"), ("fastlege", "fastlege"), ("NAV", "rettleiar"))
    return Cast(person, ke, unit.name, unit.leader, unit.coordinators[0], members)


class _Written:
    """A `Step` for the demo: the writer's `handle`, which stops the case at the ledger's now."""

    def __init__(self, w: Writer, run: CaseRun) -> None:
        self.w, self.run = w, run

    def __call__(self, command: type[Command], when: datetime, **fields: Any) -> CommandResult:
        return self.w.handle(self.run, command, when, **fields)

    def file_in_archive(self, when: datetime) -> None:
        self.w.file_in_archive(self.run, when)


def write_scenarios(w: Writer, staff: dict[str, Staff], people: People, case_ids: list[UUID]) -> list[CaseRun]:
    """The worked scenarios as the demo's cases, lived by each municipality's own staff."""
    runs = []
    for scenario, person, case_id in zip(SCENARIOS, scenario_people(people), case_ids, strict=True):
        run = CaseRun(case_id=case_id, staff=staff[scenario.municipality], person=person, t=at("2024-01-01"))
        try:
            scenario.tell(_Written(w, run), demo_cast(scenario, run.staff, person), case_id)
            run.stage = scenario.stage
        except StopCase:
            run.stage = Stage.REFERRED if run.version else None
        runs.append(run)
    return runs
