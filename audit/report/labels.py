"""Norwegian (bokmål) words for the report's own codes, and how dates read.

Identifiers stay English in the data; everything a person reads in the
report or the plan is looked up here or in the domain's vocabulary
(`ledger.vocabulary`: roles, provisions, areas, event types), so the
renderers never show a code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from audit.compliance.timeline import fmt, in_norway
from ledger.vocabulary import EVENT_TYPES_BY_NAME

ERASED_TEXT = "[slettet]"
REPORT_TITLE = "Samsvarsrapport til Statsforvalteren"

CHECK_STATUS = {"ok": "I orden", "breach": "Brudd", "pending": "Venter", "not_applicable": "Ikke aktuelt"}
CONSENT_STATUS = {
    "in_force": "i kraft",
    "awaiting_signature": "venter på signatur",
    "withdrawn": "trukket tilbake",
    "expired": "utløpt",
}
ARCHIVE_STATUS = {
    "archived": "Arkivert",
    "rejected": "Avvist av arkivet (sendes igjen)",
    "waiting": "Venter på kvittering fra arkivet",
}
PARTS = {
    "case": "saken",
    "history": "historikken",
    "compliance": "samsvarskontrollen",
    "report": "rapporten",
    "access_log": "tilgangsloggen",
    "exports": "eksporter",
    "archive": "arkivmeldinger",
    "notifications": "varslene",
    "archive_steps": "arkiveringen",
}


def word(table: Mapping[Any, str], code: Any) -> str:
    """The Norwegian word for a code; an unknown code is shown as it is, never dropped."""
    return table.get(str(code), str(code)) if code is not None else ""


def words(table: Mapping[Any, str], codes: Any) -> str:
    return ", ".join(word(table, c) for c in codes or ())


def event_type_text(name: str | None) -> str:
    """The words for an event type named in an event's data (its class name)."""
    return word(EVENT_TYPES_BY_NAME, name)


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
    local = in_norway(parsed) if parsed.tzinfo else parsed
    # As `{local:%d.%m.%Y} kl. {local:%H:%M}` writes it, a quarter of the time (a page writes hundreds).
    return f"{local.day:02d}.{local.month:02d}.{local.year} kl. {local.hour:02d}:{local.minute:02d}"


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("ja" if value else "nei")


CHANNELS = {"email": "e-post", "webhook": "webhook"}


def reminder_stage_text(stage: str | None) -> str:
    """A reminder's stage (`before:7`, `overdue`) as words."""
    if stage == "overdue":
        return "fristen var overskredet"
    if stage and stage.startswith("before:") and stage[7:].isdigit():
        days = int(stage[7:])
        return "på fristdagen" if days == 0 else f"{days} {'dag' if days == 1 else 'dager'} før fristen"
    return stage or ""


def deliveries_text(deliveries: Sequence[Mapping[str, Any]]) -> str:
    """How a reminder went out: each channel delivered (when) or not; no recipient at all said so."""
    if not deliveries:
        return "ingen mottaker var registrert"
    return ", ".join(
        f"{word(CHANNELS, d['channel'])} levert {moment_text(d['delivered_at'])}"
        if d.get("delivered_at")
        else f"{word(CHANNELS, d['channel'])} ikke levert"
        for d in deliveries
    )
