"""Every invariant of DOMAIN §5 refuses its command with the rule's id and a
Norwegian message, and a refused command leaves the store as it was.

INV-04 and INV-05 (consent) are in `test_consent.py`. Every test runs on
SQLite and PostgreSQL (the `ledger` fixture).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from stdnum.no import fodselsnummer

from commands.base import Command
from commands.case_commands import (
    AddParticipant,
    AppointCoordinator,
    OpenCase,
    RecordDecision,
    ReplaceCoordinator,
    RequestCoordinator,
)
from commands.plan_commands import (
    AddComment,
    CloseCase,
    CloseGoal,
    EraseCase,
    EstablishPlan,
    EvaluateGoal,
    ExportPlan,
    PlanActivity,
    ReceiveComplaint,
    ReopenCase,
    SetGoal,
)
from ledger.errors import DomainError, Forbidden, InvalidInput, InvariantViolation, NotFound
from ledger.events import ParticipantAdded
from ledger.national_id import synthesize
from ledger.values import (
    CaseStatus,
    CoordinatorKind,
    DecisionOutcome,
    EvaluationStatus,
    Guardian,
    LifeArea,
    Person,
    PlanTool,
    Provision,
    ReferrerKind,
    Role,
    Subject,
    is_erased,
)
from tests.support.cases import MUNICIPALITY, actor, born, coordinator, file_in_archive, ke, open_case, running_case
from tests.support.clock import TODAY
from tests.support.refusals import assert_refused, store_state

# ------------------------------------------------------------------ helpers


def version_of(ledger: Any, case_id: UUID) -> int:
    return ledger.app.load_case(case_id, ke()).version


def with_plan(ledger: Any, fx: Any, tool: PlanTool = PlanTool.INDIVIDUAL_PLAN) -> None:
    ledger.app.handle(EstablishPlan(actor=coordinator(), case_id=fx.case_id, tool=tool))


def set_goal(ledger: Any, fx: Any, service: str = "NAV") -> UUID:
    result = ledger.app.handle(
        SetGoal(
            actor=coordinator(),
            case_id=fx.case_id,
            text="Jeg vil ha en fast jobb",
            life_area=LifeArea.EDUCATION_WORK,
            responsible_service=service,
            evaluate_by=date(2027, 6, 1),
        )
    )
    return result.created["goal_id"]


def open_command(
    nid: str | None,
    *,
    municipality: str = MUNICIPALITY,
    by: Any = None,
    requested: tuple[Provision, ...] = (Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN),
    guardians: tuple[Guardian, ...] = (),
    subject: Subject | None = None,
) -> OpenCase:
    return OpenCase(
        actor=by or ke(municipality),
        municipality=municipality,
        subject=subject or Subject(name="Ola Nordmann", national_id=nid),
        guardians=guardians,
        requested=requested,
        referrer_kind=ReferrerKind.GP,
    )


def appoint(fx: Any, kind: CoordinatorKind, by: Any = None) -> AppointCoordinator:
    return AppointCoordinator(
        actor=by or ke(),
        case_id=fx.case_id,
        person=Person("koord-1", "Kåre Koordinator"),
        unit="Helsestasjonen",
        kind=kind,
        subject_wish_heard=True,
    )


def closed_case(ledger: Any, *, exported: bool = False) -> Any:
    fx = running_case(ledger)
    ledger.app.handle(
        CloseCase(
            actor=ke(),
            case_id=fx.case_id,
            reason="Målene er nådd",
            assessment="Brukeren og teamet er enige om at koordinering ikke trengs lenger",
            agreed_by_subject=True,
        )
    )
    if exported:
        ledger.app.handle(ExportPlan(actor=ke(), case_id=fx.case_id, format="json"))
    return fx


# ------------------------------------------------------------------- INV-01


def test_an_actor_of_another_municipality_is_told_the_case_does_not_exist(ledger):
    """INV-01: a Sunnfjord caseworker acting on a Søndre Land case gets NotFound and writes nothing."""
    fx = running_case(ledger)
    command = RequestCoordinator(
        actor=ke("4647"), case_id=fx.case_id, unit="Psykisk helse", unit_leader=Person("leder-1", "Lise Leder")
    )
    before = version_of(ledger, fx.case_id)
    assert_refused(ledger, command, NotFound, "INV-01")
    assert version_of(ledger, fx.case_id) == before


def test_a_case_of_another_municipality_reads_exactly_like_a_missing_case(ledger):
    """INV-01: the refusal does not reveal that the case exists in another municipality."""
    fx = running_case(ledger)
    elsewhere = assert_refused(ledger, AddComment(actor=ke("4647"), case_id=fx.case_id, text="x"), NotFound, "INV-01")
    missing = assert_refused(ledger, AddComment(actor=ke("4647"), case_id=uuid4(), text="x"), NotFound, "INV-01")
    assert (elsewhere.rule, elsewhere.message) == (missing.rule, missing.message)


def test_a_case_cannot_be_opened_for_another_municipality_than_the_actors(ledger):
    """INV-01: a Søndre Land caseworker cannot open a Sunnfjord case."""
    command = open_command(synthesize(date(1979, 4, 2)), municipality="4647", by=ke(MUNICIPALITY))
    assert_refused(ledger, command, InvariantViolation, "INV-01")


# ------------------------------------------------------------------- INV-02


def test_a_second_open_case_asking_for_an_individual_plan_for_the_same_person_is_refused(ledger):
    """INV-02: one open individual plan per person and municipality."""
    fx = open_case(ledger)
    assert_refused(ledger, open_command(fx.subject_id), InvariantViolation, "INV-02")


def test_an_individual_plan_may_be_asked_for_again_once_the_first_case_is_closed(ledger):
    """INV-02: closing the case releases the person's plan."""
    fx = closed_case(ledger)
    result = ledger.app.handle(open_command(fx.subject_id))
    assert result.case_id != fx.case_id
    assert result.version == 1


def test_the_same_person_may_have_an_individual_plan_in_another_municipality(ledger):
    """INV-02 is per municipality: Sunnfjord may open an IP case for a person Søndre Land holds one for."""
    fx = open_case(ledger)
    result = ledger.app.handle(open_command(fx.subject_id, municipality="4647"))
    assert ledger.app.load_case(result.case_id, ke("4647")).municipality == "4647"


def test_establishing_an_individual_plan_on_a_second_case_is_refused_while_the_first_holds_one(ledger):
    """INV-02: a case opened without IP cannot take an IP while another open case holds it."""
    first = open_case(ledger)
    second = running_case(ledger, requested=(Provision.COORDINATOR,))
    assert first.subject_id == second.subject_id
    command = EstablishPlan(actor=coordinator(), case_id=second.case_id, tool=PlanTool.INDIVIDUAL_PLAN)
    assert_refused(ledger, command, InvariantViolation, "INV-02")


def test_a_second_case_without_an_individual_plan_may_be_opened_for_the_same_person(ledger):
    """INV-02 concerns individual plans only: a coordinator-only case is allowed beside an IP case."""
    fx = open_case(ledger)
    result = ledger.app.handle(open_command(fx.subject_id, requested=(Provision.COORDINATOR,)))
    assert result.case_id != fx.case_id


# ------------------------------------------------------------------- INV-03


def test_a_child_coordinator_for_an_adult_is_refused(ledger):
    """INV-03: a child coordinator is for children under 18, even when the case asked for one."""
    fx = open_case(ledger, birth=born(TODAY.date(), 18), requested=(Provision.CHILD_COORDINATOR,))
    assert_refused(ledger, appoint(fx, CoordinatorKind.CHILD_COORDINATOR), InvariantViolation, "INV-03")


def test_a_child_coordinator_is_refused_when_the_family_did_not_ask_for_one(ledger):
    """INV-03: only if the parents (or whoever consents for the child) want it."""
    fx = open_case(
        ledger, birth=born(TODAY.date(), 10), requested=(Provision.COORDINATOR,), guardians=(Guardian("Mor Nordmann"),)
    )
    assert_refused(ledger, appoint(fx, CoordinatorKind.CHILD_COORDINATOR), InvariantViolation, "INV-03")


def test_a_child_coordinator_is_appointed_for_a_seventeen_year_old_whose_family_asked(ledger):
    """INV-03: 17 is under 18; the request makes it allowed."""
    fx = open_case(ledger, birth=born(TODAY.date(), 17, 364), requested=(Provision.CHILD_COORDINATOR,))
    ledger.app.handle(appoint(fx, CoordinatorKind.CHILD_COORDINATOR))
    assert ledger.app.load_case(fx.case_id, ke()).coordinator.kind is CoordinatorKind.CHILD_COORDINATOR


def test_a_child_coordinator_is_appointed_for_an_expected_child(ledger):
    """INV-03: a family expecting a child may have a child coordinator; the child has no national id yet."""
    due = TODAY.date() + timedelta(days=60)
    opened = ledger.app.handle(
        open_command(
            None,
            requested=(Provision.CHILD_COORDINATOR,),
            subject=Subject(expected=True, birth_date=due, name="Barn av Kari Nordmann"),
            guardians=(Guardian("Kari Nordmann"),),
        )
    )
    ledger.app.handle(
        AppointCoordinator(
            actor=ke(),
            case_id=opened.case_id,
            person=Person("koord-1", "Kåre"),
            unit="Helsestasjonen",
            kind=CoordinatorKind.CHILD_COORDINATOR,
            subject_wish_heard=True,
        )
    )
    case = ledger.app.load_case(opened.case_id, ke())
    assert case.coordinator.kind is CoordinatorKind.CHILD_COORDINATOR
    assert case.subject.national_id is None


def test_a_child_coordinator_cannot_be_replaced_once_the_child_has_turned_eighteen(ledger, clock):
    """INV-03 holds at the time of each appointment, not only the first."""
    fx = open_case(ledger, birth=born(TODAY.date(), 17, 364), requested=(Provision.CHILD_COORDINATOR,))
    ledger.app.handle(appoint(fx, CoordinatorKind.CHILD_COORDINATOR))
    clock.advance(days=2)
    command = ReplaceCoordinator(actor=ke(), case_id=fx.case_id, person=Person("koord-2", "Kine"), unit="Helse")
    assert_refused(ledger, command, InvariantViolation, "INV-03")


# ------------------------------------------------------------------- INV-06


def test_a_coordinator_is_appointed_without_any_consent(ledger):
    """INV-06: appointing a coordinator is the municipality's duty and needs no consent."""
    fx = open_case(ledger)
    result = ledger.app.handle(appoint(fx, CoordinatorKind.COORDINATOR))
    case = ledger.app.load_case(fx.case_id, ke())
    assert result.version == 2
    assert case.consents == {}
    assert case.coordinator.person_id == "koord-1"


def test_participants_of_a_case_without_consent_read_nothing(ledger):
    """INV-06: with a coordinator but no consent, no other participant reads any category."""
    fx = running_case(ledger)
    case = ledger.app.load_case(fx.case_id, ke())
    assert case.coordinator is not None
    assert case.readable_categories("nav-1", "NAV", TODAY) == set()


# ------------------------------------------------------------------- INV-07


def test_a_coordinator_cannot_record_a_decision(ledger):
    """INV-07: only the coordinating unit records decisions (vedtak)."""
    fx = running_case(ledger)
    command = RecordDecision(
        actor=coordinator(),
        case_id=fx.case_id,
        outcome=DecisionOutcome.GRANTED,
        concerns=(Provision.COORDINATOR,),
        legal_basis="hol. § 7-2",
        reasons="Behov",
    )
    assert_refused(ledger, command, Forbidden, "INV-07")


def test_a_service_provider_cannot_open_a_case(ledger):
    """INV-07: only the coordinating unit opens cases."""
    command = open_command(synthesize(date(1979, 4, 2)), by=actor(Role.SERVICE_PROVIDER, service="NAV"))
    assert_refused(ledger, command, Forbidden, "INV-07")


def test_a_unit_leader_cannot_set_goals(ledger):
    """INV-07: the unit leader names the coordinator; only the coordinator (or KE) runs the case."""
    fx = running_case(ledger)
    with_plan(ledger, fx)
    command = SetGoal(
        actor=actor(Role.UNIT_LEADER),
        case_id=fx.case_id,
        text="Jeg vil bo selv",
        life_area=LifeArea.HOUSING,
        responsible_service="Bolig",
        evaluate_by=date(2027, 1, 1),
    )
    assert_refused(ledger, command, Forbidden, "INV-07")


def test_a_coordinator_who_is_not_the_cases_coordinator_cannot_run_it(ledger):
    """INV-07: another coordinator of the same municipality is refused on this case."""
    fx = running_case(ledger)
    other = actor(Role.COORDINATOR, id="koord-2", service="psykisk helse")
    command = AddParticipant(
        actor=other, case_id=fx.case_id, person=Person("gp-1", "Dr. Lege"), service="fastlege", role="fastlege"
    )
    assert_refused(ledger, command, Forbidden, "INV-07")


def test_a_service_provider_cannot_evaluate_a_goal_another_service_is_responsible_for(ledger):
    """INV-07: only the responsible service evaluates a goal."""
    fx = running_case(ledger)
    with_plan(ledger, fx)
    goal_id = set_goal(ledger, fx, service="NAV")
    school = actor(Role.SERVICE_PROVIDER, id="skole-1", service="skole")
    command = EvaluateGoal(actor=school, case_id=fx.case_id, goal_id=goal_id, status=EvaluationStatus.ACHIEVED)
    assert_refused(ledger, command, Forbidden, "INV-07")


def test_a_unit_leader_appoints_the_coordinator(ledger):
    """INV-07: the unit leader names the coordinator after KE's request."""
    fx = open_case(ledger)
    ledger.app.handle(appoint(fx, CoordinatorKind.COORDINATOR, by=actor(Role.UNIT_LEADER, id="leder-1")))
    case = ledger.app.load_case(fx.case_id, ke())
    assert case.coordinator.person_id == "koord-1"


def test_the_responsible_service_provider_evaluates_its_goal(ledger):
    """INV-07: NAV evaluates the goal NAV is responsible for."""
    fx = running_case(ledger)
    with_plan(ledger, fx)
    goal_id = set_goal(ledger, fx, service="NAV")
    nav = actor(Role.SERVICE_PROVIDER, id="nav-1", service="NAV")
    ledger.app.handle(
        EvaluateGoal(actor=nav, case_id=fx.case_id, goal_id=goal_id, status=EvaluationStatus.PARTLY_ACHIEVED)
    )
    goal = ledger.app.load_case(fx.case_id, ke()).goals[goal_id]
    assert [status for _, status in goal.evaluations] == [EvaluationStatus.PARTLY_ACHIEVED]


# ------------------------------------------------------------------- INV-08


def test_a_closed_case_refuses_a_new_goal(ledger):
    """INV-08: a closed case accepts no plan work."""
    fx = running_case(ledger)
    with_plan(ledger, fx)
    ledger.app.handle(
        CloseCase(
            actor=ke(), case_id=fx.case_id, reason="Flyttet", assessment="Ikke behov lenger", agreed_by_subject=True
        )
    )
    command = SetGoal(
        actor=coordinator(),
        case_id=fx.case_id,
        text="Jeg vil bo selv",
        life_area=LifeArea.HOUSING,
        responsible_service="Bolig",
        evaluate_by=date(2027, 1, 1),
    )
    assert_refused(ledger, command, InvariantViolation, "INV-08")


def test_a_closed_case_refuses_a_new_participant(ledger):
    """INV-08: the team of a closed case does not change."""
    fx = closed_case(ledger)
    command = AddParticipant(
        actor=coordinator(), case_id=fx.case_id, person=Person("gp-1", "Dr. Lege"), service="fastlege", role="fastlege"
    )
    assert_refused(ledger, command, InvariantViolation, "INV-08")


def test_a_closed_case_accepts_an_export(ledger):
    """INV-08: export is allowed after closing."""
    fx = closed_case(ledger)
    result = ledger.app.handle(ExportPlan(actor=coordinator(), case_id=fx.case_id, format="json"))
    assert result.created["export_id"] in ledger.app.load_case(fx.case_id, ke()).exports


def test_a_closed_case_accepts_a_complaint(ledger):
    """INV-08: complaints are received after closing."""
    fx = closed_case(ledger)
    result = ledger.app.handle(ReceiveComplaint(actor=ke(), case_id=fx.case_id, concerns=(Provision.COORDINATOR,)))
    assert result.created["complaint_id"] in ledger.app.load_case(fx.case_id, ke()).complaints


def test_a_closed_case_is_reopened_by_the_coordinating_unit(ledger):
    """INV-08: KE may reopen a closed case, after which it runs again."""
    fx = closed_case(ledger)
    ledger.app.handle(ReopenCase(actor=ke(), case_id=fx.case_id, reason="Nytt behov"))
    assert ledger.app.load_case(fx.case_id, ke()).status is CaseStatus.OPEN


def test_a_coordinator_cannot_reopen_a_closed_case(ledger):
    """INV-08 and INV-07: reopening is the coordinating unit's."""
    fx = closed_case(ledger)
    assert_refused(
        ledger, ReopenCase(actor=coordinator(), case_id=fx.case_id, reason="Nytt behov"), Forbidden, "INV-07"
    )


# ------------------------------------------------------------------- INV-09


def _plan_with_goal(ledger: Any) -> tuple[Any, UUID]:
    fx = running_case(ledger)
    with_plan(ledger, fx)
    return fx, set_goal(ledger, fx)


def _close_goal(ledger: Any, fx: Any, goal_id: UUID) -> None:
    ledger.app.handle(CloseGoal(actor=coordinator(), case_id=fx.case_id, goal_id=goal_id, reason="Nådd"))


def test_an_evaluation_of_a_goal_that_does_not_exist_is_refused(ledger):
    """INV-09: evaluations refer to goals that exist."""
    fx, _ = _plan_with_goal(ledger)
    command = EvaluateGoal(actor=coordinator(), case_id=fx.case_id, goal_id=uuid4(), status=EvaluationStatus.ACHIEVED)
    assert_refused(ledger, command, NotFound, "INV-09")


def test_an_activity_for_a_goal_that_does_not_exist_is_refused(ledger):
    """INV-09: activities refer to goals that exist."""
    fx, _ = _plan_with_goal(ledger)
    command = PlanActivity(
        actor=coordinator(), case_id=fx.case_id, goal_id=uuid4(), what="Jobbsøkerkurs", responsible_service="NAV"
    )
    assert_refused(ledger, command, NotFound, "INV-09")


def test_a_comment_on_a_goal_that_does_not_exist_is_refused(ledger):
    """INV-09: comments refer to goals that exist."""
    fx, _ = _plan_with_goal(ledger)
    command = AddComment(actor=coordinator(), case_id=fx.case_id, goal_id=uuid4(), text="Bra fremgang")
    assert_refused(ledger, command, NotFound, "INV-09")


def test_an_evaluation_of_a_closed_goal_is_refused(ledger):
    """INV-09: evaluations refer to goals that are not closed."""
    fx, goal_id = _plan_with_goal(ledger)
    _close_goal(ledger, fx, goal_id)
    command = EvaluateGoal(actor=coordinator(), case_id=fx.case_id, goal_id=goal_id, status=EvaluationStatus.ACHIEVED)
    assert_refused(ledger, command, InvariantViolation, "INV-09")


def test_an_activity_for_a_closed_goal_is_refused(ledger):
    """INV-09: activities refer to goals that are not closed."""
    fx, goal_id = _plan_with_goal(ledger)
    _close_goal(ledger, fx, goal_id)
    command = PlanActivity(
        actor=coordinator(), case_id=fx.case_id, goal_id=goal_id, what="Jobbsøkerkurs", responsible_service="NAV"
    )
    assert_refused(ledger, command, InvariantViolation, "INV-09")


def test_a_comment_on_a_closed_goal_is_refused(ledger):
    """INV-09: comments refer to goals that are not closed."""
    fx, goal_id = _plan_with_goal(ledger)
    _close_goal(ledger, fx, goal_id)
    command = AddComment(actor=coordinator(), case_id=fx.case_id, goal_id=goal_id, text="Bra fremgang")
    assert_refused(ledger, command, InvariantViolation, "INV-09")


def test_a_goal_without_a_responsible_service_is_refused(ledger):
    """INV-09: a goal names a responsible service."""
    fx = running_case(ledger)
    with_plan(ledger, fx)
    command = SetGoal(
        actor=coordinator(),
        case_id=fx.case_id,
        text="Jeg vil bo selv",
        life_area=LifeArea.HOUSING,
        responsible_service="  ",
        evaluate_by=date(2027, 1, 1),
    )
    assert_refused(ledger, command, InvalidInput, "INV-09")


# ------------------------------------------------------------------- INV-10


def test_an_event_said_to_occur_in_the_future_is_refused(ledger):
    """INV-10: more than 5 seconds ahead of the ledger's clock is the future, not clock skew."""
    fx = running_case(ledger)
    command = AddParticipant(
        actor=coordinator(),
        case_id=fx.case_id,
        person=Person("gp-1", "Dr. Lege"),
        service="fastlege",
        role="fastlege",
        occurred_at=TODAY + timedelta(seconds=6),
    )
    assert_refused(ledger, command, InvariantViolation, "INV-10")


def test_a_few_seconds_of_clock_skew_is_not_the_future(ledger):
    """INV-10: a client clock up to 5 seconds ahead is accepted."""
    fx = running_case(ledger)
    result = ledger.app.handle(
        AddParticipant(
            actor=coordinator(),
            case_id=fx.case_id,
            person=Person("gp-1", "Dr. Lege"),
            service="fastlege",
            role="fastlege",
            occurred_at=TODAY + timedelta(seconds=4),
        )
    )
    assert ledger.app.case_events(fx.case_id)[-1].occurred_at == TODAY + timedelta(seconds=4)
    assert result.version == version_of(ledger, fx.case_id)


def test_a_case_opened_in_the_future_is_refused(ledger):
    """INV-10 holds for the opening event too."""
    command = dataclasses.replace(open_command(synthesize(date(1979, 4, 2))), occurred_at=TODAY + timedelta(days=1))
    assert_refused(ledger, command, InvariantViolation, "INV-10")


def test_an_event_said_to_occur_before_the_case_was_opened_is_refused(ledger):
    """INV-10: nothing happens on a case before it was opened."""
    fx = running_case(ledger, occurred_at=TODAY - timedelta(days=10))
    command = AddParticipant(
        actor=coordinator(),
        case_id=fx.case_id,
        person=Person("gp-1", "Dr. Lege"),
        service="fastlege",
        role="fastlege",
        occurred_at=TODAY - timedelta(days=11),
    )
    assert_refused(ledger, command, InvariantViolation, "INV-10")


def test_a_late_recording_keeps_when_it_happened_and_when_it_was_recorded(ledger):
    """INV-10: late recording is allowed and visible: occurred_at is given, recorded_at is the ledger's clock."""
    fx = running_case(ledger, occurred_at=TODAY - timedelta(days=60))
    happened = TODAY - timedelta(days=30)
    ledger.app.handle(
        AddParticipant(
            actor=coordinator(),
            case_id=fx.case_id,
            person=Person("gp-1", "Dr. Lege"),
            service="fastlege",
            role="fastlege",
            occurred_at=happened,
        )
    )
    last = ledger.app.case_events(fx.case_id)[-1]
    assert isinstance(last, ParticipantAdded)
    assert last.occurred_at == happened
    assert last.timestamp == TODAY
    assert last.recorded_at == TODAY


# ------------------------------------------------------------------- INV-11

VALID_FNR = synthesize(date(1979, 4, 2))


def _wrong_check_digit(nid: str) -> str:
    return nid[:-1] + str((int(nid[-1]) + 1) % 10)


def _with_check_digits(first_nine: str) -> str:
    """Both mod-11 check digits for the first nine digits, whatever the date says."""
    for individual in range(int(first_nine[6:]), 1000):
        base = first_nine[:6] + f"{individual:03d}"
        k1 = fodselsnummer.calc_check_digit1(base)
        k2 = fodselsnummer.calc_check_digit2(base + k1) if len(k1) == 1 else "--"
        if len(k2) == 1:
            return base + k1 + k2
    raise AssertionError("no check digits for " + first_nine[:6])


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(_wrong_check_digit(VALID_FNR), id="wrong-check-digit"),
        pytest.param(VALID_FNR[:10], id="ten-digits"),
        pytest.param(VALID_FNR[:5] + "AB" + VALID_FNR[7:9], id="letters"),
        pytest.param(_with_check_digits("310279123"), id="31-february-with-valid-check-digits"),
    ],
)
def test_an_invalid_national_id_is_refused_without_echoing_it(ledger, bad):
    """INV-11: 11 digits, both mod-11 check digits and a real date; the number is not repeated in the error."""
    refused = assert_refused(ledger, open_command(bad), InvalidInput, "INV-11")
    assert bad not in str(refused) and bad not in refused.message


def test_a_valid_fodselsnummer_is_accepted_and_gives_the_birth_date(ledger):
    """INV-11: a valid number opens the case; the birth date comes from it."""
    result = ledger.app.handle(open_command(VALID_FNR))
    assert ledger.app.load_case(result.case_id, ke()).subject.birth_date == date(1979, 4, 2)


def test_a_valid_d_number_is_accepted_and_gives_the_birth_date(ledger):
    """INV-11: D-numbers (day + 40) are valid identities."""
    d_number = synthesize(date(1985, 6, 17), d_number=True)
    assert d_number.startswith("57")
    result = ledger.app.handle(open_command(d_number))
    assert ledger.app.load_case(result.case_id, ke()).subject.birth_date == date(1985, 6, 17)


def test_a_guardians_invalid_national_id_is_refused(ledger):
    """INV-11: guardians' numbers are validated too."""
    bad = _wrong_check_digit(synthesize(date(1980, 1, 1)))
    command = open_command(synthesize(born(TODAY.date(), 8)), guardians=(Guardian("Mor Nordmann", bad),))
    refused = assert_refused(ledger, command, InvalidInput, "INV-11")
    assert bad not in str(refused)


# ------------------------------------------------------------------- INV-12


def test_the_store_refuses_to_write_an_event_over_a_recorded_one(ledger):
    """INV-12: an event at an existing version is an integrity error and the recorded bytes stay."""
    fx = running_case(ledger)
    before = store_state(ledger, fx.case_id)
    first = ledger.app.recorder.select_events(fx.case_id)[0]
    forged = StoredEvent(
        originator_id=first.originator_id,
        originator_version=1,
        topic=first.topic,
        state=bytes(first.state).replace(b"3447", b"4647"),
    )
    with pytest.raises(IntegrityError):
        ledger.app.recorder.insert_events([forged])
    assert store_state(ledger, fx.case_id) == before
    assert ledger.app.load_case(fx.case_id, ke()).municipality == MUNICIPALITY


def test_there_is_no_command_that_changes_or_deletes_an_event(ledger):
    """INV-12: every command's name says it adds something; none edits, updates or deletes."""
    import commands.case_commands as case_commands
    import commands.plan_commands as plan_commands

    names = [
        name
        for module in (case_commands, plan_commands)
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, Command) and value.__module__ == module.__name__
    ]
    assert len(names) > 30
    assert not [n for n in names if re.match(r"(Edit|Update|Delete|Change|Amend|Modify|Overwrite)", n)]


def test_erasure_of_an_open_case_is_refused(ledger):
    """INV-12: personal data is erased only after the case is closed."""
    fx = running_case(ledger)
    assert_refused(ledger, EraseCase(actor=ke(), case_id=fx.case_id), InvariantViolation, "INV-12")


def test_erasure_of_a_closed_case_that_was_not_exported_is_refused(ledger):
    """INV-12: the whole plan is exported before its personal data is erased."""
    fx = closed_case(ledger)
    assert_refused(ledger, EraseCase(actor=ke(), case_id=fx.case_id), InvariantViolation, "INV-12")


def test_erasure_of_a_closed_exported_case_not_yet_archived_is_refused_naming_what_is_missing(ledger):
    """INV-12: every archivable step is filed in the municipality's archive first; the refusal says which are not."""
    fx = closed_case(ledger, exported=True)
    refused = assert_refused(ledger, EraseCase(actor=ke(), case_id=fx.case_id), InvariantViolation, "INV-12")
    assert "Mangler kvittering for: Avslutningsbrev: koordineringen avsluttes" in refused.message
    assert file_in_archive(ledger, fx.case_id) == 1  # the closing letter: no decision, plan or minutes here
    ledger.app.handle(EraseCase(actor=ke(), case_id=fx.case_id))


def test_erasure_after_closing_and_export_destroys_the_key_and_keeps_the_events(ledger):
    """INV-12: erasure destroys the case key; the events stay and their personal fields read as erased."""
    fx = closed_case(ledger, exported=True)
    file_in_archive(ledger, fx.case_id)
    stored_before = store_state(ledger, fx.case_id).stored
    result = ledger.app.handle(EraseCase(actor=ke(), case_id=fx.case_id))
    case = ledger.app.load_case(fx.case_id, ke())
    assert case.erased
    assert is_erased(case.subject)
    assert store_state(ledger, fx.case_id).stored[: len(stored_before)] == stored_before
    assert result.version == len(stored_before) + 1


def test_a_second_erasure_is_refused(ledger):
    """INV-12: a case is erased once."""
    fx = closed_case(ledger, exported=True)
    file_in_archive(ledger, fx.case_id)
    ledger.app.handle(EraseCase(actor=ke(), case_id=fx.case_id))
    assert_refused(ledger, EraseCase(actor=ke(), case_id=fx.case_id), InvariantViolation, "INV-12")


def test_a_referral_received_in_the_future_is_refused(ledger, clock):
    """INV-10 also holds for `received_at`: a referral cannot arrive tomorrow."""
    from datetime import timedelta

    from commands.case_commands import OpenCase
    from ledger.errors import InvariantViolation
    from ledger.national_id import synthesize
    from ledger.values import Provision, ReferrerKind, Subject

    before = ledger.app.recorder.max_notification_id()
    with pytest.raises(InvariantViolation) as refused:
        ledger.app.handle(
            OpenCase(
                actor=ke(),
                municipality="3447",
                requested=(Provision.COORDINATOR,),
                subject=Subject(national_id=synthesize(clock().date().replace(year=1970))),
                referrer_kind=ReferrerKind.GP,
                received_at=clock() + timedelta(days=1),
            )
        )
    assert refused.value.rule == "INV-10"
    assert ledger.app.recorder.max_notification_id() == before


def test_a_municipality_number_in_other_unicode_digits_is_refused(ledger):
    """Four-digit municipality numbers are ASCII digits; full-width "３４４７" is not a tenant."""
    from datetime import date

    from commands.case_commands import OpenCase
    from ledger.national_id import synthesize
    from ledger.values import Actor, Provision, ReferrerKind, Role, Subject

    wide = "\uff13\uff14\uff14\uff17"
    with pytest.raises(DomainError):
        ledger.app.handle(
            OpenCase(
                actor=Actor("ke", Role.KE_CASEWORKER, wide, "Kari"),
                municipality=wide,
                requested=(Provision.COORDINATOR,),
                referrer_kind=ReferrerKind.GP,
                subject=Subject(national_id=synthesize(date(1970, 1, 1))),
            )
        )
