"""Helpers for the archive tests (this module holds no tests): a closed case
told through real commands, the structural PDF/A checks, where the archive
schemas are (read from `../shared/schemas` beside the repository or
`LEDGER_SCHEMA_DIR`; never copied into the repository), and a local archive
that collects the ledger's messages over HTTP and answers receipts."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pikepdf
import pytest
from lxml import etree
from PIL import ImageCms
from pypdf import PdfReader

from archive.arkivmelding import SCHEMA as ARKIVMELDING_SCHEMA
from archive.receipt import SCHEMA as RECEIPT_SCHEMA
from archive.receipt import Receipt, build_receipt, build_refusal
from commands.plan_commands import CloseCase, DistributeMinutes, HoldMeeting, ScheduleMeeting, SendAgenda
from ledger.values import Role
from projections.case_view import fold
from tests.support.story import SELBU, Story, on

REPO = Path(__file__).resolve().parents[2]
CLOSING_REASON = "Målene er nådd, og Åse ønsker ikke mer koordinering."
CLOSING_ASSESSMENT = "Teamet vurderte på siste møte at behovet er dekket; Åse var enig i vurderingen."
DECISION_OF_MEETING = "Kåre lager ny plan for økonomi før jul"


def schema_dir() -> Path:
    """The shared schemas; a test that cannot find them fails (it does not skip)."""
    found = Path(os.environ.get("LEDGER_SCHEMA_DIR") or REPO.parent / "shared" / "schemas")
    if not (found / "noark5-v5" / "arkivstruktur.xsd").is_file():
        pytest.fail(f"the archive schemas are not at {found} (set LEDGER_SCHEMA_DIR)")
    return found


def schema(relative: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema_dir() / relative)))


def validate(document: bytes | Path, relative: str) -> etree._ElementTree:
    """Parse and validate against a shared schema; fail with the schema's own words."""
    tree = etree.parse(str(document)) if isinstance(document, Path) else etree.parse(io.BytesIO(document))
    checker = schema(relative)
    if not checker.validate(tree):
        pytest.fail(f"not valid against {relative}: {checker.error_log}")
    return tree


def closed_case(ledger: Any, *, agreed: bool = True) -> tuple[Story, UUID]:
    """A case from referral to closing in Selbu: a decision, a team, a plan, a held meeting with
    absences, decisions and minutes distributed, one meeting cancelled, then closed."""
    s = Story(ledger.app, municipality=SELBU, opened="2026-01-06", name="Åse Ødegård")
    s.decide("2026-01-12")
    s.running("2026-01-20", services=("NAV", "fastlege", "skole"))
    s.plan("2026-01-21")
    s.goal("2026-01-21", "2026-06-01")
    meeting = s.do(
        ScheduleMeeting, "2026-02-01", hour=8, scheduled_for=on("2026-02-10"), invitees=tuple(s.team.values())
    ).created["meeting_id"]
    s.do(
        SendAgenda,
        "2026-02-02",
        meeting_id=meeting,
        items=("Hvordan går det på skolen?", "Økonomi"),
        agreed_with_subject=True,
    )
    s.do(
        HoldMeeting,
        "2026-02-10",
        meeting_id=meeting,
        attendees=(s.team["nav"], s.team["fastlege"]),
        absences=(s.team["skole"],),
        subject_voice="Åse fortalte først om uka, og at hun trives på skolen.",
        minute_taker="Kåre Koordinator",
        decisions=(DECISION_OF_MEETING, "Neste møte på skolen"),
        next_meeting=date(2026, 5, 12),
        informed_of_right_to_ip=True,
    )
    s.do(DistributeMinutes, "2026-02-12", hour=14, meeting_id=meeting, recipients=tuple(s.team.values()))
    s.do(
        CloseCase,
        "2026-09-01",
        reason=CLOSING_REASON,
        assessment=CLOSING_ASSESSMENT,
        agreed_by_subject=agreed,
        termination_letter_sent=not agreed,
    )
    return s, meeting


def view_of(story: Story) -> dict[str, Any]:
    return fold(story.events())


# ------------------------------------------------------------- PDF/A checks
def text_of(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


def qpdf_check(document: bytes) -> None:
    """`qpdf --check` passes; without qpdf the test fails (scripts/setup installs it)."""
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        pytest.fail("qpdf is required for the PDF/A tests (Debian package qpdf; scripts/setup installs it)")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(document)
        f.flush()
        result = subprocess.run([qpdf, "--check", f.name], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


_EXTERNAL_ACTIONS = {"/URI", "/Launch", "/GoToR", "/GoToE", "/JavaScript", "/ImportData", "/SubmitForm"}


def assert_pdfa(document: bytes, title: str) -> None:
    """The PDF/A-2 properties the archive needs, read from the file's structure."""
    assert document.startswith(b"%PDF-1.7\n")
    with pikepdf.open(io.BytesIO(document)) as pdf:
        assert not pdf.is_encrypted
        assert "/Encrypt" not in pdf.trailer
        root = pdf.Root
        assert str(root.Lang) == "nb"
        # An sRGB output intent with its ICC profile embedded.
        (intent,) = root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1
        icc = intent.DestOutputProfile
        assert int(icc.N) == 3
        profile = icc.read_bytes()
        assert profile[16:20] == b"RGB " and profile[12:16] in (b"mntr", b"prtr")
        assert "sRGB" in ImageCms.ImageCmsProfile(io.BytesIO(profile)).profile.profile_description
        # XMP: the PDF/A identification, the title and the language.
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2"
        assert meta["pdfaid:conformance"] in ("B", "U")
        assert meta["dc:title"] == title
        assert meta["dc:language"] == {"nb"}
        assert "/Filter" not in root.Metadata  # PDF/A: the XMP stays readable without decoding
        # Every font embedded; nothing that reaches outside the file.
        fonts = 0
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                continue
            assert obj.get("/S") not in _EXTERNAL_ACTIONS, obj.get("/S")
            assert "/URI" not in obj and "/EmbeddedFiles" not in obj and "/AA" not in obj
            if obj.get("/Type") == pikepdf.Name.Font and obj.get("/Subtype") != pikepdf.Name.Type0:
                fonts += 1
                descriptor = obj.FontDescriptor
                assert "/FontFile2" in descriptor, obj.get("/BaseFont")
        assert fonts >= 1
    qpdf_check(document)


# ------------------------------------------------------------ a local archive
class LocalArchive:
    """The municipality's archive on the far side of Fiks IO, small enough for a test: it collects the
    ledger's messages over its HTTP API as an integration would (`POST /v1/archive/messages/claims`),
    checks each message against the Fiks Arkiv schema and each document against the checksum, size
    and file name the message states, files them (one case folder per ledger key, numbered per year;
    a record per message) and posts each a receipt valid against the receipt schema. `refuse` names
    steps it refuses once, with error id F-17."""

    def __init__(self, api: Any, *, municipality: str = SELBU, refuse: tuple[str, ...] = ()) -> None:
        self.api = api
        self.municipality = municipality
        self.refuse = set(refuse)
        self.folders: dict[str, tuple[str, int]] = {}  # ledger key (case id) -> (systemID, sakssekvensnummer)
        self.records: list[dict[str, Any]] = []  # every record filed, in order
        self.received: list[dict[str, Any]] = []  # every message collected

    def headers(self) -> dict[str, str]:
        return self.api.auth(Role.ARCHIVE_INTEGRATION, municipality=self.municipality)

    def collect(self, limit: int = 10, **claim: Any) -> list[dict[str, Any]]:
        response = self.api.client.post(
            "/v1/archive/messages/claims", json={"limit": limit, **claim}, headers=self.headers()
        )
        assert response.status_code == 200, response.text
        messages = response.json()["messages"]
        for message in messages:
            self.check(message)
        self.received.extend(messages)
        return messages

    def check(self, message: dict[str, Any]) -> etree._ElementTree:
        """What a receiving archive checks first: the schema, and that every document is the one named."""
        xml = base64.b64decode(message["arkivmelding"])
        assert hashlib.sha256(xml).hexdigest() == message["arkivmelding_sha256"]
        tree = validate(xml, ARKIVMELDING_SCHEMA)
        stated = {
            obj.findtext("{*}referanseDokumentfil"): (
                obj.findtext("{*}sjekksum"),
                int(obj.findtext("{*}filstoerrelse")),
            )
            for obj in tree.iter("{*}dokumentobjekt")
        }
        got = {}
        for document in message["documents"]:
            content = base64.b64decode(document["content"])
            assert hashlib.sha256(content).hexdigest() == document["sha256"]
            got[document["file_name"]] = (document["sha256"], len(content))
        assert got == stated
        return tree

    def answer(self, message: dict[str, Any]) -> Any:
        return self.post_receipt(message, self.receipt_for(message))

    def post_receipt(self, message: dict[str, Any], body: bytes) -> Any:
        return self.api.client.post(
            f"/v1/archive/messages/{message['message_id']}/receipt",
            content=body,
            headers={**self.headers(), "Content-Type": "application/xml"},
        )

    def receipt_for(self, message: dict[str, Any]) -> bytes:
        """The receipt this archive gives the message (it files the message as it answers)."""
        tree = etree.fromstring(base64.b64decode(message["arkivmelding"]))
        key = tree.findtext("{*}mappe/{*}referanseEksternNoekkel/{*}noekkel")
        if message["step"] in self.refuse:
            self.refuse.discard(message["step"])
            body = build_refusal("F-17", "Ukjent klasse for saksmappen; kontakt arkivet.")
        else:
            created = key not in self.folders
            if created:
                self.folders[key] = (str(uuid4()), 100 + len(self.folders))
            folder_id, sequence = self.folders[key]
            in_folder = 1 + sum(r["key"] == key for r in self.records)
            record = {"key": key, "step": message["step"], "system_id": str(uuid4()), "number": in_folder}
            self.records.append(record)
            body = build_receipt(
                Receipt(
                    folder_id,
                    created,
                    2026,
                    sequence,
                    record["system_id"],
                    2026,
                    500 + len(self.records),
                    in_folder,
                    (str(uuid4()),),
                )
            )
        validate(body, RECEIPT_SCHEMA)
        return body

    def run(self) -> int:
        """Collect and answer until nothing is left to collect now; returns how many were answered."""
        answered = 0
        while messages := self.collect():
            for message in messages:
                response = self.answer(message)
                assert response.status_code == 201, response.text
                answered += 1
        return answered


# ------------------------------------------------------------ an extract, recomputed
ADDML_NS = {"a": "http://www.arkivverket.no/standarder/addml"}


def _local(tree: etree._ElementTree, name: str) -> list[etree._Element]:
    return list(tree.xpath(f"//*[local-name()='{name}']"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_valid_extract(package: Path) -> dict[str, int]:
    """Every XML file of the package valid against its Noark 5 schema, and every checksum and count that
    arkivuttrekk.xml and arkivstruktur.xml state recomputed here from the files; returns the counts."""
    structure = validate(package / "arkivstruktur.xml", "noark5-v5/arkivstruktur.xsd")
    log = validate(package / "endringslogg.xml", "noark5-v5/endringslogg.xsd")
    addml = validate(package / "arkivuttrekk.xml", "noark5-v5/addml.xsd")
    checked = set()
    for file in addml.xpath("//a:property[@name='file']", namespaces=ADDML_NS):
        name = file.xpath("string(a:properties/a:property[@name='name']/a:value)", namespaces=ADDML_NS)
        stated = file.xpath(
            "string(.//a:property[@name='checksum']//a:property[@name='value']/a:value)", namespaces=ADDML_NS
        )
        if stated:
            assert stated == _sha256(package / name), name
            checked.add(name)
    assert {"arkivstruktur.xml", "endringslogg.xml", "arkivstruktur.xsd", "endringslogg.xsd"} <= checked

    def stated_count(data_object: str, element: str) -> int:
        path = (
            f"//a:dataObject[@name='{data_object}']//a:property[@name='numberOfOccurrences'][a:value='{element}']"
            "/a:properties/a:property[@name='value']/a:value"
        )
        return int(addml.xpath(f"string({path})", namespaces=ADDML_NS))

    counts = {
        "mappe": len(_local(structure, "mappe")),
        "registrering": len(_local(structure, "registrering")),
        "endring": len(_local(log, "endring")),
    }
    for name, element in (("arkivstruktur", "mappe"), ("arkivstruktur", "registrering"), ("endringslogg", "endring")):
        assert stated_count(name, element) == counts[element], element
    documents = sorted(p for p in (package / "DOKUMENT").rglob("*") if p.is_file())
    stated_files = addml.xpath("string(//a:property[@name='antallDokumentfiler']/a:value)", namespaces=ADDML_NS)
    assert int(stated_files) == len(documents) == counts["registrering"]
    referenced = set()
    for obj in _local(structure, "dokumentobjekt"):
        values = {child.tag.split("}")[1]: child.text for child in obj}
        path = package / values["referanseDokumentfil"]
        assert values["sjekksum"] == _sha256(path) and int(values["filstoerrelse"]) == path.stat().st_size
        assert path.read_bytes().startswith(b"%PDF-1.7")
        referenced.add(path)
    assert referenced == set(documents)
    return {**counts, "dokumentfiler": len(documents)}
