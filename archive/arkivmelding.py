"""The KS Fiks Arkiv message `no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett`
for one archivable step of a case.

The message schema allows one folder (`mappe`) and one record
(`registrering`) per message, so a case is one message per step. Every
message carries the case folder (`saksmappe`) with the ledger's external key
(`referanseEksternNoekkel`: system name and case id): the archive creates the
folder on the first message and answers "Eksisterende" to the rest, so the
messages may arrive in any order and be sent again after a lost receipt.
The record is a `journalpost` with one main document (the step's PDF/A file,
attached to the message under `referanseDokumentfil`), its SHA-256 checksum
and size, the responsible unit as internal sender, and, for a letter to the
person (the decision, the closing letter), the person as recipient, marked
as screened. FIELDS.md lists every field and its source.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from lxml import etree

from archive import xml as X
from archive.settings import ArchiveSettings
from archive.steps import ArchiveDocument, StepKind

NAMESPACE = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
MESSAGE_TYPE = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett"
SCHEMA = "fiks-arkiv-v1/no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd"
PDFA_FORMAT = ("fmt/478", "PDF/A-2u")  # PRONOM id of PDF/A-2u, what audit.report renders

METADATA = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"

# Elements of the message's own types are in its namespace; the parts of the
# metadata catalogue's types (a code's `kode`, a key's `noekkel`, a unit's
# `navn`) are in the catalogue's.
_W = X.Writer(NAMESPACE)
_M = X.Writer(METADATA)


def _code(parent: etree._Element, name: str, code: str, description: str) -> None:
    element = _W.node(parent, name)
    _M.add(element, "kode", code)
    _M.add(element, "beskrivelse", description)


def _external_key(
    parent: etree._Element, name: str, settings: ArchiveSettings, key: str, writer: X.Writer = _W
) -> None:
    element = writer.node(parent, name)
    _M.add(element, "fagsystem", settings.system)
    _M.add(element, "noekkel", key)


def _screening(parent: etree._Element, settings: ArchiveSettings) -> None:
    element = _W.node(parent, "skjerming")
    _code(element, "tilgangsrestriksjon", settings.access_code, "Taushetsbelagt")
    _W.add(element, "skjermingshjemmel", settings.access_basis)


def _folder(root: etree._Element, view: Mapping[str, Any], settings: ArchiveSettings) -> None:
    case_id = view["case_id"]
    closure = view.get("closure")
    folder = _W.node(root, "mappe", xsi_type="saksmappe")
    title = settings.folder_title(case_id)
    _W.add(folder, "tittel", title)
    _W.add(folder, "offentligTittel", title)
    _W.add(folder, "opprettetDato", X.moment(view["opened_at"]))
    if closure is not None and view.get("status") == "closed":
        _W.add(folder, "avsluttetDato", X.moment(closure["at"]))
    if settings.archive_part:
        _code(folder, "arkivdel", settings.archive_part, "")
    _screening(folder, settings)
    classification = _W.node(folder, "klassifikasjon")
    _W.add(classification, "klassifikasjonssystemID", settings.classification_system)
    _W.add(classification, "klasseID", settings.class_id)
    _W.add(classification, "tittel", settings.class_title)
    _external_key(folder, "referanseEksternNoekkel", settings, case_id)
    _W.add(folder, "saksdato", X.day(view["opened_at"]))
    _M.add(_W.node(folder, "administrativEnhet"), "navn", settings.responsible_unit)
    _M.add(_W.node(folder, "saksansvarlig"), "navn", X.case_responsible(view, settings.responsible_unit))
    closed = view.get("status") == "closed"
    _code(folder, "saksstatus", *(("A", "Avsluttet") if closed else ("B", "Under behandling")))


def _party(
    record: etree._Element, kind: tuple[str, str], name: str, *, unit: str = "", handler: str = "", person: bool
) -> None:
    party = _W.node(record, "korrespondansepart")
    _code(party, "korrespondanseparttype", *kind)
    _W.add(party, "korrespondansepartNavn", name)
    if unit:
        _M.add(_W.node(party, "administrativEnhet"), "navn", unit)
    if handler:
        _M.add(_W.node(party, "saksbehandler"), "identifikator", handler)
    if person:
        # The person's name stays out of the public journal.
        _W.add(party, "erSkjermet", True)
        _W.add(party, "erPersonnavn", True)


def responsible_unit(document: ArchiveDocument, view: Mapping[str, Any], settings: ArchiveSettings) -> str:
    """KE answers for decisions and closing letters; the coordinator's unit for the plan and the minutes."""
    if document.step.journal.by_ke:
        return settings.responsible_unit
    return X.coordinator_unit(view) or settings.responsible_unit


def _record(
    root: etree._Element,
    view: Mapping[str, Any],
    document: ArchiveDocument,
    settings: ArchiveSettings,
    checkpoint: Mapping[str, Any] | None,
) -> None:
    step, journal = document.step, document.step.journal
    case_id = view["case_id"]
    record = _W.node(root, "registrering", xsi_type="journalpost")
    _W.add(record, "opprettetDato", X.moment(step.made_at))
    _W.add(record, "opprettetAv", step.created_by)
    parent = _W.node(record, "referanseForelderMappe")
    _external_key(parent, "referanseEksternNoekkel", settings, case_id, writer=_M)
    _screening(record, settings)
    description = _W.node(record, "dokumentbeskrivelse")
    _code(description, "dokumenttype", *journal.document_type)
    _code(description, "dokumentstatus", "F", "Dokumentet er ferdigstilt")
    _W.add(description, "tittel", step.title)
    _W.add(description, "opprettetDato", X.moment(step.made_at))
    _code(description, "tilknyttetRegistreringSom", "H", "Hoveddokument")
    _W.add(description, "dokumentnummer", 1)
    obj = _W.node(description, "dokumentobjekt")
    _W.add(obj, "versjonsnummer", 1)
    _code(obj, "variantformat", "A", "Arkivformat")
    _code(obj, "format", *PDFA_FORMAT)
    _W.add(obj, "mimeType", "application/pdf")
    _W.add(obj, "opprettetDato", X.moment(step.made_at))
    _W.add(obj, "filnavn", re.sub(r'[\\/:*?"<>|]', "-", step.title) + ".pdf")  # a file name on any system
    _W.add(obj, "referanseDokumentfil", document.file_name)
    _W.add(obj, "sjekksum", document.sha256)
    _W.add(obj, "sjekksumAlgoritme", "SHA256")
    _W.add(obj, "filstoerrelse", document.size)
    _W.add(record, "tittel", step.title)
    _W.add(record, "offentligTittel", step.title)
    note = X.checkpoint_text(checkpoint)
    if note:
        _W.add(_W.node(record, "merknad"), "merknadstekst", note)
    unit = responsible_unit(document, view, settings)
    if journal.to_subject and X.subject_name(view):
        _party(record, ("EM", "Mottaker"), X.subject_name(view) or "", person=True)
    _party(record, ("IA", "Intern avsender"), unit, unit=unit, handler=step.created_by, person=False)
    _external_key(record, "referanseEksternNoekkel", settings, f"{case_id}/{step.id}")
    _code(record, "journalposttype", *journal.record_type)
    _code(record, "journalstatus", "F", "Ferdigstilt av saksbehandler")
    _W.add(record, "dokumentetsDato", X.day(step.made_at))
    if journal.to_subject:
        _W.add(record, "sendtDato", X.moment(step.made_at))


def build_arkivmelding(
    view: Mapping[str, Any],
    document: ArchiveDocument,
    settings: ArchiveSettings,
    *,
    checkpoint: Mapping[str, Any] | None = None,
) -> bytes:
    """The message that files one step's document in the case folder (created if it is not there)."""
    root = _W.root("arkivmelding", prefixes={"n5mdk": METADATA})
    _W.add(root, "system", settings.system)
    _W.add(root, "antallFiler", 1)
    _folder(root, view, settings)
    _record(root, view, document, settings, checkpoint)
    return X.serialize(root)


def build_arkivmeldinger(
    view: Mapping[str, Any],
    documents: Sequence[ArchiveDocument],
    settings: ArchiveSettings,
    *,
    checkpoint: Mapping[str, Any] | None = None,
) -> list[bytes]:
    """One message per document, in the order of the steps."""
    return [build_arkivmelding(view, d, settings, checkpoint=checkpoint) for d in documents]


__all__ = ["MESSAGE_TYPE", "SCHEMA", "StepKind", "build_arkivmelding", "build_arkivmeldinger", "responsible_unit"]
