"""The archivable steps of a case and the Fiks Arkiv messages that file them:
one `arkivmelding.opprett` per step, valid against the KS schema, naming the
case folder by the ledger's key and the document by its checksum; and the
archive's receipt read back into the archive's ids."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from lxml import etree

from archive import (
    ArchiveRejected,
    ArchiveSettings,
    StepKind,
    archivable_steps,
    build_arkivmelding,
    parse_receipt,
    render_step,
)
from archive.arkivmelding import SCHEMA
from archive.receipt import NAMESPACE as RECEIPT_NS
from archive.receipt import SCHEMA as RECEIPT_SCHEMA
from archive.receipt import InvalidReceipt
from archive.steps import half_year_ends
from projections.case_view import fold
from tests.support.archive import closed_case, schema_dir, validate, view_of
from tests.support.story import SELBU, Story

FEIL = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1"
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
SETTINGS = ArchiveSettings(
    municipality=SELBU, classification_system="K-kode", class_id="G12", class_title="Koordinering og individuell plan"
)
CHECKPOINT = {"tree_size": 42, "root": "ab" * 32, "signature": "cd" * 64, "key_id": "k1"}
NS = {"a": "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1", "m": "*"}


def messages_of(story: Story) -> list[tuple[object, bytes]]:
    view, events = view_of(story), story.events()
    documents = [render_step(step, view, events, fold=fold) for step in archivable_steps(view, events, NOW)]
    return [(d, build_arkivmelding(view, d, SETTINGS, checkpoint=CHECKPOINT)) for d in documents]


def text(tree: etree._Element, path: str) -> str:
    return "".join(tree.xpath(f"string({path})", namespaces=NS))


def test_a_closed_case_has_a_record_for_each_archivable_step(ledger):
    """The decision, the minutes, the plan at the end of June and at closing, the closing letter."""
    story, meeting = closed_case(ledger)
    steps = archivable_steps(view_of(story), story.events(), NOW)
    assert [(s.kind, s.key) for s in steps] == [
        (StepKind.DECISION, view_of(story)["decisions"][0]["decision_id"]),
        (StepKind.MINUTES, str(meeting)),
        (StepKind.PLAN_SNAPSHOT, "2026-06-30"),
        (StepKind.CLOSING_LETTER, "avslutning"),
        (StepKind.PLAN_SNAPSHOT, "avslutning"),
    ]
    assert len({s.id for s in steps}) == len(steps)


def test_minutes_wait_for_distribution_while_the_case_is_open(ledger):
    """Held but not distributed: not yet archivable; a plan snapshot only once a half-year has ended."""
    s = Story(ledger.app, municipality=SELBU)
    s.running("2026-01-20")
    s.plan("2026-01-21")
    s.meeting("2026-02-10", agenda="2026-02-01")  # no minutes sent
    steps = archivable_steps(view_of(s), s.events(), datetime(2026, 6, 1, tzinfo=UTC))
    assert steps == []
    later = archivable_steps(view_of(s), s.events(), NOW)
    assert [(x.kind, x.key) for x in later] == [(StepKind.PLAN_SNAPSHOT, "2026-06-30")]


def test_half_years_end_at_midnight_norwegian_time():
    ends = half_year_ends(datetime(2025, 3, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))
    assert [e.isoformat() for e in ends] == [
        "2025-06-30T22:00:00+00:00",  # midnight after 30 June, summer time
        "2025-12-31T23:00:00+00:00",  # midnight after 31 December, winter time
        "2026-06-30T22:00:00+00:00",
    ]


def test_every_message_is_valid_against_the_fiks_arkiv_schema(ledger):
    story, _ = closed_case(ledger)
    for _, message in messages_of(story):
        validate(message, SCHEMA)


def test_a_message_names_its_document_by_checksum_size_and_file(ledger):
    """What the archive stores can be checked against what the ledger rendered."""
    story, _ = closed_case(ledger)
    for document, message in messages_of(story):
        tree = etree.fromstring(message)
        assert text(tree, "//a:dokumentobjekt/a:sjekksum") == hashlib.sha256(document.content).hexdigest()
        assert text(tree, "//a:dokumentobjekt/a:filstoerrelse") == str(len(document.content))
        assert text(tree, "//a:dokumentobjekt/a:referanseDokumentfil") == document.file_name
        assert text(tree, "//a:antallFiler") == "1"
        assert document.file_name.isascii() and " " not in document.file_name


def test_every_message_files_into_the_same_case_folder_by_the_ledgers_key(ledger):
    """The archive creates the folder once and finds it again: any order, and sending again, is safe."""
    story, _ = closed_case(ledger)
    keys = set()
    for document, message in messages_of(story):
        tree = etree.fromstring(message)
        keys.add(text(tree, "//a:mappe/a:referanseEksternNoekkel/*[local-name()='noekkel']"))
        parent = "//a:registrering/a:referanseForelderMappe/*[local-name()='referanseEksternNoekkel']"
        assert text(tree, parent + "/*[local-name()='noekkel']") == str(story.case_id)
        assert text(tree, "//a:registrering/a:referanseEksternNoekkel/*[local-name()='noekkel']") == (
            f"{story.case_id}/{document.step.id}"
        )
    assert keys == {str(story.case_id)}


def test_the_folder_title_holds_no_personal_data(ledger):
    """Titles reach the public journal: the case's short id, never the person's name, birth date or number."""
    story, _ = closed_case(ledger)
    for _, message in messages_of(story):
        tree = etree.fromstring(message)
        titles = " ".join(tree.xpath("//a:tittel/text() | //a:offentligTittel/text()", namespaces=NS))
        assert f"sak {str(story.case_id)[:8]}" in text(tree, "//a:mappe/a:tittel")
        for personal in ("Åse", "Ødegård", story.national_id, "1979"):
            assert personal not in titles


def test_letters_name_the_person_as_screened_recipient_and_notes_do_not(ledger):
    """The decision and the closing letter are outgoing (U) to the person, whose name is screened;
    the plan and the minutes are internal notes (X) from the coordinator's unit."""
    story, _ = closed_case(ledger)
    for document, message in messages_of(story):
        tree = etree.fromstring(message)
        kind = text(tree, "//a:journalposttype/*[local-name()='kode']")
        recipients = tree.xpath(
            "//a:korrespondansepart[a:korrespondanseparttype/*[local-name()='kode']='EM']", namespaces=NS
        )
        if document.step.kind in (StepKind.DECISION, StepKind.CLOSING_LETTER):
            assert kind == "U"
            (recipient,) = recipients
            assert text(recipient, "a:korrespondansepartNavn") == "Åse Ødegård"
            assert text(recipient, "a:erSkjermet") == "true"
        else:
            assert kind == "X" and recipients == []
            assert text(tree, "//a:korrespondansepart/a:korrespondansepartNavn") == "Psykisk helse og rus"
        assert text(tree, "//a:registrering/a:skjerming/a:skjermingshjemmel") == SETTINGS.access_basis
        assert "Kontrollpunkt: treets størrelse 42" in text(tree, "//a:merknad/a:merknadstekst")


def test_the_same_case_gives_the_same_messages(ledger, clock):
    story, _ = closed_case(ledger)
    first = [m for _, m in messages_of(story)]
    clock.advance(days=10)
    assert [m for _, m in messages_of(story)] == first


# ---------------------------------------------------------------- receipt
def receipt(*, folder: str = "", record: str = "") -> bytes:
    """A receipt as a local archive answers one message (the shape of KS's schema)."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>'
        f'<arkivmeldingKvittering xmlns="{RECEIPT_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        + (
            folder
            or '<mappeKvittering xsi:type="saksmappeKvittering">'
            "<systemID>6a7b3d62-8f1c-4b3e-9a51-0d3c2f9e8a10</systemID>"
            "<opprettetEllerEksisterende>Opprettet</opprettetEllerEksisterende>"
            "<saksaar>2026</saksaar><sakssekvensnummer>1234</sakssekvensnummer>"
            "</mappeKvittering>"
        )
        + (
            record
            or '<registreringKvittering xsi:type="journalpostKvittering">'
            "<systemID>0f6d9a4e-2b7c-4e1a-8d3f-5c9b7a2e1d40</systemID>"
            "<dokumentbeskrivelseKvittering><systemID>3e1f2a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b</systemID>"
            "<dokumentnummer>1</dokumentnummer></dokumentbeskrivelseKvittering>"
            "<opprettetEllerEksisterende>Opprettet</opprettetEllerEksisterende>"
            "<journalaar>2026</journalaar><journalsekvensnummer>5678</journalsekvensnummer>"
            "<journalpostnummer>3</journalpostnummer>"
            "</registreringKvittering>"
        )
        + "</arkivmeldingKvittering>"
    ).encode()


def test_a_receipt_gives_the_archives_ids():
    """Where in the archive: the folder's system id and case number, the record's year, sequence and number."""
    validate(receipt(), RECEIPT_SCHEMA)
    got = parse_receipt(receipt(), schema_dir())
    assert got.folder_system_id == "6a7b3d62-8f1c-4b3e-9a51-0d3c2f9e8a10" and got.folder_created is True
    assert (got.case_year, got.case_sequence, got.case_number) == (2026, 1234, "2026/1234")
    assert got.record_system_id == "0f6d9a4e-2b7c-4e1a-8d3f-5c9b7a2e1d40"
    assert (got.record_year, got.record_sequence, got.record_number) == (2026, 5678, 3)
    assert got.document_system_ids == ("3e1f2a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b",)


def test_a_refused_record_raises_with_the_archives_error():
    refused = receipt(
        record=f'<registreringFeilet xmlns:f="{FEIL}"><f:feilId>F-17</f:feilId>'
        "<f:feilmelding>Ukjent klasse</f:feilmelding></registreringFeilet>"
    )
    validate(refused, RECEIPT_SCHEMA)
    with pytest.raises(ArchiveRejected) as caught:
        parse_receipt(refused, schema_dir())
    assert (caught.value.error_id, caught.value.message) == ("F-17", "Ukjent klasse")


def test_a_receipt_that_breaks_the_schema_is_refused():
    broken = receipt(record="<registreringKvittering><journalaar>2026</journalaar></registreringKvittering>")
    with pytest.raises(InvalidReceipt):
        parse_receipt(broken, schema_dir())
    with pytest.raises(InvalidReceipt):
        parse_receipt(b"<not xml")
