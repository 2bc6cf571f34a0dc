"""Test helpers (this module holds no tests): a case told in memory through the `Case` aggregate's own
methods, each step dated when it happened, and its events collected without any store.

Names, national ids and free texts are distinctive on purpose, so a test can look for them in
anything that must not carry them (`Story.secrets`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from ledger.case import Case
from ledger.context import Context
from ledger.national_id import synthesize
from ledger.values import (
    Actor,
    ConsentGiverRole,
    CoordinatorKind,
    Guardian,
    InfoCategory,
    LifeArea,
    Person,
    PlanTool,
    Provision,
    ReferrerKind,
    Role,
    Signer,
    Subject,
)

SONDRE_LAND, SUNNFJORD, SELBU, VESTRE_TOTEN, OSLO = "3447", "4647", "5032", "3443", "0301"
ADULT = date(1979, 4, 2)
SUBJECT_NAME = "Åse Testesen"
MOTHER = Guardian("Mari Skårdal", synthesize(date(1990, 6, 1), 40))
FATHER = Guardian("Jon Skårdal", synthesize(date(1988, 2, 3), 50))
COORDINATOR = Person("koord-7", "Kåre Koordinatorsen")
SUBSTITUTE = Person("vikar-3", "Vera Vikarsen")
UNIT_LEADER = Person("leder-2", "Liv Avdelingsledersen")
NAV = Person("nav-9", "Nina Navesen")
UNIT = "Psykisk helse og rus"


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


class Story:
    """One case, told step by step: `story.do(when, "method", **kwargs)` calls `Case.method` with a
    context dated `when` (recorded at the same moment) and keeps the events it produced."""

    def __init__(
        self,
        municipality: str = SONDRE_LAND,
        opened: datetime = at(2026, 1, 5),
        *,
        birth: date = ADULT,
        guardians: tuple[Guardian, ...] = (),
        requested: tuple[Provision, ...] = (Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN),
    ) -> None:
        self.municipality = municipality
        self.national_id = synthesize(birth, 7)
        self.ke = Actor("ke-4", Role.KE_CASEWORKER, municipality, "Kari Saksbehandlersen")
        self.coordinator = Actor(COORDINATOR.id, Role.COORDINATOR, municipality, COORDINATOR.name)
        ctx = Context(self.ke, opened, opened)
        self.case = Case.open(
            ctx,
            municipality=municipality,
            subject=Subject(birth_date=None, name=SUBJECT_NAME, national_id=self.national_id),
            guardians=guardians,
            requested=requested,
            referrer_kind=ReferrerKind.GP,
            referrer_name="Dr. Fastlegesen",
        )
        self.events: list[Any] = list(self.case.collect_events())
        self.guardians = guardians
        self.participants: dict[str, Any] = {}

    @property
    def case_id(self) -> Any:
        return self.case.id

    def do(self, when: datetime, method: str, *, by: Actor | None = None, **kwargs: Any) -> Any:
        ctx = Context(by or self.ke, when, when)
        result = getattr(self.case, method)(ctx, **kwargs)
        self.events += self.case.collect_events()
        return result

    # ------------------------------------------------------------ steps
    def request(self, when: datetime) -> Any:
        return self.do(when, "request_coordinator", unit=UNIT, unit_leader=UNIT_LEADER)

    def appoint(self, when: datetime, person: Person = COORDINATOR) -> None:
        self.do(
            when,
            "appoint_coordinator",
            person=person,
            unit=UNIT,
            kind=CoordinatorKind.COORDINATOR,
            subject_wish_heard=True,
        )

    def team(self, when: datetime) -> Any:
        pid = self.do(when, "add_participant", person=NAV, service="NAV", role="veileder", by=self.coordinator)
        self.participants["nav"] = pid
        return pid

    def startup(self, when: datetime) -> None:
        self.do(
            when,
            "hold_startup_conversation",
            what_matters="Å få bo hjemme med hunden Fido",
            interpreter_needed=False,
            by=self.coordinator,
        )

    def schedule(self, when: datetime, meeting_at: datetime) -> Any:
        return self.do(when, "schedule_meeting", scheduled_for=meeting_at, by=self.coordinator)

    def hold(self, meeting_id: Any, when: datetime) -> None:
        self.do(
            when,
            "hold_meeting",
            meeting_id=meeting_id,
            attendees=tuple(self.participants.values()),
            subject_voice="Jeg vil helst slippe sykehjemmet på Fagerlia",
            informed_of_right_to_ip=True,
            by=self.coordinator,
        )

    def meeting(self, when: datetime) -> Any:
        """A meeting scheduled and held at `when`."""
        meeting_id = self.schedule(when, when)
        self.hold(meeting_id, when)
        return meeting_id

    def plan(self, when: datetime) -> None:
        self.do(
            when, "establish_plan", tool=PlanTool.INDIVIDUAL_PLAN, informed_of_right_to_ip=True, by=self.coordinator
        )

    def goal(self, when: datetime, evaluate_by: date) -> Any:
        return self.do(
            when,
            "set_goal",
            text="Jeg skal gå tur til Kvernvika hver søndag",
            life_area=LifeArea.HEALTH,
            responsible_service="Fysioterapi",
            evaluate_by=evaluate_by,
            by=self.coordinator,
        )

    def subject_consent(self, when: datetime, valid_until: date | None) -> Any:
        return self.do(
            when,
            "grant_consent",
            given_by=Signer(ConsentGiverRole.SUBJECT, SUBJECT_NAME, self.national_id),
            participants=tuple(self.participants.values()),
            categories=(InfoCategory.GENERAL,),
            valid_until=valid_until,
            by=self.coordinator,
        )

    def parents_consent(self, when: datetime, valid_until: date | None) -> Any:
        first, *others = self.guardians
        return self.do(
            when,
            "grant_consent",
            given_by=Signer(ConsentGiverRole.GUARDIAN, first.name, first.national_id),
            also_given_by=tuple(Signer(ConsentGiverRole.GUARDIAN, g.name, g.national_id) for g in others),
            participants=tuple(self.participants.values()),
            categories=(InfoCategory.GENERAL,),
            valid_until=valid_until,
            by=self.coordinator,
        )

    def complaint(self, when: datetime) -> Any:
        return self.do(
            when,
            "receive_complaint",
            concerns=(Provision.COORDINATOR,),
            text="Klager på at Fido ikke får bli med på Fagerlia",
            received_at=when,
        )

    # ----------------------------------------------------------- secrets
    def secrets(self) -> list[str]:
        """Every name, national id and free text this story put in the case."""
        people = [SUBJECT_NAME, COORDINATOR.name, SUBSTITUTE.name, UNIT_LEADER.name, NAV.name, self.ke.name]
        people += [g.name for g in self.guardians] + [g.national_id or "" for g in self.guardians]
        texts = ["Fido", "Fagerlia", "Kvernvika", "Fastlegesen", "Testesen", "Skårdal", "Koordinatorsen"]
        return [s for s in (*people, self.national_id, *texts) if s]


def rich_story() -> Story:
    """A child's case in Oslo (national default) with something of every kind due in early 2026."""
    story = Story(OSLO, birth=date(2015, 5, 5), guardians=(MOTHER, FATHER))
    story.request(at(2026, 1, 5))
    story.appoint(at(2026, 1, 6))
    story.team(at(2026, 1, 6))
    story.parents_consent(at(2026, 1, 7), valid_until=date(2026, 3, 1))
    story.plan(at(2026, 1, 8))
    story.goal(at(2026, 1, 8), date(2026, 4, 1))
    story.meeting(at(2026, 1, 20))
    story.schedule(at(2026, 1, 21), at(2026, 3, 20))
    story.complaint(at(2026, 2, 1))
    return story
