"""Identifiers of archive units (Noark 5 systemID, M001), derived from the
ledger's ids: the same case, step and document get the same UUID in every
message and every extract (requirement 6.4.26: unique across all extracts
of one archive creator), and the same input gives the same bytes."""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

_ROOT = uuid5(NAMESPACE_URL, "urn:coordination-ledger:archive")


def _id(*parts: object) -> str:
    return str(uuid5(_ROOT, "/".join(str(p) for p in parts)))


def folder(case_id: UUID | str) -> str:
    return _id("saksmappe", case_id)


def record(case_id: UUID | str, step_id: str) -> str:
    return _id("registrering", case_id, step_id)


def description(case_id: UUID | str, step_id: str) -> str:
    return _id("dokumentbeskrivelse", case_id, step_id)


def document_object(case_id: UUID | str, step_id: str, sha256: str) -> str:
    return _id("dokumentobjekt", case_id, step_id, sha256)


def archive(municipality: str) -> str:
    return _id("arkiv", municipality)


def archive_part(municipality: str, start: date, end: date) -> str:
    return _id("arkivdel", municipality, start.isoformat(), end.isoformat())


def classification_system(municipality: str, system: str) -> str:
    return _id("klassifikasjonssystem", municipality, system)


def archive_class(municipality: str, system: str, class_id: str) -> str:
    return _id("klasse", municipality, system, class_id)


def message(case_id: UUID | str, step_id: str) -> UUID:
    """The id of the outbox message that files one step: the same step is always the same message,
    so a step decided twice (a crash, a rebuild) is still sent once."""
    return uuid5(_ROOT, f"melding/{case_id}/{step_id}")
