"""The archive from the command line: `ledger archive-next` and
`ledger archive-receipt` (the integration's seam without HTTP),
`ledger archive-extract` (a Noark 5 extract, every XML valid against its
schema and every checksum and count recomputed here, also of the demo data
set) and `ledger verify-extract` (offline; fails naming a changed
document, also one whose checksums were forged to match)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import orjson
import pytest
from lxml import etree
from typer.testing import CliRunner, Result

from app.bootstrap import Ledger, build
from app.cli import app
from app.logging import reset_logging
from app.settings import Settings
from archive.arkivmelding import SCHEMA as ARKIVMELDING_SCHEMA
from archive.receipt import Receipt, build_receipt
from demo.dataset import run_demo
from tests.support.archive import assert_valid_extract, closed_case, validate
from tests.support.cases import file_in_archive
from tests.support.clock import FakeClock
from tests.support.stores import BACKENDS, SCHEMA_DIR, database_url
from tests.support.story import SELBU

runner = CliRunner()
PERIOD = ("--from", "2026-01-01", "--to", "2026-12-31")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Secrets are made on first use in this test's folder, shared by the ledger the test builds and the CLI."""
    monkeypatch.chdir(tmp_path)
    for name in ("LEDGER_JWT_SECRET", "LEDGER_MASTER_KEY", "LEDGER_SIGNING_KEY", "LEDGER_ENV", "LEDGER_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    yield
    reset_logging()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request.param, tmp_path, request)


def env(url: str) -> dict[str, str]:
    return {"LEDGER_DATABASE_URL": url, "LEDGER_SCHEMA_DIR": str(SCHEMA_DIR)}


def ledger_cli(url: str, *args: str) -> Result:
    return runner.invoke(app, list(args), env=env(url))


def built(url: str) -> Ledger:
    return build(Settings.from_env(env(url)), clock=FakeClock())


def test_archive_next_writes_each_message_and_archive_receipt_records_the_answer(store_url, tmp_path):
    with_case = built(store_url)
    story, _ = closed_case(with_case)
    with_case.close()
    out = tmp_path / "meldinger"
    result = ledger_cli(store_url, "archive-next", "--municipality", SELBU, "-o", str(out))
    assert result.exit_code == 0, result.output
    folders = sorted(p for p in out.iterdir() if p.is_dir())
    assert len(folders) == 5 and "5 messages in" in result.stdout
    for folder in folders:
        tree = validate(folder / "arkivmelding.xml", ARKIVMELDING_SCHEMA)
        described = orjson.loads((folder / "melding.json").read_bytes())
        (document,) = described["documents"]
        content = (folder / document["file_name"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == document["sha256"] == tree.findtext(".//{*}sjekksum")
        assert described["case_id"] == str(story.case_id) and described["message_id"] == folder.name
    receipt = tmp_path / "kvittering.xml"
    receipt.write_bytes(build_receipt(Receipt(str(uuid4()), True, 2026, 7, str(uuid4()), 2026, 31, 1)))
    first = ledger_cli(store_url, "archive-receipt", folders[0].name, str(receipt))
    again = ledger_cli(store_url, "archive-receipt", folders[0].name, str(receipt))
    assert first.exit_code == 0 and first.stdout.startswith("archived: "), first.output
    assert "recorded before; nothing written" in again.stdout
    receipt.write_bytes(b"<kvittering/>")
    broken = ledger_cli(store_url, "archive-receipt", folders[1].name, str(receipt))
    assert broken.exit_code == 2 and broken.stderr.startswith("ledger: error: kvitteringen følger ikke skjemaet")


def extract_of_two_cases(url: str, tmp_path: Path) -> tuple[Path, str]:
    """Two closed cases of Selbu, one filed in the archive (its numbers come from the receipts); the extract's
    folder and the ledger's public key."""
    with_cases = built(url)
    filed, _ = closed_case(with_cases)
    closed_case(with_cases, agreed=False)
    file_in_archive(with_cases, filed.case_id)
    public_key = with_cases.integrity.signer.public_key_hex
    with_cases.close()
    out = tmp_path / "uttrekk"
    result = ledger_cli(url, "archive-extract", "--municipality", SELBU, *PERIOD, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "2 case folders, 10 records, 10 documents" in result.stdout
    return out, public_key


def test_an_extract_is_valid_every_checksum_and_count_holds_and_it_verifies_offline(store_url, tmp_path):
    out, public_key = extract_of_two_cases(store_url, tmp_path)
    counts = assert_valid_extract(out / "avleveringspakke")
    assert (counts["mappe"], counts["registrering"], counts["dokumentfiler"]) == (2, 10, 10)
    structure = etree.parse(str(out / "avleveringspakke" / "arkivstruktur.xml"))
    assert "2026/1" in [m.text for m in structure.iter("{*}mappeID")]  # the simulated archive's case number
    statement = orjson.loads((out / "kontrollpunkt.json").read_bytes())
    described = structure.findtext("{*}beskrivelse")
    assert (
        f"treets størrelse {statement['checkpoint']['tree_size']}, rot {statement['checkpoint']['root']}" in described
    )
    verified = ledger_cli(store_url, "verify-extract", str(out), "--public-key", public_key)
    assert verified.exit_code == 0 and verified.stdout.startswith("intact: 2 mappe, 10 registrering"), verified.output
    wrong = ledger_cli(store_url, "verify-extract", str(out), "--public-key", "ab" * 32)
    assert wrong.exit_code == 1 and "NOT intact" in wrong.stdout


def test_verify_extract_names_a_changed_document(sqlite_url_for_extract, tmp_path):
    out, _ = sqlite_url_for_extract
    document = sorted((out / "avleveringspakke" / "DOKUMENT").rglob("*.pdf"))[0]
    content = bytearray(document.read_bytes())
    content[-20] ^= 0x01
    document.write_bytes(bytes(content))
    name = document.relative_to(out / "avleveringspakke").as_posix()
    result = runner.invoke(app, ["verify-extract", str(out)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith(f"NOT intact: {name}: sjekksummen stemmer ikke")


def test_verify_extract_finds_a_document_whose_checksums_were_forged_to_match(sqlite_url_for_extract):
    """The package's own checksums made to agree with a changed document: the signed file list still tells."""
    out, _ = sqlite_url_for_extract
    package = out / "avleveringspakke"
    document = sorted((package / "DOKUMENT").rglob("*.pdf"))[0]
    old = hashlib.sha256(document.read_bytes()).hexdigest()
    content = bytearray(document.read_bytes())
    content[-20] ^= 0x01
    document.write_bytes(bytes(content))
    forged = (
        (package / "arkivstruktur.xml").read_bytes().replace(old.encode(), hashlib.sha256(content).hexdigest().encode())
    )
    old_structure = hashlib.sha256((package / "arkivstruktur.xml").read_bytes()).hexdigest()
    (package / "arkivstruktur.xml").write_bytes(forged)
    uttrekk = (package / "arkivuttrekk.xml").read_bytes()
    (package / "arkivuttrekk.xml").write_bytes(
        uttrekk.replace(old_structure.encode(), hashlib.sha256(forged).hexdigest().encode())
    )
    assert_valid_extract(package)  # the package agrees with itself
    result = runner.invoke(app, ["verify-extract", str(out)])
    assert result.exit_code == 1
    assert re.search(
        r"NOT intact: (arkivstruktur\.xml|arkivuttrekk\.xml|DOKUMENT/\S+): filen er ikke den som ble signert",
        result.stdout,
    )


@pytest.fixture
def sqlite_url_for_extract(tmp_path: Path) -> tuple[Path, str]:
    return extract_of_two_cases(f"sqlite:///{tmp_path}/store/ledger.db", tmp_path)


def test_an_extract_with_no_closed_case_in_the_period_is_refused(store_url, tmp_path):
    with_case = built(store_url)
    closed_case(with_case)
    with_case.close()
    result = ledger_cli(
        store_url, "archive-extract", "--municipality", SELBU, "--from", "2025-01-01", "--to", "2025-12-31", "-o", "x"
    )
    assert result.exit_code == 2 and "Ingen avsluttede saker" in result.stderr


def test_the_demo_data_sets_extract_is_valid_and_verifies(tmp_path):
    """CI: `ledger demo` at a small size, then an extract of each municipality with closed cases, each XML
    valid against its schema and every checksum and count recomputed; erased cases are left out."""
    url = f"sqlite:///{tmp_path}/store/ledger.db"
    demo = built(url)
    report = run_demo(demo, cases=12)
    demo.close()
    municipalities = sorted({c.municipality for c in report.cases if c.stage.value == "closed"})
    assert municipalities
    for municipality in municipalities:
        out = tmp_path / f"uttrekk-{municipality}"
        result = ledger_cli(
            url,
            "archive-extract",
            "--municipality",
            municipality,
            "--from",
            "2024-01-01",
            "--to",
            "2026-12-31",
            "-o",
            str(out),
        )
        assert result.exit_code == 0, result.output
        counts = assert_valid_extract(out / "avleveringspakke")
        assert counts["mappe"] >= 1 and counts["registrering"] >= counts["mappe"]
        assert ledger_cli(url, "verify-extract", str(out)).exit_code == 0
