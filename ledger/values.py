"""Value objects and enumerations of the coordination domain.

Values are English identifiers; the Norwegian words people read live in
`ledger.vocabulary`, so reports can speak bokmål without the domain depending on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

# Four ASCII digits: `\d` would also take "３４４７".
MUNICIPALITY_PATTERN = "^[0-9]{4}$"
_MUNICIPALITY = re.compile(MUNICIPALITY_PATTERN)


def is_municipality_number(value: object) -> bool:
    return isinstance(value, str) and _MUNICIPALITY.match(value) is not None


class Role(StrEnum):
    KE_CASEWORKER = "ke_caseworker"
    UNIT_LEADER = "unit_leader"
    COORDINATOR = "coordinator"
    SERVICE_PROVIDER = "service_provider"
    CITIZEN = "citizen"
    GUARDIAN = "guardian"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    # A service account of the municipality's archive integration (Fiks Arkiv): it collects the
    # archive messages and posts the archive's receipts, and reads no other case content.
    ARCHIVE_INTEGRATION = "archive_integration"


class Provision(StrEnum):
    """What a referral asks for and what a decision concerns."""

    COORDINATOR = "coordinator"
    CHILD_COORDINATOR = "child_coordinator"
    INDIVIDUAL_PLAN = "individual_plan"
    RELAY_LOG = "relay_log"


class DecisionOutcome(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"


class CoordinatorKind(StrEnum):
    COORDINATOR = "coordinator"
    CHILD_COORDINATOR = "child_coordinator"
    RELAY_HOLDER = "relay_holder"


class ConsentGiverRole(StrEnum):
    SUBJECT = "subject"
    GUARDIAN = "guardian"
    VERGE = "verge"


class GuardianKind(StrEnum):
    PARENT = "parent"  # foresatt with parental responsibility
    VERGE = "verge"  # appointed guardian (vergemålsloven)


class WithdrawalScope(StrEnum):
    ALL = "all"
    PARTICIPANTS = "participants"
    CATEGORIES = "categories"


class InfoCategory(StrEnum):
    """Categories of information a consent may cover."""

    GENERAL = "general"
    HEALTH = "health"
    ECONOMY = "economy"
    WORK = "work"
    SCHOOL = "school"
    KINDERGARTEN = "kindergarten"
    HOUSING = "housing"
    LEISURE = "leisure"
    NETWORK = "network"
    CHILD_WELFARE = "child_welfare"


class LifeArea(StrEnum):
    """Life areas of an individual plan (Vestre Toten §6; Flyt Samspill adds society)."""

    HEALTH = "health"
    EDUCATION_WORK = "education_work"  # barnehage/skole/arbeid/dagtilbud
    ECONOMY = "economy"
    HOUSING = "housing"
    LEISURE = "leisure"
    NETWORK = "network"
    SOCIETY = "society"


class PlanTool(StrEnum):
    INDIVIDUAL_PLAN = "individual_plan"
    MINUTES = "minutes"


class EvaluationStatus(StrEnum):
    ACHIEVED = "achieved"
    PARTLY_ACHIEVED = "partly_achieved"
    NOT_ACHIEVED = "not_achieved"
    ADJUSTED = "adjusted"


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    TRANSFERRED_OUT = "transferred_out"


class ReferrerKind(StrEnum):
    GP = "gp"
    HOSPITAL = "hospital"
    SERVICE = "service"
    SUBJECT = "subject"
    RELATIVE = "relative"
    KINDERGARTEN = "kindergarten"
    SCHOOL = "school"
    HEALTH_STATION = "health_station"
    NAV = "nav"
    OTHER = "other"


class TransitionKind(StrEnum):
    SCHOOL_NOTIFIED = "school_notified"  # school told 2 years before start when costly
    SCHOOL_TRANSFER_MEETING = "school_transfer_meeting"  # at least 1 year before start
    LOWER_SECONDARY = "lower_secondary"  # from 7th grade
    UPPER_SECONDARY = "upper_secondary"  # from 9th grade
    ADULT_SERVICES = "adult_services"  # NAV involved towards 18
    OTHER = "other"


class ComplaintDecider(StrEnum):
    MUNICIPALITY = "municipality"
    STATSFORVALTEREN = "statsforvalteren"


class ComplaintOutcome(StrEnum):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    NOT_UPHELD = "not_upheld"


@dataclass(frozen=True)
class Actor:
    """Who acts: taken from a verified token, never from a request body.

    `name` and `pid` identify a person and are never stored in clear: events
    keep `recorded_by` (id, role, municipality, service) in clear and the
    name encrypted with the case key.
    """

    id: str
    role: Role
    municipality: str
    name: str = ""
    service: str | None = None
    pid: str | None = None

    def reference(self) -> ActorRef:
        # A citizen's or guardian's token subject may itself identify the
        # person (ID-porten), so their reference carries only the role.
        person_id = self.role.value if self.role in (Role.CITIZEN, Role.GUARDIAN) else self.id
        return ActorRef(id=person_id, role=self.role, municipality=self.municipality, service=self.service)


@dataclass(frozen=True)
class ActorRef:
    """The part of an actor that stays readable after erasure."""

    id: str
    role: Role
    municipality: str
    service: str | None = None


@dataclass(frozen=True)
class Person:
    id: str
    name: str


@dataclass(frozen=True)
class Guardian:
    name: str
    national_id: str | None = None
    kind: GuardianKind = GuardianKind.PARENT


@dataclass(frozen=True)
class Subject:
    """The person a case is about. `expected` marks an expected child
    (birth_date is then the due date)."""

    birth_date: date | None = None
    name: str | None = None
    national_id: str | None = None
    expected: bool = False


@dataclass(frozen=True)
class Signer:
    role: ConsentGiverRole
    name: str
    national_id: str | None = None


class Erased:
    """Stands in for a personal field whose case key was destroyed."""

    _instance: Erased | None = None

    def __new__(cls) -> Erased:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ERASED"

    def __str__(self) -> str:
        return "[slettet]"

    def __reduce__(self) -> str:
        return "ERASED"


ERASED = Erased()


def is_erased(value: object) -> bool:
    return value is ERASED
