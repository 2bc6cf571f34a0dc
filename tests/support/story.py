"""A case told step by step through commands, each dated when it happened, and
judged by `audit.compliance.evaluate` at a `today` the test chooses.

A `Story` is told to an application's command surface: `memory` (the case
held in memory, for the pure rules) or `ledger.app` (the real application,
on SQLite and PostgreSQL). The clock stands at 2026-11-22
(tests.support.clock.TODAY); events are recorded late with earlier
`occurred_at`, as a municipality catching up would. `today` for the
evaluation may be any moment, also after the clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Protocol
from uuid import UUID

from audit.compliance import CheckResult, CheckStatus, evaluate
from commands.base import CommandResult
from commands.case_commands import (
    AddParticipant,
    AppointCoordinator,
    GrantConsent,
    HoldStartupConversation,
    OpenCase,
    RecordDecision,
    RequestCoordinator,
)
from commands.plan_commands import (
    DistributeMinutes,
    EstablishPlan,
    EvaluateGoal,
    HoldMeeting,
    ScheduleMeeting,
    SendAgenda,
    SetGoal,
)
from ledger.national_id import synthesize
from ledger.profiles import PROFILES
from ledger.values import (
    ConsentGiverRole,
    CoordinatorKind,
    DecisionOutcome,
    EvaluationStatus,
    Guardian,
    InfoCategory,
    LifeArea,
    Person,
    PlanTool,
    Provision,
    ReferrerKind,
    Signer,
    Subject,
)
from tests.support.cases import ke

SONDRE_LAND, SUNNFJORD, SELBU, VESTRE_TOTEN, OTHER = "3447", "4647", "5032", "3443", "0301"
NAME = "Åse Testesen"
ADULT = date(1979, 4, 2)
MOTHER = Guardian("Mari Skårdal", synthesize(date(1990, 6, 1), 40))
FATHER = Guardian("Jon Skårdal", synthesize(date(1988, 2, 3), 50))

OK, BREACH, PENDING, NOT_APPLICABLE = (
    CheckStatus.OK,
    CheckStatus.BREACH,
    CheckStatus.PENDING,
    CheckStatus.NOT_APPLICABLE,
)


def on(day: str | datetime, hour: int = 10) -> datetime:
    """A date at a working hour, in UTC (the moment itself when given one)."""
    if isinstance(day, datetime):
        return day
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def judge(events: list[Any], profile: str, today: str | datetime) -> dict[str, CheckResult]:
    """The evaluation of these events under a profile (by key) at `today`, by rule."""
    return {r.rule: r for r in evaluate(events, PROFILES[profile], on(today, 12))}


class CommandSurface(Protocol):
    """What a story needs of an application: `LedgerApplication` or `MemoryApp`."""

    def handle(self, command: Any) -> CommandResult: ...

    def case_events(self, case_id: UUID) -> list[Any]: ...


class Story:
    """One case, told step by step through `app.handle`. Every step is done by
    the coordinating unit (KE may do all of them), unless told otherwise."""

    def __init__(
        self,
        app: CommandSurface,
        *,
        municipality: str = SONDRE_LAND,
        opened: str = "2026-01-06",
        birth: date = ADULT,
        requested: tuple[Provision, ...] = (Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN),
        guardians: tuple[Guardian, ...] = (),
        name: str = NAME,
    ) -> None:
        self.app = app
        self.municipality = municipality
        self.actor = ke(municipality)
        self.name = name
        self.national_id = synthesize(birth, 3)
        self.team: dict[str, UUID] = {}
        self.case_id = self.app.handle(
            OpenCase(
                actor=self.actor,
                municipality=municipality,
                subject=Subject(name=name, national_id=self.national_id),
                guardians=guardians,
                requested=requested,
                referrer_kind=ReferrerKind.GP,
                referrer_name="Fastlegen",
                occurred_at=on(opened),
            )
        ).case_id

    # ----------------------------------------------------------- plumbing
    def do(self, command: type, day: str | datetime, *, hour: int = 10, actor: Any = None, **fields: Any) -> Any:
        return self.app.handle(
            command(actor=actor or self.actor, case_id=self.case_id, occurred_at=on(day, hour), **fields)
        )

    def events(self) -> list[Any]:
        return self.app.case_events(self.case_id)

    def judge(self, profile: str, today: str | datetime) -> dict[str, CheckResult]:
        return judge(self.events(), profile, today)

    def check(self, rule: str, profile: str, today: str | datetime) -> CheckResult:
        return self.judge(profile, today)[rule]

    # -------------------------------------------------------------- steps
    def decide(
        self,
        day: str,
        *,
        outcome: DecisionOutcome = DecisionOutcome.GRANTED,
        legal_basis: str = "hol. §§ 7-1, 7-2",
        weeks: int | None = None,
        informed: bool | None = None,
        concerns: tuple[Provision, ...] = (Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN),
    ) -> None:
        self.do(
            RecordDecision,
            day,
            outcome=outcome,
            concerns=concerns,
            legal_basis=legal_basis,
            reasons="Vurdert etter søknad.",
            complaint_deadline_weeks=weeks,
            complaint_information_given=informed,
        )

    def request(self, day: str) -> UUID:
        return self.do(
            RequestCoordinator, day, unit="Psykisk helse og rus", unit_leader=Person("leder-1", "Lise Leder")
        ).created["request_id"]

    def appoint(
        self, day: str, *, person: str = "koord-1", kind: CoordinatorKind = CoordinatorKind.COORDINATOR, hour: int = 10
    ) -> None:
        self.do(
            AppointCoordinator,
            day,
            hour=hour,
            person=Person(person, "Kåre Koordinator"),
            unit="Psykisk helse og rus",
            kind=kind,
            subject_wish_heard=True,
        )

    def startup(self, day: str, *, interpreter: bool = False) -> None:
        self.do(
            HoldStartupConversation,
            day,
            what_matters="Å bo i egen leilighet",
            interpreter_needed=interpreter,
            interpreter_language="arabisk" if interpreter else None,
        )

    def join(self, day: str, service: str, *, hour: int = 9) -> UUID:
        key = service.casefold()
        self.team[key] = self.do(
            AddParticipant,
            day,
            hour=hour,
            person=Person(f"{key}-1", f"{service} Ansatt"),
            service=service,
            role="kontaktperson",
        ).created["participant_id"]
        return self.team[key]

    def consent(self, day: str, *services: str, hour: int = 10) -> UUID:
        named = tuple(self.team[s.casefold()] for s in services) if services else tuple(self.team.values())
        return self.do(
            GrantConsent,
            day,
            hour=hour,
            given_by=Signer(ConsentGiverRole.SUBJECT, self.name, self.national_id),
            participants=named,
            categories=(InfoCategory.HEALTH, InfoCategory.WORK),
        ).created["consent_id"]

    def schedule(self, day: str, for_day: str, *, interpreter: bool = False) -> UUID:
        return self.do(
            ScheduleMeeting,
            day,
            hour=8,
            scheduled_for=on(for_day),
            invitees=tuple(self.team.values()),
            interpreter_booked=interpreter,
        ).created["meeting_id"]

    def meeting(
        self,
        held: str,
        *,
        scheduled: str | None = None,
        agenda: str | None = None,
        agreed: bool = True,
        minutes: str | None = None,
        complete: bool = True,
        voice: str = "Hun snakket først om hverdagen.",
        informed: bool = False,
        interpreter: bool = False,
    ) -> UUID:
        """A meeting held on `held`: scheduled (by default the morning the agenda is sent, or of the
        meeting), with an agenda and minutes on the days given."""
        meeting_id = self.schedule(scheduled or agenda or held, held, interpreter=interpreter)
        if agenda is not None:
            self.do(
                SendAgenda,
                agenda,
                hour=9,
                meeting_id=meeting_id,
                items=("Hva er viktig for deg?",),
                agreed_with_subject=agreed,
            )
        self.do(
            HoldMeeting,
            held,
            meeting_id=meeting_id,
            attendees=tuple(self.team.values()),
            subject_voice=voice,
            minute_taker="Kåre Koordinator",
            informed_of_right_to_ip=informed,
        )
        if minutes is not None:
            self.do(
                DistributeMinutes,
                minutes,
                hour=14,
                meeting_id=meeting_id,
                recipients=tuple(self.team.values()),
                states_next_meeting=complete,
            )
        return meeting_id

    def plan(
        self, day: str, *, tool: PlanTool = PlanTool.INDIVIDUAL_PLAN, informed: bool = True, declined: bool = False
    ) -> None:
        self.do(EstablishPlan, day, hour=11, tool=tool, informed_of_right_to_ip=informed, ip_declined=declined)

    def goal(self, day: str, evaluate_by: str) -> UUID:
        return self.do(
            SetGoal,
            day,
            hour=12,
            text="Jeg vil ha en fast jobb",
            life_area=LifeArea.EDUCATION_WORK,
            responsible_service="NAV",
            evaluate_by=date.fromisoformat(evaluate_by),
        ).created["goal_id"]

    def evaluate_goal(self, day: str, goal_id: UUID) -> None:
        self.do(EvaluateGoal, day, hour=13, goal_id=goal_id, status=EvaluationStatus.PARTLY_ACHIEVED)

    def running(self, appointed: str = "2026-01-20", *, services: tuple[str, ...] = ("NAV", "fastlege")) -> Story:
        """Coordinator appointed, start-up conversation held, team joined and consenting, all on one day."""
        self.appoint(appointed)
        self.startup(appointed)
        for service in services:
            self.join(appointed, service, hour=11)
        self.consent(appointed, hour=12)
        return self
