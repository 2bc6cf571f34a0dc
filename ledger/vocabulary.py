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
    InfoCategory,
    LifeArea,
    PlanTool,
    Provision,
    ReferrerKind,
    Role,
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
