"""The three worked cases of SCENARIOS.md, written literally: the same dates,
the same steps, by the municipality's own staff. People and national ids are
invented for the birth dates the scenarios give.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from uuid import UUID

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

SCENARIO_STAGES = {
    "1, Søndre Land": Stage.ACTIVE,  # an adult declines an individual plan
    "2, Vestre Toten": Stage.ACTIVE,  # from relay log to child coordinator
    "3, Sunnfjord": Stage.ERASED,  # consent withdrawn, closed by KE, exported, erased
}


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def _citizen(run: CaseRun, name: str, pid: str | None, role: Role = Role.CITIZEN) -> Actor:
    return Actor(
        id=f"idporten-{run.case_id.hex[:8]}-{role.value}", role=role, municipality=run.municipality, name=name, pid=pid
    )


def _participant(w: Writer, run: CaseRun, when: datetime, provider: Actor, role: str) -> UUID:
    result = w.handle(
        run,
        AddParticipant,
        when,
        actor=run.coordinator,
        person=Person(provider.id, provider.name),
        service=provider.service or "",
        role=role,
    )
    participant_id = result.created["participant_id"]
    assert isinstance(participant_id, UUID)
    run.team[participant_id] = provider
    return participant_id


def sondre_land(w: Writer, run: CaseRun) -> None:
    """Scenario 1: the GP reports a need; he declines an IP, keeps the coordinator."""
    staff, p = run.staff, run.person
    ke, unit = staff.ke[0], staff.unit_of("psykisk helse og rus")
    coordinator, nav = unit.coordinators[0], staff.providers["NAV"][0]
    w.handle(
        run,
        OpenCase,
        at("2026-01-06"),
        actor=ke,
        municipality=run.municipality,
        case_id=run.case_id,
        subject=Subject(national_id=p.national_id, name=p.name),
        referrer_kind=ReferrerKind.GP,
        requested=(Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN),
        referrer_name="Fastlegen",
        reported_under_hpl_38a=True,
    )
    w.handle(
        run,
        RecordDecision,
        at("2026-01-14"),
        actor=ke,
        outcome=DecisionOutcome.GRANTED,
        concerns=(Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN),
        legal_basis="hol. §§ 7-1, 7-2",
        reasons="Behov for langvarige og koordinerte tjenester; meldt av fastlegen etter hpl. § 38 a.",
    )
    request = w.handle(
        run,
        RequestCoordinator,
        at("2026-01-15"),
        actor=ke,
        unit=unit.name,
        unit_leader=Person(unit.leader.id, unit.leader.name),
    ).created["request_id"]
    w.handle(
        run,
        AppointCoordinator,
        at("2026-02-12"),
        actor=unit.leader,
        kind=CoordinatorKind.COORDINATOR,
        person=Person(coordinator.id, coordinator.name),
        unit=unit.name,
        subject_wish_heard=True,
        request_id=request,
    )
    run.coordinator = coordinator
    w.handle(
        run,
        HoldStartupConversation,
        at("2026-02-18"),
        actor=coordinator,
        interpreter_needed=False,
        what_matters="å bo i egen leilighet og ha en jobb å gå til",
    )
    team = [
        _participant(w, run, at("2026-02-20", 9), provider, role)
        for provider, role in (
            (nav, "veileder"),
            (staff.providers["fastlege"][0], "fastlege"),
            (staff.providers["psykisk helse og rus"][0], "psykiatrisk sykepleier"),
        )
    ]
    w.handle(
        run,
        GrantConsent,
        at("2026-02-20"),
        actor=_citizen(run, p.name or "", p.national_id),
        given_by=Signer(ConsentGiverRole.SUBJECT, p.name or "", p.national_id),
        participants=tuple(team),
        categories=(InfoCategory.HEALTH, InfoCategory.ECONOMY, InfoCategory.WORK),
    )
    meeting = w.handle(
        run,
        ScheduleMeeting,
        at("2026-03-09", 9),
        actor=coordinator,
        scheduled_for=at("2026-03-16"),
        invitees=tuple(team),
    ).created["meeting_id"]
    w.handle(
        run,
        SendAgenda,
        at("2026-03-09"),
        actor=coordinator,
        meeting_id=meeting,
        agreed_with_subject=True,
        items=("Hva er viktig for deg?", "Retten til individuell plan", "Mål og ansvar", "Neste møte"),
    )
    w.handle(
        run,
        HoldMeeting,
        at("2026-03-16"),
        actor=coordinator,
        meeting_id=meeting,
        attendees=tuple(team),
        subject_voice=f"{p.first_name} snakket først. Han fikk vite om retten til individuell plan og takket nei; "
        "han vil fortsatt ha koordinator.",
        informed_of_right_to_ip=True,
    )
    w.handle(
        run,
        EstablishPlan,
        at("2026-03-16", 11),
        actor=coordinator,
        tool=PlanTool.MINUTES,
        informed_of_right_to_ip=True,
        ip_declined=True,
    )
    goal = w.handle(
        run,
        SetGoal,
        at("2026-03-16", 12),
        actor=coordinator,
        text="Jeg vil ha en fast jobb innen ett år",
        life_area=LifeArea.EDUCATION_WORK,
        responsible_service="NAV",
        evaluate_by=date(2026, 9, 1),
    ).created["goal_id"]
    w.handle(run, DistributeMinutes, at("2026-03-20"), actor=coordinator, meeting_id=meeting, recipients=tuple(team))
    w.handle(
        run,
        EvaluateGoal,
        at("2026-08-25"),
        actor=nav,
        goal_id=goal,
        status=EvaluationStatus.PARTLY_ACHIEVED,
        note="Er i arbeidstrening fire dager i uka; fast stilling er ikke på plass ennå.",
    )


def vestre_toten(w: Writer, run: CaseRun) -> None:
    """Scenario 2: a relay log in the kindergarten becomes a child coordinator
    at the health station; the consent waits for the second parent."""
    staff, p = run.staff, run.person
    ke = staff.ke[0]
    mother, father = p.guardians
    holder = staff.unit_of("barnehage").coordinators[0]
    station = staff.unit_of("helsestasjon")
    w.handle(
        run,
        OpenCase,
        at("2025-09-01"),
        actor=ke,
        municipality=run.municipality,
        case_id=run.case_id,
        subject=Subject(national_id=p.national_id, name=p.name),
        guardians=p.guardians,
        requested=(Provision.RELAY_LOG,),
        referrer_kind=ReferrerKind.KINDERGARTEN,
        referrer_name="Barnehagen (BTI nivå 2)",
    )
    w.handle(
        run,
        AppointCoordinator,
        at("2025-09-05"),
        actor=ke,
        kind=CoordinatorKind.RELAY_HOLDER,
        person=Person(holder.id, holder.name),
        unit=staff.unit_of("barnehage").name,
        subject_wish_heard=True,
    )
    w.handle(
        run,
        RequestProvision,
        at("2026-01-10"),
        actor=ke,
        requested=(Provision.CHILD_COORDINATOR,),
        note="Foreldrene ber om barnekoordinator.",
    )
    w.handle(
        run,
        RecordDecision,
        at("2026-01-20"),
        actor=ke,
        outcome=DecisionOutcome.GRANTED,
        concerns=(Provision.CHILD_COORDINATOR,),
        legal_basis="hol. § 7-2 a",
        reasons="Barnet har alvorlig sykdom og behov for langvarige tjenester; helsestasjonen har koordineringen.",
    )
    coordinator = station.coordinators[0]
    w.handle(
        run,
        AppointCoordinator,
        at("2026-02-01"),
        actor=ke,
        kind=CoordinatorKind.CHILD_COORDINATOR,
        person=Person(coordinator.id, coordinator.name),
        unit=station.name,
        subject_wish_heard=True,
    )
    run.coordinator = coordinator
    w.handle(run, CloseRelayLog, at("2026-02-01", 11), actor=coordinator, reason="Barnekoordinator har tatt over.")
    team = [
        _participant(w, run, at("2026-02-01", 12), staff.providers[service][0], role)
        for service, role in (
            ("barnehage", "pedagogisk leder"),
            ("helsestasjon", "helsesykepleier"),
            ("fysioterapi", "fysioterapeut"),
            ("PPT", "PP-rådgiver"),
        )
    ]
    signers = [Signer(ConsentGiverRole.GUARDIAN, g.name, g.national_id) for g in (mother, father)]
    consent = w.handle(
        run,
        GrantConsent,
        at("2026-02-05"),
        actor=_citizen(run, mother.name, mother.national_id, Role.GUARDIAN),
        given_by=signers[0],
        participants=tuple(team),
        categories=(InfoCategory.HEALTH, InfoCategory.KINDERGARTEN),
    ).created["consent_id"]
    w.handle(
        run,
        SignConsent,
        at("2026-02-07"),
        actor=Actor(
            id=f"idporten-{run.case_id.hex[:8]}-father",
            role=Role.GUARDIAN,
            municipality=run.municipality,
            name=father.name,
            pid=father.national_id,
        ),
        consent_id=consent,
        signer=signers[1],
    )
    for scheduled, held in (("2026-02-09", "2026-02-20"), ("2026-09-01", "2026-09-15")):
        meeting = w.handle(
            run, ScheduleMeeting, at(scheduled), actor=coordinator, scheduled_for=at(held), invitees=tuple(team)
        ).created["meeting_id"]
        w.handle(
            run,
            HoldMeeting,
            at(held),
            actor=coordinator,
            meeting_id=meeting,
            attendees=tuple(team),
            subject_voice="Foreldrene formidlet barnets ønsker; barnehagen viste bilder fra hverdagen.",
        )


def sunnfjord(w: Writer, run: CaseRun) -> None:
    """Scenario 3: the whole consent is withdrawn; KE closes with a termination
    letter, the plan is exported and filed, and the personal data erased."""
    staff, p = run.staff, run.person
    ke = staff.ke[0]
    unit = staff.unit_of("hjemmetjenesten")
    coordinator = unit.coordinators[0]
    subject_actor = _citizen(run, p.name or "", p.national_id)
    w.handle(
        run,
        OpenCase,
        at("2025-10-01"),
        actor=ke,
        municipality=run.municipality,
        case_id=run.case_id,
        subject=Subject(national_id=p.national_id, name=p.name),
        referrer_kind=ReferrerKind.SERVICE,
        requested=(Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN),
        referrer_name=unit.name,
    )
    w.handle(
        run,
        RecordDecision,
        at("2025-10-10"),
        actor=ke,
        outcome=DecisionOutcome.GRANTED,
        concerns=(Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN),
        legal_basis="hol. §§ 7-1, 7-2",
        reasons="Behov for langvarige og koordinerte tenester.",
    )
    w.handle(
        run,
        AppointCoordinator,
        at("2025-10-20", 9),
        actor=unit.leader,
        kind=CoordinatorKind.COORDINATOR,
        person=Person(coordinator.id, coordinator.name),
        unit=unit.name,
        subject_wish_heard=True,
    )
    run.coordinator = coordinator
    team = [
        _participant(w, run, at("2025-10-20", 10), staff.providers[service][0], role)
        for service, role in (("hjemmetjenesten", "primærkontakt"), ("fastlege", "fastlege"), ("NAV", "rettleiar"))
    ]
    consent = w.handle(
        run,
        GrantConsent,
        at("2025-10-20", 11),
        actor=subject_actor,
        given_by=Signer(ConsentGiverRole.SUBJECT, p.name or "", p.national_id),
        participants=tuple(team),
        categories=(InfoCategory.HEALTH, InfoCategory.HOUSING, InfoCategory.ECONOMY),
    ).created["consent_id"]
    for n, (scheduled, held, minutes) in enumerate(
        (("2025-10-22", "2025-11-05", "2025-11-07"), ("2026-02-18", "2026-03-04", "2026-03-06"))
    ):
        meeting = w.handle(
            run, ScheduleMeeting, at(scheduled), actor=coordinator, scheduled_for=at(held), invitees=tuple(team)
        ).created["meeting_id"]
        w.handle(
            run,
            HoldMeeting,
            at(held),
            actor=coordinator,
            meeting_id=meeting,
            attendees=tuple(team),
            subject_voice=f"{p.first_name} opna møtet og fortalde korleis kvardagen er.",
            informed_of_right_to_ip=n == 0,
        )
        if n == 0:
            w.handle(
                run,
                EstablishPlan,
                at(held, 11),
                actor=coordinator,
                tool=PlanTool.INDIVIDUAL_PLAN,
                informed_of_right_to_ip=True,
            )
        w.handle(run, DistributeMinutes, at(minutes), actor=coordinator, meeting_id=meeting, recipients=tuple(team))
    w.handle(
        run,
        WithdrawConsent,
        at("2026-05-01"),
        actor=subject_actor,
        consent_id=consent,
        scope=WithdrawalScope.ALL,
        reason="Ønskjer ikkje lenger at opplysningar blir delte.",
    )
    w.handle(
        run,
        CloseCase,
        at("2026-06-01"),
        actor=ke,
        agreed_by_subject=False,
        termination_letter_sent=True,
        reason="Samtykket er trekt; koordinering kan ikkje halde fram.",
        assessment="Koordinerande eining har vurdert saka; opphøyrsbrev er sendt til brukaren.",
    )
    w.handle(run, ExportPlan, at("2026-06-02"), actor=ke, format="json", filed_in="kommunens sak- og arkivsystem")
    w.handle(run, NotifyClosure, at("2026-06-02", 11), actor=ke, ke_notified=True, participants=tuple(team))
    w.file_in_archive(run, at("2026-06-09"))
    w.handle(run, EraseCase, at("2026-06-10"), actor=ke)


def scenario_people(people: People) -> list[DemoPerson]:
    """The subjects of the three scenarios, for the birth dates given."""
    born1, born2, born3 = date(1979, 4, 2), date(2021, 5, 10), date(1990, 12, 1)
    child_parents = (
        people.parent(born2, female=True, surname="Skårdal"),
        people.parent(born2, female=False, surname="Skårdal"),
    )
    return [
        DemoPerson(people.full_name(False), False, born1, people.national_id(born1)),
        DemoPerson(people.full_name(True, "Skårdal"), True, born2, people.national_id(born2), child_parents),
        DemoPerson(people.full_name(True), True, born3, people.national_id(born3)),
    ]


SCENARIOS: tuple[Callable[[Writer, CaseRun], None], ...] = (sondre_land, vestre_toten, sunnfjord)
SCENARIO_MUNICIPALITIES = ("3447", "3443", "4647")


def write_scenarios(w: Writer, staff: dict[str, Staff], people: People, case_ids: list[UUID]) -> list[CaseRun]:
    runs = []
    for write, municipality, person, case_id, stage in zip(
        SCENARIOS, SCENARIO_MUNICIPALITIES, scenario_people(people), case_ids, SCENARIO_STAGES.values(), strict=True
    ):
        run = CaseRun(case_id=case_id, staff=staff[municipality], person=person, t=at("2024-01-01"))
        try:
            write(w, run)
            run.stage = stage
        except StopCase:
            run.stage = Stage.REFERRED if run.version else None
        runs.append(run)
    return runs
