"""Norwegian (bokmål) words for the report's codes, and how dates read.

Identifiers stay English in the data; everything a person reads in the
report or the plan is looked up here, so the renderers never show a code.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from audit.compliance.checks_followup import _AREA as LIFE_AREAS  # noqa: F401  (one list of the life areas' names)
from audit.compliance.timeline import NORWAY, fmt
from ledger.vocabulary import ROLE_NAMES as _ROLE_NAMES  # the same role names the refusals use

ERASED_TEXT = "[slettet]"
REPORT_TITLE = "Samsvarsrapport til Statsforvalteren"

ROLES = {role.value: name for role, name in _ROLE_NAMES.items()}

EVENT_TYPES = {
    "CaseOpened": "Sak opprettet (henvisning mottatt)",
    "ProvisionRequested": "Mer hjelp etterspurt",
    "DecisionRecorded": "Vedtak fattet",
    "CoordinatorRequested": "Enhet bedt om å oppnevne koordinator",
    "CoordinatorAppointed": "Koordinator oppnevnt",
    "SubstituteAssigned": "Vikar for koordinator oppnevnt",
    "CoordinatorReplaced": "Ny koordinator oppnevnt",
    "CoordinatorReleased": "Koordinator fritatt",
    "CoordinatorTrainingCompleted": "Koordinator fullførte opplæring",
    "RelayLogClosed": "Stafettlogg lukket",
    "StartupConversationHeld": "Oppstartsamtale holdt",
    "ConsentGranted": "Samtykke gitt",
    "ConsentSigned": "Samtykke signert av foresatt",
    "ConsentWithdrawn": "Samtykke trukket tilbake",
    "ConsentExpired": "Samtykke utløpt",
    "TeamEstablished": "Team etablert",
    "ParticipantAdded": "Deltaker lagt til",
    "ParticipantRemoved": "Deltaker fjernet",
    "PlanEstablished": "Plan opprettet",
    "LifeAreaAssessed": "Livsområde vurdert",
    "GoalSet": "Mål satt",
    "GoalRevised": "Mål endret",
    "GoalClosed": "Mål avsluttet",
    "ActivityPlanned": "Tiltak planlagt",
    "ActivityCompleted": "Tiltak fullført",
    "CommentAdded": "Kommentar skrevet",
    "MeetingScheduled": "Møte berammet",
    "AgendaSent": "Saksliste sendt",
    "MeetingHeld": "Møte holdt",
    "MinutesDistributed": "Referat sendt",
    "MeetingCancelled": "Møte avlyst",
    "GoalEvaluated": "Mål evaluert",
    "TeamReviewed": "Teamets arbeid evaluert",
    "StatusReportedToKE": "Status rapportert til koordinerende enhet",
    "TransitionPlanned": "Overgang planlagt",
    "TransitionCompleted": "Overgang gjennomført",
    "CaseClosed": "Sak avsluttet",
    "ClosureNotified": "Avslutning varslet",
    "CaseReopened": "Sak gjenåpnet",
    "PlanExported": "Plan eksportert",
    "KeyDestroyed": "Personopplysninger slettet (nøkkel destruert)",
    "TransferredOut": "Sak overført til annen kommune",
    "TransferredIn": "Sak mottatt fra annen kommune",
    "ComplaintReceived": "Klage mottatt",
    "ComplaintForwarded": "Klage oversendt Statsforvalteren",
    "ComplaintDecided": "Klage avgjort",
}

CHECK_STATUS = {"ok": "I orden", "breach": "Brudd", "pending": "Venter", "not_applicable": "Ikke aktuelt"}
CASE_STATUS = {"open": "Åpen", "closed": "Avsluttet", "transferred_out": "Overført til annen kommune"}
PROVISIONS = {
    "coordinator": "koordinator",
    "child_coordinator": "barnekoordinator",
    "individual_plan": "individuell plan",
    "relay_log": "stafettlogg",
}
COORDINATOR_KINDS = {
    "coordinator": "koordinator",
    "child_coordinator": "barnekoordinator",
    "relay_holder": "stafettholder",
}
OUTCOMES = {"granted": "Innvilget", "refused": "Avslag"}
COMPLAINT_OUTCOMES = {"upheld": "medhold", "partly_upheld": "delvis medhold", "not_upheld": "ikke medhold"}
DECIDERS = {"municipality": "kommunen", "statsforvalteren": "Statsforvalteren"}
EVALUATIONS = {
    "achieved": "nådd",
    "partly_achieved": "delvis nådd",
    "not_achieved": "ikke nådd",
    "adjusted": "endret retning",
}
CONSENT_STATUS = {
    "in_force": "i kraft",
    "awaiting_signature": "venter på signatur",
    "withdrawn": "trukket tilbake",
    "expired": "utløpt",
}
GIVERS = {"subject": "brukeren selv", "guardian": "foresatt", "verge": "verge"}
CATEGORIES = {
    "general": "generelt",
    "health": "helse",
    "economy": "økonomi",
    "work": "arbeid",
    "school": "skole",
    "kindergarten": "barnehage",
    "housing": "bolig",
    "leisure": "fritid",
    "network": "nettverk",
    "child_welfare": "barnevern",
}
TOOLS = {"individual_plan": "individuell plan", "minutes": "referat"}
PARTS = {
    "case": "saken",
    "history": "historikken",
    "compliance": "samsvarskontrollen",
    "report": "rapporten",
    "access_log": "tilgangsloggen",
    "exports": "eksporter",
}
REFERRERS = {
    "gp": "fastlege",
    "hospital": "sykehus",
    "service": "kommunal tjeneste",
    "subject": "brukeren selv",
    "relative": "pårørende",
    "kindergarten": "barnehage",
    "school": "skole",
    "health_station": "helsestasjon",
    "nav": "NAV",
    "other": "annen",
}


def word(table: dict[str, str], code: Any) -> str:
    """The Norwegian word for a code; an unknown code is shown as it is, never dropped."""
    return table.get(str(code), str(code)) if code is not None else ""


def words(table: dict[str, str], codes: Any) -> str:
    return ", ".join(word(table, c) for c in codes or ())


def parse(moment: str | None) -> datetime | date | None:
    if not moment:
        return None
    return datetime.fromisoformat(moment) if "T" in moment else date.fromisoformat(moment)


def date_text(moment: str | None) -> str:
    """15.01.2026 (Norwegian calendar day); empty when there is none."""
    parsed = parse(moment)
    return fmt(parsed) if parsed is not None else ""


def moment_text(moment: str | None) -> str:
    """15.01.2026 kl. 10:30, Norwegian time; a bare date reads as a date."""
    parsed = parse(moment)
    if not isinstance(parsed, datetime):
        return date_text(moment)
    local = parsed.astimezone(NORWAY) if parsed.tzinfo else parsed
    return f"{local:%d.%m.%Y} kl. {local:%H:%M}"


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("ja" if value else "nei")
