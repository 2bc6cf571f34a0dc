"""The compliance report for Statsforvalteren: its sections, its checks, late
recording, the integrity proof, erasure, and the three renderings (JSON,
HTML, PDF) and `ledger report`. Cases are told through real commands on
both stores; the HTTP route is in tests/test_report_api.py."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from app.bootstrap import build
from app.cli import CLI_READER
from app.cli import app as cli
from app.logging import reset_logging
from app.settings import Settings
from audit.compliance import evaluate
from audit.report import render
from audit.report.model import HEADINGS
from audit.report.proof import case_proof
from commands.case_commands import GrantConsent, SignConsent
from commands.plan_commands import ReceiveComplaint, SetGoal
from ledger.profiles import PROFILES
from ledger.values import ConsentGiverRole, InfoCategory, LifeArea, Provision, Signer
from tests.support.cases import ke, running_case
from tests.support.privacy import GOAL, NAME, close_export_and_erase, documented_case
from tests.support.story import BREACH, FATHER, MOTHER, NOT_APPLICABLE, PENDING, Story, on

HOSTILE = "<script>alert('æøå')</script> Jeg vil lære å sykle på Ørland"


def report_of(ledger: Any, case_id: UUID) -> dict[str, Any]:
    """The report as KE reads it (the read is logged, as over HTTP)."""
    return ledger.reads.cases.report(ke(), case_id)


def pdf_text(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


def known_story(ledger: Any) -> Story:
    """Søndre Land (14 days to name a coordinator): asked on 15 January, named on 30 January (a day late);
    a complaint received two days before the report is made (21 days to forward it)."""
    s = Story(ledger.app, opened="2026-01-06")
    s.decide("2026-01-08")
    s.request("2026-01-15")
    s.running("2026-01-30")
    s.plan("2026-02-01")
    goal = s.goal("2026-02-01", "2026-06-01")
    s.evaluate_goal("2026-05-20", goal)
    s.meeting("2026-02-10", agenda="2026-02-01", minutes="2026-02-12")
    s.do(
        ReceiveComplaint,
        "2026-11-20",
        concerns=(Provision.COORDINATOR,),
        text="Fikk koordinator for sent",
        received_at=on("2026-11-20"),
    )
    return s


def hostile_case(ledger: Any) -> Story:
    """A running case whose goal text is markup with æøå in it."""
    s = Story(ledger.app)
    s.running()
    s.plan("2026-02-01")
    s.do(
        SetGoal,
        "2026-02-01",
        text=HOSTILE,
        life_area=LifeArea.HEALTH,
        responsible_service="NAV",
        evaluate_by=on("2026-06-01").date(),
    )
    return s


# --------------------------------------------------------------- the model
def test_the_report_has_every_section_in_reading_order(ledger):
    """case, checks … integrity, timeline: each key of HEADINGS, with a Norwegian heading."""
    report = report_of(ledger, known_story(ledger).case_id)
    assert list(report["headings"]) == list(HEADINGS)
    assert set(HEADINGS) <= report.keys()
    assert report["title"] == "Samsvarsrapport til Statsforvalteren"
    case = report["case"]
    assert (case["municipality_name"], case["profile"], case["status_text"]) == ("Søndre Land", "sondre-land", "Åpen")
    assert case["subject"] == {"name": "Åse Testesen", "birth_date": "1979-04-02", "expected_child": False}


def test_the_checks_are_those_of_the_compliance_evaluation_with_norwegian_words(ledger, clock):
    """CHK-01 a breach (deadline 29 January), CHK-04 not applicable in Søndre Land, CHK-20 pending; all twenty
    exactly as `evaluate` judges them at the ledger's clock."""
    s = known_story(ledger)
    report = report_of(ledger, s.case_id)
    checks = {c["rule"]: c for c in report["checks"]["items"]}
    assert list(checks) == [f"CHK-{n:02d}" for n in range(1, 21)]
    assert (checks["CHK-01"]["status"], checks["CHK-01"]["status_text"], checks["CHK-01"]["deadline"]) == (
        BREACH.value,
        "Brudd",
        "2026-01-29",
    )
    assert checks["CHK-04"]["status"] == NOT_APPLICABLE.value
    assert (checks["CHK-20"]["status"], checks["CHK-20"]["status_text"]) == (PENDING.value, "Venter")
    expected = evaluate(s.events(), PROFILES["sondre-land"], clock())
    assert [(c["status"], c["detail"], c["evidence"]) for c in checks.values()] == [
        (r.status.value, r.detail, list(r.evidence)) for r in expected
    ]
    assert sum(report["checks"]["counts"].values()) == 20


def test_decisions_carry_their_legal_basis_and_complaint_deadline(ledger):
    """A decision under hol. gives 4 weeks (pbrl. § 7-5) counted from the day it was made."""
    report = report_of(ledger, known_story(ledger).case_id)
    (decision,) = report["decisions"]
    assert decision["legal_basis"] == "hol. §§ 7-1, 7-2" and decision["outcome_text"] == "Innvilget"
    assert decision["complaint_deadline_weeks_by_law"] == [4]
    assert decision["complaint_deadline"] == "2026-02-05"
    assert decision["version"] == 2


def test_the_plan_sections_follow_the_case(ledger):
    """Coordinator, consent, team, meeting timing, goals and evaluations, complaints, as the events tell them."""
    report = report_of(ledger, known_story(ledger).case_id)
    assert report["coordinators"]["current"]["name"] == "Kåre Koordinator"
    assert [h["event_text"] for h in report["coordinators"]["history"]] == ["Koordinator oppnevnt"]
    assert report["coordinators"]["requests"][0]["unit"] == "Psykisk helse og rus"
    (consent,) = report["consents"]
    assert consent["status_text"] == "i kraft" and consent["participants"] == ["NAV", "fastlege"]
    assert {p["service"] for p in report["team"]["participants"]} == {"NAV", "fastlege"}
    assert report["team"]["name"] == "oppfølgingsteam"
    (meeting,) = report["meetings"]
    assert (meeting["agenda"]["days_before"], meeting["minutes"]["days_after"]) == (9, 2)
    (goal,) = report["goals"]["goals"]
    assert goal["evaluations"][0]["status_text"] == "delvis nådd" and goal["evaluations"][0]["in_time"] is True
    assert report["complaints"][0]["concerns_text"] == "koordinator"


def test_an_event_recorded_more_than_seven_days_after_it_happened_is_flagged(ledger, clock):
    """The clock stands at 22 November: an opening on 10 November is 12 days late, an appointment on the
    20th is in time."""
    s = Story(ledger.app, opened="2026-11-10")
    s.appoint("2026-11-20")
    timeline = report_of(ledger, s.case_id)["timeline"]
    assert timeline["late_versions"] == [1]
    first, second = timeline["events"]
    assert (first["late"], first["days_late"], first["type_text"]) == (True, 12, "Sak opprettet (henvisning mottatt)")
    assert (second["late"], second["occurred_at"], second["recorded_at"]) == (
        False,
        "2026-11-20T10:00:00+00:00",
        clock().isoformat(),
    )


def test_the_access_log_summary_counts_reads_by_role_and_part(ledger):
    """Two case reads by KE and an earlier report before this report: three reads, all by KE. The read that
    hands this report out is logged after it is rendered, with its digest, so it is not in its own summary."""
    fx = running_case(ledger)
    for _ in range(2):
        ledger.reads.cases.case(ke(), fx.case_id)
    ledger.reads.cases.issue_report(ke(), fx.case_id, "html")
    issued = ledger.reads.cases.issue_report(ke(), fx.case_id, "json")
    summary = orjson.loads(issued.document)["access_log"]
    assert summary["reads"] == 3
    assert summary["by_role"] == [
        {"role": "ke_caseworker", "role_text": "saksbehandler i koordinerende enhet", "reads": 3, "readers": 1}
    ]
    assert [(p["part"], p["reads"]) for p in summary["parts"]] == [("case", 2), ("report", 1)]
    entries = ledger.access_log.entries(fx.case_id)
    assert summary["chain_head"] == entries[-2]["hash"]
    assert entries[-1]["issued"] == {"format": "json", "sha256": hashlib.sha256(issued.document).hexdigest()}
    assert ledger.access_log.issued(fx.case_id, issued.sha256)
    assert not ledger.access_log.issued(fx.case_id, "0" * 64)


def test_the_integrity_proof_names_the_chain_head_and_proves_inclusion_in_the_checkpoint(ledger):
    """Sealed after the last event: every event covered, signature and inclusion proof valid."""
    fx = running_case(ledger)
    ledger.integrity.seal()
    proof = report_of(ledger, fx.case_id)["integrity"]
    hashes = ledger.app.recorder.fetch_event_hashes(fx.case_id)
    assert proof["ok"] is True and proof["problems"] == []
    assert proof["chain_head"] == hashes[max(hashes)][1].hex()
    checkpoint = proof["checkpoint"]
    assert checkpoint["signature_ok"] and checkpoint["root_ok"] and checkpoint["events_covered"] == 4
    assert checkpoint["inclusion"]["ok"] and checkpoint["inclusion"]["version"] == 4
    assert "Alle er dekket av kontrollpunktet" in proof["summary"]


def test_without_a_checkpoint_the_proof_says_nothing_is_sealed_yet(ledger):
    fx = running_case(ledger)
    proof = report_of(ledger, fx.case_id)["integrity"]
    assert proof["ok"] is True and proof["checkpoint"] is None
    assert "Ingen signerte kontrollpunkt" in proof["summary"]


def test_an_altered_event_is_named_in_the_proof(ledger):
    """One stored byte of event 2 changed behind the ledger's back: the proof is not ok and names the event."""
    fx = running_case(ledger)  # the only case in this store
    recorder = ledger.app.recorder
    table = recorder.dialect.table(recorder.events_table_name)
    mark = "%s" if recorder.dialect.name == "postgres" else "?"
    with recorder.datastore.transaction(commit=True) as c:
        c.execute(f"SELECT state FROM {table} WHERE originator_version = 2")
        state = bytearray(c.fetchone()["state"])
        state[len(state) // 2] ^= 1
        c.execute(f"UPDATE {table} SET state = {mark} WHERE originator_version = 2", (bytes(state),))
    # Straight to the proof: the altered event no longer decrypts, so the case cannot be read.
    proof = case_proof(ledger.integrity, fx.case_id)
    assert proof["ok"] is False
    assert proof["problems"][0].startswith("Hendelse 2:")
    assert "IKKE bekreftet" in proof["summary"]


# ----------------------------------------------------------------- erasure
def test_after_erasure_the_report_renders_with_erased_fields_marked_and_no_name(ledger):
    """Every format renders; personal fields read "[slettet]"; the person's name and goal are nowhere."""
    documented = documented_case(ledger)
    close_export_and_erase(ledger, documented.case_id)
    report = report_of(ledger, documented.case_id)
    assert report["case"]["erased"] is True
    assert report["case"]["subject"]["name"] == "[slettet]"
    assert report["goals"]["goals"][0]["text"] == "[slettet]"
    assert "[slettet]" in {e["recorded_by"]["name"] for e in report["timeline"]["events"]}
    for fmt in ("json", "html", "pdf"):
        document = render(report, fmt)
        readable = pdf_text(document) if fmt == "pdf" else document.decode()
        assert NAME not in readable and GOAL not in readable and documented.national_id not in readable, fmt
        assert "[slettet]" in readable, fmt


def test_after_erasure_a_consent_both_parents_signed_reads_as_erased(ledger):
    """The second parent's signature came in its own event; after erasure both signers read "[slettet]"."""
    s = Story(ledger.app, birth=date(2018, 5, 1), guardians=(MOTHER, FATHER), requested=(Provision.COORDINATOR,))
    s.appoint("2026-01-20")
    s.join("2026-01-20", "NAV")
    consent = s.do(
        GrantConsent,
        "2026-01-21",
        given_by=Signer(ConsentGiverRole.GUARDIAN, MOTHER.name, MOTHER.national_id),
        participants=tuple(s.team.values()),
        categories=(InfoCategory.HEALTH,),
    ).created["consent_id"]
    s.do(
        SignConsent,
        "2026-01-22",
        consent_id=consent,
        signer=Signer(ConsentGiverRole.GUARDIAN, FATHER.name, FATHER.national_id),
    )
    close_export_and_erase(ledger, s.case_id)
    report = report_of(ledger, s.case_id)
    assert report["consents"][0]["signers"] == ["[slettet]"]
    assert MOTHER.name not in pdf_text(render(report, "pdf"))


# --------------------------------------------------------------- renderers
def test_json_is_the_report_itself(ledger):
    report = report_of(ledger, running_case(ledger).case_id)
    assert orjson.loads(render(report, "json")) == orjson.loads(orjson.dumps(report))


def test_html_is_norwegian_utf8_printable_and_escapes_what_users_typed(ledger):
    """A goal text with markup is shown as text, never run; lang nb, UTF-8, print CSS, æøå intact."""
    s = hostile_case(ledger)
    page = render(report_of(ledger, s.case_id), "html").decode("utf-8")
    assert '<html lang="nb">' in page and '<meta charset="utf-8">' in page and "@media print" in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#39;æøå&#39;)&lt;/script&gt; Jeg vil lære å sykle på Ørland" in page
    assert "Samsvarsrapport til Statsforvalteren" in page and "Søndre Land" in page


def test_pdf_embeds_its_font_so_aeoeaa_come_back_out(ledger):
    """Text extracted from the PDF holds æ, ø, å and the key headings; the font is embedded."""
    s = hostile_case(ledger)
    document = render(report_of(ledger, s.case_id), "pdf")
    assert document.startswith(b"%PDF-") and b"/FontFile2" in document
    text = pdf_text(document)
    for expected in (
        "Samsvarsrapport til Statsforvalteren",
        "Kontroller (CHK-01 til CHK-20)",
        "Tilgangslogg",
        "Bevis for at ingenting er endret",
        "Vedlegg: tidslinje",
        "Søndre Land",
        "Åse Testesen",
        "lære å sykle på Ørland",
    ):
        assert expected in text, expected
    assert {"æ", "ø", "å", "Å", "Ø"} <= set(text)


def test_the_same_report_gives_the_same_pdf(ledger):
    """Dated by the report's evaluation time, not the clock on the wall."""
    report = report_of(ledger, running_case(ledger).case_id)
    first = render(report, "pdf")
    assert render(report, "pdf") == first
    assert b"<xmp:CreateDate>2026-11-22T12:00:00+00:00</xmp:CreateDate>" in first  # PDF/A: the date is in the XMP


# --------------------------------------------------------------------- CLI
@pytest.fixture
def cli_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """An SQLite store whose secrets sit beside it, as `ledger` creates them; nothing from the environment."""
    monkeypatch.chdir(tmp_path)
    for name in ("LEDGER_JWT_SECRET", "LEDGER_MASTER_KEY", "LEDGER_SIGNING_KEY", "LEDGER_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    yield f"sqlite:///{tmp_path}/ledger.db"
    reset_logging()


def test_ledger_report_writes_the_file_and_logs_the_read_as_the_cli(cli_store, tmp_path):
    built = build(Settings.from_env({"LEDGER_DATABASE_URL": cli_store}))
    try:
        case_id = running_case(built).case_id
    finally:
        built.close()
    out = tmp_path / "rapport.pdf"
    result = CliRunner().invoke(
        cli, ["report", str(case_id), "--format", "pdf", "-o", str(out)], env={"LEDGER_DATABASE_URL": cli_store}
    )
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert result.stdout.strip() == f"wrote {out} (pdf, {out.stat().st_size} bytes, sha-256={digest})"
    assert "Samsvarsrapport til Statsforvalteren" in pdf_text(out.read_bytes())
    built = build(Settings.from_env({"LEDGER_DATABASE_URL": cli_store}))
    try:
        entry = built.access_log.entries(case_id)[-1]
    finally:
        built.close()
    assert (entry["who"], entry["role"], entry["parts"], entry["why"], entry["issued"]) == (
        CLI_READER,
        "ke_caseworker",
        ["report"],
        "ledger report",
        {"format": "pdf", "sha256": digest},
    )


@pytest.mark.parametrize(
    ("case_id", "says"),
    [
        ("00000000-0000-0000-0000-000000000000", "no case 00000000-0000-0000-0000-000000000000"),
        ("not-a-case", "is not a case id"),
    ],
)
def test_ledger_report_of_an_unknown_case_is_one_line(cli_store, tmp_path, case_id, says):
    result = CliRunner().invoke(
        cli,
        ["report", case_id, "--format", "json", "-o", str(tmp_path / "r.json")],
        env={"LEDGER_DATABASE_URL": cli_store},
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ledger: error: ") and says in lines[0]
    assert not (tmp_path / "r.json").exists()
