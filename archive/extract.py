"""A Noark 5 v5.0 archive extract (arkivuttrekk) of closed cases, and its
offline check.

The package follows the Noark 5 standard's chapter on extracts
(arkivverket/noark5-standard, kapittel 6.4): XML 1.0 in UTF-8 (6.4.3-6.4.4),
no empty elements (6.4.5), xs:date and xs:dateTime for dates (6.4.7-6.4.8),
documents in an archival format, PDF/A (6.4.10), one closed archive period
(6.4.12), the whole classification structure, here the one class the cases
are filed under (6.4.13), and the files under one folder named
`avleveringspakke` (6.4.15):

    avleveringspakke/
      arkivuttrekk.xml      ADDML (Riksarkivaren's Noark 5 template): every XML file and schema
                            with its SHA-256, the number of folders, records and changes, the
                            number of document files
      arkivstruktur.xml     arkiv > arkivdel > klassifikasjonssystem > klasse > saksmappe per case >
                            journalpost per archivable step > dokumentbeskrivelse > dokumentobjekt
                            (each document's path, SHA-256 and size)
      endringslogg.xml      the case's events as the changes of its folder
      arkivstruktur.xsd, metadatakatalog.xsd, endringslogg.xsd, addml.xsd
                            copied at extract time from the schema directory given (the
                            repository holds no copy)
      DOKUMENT/<case id>/<step>.pdf

A document's checksum is in arkivstruktur.xml (dokumentobjekt, M705), whose
own checksum is in arkivuttrekk.xml: every file of the package is covered,
as the template has it (it lists XML files and schemas, not documents).

Journals (loependeJournal.xml, offentligJournal.xml, 6.4.29) are not
written yet. System ids are UUIDs derived from the ledger's ids (ids.py);
case and record numbers come from the archive's receipts where there are
any, otherwise they are numbered within the extract (FIELDS.md).
"""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from lxml import etree

from archive import ids
from archive import xml as X
from archive.arkivmelding import PDFA_FORMAT, responsible_unit
from archive.receipt import Receipt
from archive.settings import ArchiveSettings
from archive.steps import ArchiveDocument, opened_by
from audit.compliance.timeline import NORWAY, local_date
from audit.report import labels as L
from ledger.event_data import jsonable
from ledger.events import CaseOpened, CoordinatorAppointed, CoordinatorReleased, CoordinatorReplaced
from ledger.events_plan import CaseClosed, CaseReopened

ARKIVSTRUKTUR = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
ENDRINGSLOGG = "http://www.arkivverket.no/standarder/noark5/endringslogg"
ADDML = "http://www.arkivverket.no/standarder/addml"
PACKAGE = "avleveringspakke"
DOCUMENTS = "DOKUMENT"
SCHEMA_FILES = ("arkivstruktur.xsd", "metadatakatalog.xsd", "endringslogg.xsd", "addml.xsd")


@dataclass(frozen=True)
class ExtractCase:
    """A closed case with its archivable documents and, by step id, the archive's receipts."""

    view: Mapping[str, Any]
    events: Sequence[Any]
    documents: Sequence[ArchiveDocument]
    receipts: Mapping[str, Receipt] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    directory: Path
    files: dict[str, str]  # every file of the package (relative path) -> sha256
    counts: dict[str, int]  # mappe, registrering, endring, dokumentfiler
    checkpoint: Mapping[str, Any] | None


def schema_folder(schema_dir: Path) -> Path:
    """The Noark 5 schemas: `schema_dir` itself or its `noark5-v5` folder (the shared schemas' layout)."""
    nested = schema_dir / "noark5-v5"
    return nested if nested.is_dir() else schema_dir


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), NORWAY).astimezone(UTC)


# ------------------------------------------------------------ numbering
@dataclass(frozen=True)
class _Numbers:
    case: dict[str, tuple[int, int]]  # case id -> (saksaar, sakssekvensnummer)
    record: dict[tuple[str, str], tuple[int, int, int]]  # (case id, step id) -> (år, sekvensnummer, postnummer)


def _numbers(cases: Sequence[ExtractCase]) -> _Numbers:
    """The archive's numbers where a receipt gave them; otherwise numbered within the extract, by year."""
    case_numbers: dict[str, tuple[int, int]] = {}
    next_case: Counter[int] = Counter()
    for c in cases:
        given = next((r for r in c.receipts.values() if r.case_year and r.case_sequence), None)
        if given is not None:
            case_numbers[c.view["case_id"]] = (given.case_year or 0, given.case_sequence or 0)
        else:
            year = local_date(datetime.fromisoformat(c.view["opened_at"])).year
            next_case[year] += 1
            case_numbers[c.view["case_id"]] = (year, next_case[year])
    records: dict[tuple[str, str], tuple[int, int, int]] = {}
    next_record: Counter[int] = Counter()
    every = sorted(
        ((d.step.made_at, c.view["case_id"], n, d, c) for c in cases for n, d in enumerate(c.documents, 1)),
        key=lambda t: (t[0], t[1], t[2]),
    )
    for _, case_id, number, document, c in every:
        receipt = c.receipts.get(document.step.id)
        if receipt is not None and receipt.record_year and receipt.record_sequence:
            records[(case_id, document.step.id)] = (
                receipt.record_year,
                receipt.record_sequence,
                receipt.record_number or number,
            )
        else:
            year = local_date(document.step.made_at).year
            next_record[year] += 1
            records[(case_id, document.step.id)] = (year, next_record[year], number)
    return _Numbers(case_numbers, records)


# --------------------------------------------------------- arkivstruktur
_A = X.Writer(ARKIVSTRUKTUR)


def _screening(parent: etree._Element, settings: ArchiveSettings) -> None:
    screening = _A.node(parent, "skjerming")
    _A.add(screening, "tilgangsrestriksjon", settings.access_code)
    _A.add(screening, "skjermingshjemmel", settings.access_basis)
    _A.add(screening, "skjermingMetadata", "korrespondansepartNavn")
    _A.add(screening, "skjermingDokument", "Hele dokumentet")


def _recorder(events: Sequence[Any], kind: type[Any], fallback: str) -> str:
    found = [e for e in events if isinstance(e, kind)]
    return found[-1].recorded_by.id if found else fallback


def _journalpost(
    parent: etree._Element,
    case: ExtractCase,
    document: ArchiveDocument,
    numbers: tuple[int, int, int],
    settings: ArchiveSettings,
) -> None:
    step, journal = document.step, document.step.journal
    case_id = case.view["case_id"]
    record = _A.node(parent, "registrering", xsi_type="journalpost")
    _A.add(record, "systemID", ids.record(case_id, step.id))
    _A.add(record, "opprettetDato", X.moment(step.made_at))
    _A.add(record, "opprettetAv", step.created_by)
    _A.add(record, "arkivertDato", X.moment(step.made_at))
    _A.add(record, "arkivertAv", settings.system)
    _screening(record, settings)
    description = _A.node(record, "dokumentbeskrivelse")
    _A.add(description, "systemID", ids.description(case_id, step.id))
    _A.add(description, "dokumenttype", journal.document_type[1])
    _A.add(description, "dokumentstatus", "Dokumentet er ferdigstilt")
    _A.add(description, "tittel", step.title)
    _A.add(description, "opprettetDato", X.moment(step.made_at))
    _A.add(description, "opprettetAv", step.created_by)
    _A.add(description, "tilknyttetRegistreringSom", "Hoveddokument")
    _A.add(description, "dokumentnummer", 1)
    _A.add(description, "tilknyttetDato", X.moment(step.made_at))
    _A.add(description, "tilknyttetAv", step.created_by)
    obj = _A.node(description, "dokumentobjekt")
    _A.add(obj, "systemID", ids.document_object(case_id, step.id, document.sha256))
    _A.add(obj, "versjonsnummer", 1)
    _A.add(obj, "variantformat", "Arkivformat")
    _A.add(obj, "format", PDFA_FORMAT[0])
    _A.add(obj, "formatDetaljer", PDFA_FORMAT[1])
    _A.add(obj, "opprettetDato", X.moment(step.made_at))
    _A.add(obj, "opprettetAv", step.created_by)
    _A.add(obj, "referanseDokumentfil", document_path(case_id, document))
    _A.add(obj, "sjekksum", document.sha256)
    _A.add(obj, "sjekksumAlgoritme", "SHA256")
    _A.add(obj, "filstoerrelse", document.size)
    _A.add(record, "tittel", step.title)
    _A.add(record, "offentligTittel", step.title)
    unit = responsible_unit(document, case.view, settings)
    subject = X.subject_name(case.view)
    if journal.to_subject and subject:
        party = _A.node(record, "korrespondansepart")
        _A.add(party, "korrespondanseparttype", "Mottaker")
        _A.add(party, "korrespondansepartNavn", subject)
    party = _A.node(record, "korrespondansepart")
    _A.add(party, "korrespondanseparttype", "Intern avsender")
    _A.add(party, "korrespondansepartNavn", unit)
    _A.add(party, "administrativEnhet", unit)
    _A.add(party, "saksbehandler", step.created_by)
    year, sequence, number = numbers
    _A.add(record, "journalaar", year)
    _A.add(record, "journalsekvensnummer", sequence)
    _A.add(record, "journalpostnummer", number)
    _A.add(record, "journalposttype", journal.record_type[1])
    _A.add(record, "journalstatus", "Arkivert")  # records delivered to a depot are "Arkivert" (M053)
    _A.add(record, "journaldato", X.day(step.made_at))
    _A.add(record, "dokumentetsDato", X.day(step.made_at))
    if journal.to_subject:
        _A.add(record, "sendtDato", X.moment(step.made_at))


def _folder(parent: etree._Element, case: ExtractCase, numbers: _Numbers, settings: ArchiveSettings) -> None:
    view = case.view
    case_id = view["case_id"]
    closure = view.get("closure")
    if closure is None or view.get("status") != "closed":
        raise ValueError(f"case {case_id} is not closed: an extract holds closed case folders only")
    year, sequence = numbers.case[case_id]
    folder = _A.node(parent, "mappe", xsi_type="saksmappe")
    _A.add(folder, "systemID", ids.folder(case_id))
    _A.add(folder, "mappeID", f"{year}/{sequence}")
    title = settings.folder_title(case_id)
    _A.add(folder, "tittel", title)
    _A.add(folder, "offentligTittel", title)
    _A.add(folder, "opprettetDato", X.moment(view["opened_at"]))
    _A.add(folder, "opprettetAv", opened_by(case.events))
    _A.add(folder, "avsluttetDato", X.moment(closure["at"]))
    _A.add(folder, "avsluttetAv", _recorder(case.events, CaseClosed, settings.system))
    _screening(folder, settings)
    for document in case.documents:
        _journalpost(folder, case, document, numbers.record[(case_id, document.step.id)], settings)
    _A.add(folder, "saksaar", year)
    _A.add(folder, "sakssekvensnummer", sequence)
    _A.add(folder, "saksdato", X.day(view["opened_at"]))
    _A.add(folder, "administrativEnhet", settings.responsible_unit)
    _A.add(folder, "saksansvarlig", X.case_responsible(view, settings.responsible_unit))
    _A.add(folder, "saksstatus", "Avsluttet")  # folders delivered to a depot are "Avsluttet" (M052)


def archive_title(settings: ArchiveSettings) -> str:
    return f"{settings.municipality_name}: koordinering og individuell plan"


def arkivstruktur(
    cases: Sequence[ExtractCase],
    settings: ArchiveSettings,
    period: tuple[date, date],
    checkpoint: Mapping[str, Any] | None,
) -> bytes:
    numbers = _numbers(cases)
    start, end = period
    created = min((datetime.fromisoformat(c.view["opened_at"]) for c in cases), default=_midnight(start))
    closed = max((datetime.fromisoformat(c.view["closure"]["at"]) for c in cases), default=_midnight(end))
    root = _A.root("arkiv", schema_location="arkivstruktur.xsd")
    _A.add(root, "systemID", ids.archive(settings.municipality))
    _A.add(root, "tittel", archive_title(settings))
    _A.add(root, "beskrivelse", X.checkpoint_text(checkpoint))
    _A.add(root, "arkivstatus", "Avsluttet")
    _A.add(root, "opprettetDato", X.moment(created))
    _A.add(root, "opprettetAv", settings.system)
    _A.add(root, "avsluttetDato", X.moment(closed))
    _A.add(root, "avsluttetAv", settings.system)
    creator = _A.node(root, "arkivskaper")
    _A.add(creator, "arkivskaperID", settings.municipality)
    _A.add(creator, "arkivskaperNavn", settings.municipality_name)
    part = _A.node(root, "arkivdel")
    _A.add(part, "systemID", ids.archive_part(settings.municipality, start, end))
    _A.add(part, "tittel", f"{settings.case_title} {start.isoformat()}–{end.isoformat()}")
    _A.add(part, "arkivdelstatus", "Avsluttet periode")  # parts delivered to a depot (M051)
    _A.add(part, "opprettetDato", X.moment(created))
    _A.add(part, "opprettetAv", settings.system)
    _A.add(part, "avsluttetDato", X.moment(closed))
    _A.add(part, "avsluttetAv", settings.system)
    _A.add(part, "arkivperiodeStartDato", start.isoformat())
    _A.add(part, "arkivperiodeSluttDato", end.isoformat())
    system = _A.node(part, "klassifikasjonssystem")
    _A.add(system, "systemID", ids.classification_system(settings.municipality, settings.classification_system))
    _A.add(system, "tittel", settings.classification_system)
    _A.add(system, "opprettetDato", X.moment(created))
    _A.add(system, "opprettetAv", settings.system)
    klasse = _A.node(system, "klasse")
    _A.add(
        klasse, "systemID", ids.archive_class(settings.municipality, settings.classification_system, settings.class_id)
    )
    _A.add(klasse, "klasseID", settings.class_id)
    _A.add(klasse, "tittel", settings.class_title)
    _A.add(klasse, "opprettetDato", X.moment(created))
    _A.add(klasse, "opprettetAv", settings.system)
    for case in sorted(cases, key=lambda c: (c.view["opened_at"], c.view["case_id"])):
        _folder(klasse, case, numbers, settings)
    return X.serialize(root)


# ----------------------------------------------------------- endringslogg
_E = X.Writer(ENDRINGSLOGG)
_STATUS: dict[type[Any], str] = {
    CaseOpened: "Under behandling",
    CaseReopened: "Under behandling",
    CaseClosed: "Avsluttet",
}


def _person(event: Any) -> str:
    return str(jsonable(event.person_name) or event.person_id)


def changes(case: ExtractCase) -> list[tuple[str, str, str, datetime, str]]:
    """The case's events as changes of its folder: (metadata, before, after, when recorded, by whom).

    Status changes as saksstatus (M052), coordinator changes as saksansvarlig (M306, a change the
    standard names), every other event as the record growing by one event (virksomhetsspesifikk
    "hendelse"): the ledger's history is exactly the folder's change log."""
    out = []
    status, responsible = "ingen", "ingen"
    for e in case.events:
        kind = type(e)
        if kind in _STATUS:
            metadata, before, status = "saksstatus", status, _STATUS[kind]
            after = status
        elif isinstance(e, CoordinatorAppointed | CoordinatorReplaced):
            metadata, before, responsible = "saksansvarlig", responsible, _person(e)
            after = responsible
        elif isinstance(e, CoordinatorReleased):
            metadata, before, responsible = "saksansvarlig", responsible, "ingen"
            after = responsible
        else:
            metadata = "hendelse"
            before = f"versjon {e.originator_version - 1}"
            after = f"versjon {e.originator_version}: {L.event_type_text(kind.__name__)}"
        out.append((metadata, before, after, e.timestamp, e.recorded_by.id))
    return out


def endringslogg(cases: Sequence[ExtractCase]) -> bytes:
    root = _E.root("endringslogg", schema_location="endringslogg.xsd")
    for case in sorted(cases, key=lambda c: (c.view["opened_at"], c.view["case_id"])):
        folder = ids.folder(case.view["case_id"])
        for metadata, before, after, when, by in changes(case):
            change = _E.node(root, "endring")
            _E.add(change, "referanseArkivenhet", folder)
            _E.add(change, "referanseMetadata", metadata)
            _E.add(change, "endretDato", X.moment(when))
            _E.add(change, "endretAv", by)
            _E.add(change, "tidligereVerdi", before)
            _E.add(change, "nyVerdi", after)
    return X.serialize(root)


# ------------------------------------------------------- arkivuttrekk.xml
_D = X.Writer(ADDML)


def _prop(parent: etree._Element, name: str, value: Any = None, *, data_type: str = "") -> etree._Element:
    prop = _D.node(parent, "property")
    if data_type:
        prop.set("dataType", data_type)
    prop.set("name", name)
    _D.add(prop, "value", value)
    return prop


def _properties(parent: etree._Element) -> etree._Element:
    return _D.node(parent, "properties")


def _file(parent: etree._Element, name: str, checksum: str | None) -> None:
    file = _properties(_prop(parent, "file"))
    _prop(file, "name", name)
    if checksum is not None:
        _prop(_properties(_prop(file, "format", "XML")), "version", "1.0")
        sums = _properties(_prop(file, "checksum"))
        _prop(sums, "algorithm", "SHA-256")
        _prop(sums, "value", checksum)


def _schema(parent: etree._Element, name: str, checksum: str | None, *, main: bool) -> None:
    schema = _prop(parent, "schema", "main" if main else None)
    props = _properties(schema)
    _file(props, name, checksum)
    if checksum is not None:
        _prop(_properties(_prop(props, "type", "XML Schema")), "version", "1.0")


def _occurrences(parent: etree._Element, element: str, count: int) -> None:
    info = _properties(_prop(parent, "info"))
    occurrences = _properties(_prop(info, "numberOfOccurrences", element))
    _prop(occurrences, "elementPath", f"//{element}")
    _prop(occurrences, "value", count, data_type="integer")


def addml(
    package: Path,
    settings: ArchiveSettings,
    period: tuple[date, date],
    counts: Mapping[str, int],
) -> bytes:
    """arkivuttrekk.xml after Riksarkivaren's Noark 5 template (6.4.20-6.4.22): the checksum of every
    XML file and schema (metadatakatalog.xsd at its first mention only), and the counts."""
    sums = {name: _sha256(package / name) for name in ("arkivstruktur.xml", "endringslogg.xml", *SCHEMA_FILES)}
    root = _D.root("addml", schema_location="addml.xsd")
    root.set("name", "Noark 5-arkivuttrekk")
    dataset = _D.node(root, "dataset")
    _D.add(dataset, "description", "Noark 5-arkivuttrekk")
    reference = _D.node(dataset, "reference")
    context = _D.node(_D.node(reference, "context"), "additionalElements")

    def element(parent: etree._Element, name: str, value: Any = None) -> etree._Element:
        added = _D.node(parent, "additionalElement")
        added.set("name", name)
        _D.add(added, "value", value)
        return added

    creators = _D.node(element(context, "recordCreators"), "additionalElements")
    element(creators, "recordCreator", settings.municipality_name)
    element(context, "systemType", "Fagsystem (Noark 5)")
    element(context, "systemName", settings.system)
    element(context, "archive", archive_title(settings))
    content = _D.node(_D.node(reference, "content"), "additionalElements")
    archival = _properties(element(content, "archivalPeriod"))
    _prop(archival, "startDate", period[0].isoformat())
    _prop(archival, "endDate", period[1].isoformat())
    extract = _D.node(_D.node(dataset, "dataObjects"), "dataObject")
    extract.set("name", "Noark 5-arkivuttrekk")
    info = _properties(_prop(_properties(extract), "info"))
    _prop(_properties(_prop(info, "type", "Noark 5")), "version", "5.0")
    additional = _properties(_prop(info, "additionalInfo"))
    split = _properties(_prop(additional, "periode"))
    _prop(split, "inngaaendeSkille", "skarpt")  # closed cases of one period: a sharp split both ways
    _prop(split, "utgaaendeSkille", "skarpt")
    _prop(additional, "inneholderSkjermetInformasjon", "true", data_type="boolean")
    _prop(additional, "omfatterDokumenterSomErKassert", "false", data_type="boolean")
    _prop(additional, "inneholderDokumenterSomSkalKasseres", "false", data_type="boolean")
    _prop(additional, "inneholderVirksomhetsspesifikkeMetadata", "false", data_type="boolean")
    _prop(additional, "antallDokumentfiler", counts["dokumentfiler"], data_type="integer")
    objects = _D.node(extract, "dataObjects")
    structure = _D.node(objects, "dataObject")
    structure.set("name", "arkivstruktur")
    props = _properties(structure)
    _file(props, "arkivstruktur.xml", sums["arkivstruktur.xml"])
    _schema(props, "arkivstruktur.xsd", sums["arkivstruktur.xsd"], main=True)
    _schema(props, "metadatakatalog.xsd", sums["metadatakatalog.xsd"], main=False)
    info = _properties(_prop(props, "info"))
    for name in ("mappe", "registrering"):
        occurrences = _properties(_prop(info, "numberOfOccurrences", name))
        _prop(occurrences, "elementPath", f"//{name}")
        _prop(occurrences, "value", counts[name], data_type="integer")
    log = _D.node(objects, "dataObject")
    log.set("name", "endringslogg")
    props = _properties(log)
    _file(props, "endringslogg.xml", sums["endringslogg.xml"])
    _schema(props, "endringslogg.xsd", sums["endringslogg.xsd"], main=True)
    _schema(props, "metadatakatalog.xsd", None, main=False)
    _occurrences(props, "endring", counts["endring"])
    return X.serialize(root)


# ------------------------------------------------------------- the package
def document_path(case_id: str, document: ArchiveDocument) -> str:
    return f"{DOCUMENTS}/{case_id}/{document.file_name}"


def write_extract(
    cases: Sequence[ExtractCase],
    out_dir: Path,
    schema_dir: Path,
    *,
    settings: ArchiveSettings,
    period: tuple[date, date],
    checkpoint: Mapping[str, Any] | None = None,
) -> Manifest:
    """Write the package to `out_dir/avleveringspakke` (which must not exist yet) and return what it holds.
    The same cases, period, settings and checkpoint give the same bytes."""
    for case in cases:
        if case.view.get("status") != "closed" or not case.view.get("closure"):
            raise ValueError(
                f"case {case.view.get('case_id')} is not closed: an extract holds closed case folders only"
            )
    cases = sorted(cases, key=lambda c: (c.view["opened_at"], c.view["case_id"]))  # folder order = number order
    schemas = schema_folder(schema_dir)
    package = out_dir / PACKAGE
    package.mkdir(parents=True)
    documents = 0
    for case in cases:
        for document in case.documents:
            path = package / document_path(case.view["case_id"], document)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(document.content)
            documents += 1
    for name in SCHEMA_FILES:
        shutil.copyfile(schemas / name, package / name)
    (package / "arkivstruktur.xml").write_bytes(arkivstruktur(cases, settings, period, checkpoint))
    (package / "endringslogg.xml").write_bytes(endringslogg(cases))
    counts = {
        "mappe": len(cases),
        "registrering": sum(len(c.documents) for c in cases),
        "endring": sum(len(c.events) for c in cases),
        "dokumentfiler": documents,
    }
    (package / "arkivuttrekk.xml").write_bytes(addml(package, settings, period, counts))
    files = {p.relative_to(package).as_posix(): _sha256(p) for p in sorted(package.rglob("*")) if p.is_file()}
    return Manifest(package, files, counts, checkpoint)


# ------------------------------------------------------------- the check
def _local(tree: etree._ElementTree, name: str) -> list[etree._Element]:
    return list(tree.xpath(f"//*[local-name()='{name}']"))


def check_extract(package: Path) -> list[str]:
    """Everything that does not hold in a package, in Norwegian (empty: it holds). Recomputes every
    checksum and count that arkivuttrekk.xml states, and every document's checksum and size that
    arkivstruktur.xml states; every file under DOKUMENT must be one of those documents."""
    problems: list[str] = []
    try:
        description = etree.parse(str(package / "arkivuttrekk.xml"))
    except (OSError, etree.XMLSyntaxError) as e:
        return [f"arkivuttrekk.xml kan ikke leses: {e}"]
    ns = {"a": ADDML}
    for file in description.xpath("//a:property[@name='file']", namespaces=ns):
        name = file.xpath("string(a:properties/a:property[@name='name']/a:value)", namespaces=ns)
        stated = file.xpath(
            "string(a:properties/a:property[@name='checksum']/a:properties/a:property[@name='value']/a:value)",
            namespaces=ns,
        )
        if not stated:
            continue  # a schema named again without its checksum (the template's second mention)
        if not (package / name).is_file():
            problems.append(f"{name} mangler")
        elif _sha256(package / name) != stated:
            problems.append(f"{name}: sjekksummen stemmer ikke")
    for data_object in description.xpath(
        "//a:dataObject[@name='arkivstruktur' or @name='endringslogg']", namespaces=ns
    ):
        source = package / f"{data_object.get('name')}.xml"
        if not source.is_file():
            continue
        tree = etree.parse(str(source))
        for occurrence in data_object.xpath(".//a:property[@name='numberOfOccurrences']", namespaces=ns):
            element = occurrence.xpath("string(a:value)", namespaces=ns)
            stated = occurrence.xpath("string(a:properties/a:property[@name='value']/a:value)", namespaces=ns)
            if str(len(_local(tree, element))) != stated:
                problems.append(f"{source.name}: antall {element} er {len(_local(tree, element))}, ikke {stated}")
    structure = etree.parse(str(package / "arkivstruktur.xml"))
    referenced = set()
    for obj in _local(structure, "dokumentobjekt"):
        values = {child.tag.split("}")[1]: child.text for child in obj}
        name = values.get("referanseDokumentfil") or ""
        referenced.add(name)
        path = package / name
        if not path.is_file():
            problems.append(f"{name} mangler")
            continue
        if _sha256(path) != values.get("sjekksum"):
            problems.append(f"{name}: sjekksummen stemmer ikke")
        if str(path.stat().st_size) != values.get("filstoerrelse"):
            problems.append(f"{name}: filstørrelsen stemmer ikke")
    present = {p.relative_to(package).as_posix() for p in (package / DOCUMENTS).rglob("*") if p.is_file()}
    for extra in sorted(present - referenced):
        problems.append(f"{extra} står ikke i arkivstruktur.xml")
    stated_files = description.xpath("string(//a:property[@name='antallDokumentfiler']/a:value)", namespaces=ns)
    if stated_files != str(len(present)):
        problems.append(f"antall dokumentfiler er {len(present)}, ikke {stated_files}")
    return problems
