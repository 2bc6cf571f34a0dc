"""The Noark 5 archive extract of closed cases: every XML file valid against
Arkivverket's schemas, every checksum and count in arkivuttrekk.xml and
every document checksum in arkivstruktur.xml recomputed here from the
files, and a changed document found by the offline check."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import etree

from archive import ArchiveSettings, Receipt, archivable_steps, render_step
from archive.extract import ExtractCase, Manifest, check_extract, write_extract
from projections.case_view import fold
from tests.support.archive import closed_case, schema_dir, validate, view_of
from tests.support.story import SELBU, Story

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
PERIOD = (date(2026, 1, 1), date(2026, 12, 31))
SETTINGS = ArchiveSettings(
    municipality=SELBU, classification_system="K-kode", class_id="G12", class_title="Koordinering og individuell plan"
)
CHECKPOINT = {"tree_size": 42, "root": "ab" * 32, "signature": "cd" * 64, "key_id": "k1"}
ADDML = {"a": "http://www.arkivverket.no/standarder/addml"}


def extract_case(story: Story, receipts: dict[str, Receipt] | None = None) -> ExtractCase:
    view, events = view_of(story), story.events()
    documents = [render_step(step, view, events, fold=fold) for step in archivable_steps(view, events, NOW)]
    return ExtractCase(view, events, documents, receipts or {})


def extract(ledger, out: Path) -> Manifest:
    cases = [extract_case(closed_case(ledger)[0]), extract_case(closed_case(ledger, agreed=False)[0])]
    return write_extract(cases, out, schema_dir(), settings=SETTINGS, period=PERIOD, checkpoint=CHECKPOINT)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def local(tree: etree._ElementTree, name: str) -> list[etree._Element]:
    return tree.xpath(f"//*[local-name()='{name}']")


def test_the_package_has_the_files_the_standard_names(ledger, tmp_path):
    """6.4.15: under `avleveringspakke`, the three XML files, their schemas beside them and the documents
    under DOKUMENT."""
    manifest = extract(ledger, tmp_path)
    package = tmp_path / "avleveringspakke"
    assert manifest.directory == package
    names = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
    assert {
        "arkivuttrekk.xml",
        "arkivstruktur.xml",
        "endringslogg.xml",
        "addml.xsd",
        "arkivstruktur.xsd",
        "metadatakatalog.xsd",
        "endringslogg.xsd",
    } <= names
    documents = sorted(n for n in names if n.startswith("DOKUMENT/"))
    assert len(documents) == 10 and all(n.endswith(".pdf") for n in documents)
    assert set(manifest.files) == names
    assert all(manifest.files[n] == sha256(package / n) for n in names)


def test_the_schemas_are_copied_unchanged(ledger, tmp_path):
    """Varianter av skjemaene skal ikke benyttes (6.4.18)."""
    extract(ledger, tmp_path)
    for name in ("addml.xsd", "arkivstruktur.xsd", "metadatakatalog.xsd", "endringslogg.xsd"):
        assert sha256(tmp_path / "avleveringspakke" / name) == sha256(schema_dir() / "noark5-v5" / name)


def test_every_xml_file_is_valid_against_its_schema(ledger, tmp_path):
    extract(ledger, tmp_path)
    package = tmp_path / "avleveringspakke"
    validate(package / "arkivstruktur.xml", "noark5-v5/arkivstruktur.xsd")
    validate(package / "endringslogg.xml", "noark5-v5/endringslogg.xsd")
    validate(package / "arkivuttrekk.xml", "noark5-v5/addml.xsd")


def test_every_checksum_and_count_in_arkivuttrekk_xml_holds(ledger, tmp_path):
    """Recomputed here from the files: checksums of the XML files and schemas, folders, records, changes and
    document files."""
    extract(ledger, tmp_path)
    package = tmp_path / "avleveringspakke"
    addml = etree.parse(str(package / "arkivuttrekk.xml"))
    checked = set()
    for file in addml.xpath("//a:property[@name='file']", namespaces=ADDML):
        name = file.xpath("string(a:properties/a:property[@name='name']/a:value)", namespaces=ADDML)
        stated = file.xpath(
            "string(.//a:property[@name='checksum']//a:property[@name='value']/a:value)", namespaces=ADDML
        )
        if stated:
            assert stated == sha256(package / name), name
            checked.add(name)
    assert checked == {
        "arkivstruktur.xml",
        "arkivstruktur.xsd",
        "metadatakatalog.xsd",
        "endringslogg.xml",
        "endringslogg.xsd",
    }  # every XML file and schema but arkivuttrekk.xml and addml.xsd themselves (6.4.22)
    structure = etree.parse(str(package / "arkivstruktur.xml"))
    log = etree.parse(str(package / "endringslogg.xml"))

    def stated_count(data_object: str, element: str) -> int:
        path = (
            f"//a:dataObject[@name='{data_object}']//a:property[@name='numberOfOccurrences'][a:value='{element}']"
            "/a:properties/a:property[@name='value']/a:value"
        )
        return int(addml.xpath(f"string({path})", namespaces=ADDML))

    assert stated_count("arkivstruktur", "mappe") == len(local(structure, "mappe")) == 2
    assert stated_count("arkivstruktur", "registrering") == len(local(structure, "registrering")) == 10
    assert stated_count("endringslogg", "endring") == len(local(log, "endring"))
    files = int(addml.xpath("string(//a:property[@name='antallDokumentfiler']/a:value)", namespaces=ADDML))
    assert files == len(list((package / "DOKUMENT").rglob("*.pdf"))) == 10


def test_every_document_object_names_its_file_checksum_and_size(ledger, tmp_path):
    extract(ledger, tmp_path)
    package = tmp_path / "avleveringspakke"
    structure = etree.parse(str(package / "arkivstruktur.xml"))
    referenced = set()
    for obj in local(structure, "dokumentobjekt"):
        values = {child.tag.split("}")[1]: child.text for child in obj}
        path = package / values["referanseDokumentfil"]
        assert values["sjekksum"] == sha256(path)
        assert values["sjekksumAlgoritme"] == "SHA256"
        assert int(values["filstoerrelse"]) == path.stat().st_size
        assert values["format"] == "fmt/478"
        referenced.add(values["referanseDokumentfil"])
    assert referenced == {p.relative_to(package).as_posix() for p in (package / "DOKUMENT").rglob("*.pdf")}


def test_the_offline_check_passes_and_finds_a_changed_document(ledger, tmp_path):
    """One byte of one document changed: the check names the document; nothing else is wrong."""
    manifest = extract(ledger, tmp_path)
    assert check_extract(manifest.directory) == []
    changed = sorted((manifest.directory / "DOKUMENT").rglob("*.pdf"))[0]
    content = bytearray(changed.read_bytes())
    content[-10] ^= 0x01
    changed.write_bytes(bytes(content))
    name = changed.relative_to(manifest.directory).as_posix()
    assert check_extract(manifest.directory) == [f"{name}: sjekksummen stemmer ikke"]


def test_the_offline_check_finds_a_changed_xml_file_and_an_extra_document(ledger, tmp_path):
    manifest = extract(ledger, tmp_path)
    log = manifest.directory / "endringslogg.xml"
    log.write_bytes(log.read_bytes().replace(b"versjon 2", b"versjon 9", 1))
    (manifest.directory / "DOKUMENT" / "ukjent.pdf").write_bytes(b"%PDF-1.7")
    assert check_extract(manifest.directory) == [
        "endringslogg.xml: sjekksummen stemmer ikke",
        "DOKUMENT/ukjent.pdf står ikke i arkivstruktur.xml",
        "antall dokumentfiler er 11, ikke 10",
    ]


def test_the_extract_names_its_checkpoint_and_the_archives_numbers(ledger, tmp_path):
    """A receipt's case and record numbers are used; the ledger's checkpoint is in the archive's description."""
    story, _ = closed_case(ledger)
    case = extract_case(story)
    step = case.documents[0].step.id
    numbers = Receipt(None, True, 2026, 77, None, 2026, 501, 1)
    write_extract(
        [ExtractCase(case.view, case.events, case.documents, {step: numbers})],
        tmp_path,
        schema_dir(),
        settings=SETTINGS,
        period=PERIOD,
        checkpoint=CHECKPOINT,
    )
    structure = etree.parse(str(tmp_path / "avleveringspakke" / "arkivstruktur.xml"))
    assert "treets størrelse 42" in local(structure, "beskrivelse")[0].text
    assert local(structure, "mappeID")[0].text == "2026/77"
    first = local(structure, "registrering")[0]
    numbers_written = [first.xpath(f"string(*[local-name()='{n}'])") for n in ("journalaar", "journalsekvensnummer")]
    assert numbers_written == ["2026", "501"]


def test_changes_log_status_coordinator_and_every_other_event(ledger, tmp_path):
    """The ledger's history is the folder's change log: saksstatus, saksansvarlig, and each event."""
    story, _ = closed_case(ledger)
    case = extract_case(story)
    write_extract([case], tmp_path, schema_dir(), settings=SETTINGS, period=PERIOD)
    log = etree.parse(str(tmp_path / "avleveringspakke" / "endringslogg.xml"))
    changes = [
        tuple(c.xpath(f"string(*[local-name()='{n}'])") for n in ("referanseMetadata", "tidligereVerdi", "nyVerdi"))
        for c in local(log, "endring")
    ]
    assert len(changes) == len(story.events())
    assert changes[0] == ("saksstatus", "ingen", "Under behandling")
    assert ("saksansvarlig", "ingen", "Kåre Koordinator") in changes
    assert changes[-1] == ("saksstatus", "Under behandling", "Avsluttet")
    assert ("hendelse", "versjon 1", "versjon 2: Vedtak fattet") in changes


def test_the_same_cases_give_the_same_extract(ledger, tmp_path):
    story, _ = closed_case(ledger)
    first = write_extract([extract_case(story)], tmp_path / "1", schema_dir(), settings=SETTINGS, period=PERIOD)
    again = write_extract([extract_case(story)], tmp_path / "2", schema_dir(), settings=SETTINGS, period=PERIOD)
    assert first.files == again.files


def test_an_open_case_is_not_extracted(ledger, tmp_path):
    s = Story(ledger.app, municipality=SELBU)
    s.running("2026-01-20")
    with pytest.raises(ValueError, match="not closed"):
        write_extract([extract_case(s)], tmp_path, schema_dir(), settings=SETTINGS, period=PERIOD)
