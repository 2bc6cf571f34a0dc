"""The Norwegian (bokmål) words for the domain's codes, kept once.

Every enumeration a person chooses from or reads has its words here, keyed by
the enumeration's member, so a renamed or added member fails the test that
walks them (tests/test_web_forms.py) rather than showing a code on a page.
Words are lower case, as they read inside a sentence; a page that starts a
label with one capitalises its first letter.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from ledger.values import (
    CaseStatus,
    ComplaintDecider,
    ComplaintOutcome,
    ConsentGiverRole,
    CoordinatorKind,
    DecisionOutcome,
    EvaluationStatus,
    GuardianKind,
    InfoCategory,
    LifeArea,
    PlanTool,
    Provision,
    ReferrerKind,
    Role,
    TransitionKind,
    WithdrawalScope,
)

ROLE_NAMES: dict[Role, str] = {
    Role.KE_CASEWORKER: "saksbehandler i koordinerende enhet",
    Role.UNIT_LEADER: "enhetsleder",
    Role.COORDINATOR: "koordinator",
    Role.SERVICE_PROVIDER: "tjenesteyter",
    Role.CITIZEN: "innbygger",
    Role.GUARDIAN: "foresatt",
    Role.SUPERVISOR: "Statsforvalteren",
    Role.ADMIN: "systemansvarlig",
}

PROVISIONS: dict[Provision, str] = {
    Provision.COORDINATOR: "koordinator",
    Provision.CHILD_COORDINATOR: "barnekoordinator",
    Provision.INDIVIDUAL_PLAN: "individuell plan",
    Provision.RELAY_LOG: "stafettlogg",
}

DECISION_OUTCOMES: dict[DecisionOutcome, str] = {
    DecisionOutcome.GRANTED: "innvilget",
    DecisionOutcome.REFUSED: "avslag",
}

COORDINATOR_KINDS: dict[CoordinatorKind, str] = {
    CoordinatorKind.COORDINATOR: "koordinator",
    CoordinatorKind.CHILD_COORDINATOR: "barnekoordinator",
    CoordinatorKind.RELAY_HOLDER: "stafettholder",
}

CONSENT_GIVERS: dict[ConsentGiverRole, str] = {
    ConsentGiverRole.SUBJECT: "personen selv",
    ConsentGiverRole.GUARDIAN: "foresatt med foreldreansvar",
    ConsentGiverRole.VERGE: "verge",
}

GUARDIAN_KINDS: dict[GuardianKind, str] = {
    GuardianKind.PARENT: "forelder med foreldreansvar",
    GuardianKind.VERGE: "oppnevnt verge",
}

WITHDRAWAL_SCOPES: dict[WithdrawalScope, str] = {
    WithdrawalScope.ALL: "hele samtykket",
    WithdrawalScope.PARTICIPANTS: "bare for enkelte deltakere",
    WithdrawalScope.CATEGORIES: "bare for enkelte typer opplysninger",
}

INFO_CATEGORIES: dict[InfoCategory, str] = {
    InfoCategory.GENERAL: "generelt",
    InfoCategory.HEALTH: "helse",
    InfoCategory.ECONOMY: "økonomi",
    InfoCategory.WORK: "arbeid",
    InfoCategory.SCHOOL: "skole",
    InfoCategory.KINDERGARTEN: "barnehage",
    InfoCategory.HOUSING: "bolig",
    InfoCategory.LEISURE: "fritid",
    InfoCategory.NETWORK: "nettverk",
    InfoCategory.CHILD_WELFARE: "barnevern",
}

LIFE_AREAS: dict[LifeArea, str] = {
    LifeArea.HEALTH: "helse",
    LifeArea.EDUCATION_WORK: "barnehage/skole/arbeid/dagtilbud",
    LifeArea.ECONOMY: "økonomi",
    LifeArea.HOUSING: "bolig",
    LifeArea.LEISURE: "fritid",
    LifeArea.NETWORK: "nettverk",
    LifeArea.SOCIETY: "samfunn",
}

PLAN_TOOLS: dict[PlanTool, str] = {
    PlanTool.INDIVIDUAL_PLAN: "individuell plan",
    PlanTool.MINUTES: "referat",
}

EVALUATION_STATUSES: dict[EvaluationStatus, str] = {
    EvaluationStatus.ACHIEVED: "nådd",
    EvaluationStatus.PARTLY_ACHIEVED: "delvis nådd",
    EvaluationStatus.NOT_ACHIEVED: "ikke nådd",
    EvaluationStatus.ADJUSTED: "endret retning",
}

REFERRER_KINDS: dict[ReferrerKind, str] = {
    ReferrerKind.GP: "fastlege",
    ReferrerKind.HOSPITAL: "sykehus",
    ReferrerKind.SERVICE: "kommunal tjeneste",
    ReferrerKind.SUBJECT: "personen selv",
    ReferrerKind.RELATIVE: "pårørende",
    ReferrerKind.KINDERGARTEN: "barnehage",
    ReferrerKind.SCHOOL: "skole",
    ReferrerKind.HEALTH_STATION: "helsestasjon",
    ReferrerKind.NAV: "NAV",
    ReferrerKind.OTHER: "annen",
}

TRANSITION_KINDS: dict[TransitionKind, str] = {
    TransitionKind.SCHOOL_NOTIFIED: "skolen varslet (to år før skolestart)",
    TransitionKind.SCHOOL_TRANSFER_MEETING: "overføringsmøte med skolen (ett år før skolestart)",
    TransitionKind.LOWER_SECONDARY: "overgang til ungdomsskole",
    TransitionKind.UPPER_SECONDARY: "overgang til videregående skole",
    TransitionKind.ADULT_SERVICES: "overgang til voksentjenester (NAV mot 18 år)",
    TransitionKind.OTHER: "annen overgang",
}

COMPLAINT_DECIDERS: dict[ComplaintDecider, str] = {
    ComplaintDecider.MUNICIPALITY: "kommunen",
    ComplaintDecider.STATSFORVALTEREN: "Statsforvalteren",
}

COMPLAINT_OUTCOMES: dict[ComplaintOutcome, str] = {
    ComplaintOutcome.UPHELD: "medhold",
    ComplaintOutcome.PARTLY_UPHELD: "delvis medhold",
    ComplaintOutcome.NOT_UPHELD: "ikke medhold",
}

CASE_STATUSES: dict[CaseStatus, str] = {
    CaseStatus.OPEN: "åpen",
    CaseStatus.CLOSED: "avsluttet",
    CaseStatus.TRANSFERRED_OUT: "overført til annen kommune",
}

# Every enumeration with words, by its class.
WORDS: dict[type[StrEnum], Mapping[Any, str]] = {
    Role: ROLE_NAMES,
    Provision: PROVISIONS,
    DecisionOutcome: DECISION_OUTCOMES,
    CoordinatorKind: COORDINATOR_KINDS,
    ConsentGiverRole: CONSENT_GIVERS,
    GuardianKind: GUARDIAN_KINDS,
    WithdrawalScope: WITHDRAWAL_SCOPES,
    InfoCategory: INFO_CATEGORIES,
    LifeArea: LIFE_AREAS,
    PlanTool: PLAN_TOOLS,
    EvaluationStatus: EVALUATION_STATUSES,
    ReferrerKind: REFERRER_KINDS,
    TransitionKind: TRANSITION_KINDS,
    ComplaintDecider: COMPLAINT_DECIDERS,
    ComplaintOutcome: COMPLAINT_OUTCOMES,
    CaseStatus: CASE_STATUSES,
}


def word(member: StrEnum) -> str:
    """The Norwegian word for an enumeration's member (its value if none is kept, never nothing)."""
    return WORDS.get(type(member), {}).get(member, member.value)


def word_for(enum: type[StrEnum], value: str) -> str:
    """The word for a member given by its value, as data carries it (`"health"`)."""
    try:
        return word(enum(value))
    except ValueError:
        return value
