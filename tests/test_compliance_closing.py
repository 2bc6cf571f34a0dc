"""The checks of closing, transitions by age, refusals, the plan's contents
and complaints (CHK-15, 16, 18, 19, 20): for each, a case that passes, one
that breaches, and pending or not applicable where the check has them.
Cases are told through commands in memory (`memory`); the tests that take
`ledger` tell theirs through the application on both stores (an export
rendered and a report issued for real among them)."""

from __future__ import annotations

from datetime import date

import pytest

from audit.compliance.checks_closing import complaint_weeks
from commands.plan_commands import (
    AssessLifeArea,
    CloseCase,
    CompleteTransition,
    DecideComplaint,
    ExportPlan,
    ForwardComplaint,
    NotifyClosure,
    PlanActivity,
    PlanTransition,
    ReceiveComplaint,
)
from ledger.values import (
    ComplaintDecider,
    ComplaintOutcome,
    DecisionOutcome,
    LifeArea,
    PlanTool,
    Provision,
    TransitionKind,
)
from tests.support.story import BREACH, NOT_APPLICABLE, OK, PENDING, SELBU, CommandSurface, Story, on


# --------------------------------------------------------------- CHK-15
def closed_case(app: CommandSurface, *, agreed: bool = True, export: bool = True, notify: str = "all") -> Story:
    """Closed on 1 June; exported and notified on 2 June unless told otherwise."""
    s = Story(app).running("2026-01-20")
    s.meeting("2026-02-10")
    s.do(
        CloseCase,
        "2026-06-01",
        reason="Målene er nådd",
        assessment="Vurdert sammen med brukeren i siste møte",
        agreed_by_subject=agreed,
    )
    if export:
        s.do(ExportPlan, "2026-06-02", format="json", filed_in="kommunens arkiv")
    if notify != "none":
        told = tuple(s.team.values()) if notify == "all" else (s.team["nav"],)
        s.do(NotifyClosure, "2026-06-02", hour=11, ke_notified=True, participants=told)
    return s


def test_a_closing_with_assessment_agreement_export_and_notice_is_documented(ledger):
    """Everything the routines ask at closing is there: CHK-15 ok, citing the closing, export and notice."""
    result = closed_case(ledger.app).check("CHK-15", "sondre-land", "2026-11-22")
    assert result.status is OK and "02.06.2026" in result.detail
    assert len(result.evidence) == 3


@pytest.mark.parametrize(
    ("missing", "says"),
    [
        ({"agreed": False}, "brukerens samtykke eller opphørsbrev"),
        ({"export": False}, "eksport av hele planen"),
        ({"notify": "none"}, "varsel til koordinerende enhet"),
        ({"notify": "nav"}, "ikke varslet: fastlege"),
    ],
)
def test_a_closing_missing_a_part_is_a_breach_that_names_it(memory, missing, says):
    """No agreement nor termination letter, no export, no notice, or a team member not told: each a breach."""
    result = closed_case(memory, **missing).check("CHK-15", "sondre-land", "2026-11-22")
    assert result.status is BREACH and says in result.detail


def test_an_open_case_has_no_closing_to_judge(memory):
    """CHK-15 is not applicable while the case is open."""
    assert Story(memory).running().check("CHK-15", "sondre-land", "2026-11-22").status is NOT_APPLICABLE


# --------------------------------------------------------------- CHK-16
def child(app: CommandSurface, born: date, opened: str = "2026-01-06") -> Story:
    s = Story(app, municipality=SELBU, opened=opened, birth=born, requested=(Provision.COORDINATOR,))
    s.appoint(opened)
    return s


def transition(s: Story, kind: TransitionKind, planned: str, completed: str | None = None) -> None:
    created = s.do(
        PlanTransition, planned, kind=kind, from_service="barnehage", to_service="skole", responsible="PPT"
    ).created["transition_id"]
    if completed:
        s.do(CompleteTransition, completed, transition_id=created)


def test_a_transfer_meeting_held_a_year_before_school_start_is_in_time(ledger):
    """Born March 2020, school August 2026: the meeting held June 2025 meets the August 2025 deadline."""
    s = child(ledger.app, date(2020, 3, 1), opened="2025-01-06")
    transition(s, TransitionKind.SCHOOL_TRANSFER_MEETING, "2025-03-01", "2025-06-01")
    result = s.check("CHK-16", "selbu", "2026-01-10")
    assert (result.status, result.deadline) == (OK, date(2025, 8, 15))


def test_a_transfer_meeting_only_planned_by_the_deadline_is_a_breach(memory):
    """Planned in time but never recorded as held: the meeting did not take place as far as the record shows."""
    s = child(memory, date(2020, 3, 1), opened="2025-01-06")
    transition(s, TransitionKind.SCHOOL_TRANSFER_MEETING, "2025-03-01")
    result = s.check("CHK-16", "selbu", "2026-01-10")
    assert result.status is BREACH and "ikke registrert holdt" in result.detail


def test_a_transfer_meeting_due_next_summer_is_pending_and_a_breach_once_the_date_passes(memory):
    """Born March 2022, school August 2028: pending now, a breach on 16 August 2027 without the meeting."""
    s = child(memory, date(2022, 3, 1))
    result = s.check("CHK-16", "selbu", "2026-11-22")
    assert (result.status, result.deadline) == (PENDING, date(2027, 8, 15))
    assert s.check("CHK-16", "selbu", "2027-08-16").status is BREACH


@pytest.mark.parametrize(("planned", "status"), [("2026-06-01", OK), (None, PENDING)])
def test_nav_must_be_involved_in_the_year_before_eighteen(memory, planned, status):
    """Born March 2009: the adult-services step runs from March 2026 to the 18th birthday, 1 March 2027."""
    s = child(memory, date(2009, 3, 1))
    if planned:
        transition(s, TransitionKind.ADULT_SERVICES, planned)
    result = s.check("CHK-16", "selbu", "2026-11-22")
    assert (result.status, result.deadline) == (status, date(2027, 3, 1))


def test_transitions_do_not_apply_to_adults_nor_to_a_toddler_before_any_step_is_due(memory):
    """An adult is not judged; a child born 2025 has nothing due yet; Vestre Toten sets no deadlines."""
    adult = Story(memory)
    assert adult.check("CHK-16", "selbu", "2026-11-22").status is NOT_APPLICABLE
    toddler = child(memory, date(2025, 2, 1))
    early = toddler.check("CHK-16", "selbu", "2026-11-22")
    assert early.status is NOT_APPLICABLE and "15.08.2030" in early.detail
    assert child(memory, date(2022, 3, 1)).check("CHK-16", "vestre-toten", "2026-11-22").status is NOT_APPLICABLE


# --------------------------------------------------------------- CHK-18
@pytest.mark.parametrize(
    ("basis", "weeks", "status"),
    [
        ("hol. § 7-2", 4, OK),
        ("hol. § 7-2", 3, BREACH),
        ("pasient- og brukerrettighetsloven § 2-5", 4, OK),
        ("sosialtjenesteloven § 28", 3, OK),
        ("sosialtjenesteloven § 28", 4, BREACH),
        ("NAV-loven § 14 a", 3, OK),
    ],
)
def test_a_refusal_gives_the_complaint_deadline_its_legal_basis_decides(memory, basis, weeks, status):
    """Four weeks under the health laws (pbrl. § 7-5), three under the social services and NAV acts (fvl. § 29)."""
    s = Story(memory)
    s.decide("2026-01-14", outcome=DecisionOutcome.REFUSED, legal_basis=basis, weeks=weeks)
    assert s.check("CHK-18", "sondre-land", "2026-11-22").status is status


def test_a_refusal_without_information_about_complaints_is_a_breach(memory):
    """The refusal did not say that the subject may complain to Statsforvalteren."""
    s = Story(memory)
    s.decide("2026-01-14", outcome=DecisionOutcome.REFUSED, legal_basis="hol. § 7-2", weeks=None, informed=False)
    result = s.check("CHK-18", "sondre-land", "2026-11-22")
    assert result.status is BREACH and "Statsforvalteren" in result.detail


def test_a_case_without_refusals_has_no_complaint_information_to_judge(memory):
    """Only a grant: CHK-18 not applicable."""
    s = Story(memory)
    s.decide("2026-01-14")
    assert s.check("CHK-18", "sondre-land", "2026-11-22").status is NOT_APPLICABLE


def test_the_legal_basis_decides_the_complaint_weeks():
    """Health laws 4 weeks, social services and NAV 3, both named either, neither nothing."""
    assert complaint_weeks("hol. §§ 7-1, 7-2") == {4}
    assert complaint_weeks("helse- og omsorgstjenesteloven § 7-2 a") == {4}
    assert complaint_weeks("pbrl. § 2-5") == {4}
    assert complaint_weeks("Sosialtjenesteloven § 28") == {3}
    assert complaint_weeks("hol. § 7-2 og sosialtjenesteloven § 28") == {3, 4}
    assert complaint_weeks("forvaltningsloven § 24") == set()
    assert complaint_weeks("alkohol § 1") == set()  # "hol" only as a word of its own


# --------------------------------------------------------------- CHK-19
def individual_plan(app: CommandSurface, *, complete: bool, meeting: bool = True) -> Story:
    s = Story(app).running("2026-01-20")
    s.plan("2026-02-01")
    goal = s.goal("2026-02-01", "2026-09-01")
    if complete:
        s.do(AssessLifeArea, "2026-02-01", hour=13, life_area=LifeArea.EDUCATION_WORK, situation="Uten arbeid")
        s.do(
            PlanActivity,
            "2026-02-01",
            hour=14,
            goal_id=goal,
            what="Arbeidstrening tre dager i uka",
            responsible_service="NAV",
            due=date(2026, 6, 1),
        )
    if meeting:
        s.meeting("2026-02-10")
    return s


@pytest.mark.parametrize(("complete", "status"), [(True, OK), (False, BREACH)])
def test_an_individual_plan_in_use_must_hold_what_the_regulation_asks(memory, complete, status):
    """After a meeting with the plan: goals, needs, participants, coordinator, measures, consent, cooperation."""
    result = individual_plan(memory, complete=complete).check("CHK-19", "sondre-land", "2026-11-22")
    assert result.status is status
    assert complete or ("tiltak med ansvarlig tjeneste" in result.detail and "livsområder" in result.detail)


def test_a_plan_not_yet_used_at_a_meeting_is_pending_and_minutes_are_no_plan(memory):
    """A new, incomplete IP waits for its first meeting; a case using minutes has no IP to judge."""
    assert (
        individual_plan(memory, complete=False, meeting=False).check("CHK-19", "sondre-land", "2026-11-22").status
        is PENDING
    )
    s = Story(memory, birth=date(1985, 6, 1)).running()
    s.plan("2026-02-01", tool=PlanTool.MINUTES, declined=True)
    assert s.check("CHK-19", "sondre-land", "2026-11-22").status is NOT_APPLICABLE


# --------------------------------------------------------------- CHK-20
def complaint(s: Story, received: str) -> object:
    return s.do(
        ReceiveComplaint,
        received,
        concerns=(Provision.COORDINATOR,),
        text="Jeg trenger koordinator",
        received_at=on(received),
    ).created["complaint_id"]


@pytest.mark.parametrize(("forwarded", "status"), [("2026-03-22", OK), ("2026-03-23", BREACH)])
def test_a_complaint_must_reach_statsforvalteren_within_21_days(ledger, forwarded, status):
    """Received 1 March: forwarded by 22 March is in time under the default 21 days, 23 March is late."""
    s = Story(ledger.app)
    s.decide("2026-01-14", outcome=DecisionOutcome.REFUSED, legal_basis="hol. § 7-2", weeks=4)
    complaint_id = complaint(s, "2026-03-01")
    sent = ledger.reads.cases.issue_report(s.actor, s.case_id, "json")  # what KE sends Statsforvalteren
    s.do(ForwardComplaint, forwarded, complaint_id=complaint_id, report_sha256=sent.sha256)
    result = s.check("CHK-20", "sondre-land", "2026-11-22")
    assert (result.status, result.deadline) == (status, date(2026, 3, 22))


def test_a_complaint_not_yet_forwarded_is_pending_until_its_last_day(memory):
    """Received 10 November: pending on 1 December, a breach on 2 December."""
    s = Story(memory)
    complaint(s, "2026-11-10")
    assert s.check("CHK-20", "sondre-land", "2026-12-01").status is PENDING
    assert s.check("CHK-20", "sondre-land", "2026-12-02").status is BREACH


def test_a_complaint_the_municipality_upheld_is_not_forwarded(memory):
    """The municipality reversed its own decision: nothing to forward, CHK-20 ok; no complaint at all:
    not applicable."""
    s = Story(memory)
    assert s.check("CHK-20", "sondre-land", "2026-11-22").status is NOT_APPLICABLE
    complaint_id = complaint(s, "2026-03-01")
    s.do(
        DecideComplaint,
        "2026-03-10",
        complaint_id=complaint_id,
        decided_by=ComplaintDecider.MUNICIPALITY,
        outcome=ComplaintOutcome.UPHELD,
    )
    assert s.check("CHK-20", "sondre-land", "2026-11-22").status is OK
