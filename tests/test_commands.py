"""The command surface (CONTRACT: Commands): what every command answers,
optimistic concurrency with `expected_version`, idempotency keys (also across
a restart) and concurrent writers. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from app.bootstrap import build
from commands.base import Command
from commands.case_commands import (
    AddParticipant,
    AppointCoordinator,
    GrantConsent,
    OpenCase,
    RecordDecision,
    RequestCoordinator,
)
from commands.plan_commands import (
    AddComment,
    CloseCase,
    EstablishPlan,
    ExportPlan,
    PlanActivity,
    PlanTransition,
    ReceiveComplaint,
    ScheduleMeeting,
    SetGoal,
)
from ledger.errors import IdempotencyConflict, InvariantViolation, VersionMismatch
from ledger.events_plan import CommentAdded
from ledger.national_id import synthesize
from ledger.values import (
    ConsentGiverRole,
    CoordinatorKind,
    DecisionOutcome,
    InfoCategory,
    LifeArea,
    Person,
    PlanTool,
    Provision,
    ReferrerKind,
    Signer,
    Subject,
    TransitionKind,
)
from tests.support.cases import MUNICIPALITY, coordinator, ke, open_case, running_case
from tests.support.clock import TODAY
from tests.support.refusals import store_state

# ------------------------------------------------------------------ helpers


@dataclasses.dataclass(frozen=True)
class Planned:
    case_id: UUID
    subject_id: str
    nav: UUID  # the NAV participant
    goal_id: UUID  # NAV's goal


def planned_case(ledger: Any) -> Planned:
    """A running case with minutes as its tool and one goal (NAV)."""
    fx = running_case(ledger)
    ledger.app.handle(EstablishPlan(actor=coordinator(), case_id=fx.case_id, tool=PlanTool.MINUTES))
    goal_id = ledger.app.handle(goal(fx)).created["goal_id"]
    return Planned(fx.case_id, fx.subject_id, fx.participants["nav"], goal_id)


def goal(fx: Any) -> SetGoal:
    return SetGoal(
        actor=coordinator(),
        case_id=fx.case_id,
        text="Jeg vil ha en fast jobb innen ett år",
        life_area=LifeArea.EDUCATION_WORK,
        responsible_service="NAV",
        evaluate_by=date(2027, 9, 1),
    )


def comment(fx: Any, text: str = "Møtt til samtale hos NAV", **kw: Any) -> AddComment:
    return AddComment(actor=coordinator(), case_id=fx.case_id, text=text, **kw)


def version_of(ledger: Any, case_id: UUID) -> int:
    return ledger.app.load_case(case_id, ke()).version


# Each command that creates something, what it needs, and where the case keeps it.
CREATING: dict[str, tuple[Callable[[Any], Command], Callable[[Any, Any], Any]]] = {
    "decision_id": (
        lambda fx: RecordDecision(
            actor=ke(),
            case_id=fx.case_id,
            outcome=DecisionOutcome.GRANTED,
            concerns=(Provision.COORDINATOR,),
            legal_basis="hol. § 7-2",
            reasons="Behov",
        ),
        lambda case, fx: case.decisions,
    ),
    "request_id": (
        lambda fx: RequestCoordinator(
            actor=ke(), case_id=fx.case_id, unit="Psykisk helse og rus", unit_leader=Person("leder-1", "Lise Leder")
        ),
        lambda case, fx: case.coordinator_requests,
    ),
    "participant_id": (
        lambda fx: AddParticipant(
            actor=coordinator(),
            case_id=fx.case_id,
            person=Person("gp-1", "Dr. Lege"),
            service="fastlege",
            role="fastlege",
        ),
        lambda case, fx: case.participants,
    ),
    "consent_id": (
        lambda fx: GrantConsent(
            actor=coordinator(),
            case_id=fx.case_id,
            given_by=Signer(ConsentGiverRole.SUBJECT, "Ola Nordmann", fx.subject_id),
            participants=(fx.nav,),
            categories=(InfoCategory.WORK,),
        ),
        lambda case, fx: case.consents,
    ),
    "goal_id": (goal, lambda case, fx: case.goals),
    "activity_id": (
        lambda fx: PlanActivity(
            actor=coordinator(), case_id=fx.case_id, goal_id=fx.goal_id, what="Jobbsøkerkurs", responsible_service="NAV"
        ),
        lambda case, fx: case.activities,
    ),
    "meeting_id": (
        lambda fx: ScheduleMeeting(
            actor=coordinator(), case_id=fx.case_id, scheduled_for=TODAY + timedelta(days=14), invitees=(fx.nav,)
        ),
        lambda case, fx: case.meetings,
    ),
    "transition_id": (
        lambda fx: PlanTransition(
            actor=coordinator(),
            case_id=fx.case_id,
            kind=TransitionKind.ADULT_SERVICES,
            from_service="psykisk helse",
            to_service="NAV",
            responsible="koord-1",
        ),
        lambda case, fx: case.transitions,
    ),
    "complaint_id": (
        lambda fx: ReceiveComplaint(actor=ke(), case_id=fx.case_id, concerns=(Provision.INDIVIDUAL_PLAN,)),
        lambda case, fx: case.complaints,
    ),
}


# ------------------------------------------------------------- answers


def test_opening_a_case_answers_its_id_and_version_one(ledger):
    """OpenCase answers the new case's id and version 1."""
    result = ledger.app.handle(
        OpenCase(
            actor=ke(),
            municipality=MUNICIPALITY,
            subject=Subject(name="Ola", national_id=synthesize(date(1979, 4, 2))),
            requested=(Provision.COORDINATOR,),
            referrer_kind=ReferrerKind.GP,
        )
    )
    assert isinstance(result.case_id, UUID)
    assert result.version == 1 == version_of(ledger, result.case_id)
    assert not result.replayed


@pytest.mark.parametrize("created", list(CREATING))
def test_a_command_that_creates_something_answers_the_new_version_and_the_created_id(ledger, created):
    """Every creating command answers the case's new version and the id, named after what it made."""
    fx = planned_case(ledger)
    make, where = CREATING[created]
    before = version_of(ledger, fx.case_id)
    result = ledger.app.handle(make(fx))
    case = ledger.app.load_case(fx.case_id, ke())
    assert result.case_id == fx.case_id
    assert result.version == before + 1 == case.version
    assert set(result.created) == {created}
    assert result.created[created] in where(case, fx)


def test_adding_the_first_participant_answers_the_version_after_the_team_was_established(ledger):
    """A command that records two events answers the version after both."""
    fx = open_case(ledger)
    ledger.app.handle(
        AppointCoordinator(
            actor=ke(),
            case_id=fx.case_id,
            person=Person("koord-1", "Kåre"),
            unit="Psykisk helse",
            kind=CoordinatorKind.COORDINATOR,
            subject_wish_heard=True,
        )
    )
    result = ledger.app.handle(CREATING["participant_id"][0](fx))
    assert result.version == 4 == version_of(ledger, fx.case_id)
    assert [type(e).__name__ for e in ledger.app.case_events(fx.case_id)][-2:] == [
        "TeamEstablished",
        "ParticipantAdded",
    ]


def test_an_export_answers_its_id_and_the_documents_sha256(ledger):
    """ExportPlan answers `export_id` and `sha256`, and the case records that digest for that export."""
    fx = running_case(ledger)
    ledger.app.handle(
        CloseCase(actor=ke(), case_id=fx.case_id, reason="Flyttet", assessment="Ikke behov", agreed_by_subject=True)
    )
    before = version_of(ledger, fx.case_id)
    result = ledger.app.handle(ExportPlan(actor=ke(), case_id=fx.case_id, format="json"))
    case = ledger.app.load_case(fx.case_id, ke())
    assert result.version == before + 1 == case.version
    assert set(result.created) == {"export_id", "sha256"}
    assert case.exports[result.created["export_id"]] == result.created["sha256"]
    assert len(result.created["sha256"]) == 64


def test_a_command_that_creates_nothing_answers_the_new_version_only(ledger):
    """Appointing a coordinator answers the new version and no created id."""
    fx = open_case(ledger)
    result = ledger.app.handle(
        AppointCoordinator(
            actor=ke(),
            case_id=fx.case_id,
            person=Person("koord-1", "Kåre"),
            unit="Psykisk helse",
            kind=CoordinatorKind.COORDINATOR,
            subject_wish_heard=True,
        )
    )
    assert (result.version, result.created) == (2, {})


def test_a_comment_needs_a_plan(ledger):
    """A comment belongs to the plan: without one it is refused and nothing is written."""
    fx = running_case(ledger)
    before = store_state(ledger, fx.case_id)
    with pytest.raises(InvariantViolation):
        ledger.app.handle(comment(fx))
    assert store_state(ledger, fx.case_id) == before


# ------------------------------------------------------- expected version


def test_a_command_with_the_current_expected_version_is_handled(ledger):
    """`expected_version` equal to the case's version lets the command through."""
    fx = planned_case(ledger)
    current = version_of(ledger, fx.case_id)
    result = ledger.app.handle(dataclasses.replace(comment(fx), expected_version=current))
    assert result.version == current + 1


def test_a_command_with_a_stale_expected_version_is_refused_and_writes_nothing(ledger):
    """A version that no longer matches gives VersionMismatch (412) with both versions, and no write."""
    fx = planned_case(ledger)
    stale = version_of(ledger, fx.case_id)
    ledger.app.handle(comment(fx, "Først"))
    before = store_state(ledger, fx.case_id)
    with pytest.raises(VersionMismatch) as refused:
        ledger.app.handle(dataclasses.replace(comment(fx, "Etter"), expected_version=stale))
    assert (refused.value.expected, refused.value.actual) == (stale, stale + 1)
    assert refused.value.message
    assert store_state(ledger, fx.case_id) == before


# ------------------------------------------------------------ idempotency


def test_the_same_key_and_command_again_returns_the_first_answer_and_writes_nothing(ledger):
    """An idempotent replay answers as the first time, marked replayed, and the log does not grow."""
    fx = planned_case(ledger)
    command = dataclasses.replace(CREATING["meeting_id"][0](fx), idempotency_key="møte-1")
    first = ledger.app.handle(command)
    before = store_state(ledger, fx.case_id)
    again = ledger.app.handle(command)
    assert again.replayed and not first.replayed
    assert (again.case_id, again.version) == (first.case_id, first.version)
    assert again.created == {"meeting_id": str(first.created["meeting_id"])}
    assert store_state(ledger, fx.case_id) == before


def test_opening_a_case_again_with_the_same_key_opens_no_second_case(ledger):
    """A replayed OpenCase answers the first case and records nothing new."""
    command = OpenCase(
        actor=ke(),
        municipality=MUNICIPALITY,
        idempotency_key="henvisning-42",
        subject=Subject(name="Ola", national_id=synthesize(date(1979, 4, 2))),
        requested=(Provision.COORDINATOR,),
        referrer_kind=ReferrerKind.GP,
    )
    first = ledger.app.handle(command)
    head = ledger.app.recorder.max_notification_id()
    again = ledger.app.handle(command)
    assert again.replayed and again.case_id == first.case_id
    assert ledger.app.recorder.max_notification_id() == head


def test_the_same_key_and_command_after_a_restart_returns_the_first_answer(ledger, clock):
    """Idempotency survives a restart: the answer is stored with the events, not in memory."""
    fx = planned_case(ledger)
    command = dataclasses.replace(comment(fx), idempotency_key="kommentar-1")
    first = ledger.app.handle(command)
    ledger.close()
    restarted = build(ledger.settings, clock=clock)
    try:
        head = restarted.app.recorder.max_notification_id()
        again = restarted.app.handle(command)
        assert again.replayed
        assert (again.case_id, again.version) == (first.case_id, first.version)
        assert again.created == {"comment_id": str(first.created["comment_id"])}
        assert restarted.app.recorder.max_notification_id() == head
    finally:
        restarted.close()


def test_the_same_key_with_a_different_command_is_an_idempotency_conflict(ledger):
    """A key reused for another request is refused, and nothing is written."""
    fx = planned_case(ledger)
    ledger.app.handle(comment(fx, "Først", idempotency_key="k-1"))
    before = store_state(ledger, fx.case_id)
    with pytest.raises(IdempotencyConflict) as refused:
        ledger.app.handle(comment(fx, "Noe annet", idempotency_key="k-1"))
    assert refused.value.message
    assert store_state(ledger, fx.case_id) == before


def test_the_same_key_with_another_occurred_at_is_an_idempotency_conflict(ledger, clock):
    """`occurred_at` is part of the request: changing it under the same key is not a replay."""
    fx = planned_case(ledger)
    clock.advance(hours=3)
    ledger.app.handle(comment(fx, idempotency_key="k-2", occurred_at=TODAY + timedelta(hours=1)))
    with pytest.raises(IdempotencyConflict):
        ledger.app.handle(comment(fx, idempotency_key="k-2", occurred_at=TODAY + timedelta(hours=2)))


def test_the_same_key_from_another_user_is_a_request_of_its_own(ledger):
    """Keys are scoped to the user who sent them."""
    fx = planned_case(ledger)
    first = ledger.app.handle(
        ReceiveComplaint(actor=ke(), case_id=fx.case_id, concerns=(Provision.COORDINATOR,), idempotency_key="k-3")
    )
    other_ke = dataclasses.replace(ke(), id="ke-2")
    second = ledger.app.handle(
        ReceiveComplaint(actor=other_ke, case_id=fx.case_id, concerns=(Provision.COORDINATOR,), idempotency_key="k-3")
    )
    assert not second.replayed
    assert second.version == first.version + 1
    assert second.created["complaint_id"] != first.created["complaint_id"]


# ------------------------------------------------------------- concurrency


def test_concurrent_comments_from_eight_threads_are_all_recorded(ledger):
    """8 threads × 10 comments on one case: every command succeeds and no update is lost."""
    fx = planned_case(ledger)
    setup = version_of(ledger, fx.case_id)
    errors: list[BaseException] = []
    results: list[int] = []
    lock = threading.Lock()

    def work(thread: int) -> None:
        for n in range(10):
            try:
                result = ledger.app.handle(comment(fx, f"tråd {thread} nr {n}"))
            except BaseException as e:
                with lock:
                    errors.append(e)
            else:
                with lock:
                    results.append(result.version)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert version_of(ledger, fx.case_id) == setup + 80
    assert sorted(results) == list(range(setup + 1, setup + 81))
    comments = [e for e in ledger.app.case_events(fx.case_id) if isinstance(e, CommentAdded)]
    assert len(comments) == 80


def _another_process_writes_first(ledger: Any, clock: Any, monkeypatch: Any, command: Command) -> Any:
    """Make `ledger` lose the race once: a second ledger on the same store handles
    `command` after the first has loaded the case and before it saves."""
    other = build(ledger.settings, clock=clock)
    save = ledger.app.save
    raced: list[Any] = []

    def save_after_the_other(*args: Any, **kwargs: Any) -> Any:
        if not raced:
            raced.append(other.app.handle(command))
        return save(*args, **kwargs)

    monkeypatch.setattr(ledger.app, "save", save_after_the_other)
    return other, raced


def test_a_writer_that_loses_the_race_to_another_process_retries_and_succeeds(ledger, clock, monkeypatch):
    """A version conflict with another process is retried on the new version; neither write is lost."""
    fx = planned_case(ledger)
    setup = version_of(ledger, fx.case_id)
    other, raced = _another_process_writes_first(ledger, clock, monkeypatch, comment(fx, "fra den andre"))
    try:
        result = ledger.app.handle(comment(fx, "fra den første"))
    finally:
        other.close()
    assert raced[0].version == setup + 1
    assert result.version == setup + 2 == version_of(ledger, fx.case_id)


def test_a_replay_racing_its_first_request_returns_the_first_answer_not_a_version_mismatch(ledger, clock, monkeypatch):
    """The same keyed command sent twice at once: the loser answers the winner's result, replayed."""
    fx = planned_case(ledger)
    command = dataclasses.replace(
        comment(fx), idempotency_key="dobbeltklikk", expected_version=version_of(ledger, fx.case_id)
    )
    other, raced = _another_process_writes_first(ledger, clock, monkeypatch, command)
    try:
        result = ledger.app.handle(command)
    finally:
        other.close()
    assert result.replayed
    assert (result.version, result.created) == (raced[0].version, {"comment_id": str(raced[0].created["comment_id"])})
    assert version_of(ledger, fx.case_id) == raced[0].version


def test_a_case_opened_with_a_chosen_id_gets_that_id(ledger):
    """OpenCase.case_id, when given, is the new case's id (e.g. a case system's own reference)."""
    from uuid import uuid4

    from commands.case_commands import OpenCase
    from ledger.national_id import synthesize
    from ledger.values import Provision, ReferrerKind, Subject

    wanted = uuid4()
    result = ledger.app.handle(
        OpenCase(
            actor=ke(),
            municipality="3447",
            requested=(Provision.COORDINATOR,),
            subject=Subject(national_id=synthesize(date(1960, 6, 6))),
            referrer_kind=ReferrerKind.GP,
            case_id=wanted,
        )
    )
    assert result.case_id == wanted
    assert ledger.app.load_case(wanted, ke()).id == wanted


def test_a_caller_without_the_role_learns_403_not_the_cases_version(ledger):
    """Authorisation comes before the version check: a stale expected version from the wrong role is INV-07."""
    from commands.case_commands import RecordDecision
    from ledger.errors import Forbidden
    from ledger.values import DecisionOutcome, Provision

    fx = running_case(ledger, individual=61)
    with pytest.raises(Forbidden) as refused:
        ledger.app.handle(
            RecordDecision(
                actor=coordinator(),
                case_id=fx.case_id,
                expected_version=1,
                outcome=DecisionOutcome.GRANTED,
                concerns=(Provision.COORDINATOR,),
                legal_basis="hol. § 7-2",
                reasons="x",
            )
        )
    assert refused.value.rule == "INV-07"
