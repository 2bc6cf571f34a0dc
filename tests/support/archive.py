"""Helpers for the archive tests (this module holds no tests): a closed case
told through real commands, the structural PDF/A checks, and where the
archive schemas are (read from `../shared/schemas` beside the repository or
`LEDGER_SCHEMA_DIR`; never copied into the repository)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pikepdf
import pytest
from lxml import etree
from PIL import ImageCms
from pypdf import PdfReader

from commands.plan_commands import CloseCase, DistributeMinutes, HoldMeeting, ScheduleMeeting, SendAgenda
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
