"""The Norwegian (bokmål) words for the domain's codes: roles, provisions,
life areas, information categories, statuses and event types.

Values stay English identifiers (`ledger.values`); whatever a person reads
(a refusal, a compliance finding, the report, the plan) takes its words from
here, so a role or an area is named the same everywhere. Tables are keyed by
the enum member (a `StrEnum` member equals its value, so a code read back
from JSON finds its word too); event types are keyed by the event class, so
renaming a class cannot silently drop its label.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from ledger import events as E
from ledger import events_plan as P
from ledger.event_base import CaseEvent
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
    Role.ARCHIVE_INTEGRATION: "arkivintegrasjon",
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

PROVISIONS: dict[Provision, str] = {
    Provision.COORDINATOR: "koordinator",
    Provision.CHILD_COORDINATOR: "barnekoordinator",
    Provision.INDIVIDUAL_PLAN: "individuell plan",
    Provision.RELAY_LOG: "stafettlogg",
}

COORDINATOR_KINDS: dict[CoordinatorKind, str] = {
    CoordinatorKind.COORDINATOR: "koordinator",
    CoordinatorKind.CHILD_COORDINATOR: "barnekoordinator",
    CoordinatorKind.RELAY_HOLDER: "stafettholder",
}

EVALUATION_STATUSES: dict[EvaluationStatus, str] = {
    EvaluationStatus.ACHIEVED: "nådd",
    EvaluationStatus.PARTLY_ACHIEVED: "delvis nådd",
    EvaluationStatus.NOT_ACHIEVED: "ikke nådd",
    EvaluationStatus.ADJUSTED: "endret retning",
}

DECISION_OUTCOMES: dict[DecisionOutcome, str] = {
    DecisionOutcome.GRANTED: "Innvilget",
    DecisionOutcome.REFUSED: "Avslag",
}

COMPLAINT_OUTCOMES: dict[ComplaintOutcome, str] = {
    ComplaintOutcome.UPHELD: "medhold",
    ComplaintOutcome.PARTLY_UPHELD: "delvis medhold",
    ComplaintOutcome.NOT_UPHELD: "ikke medhold",
}

COMPLAINT_DECIDERS: dict[ComplaintDecider, str] = {
    ComplaintDecider.MUNICIPALITY: "kommunen",
    ComplaintDecider.STATSFORVALTEREN: "Statsforvalteren",
}

CONSENT_GIVERS: dict[ConsentGiverRole, str] = {
    ConsentGiverRole.SUBJECT: "brukeren selv",
    ConsentGiverRole.GUARDIAN: "foresatt",
    ConsentGiverRole.VERGE: "verge",
}

PLAN_TOOLS: dict[PlanTool, str] = {PlanTool.INDIVIDUAL_PLAN: "individuell plan", PlanTool.MINUTES: "referat"}

CASE_STATUSES: dict[CaseStatus, str] = {
    CaseStatus.OPEN: "Åpen",
    CaseStatus.CLOSED: "Avsluttet",
    CaseStatus.TRANSFERRED_OUT: "Overført til annen kommune",
}

REFERRER_KINDS: dict[ReferrerKind, str] = {
    ReferrerKind.GP: "fastlege",
    ReferrerKind.HOSPITAL: "sykehus",
    ReferrerKind.SERVICE: "kommunal tjeneste",
    ReferrerKind.SUBJECT: "brukeren selv",
    ReferrerKind.RELATIVE: "pårørende",
    ReferrerKind.KINDERGARTEN: "barnehage",
    ReferrerKind.SCHOOL: "skole",
    ReferrerKind.HEALTH_STATION: "helsestasjon",
    ReferrerKind.NAV: "NAV",
    ReferrerKind.OTHER: "annen",
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

TRANSITION_KINDS: dict[TransitionKind, str] = {
    TransitionKind.SCHOOL_NOTIFIED: "skolen varslet (to år før skolestart)",
    TransitionKind.SCHOOL_TRANSFER_MEETING: "overføringsmøte med skolen (ett år før skolestart)",
    TransitionKind.LOWER_SECONDARY: "overgang til ungdomsskole",
    TransitionKind.UPPER_SECONDARY: "overgang til videregående skole",
    TransitionKind.ADULT_SERVICES: "overgang til voksentjenester (NAV mot 18 år)",
    TransitionKind.OTHER: "annen overgang",
}

EVENT_TYPES: dict[type[CaseEvent], str] = {
    E.CaseOpened: "Sak opprettet (henvisning mottatt)",
    E.ProvisionRequested: "Mer hjelp etterspurt",
    E.DecisionRecorded: "Vedtak fattet",
    E.CoordinatorRequested: "Enhet bedt om å oppnevne koordinator",
    E.CoordinatorAppointed: "Koordinator oppnevnt",
    E.SubstituteAssigned: "Vikar for koordinator oppnevnt",
    E.CoordinatorReplaced: "Ny koordinator oppnevnt",
    E.CoordinatorReleased: "Koordinator fritatt",
    E.CoordinatorTrainingCompleted: "Koordinator fullførte opplæring",
    E.RelayLogClosed: "Stafettlogg lukket",
    E.StartupConversationHeld: "Oppstartsamtale holdt",
    E.ConsentGranted: "Samtykke gitt",
    E.ConsentSigned: "Samtykke signert av foresatt",
    E.ConsentWithdrawn: "Samtykke trukket tilbake",
    E.ConsentExpired: "Samtykke utløpt",
    E.TeamEstablished: "Team etablert",
    E.ParticipantAdded: "Deltaker lagt til",
    E.ParticipantRemoved: "Deltaker fjernet",
    P.PlanEstablished: "Plan opprettet",
    P.LifeAreaAssessed: "Livsområde vurdert",
    P.GoalSet: "Mål satt",
    P.GoalRevised: "Mål endret",
    P.GoalClosed: "Mål avsluttet",
    P.ActivityPlanned: "Tiltak planlagt",
    P.ActivityCompleted: "Tiltak fullført",
    P.CommentAdded: "Kommentar skrevet",
    P.MeetingScheduled: "Møte berammet",
    P.AgendaSent: "Saksliste sendt",
    P.MeetingHeld: "Møte holdt",
    P.MinutesDistributed: "Referat sendt",
    P.MeetingCancelled: "Møte avlyst",
    P.GoalEvaluated: "Mål evaluert",
    P.TeamReviewed: "Teamets arbeid evaluert",
    P.StatusReportedToKE: "Status rapportert til koordinerende enhet",
    P.TransitionPlanned: "Overgang planlagt",
    P.TransitionCompleted: "Overgang gjennomført",
    P.CaseClosed: "Sak avsluttet",
    P.ClosureNotified: "Avslutning varslet",
    P.CaseReopened: "Sak gjenåpnet",
    P.PlanExported: "Plan eksportert",
    P.KeyDestroyed: "Personopplysninger slettet (nøkkel destruert)",
    P.TransferredOut: "Sak overført til annen kommune",
    P.TransferredIn: "Sak mottatt fra annen kommune",
    P.ComplaintReceived: "Klage mottatt",
    P.ComplaintForwarded: "Klage oversendt Statsforvalteren",
    P.ComplaintDecided: "Klage avgjort",
    P.ArchiveReceiptRecorded: "Kvittering fra arkivet registrert",
}

# The same words found by the name an event's data carries (`event_to_dict`'s
# "type", the case view's coordinator history): derived from the class, so a
# renamed class keeps its word.
EVENT_TYPES_BY_NAME: dict[str, str] = {cls.__name__: text for cls, text in EVENT_TYPES.items()}

# Every enumeration with words, by its class: a form lists an enumeration's members in these words.
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
    """The word for an enumeration's member (its value if none is kept: never nothing)."""
    return WORDS.get(type(member), {}).get(member, member.value)


def word_for(enum: type[StrEnum], value: str) -> str:
    """The word for a member given by its value, as data carries it (`"health"`)."""
    try:
        return word(enum(value))
    except ValueError:
        return value
