"""`ledger verify-bundle FILE`: exit 0 intact, 1 naming the first failed check, 2 for a file that is not a
bundle; one line each, never a traceback, and no database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from app.bootstrap import build
from app.cli import app
from app.logging import reset_logging
from audit.report.exports import reproduce
from commands.plan_commands import ExportPlan
from tests.support.cases import ke, running_case
from tests.support.clock import FakeClock
from tests.support.stores import settings_for

runner = CliRunner()
NO_DATABASE = "postgresql://nobody@127.0.0.1:1/none"  # any use of a database would fail loudly


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, str]:
    """A bundle exported from a ledger that is closed again, and that ledger's public key."""
    folder = tmp_path_factory.mktemp("source")
    ledger = build(settings_for(f"sqlite:///{folder}/ledger.db", folder / "secrets"), clock=FakeClock())
    try:
        fx = running_case(ledger)
        result = ledger.app.handle(ExportPlan(actor=ke(), case_id=fx.case_id, format="json"))
        events = ledger.app.case_events(fx.case_id)
        document, _ = reproduce(ledger.app.exporters, "3447", events, result.created["export_id"])
        return document, ledger.integrity.signer.public_key_hex
    finally:
        ledger.close()
        reset_logging()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEDGER_DATABASE_URL", NO_DATABASE)
    yield
    reset_logging()


def verify(path: Path, *options: str) -> Result:
    return runner.invoke(app, ["verify-bundle", str(path), *options])


def written(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "bundle.json"
    path.write_bytes(data)
    return path


def one_line(result: Result, stream: str) -> str:
    assert "Traceback" not in result.output
    lines = getattr(result, stream).splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def test_an_intact_bundle_exits_0_with_a_summary(made, tmp_path):
    """Checked offline (the configured database cannot be reached), with and without the key pinned."""
    document, public_key = made
    plain = verify(written(tmp_path, document))
    pinned = verify(written(tmp_path, document), "--public-key", public_key)

    assert plain.exit_code == 0 and pinned.exit_code == 0, plain.output + pinned.output
    assert one_line(plain, "stdout").startswith("intact: case ")
    assert "4 events" in one_line(pinned, "stdout")
    assert not (tmp_path / "ledger.db").exists()


def test_a_tampered_bundle_exits_1_naming_the_event_and_the_check(made, tmp_path):
    """One changed hash: 'NOT intact: event 3: chain: …'."""
    bundle = orjson.loads(made[0])
    bundle["events"][2]["hash"] = "0" * 64
    result = verify(written(tmp_path, orjson.dumps(bundle)))

    assert result.exit_code == 1
    assert one_line(result, "stdout").startswith("NOT intact: event 3: chain: ")


def test_another_pinned_key_exits_1(made, tmp_path):
    """The bundle verifies with its own key, but not as the pinned ledger's."""
    result = verify(written(tmp_path, made[0]), "--public-key", "ab" * 32)

    assert result.exit_code == 1
    assert one_line(result, "stdout").startswith("NOT intact: public_key: ")


@pytest.mark.parametrize(
    "content, says",
    [
        (b"\x00\xff not json", "is not a readable case bundle: not JSON"),
        (b'{"format": "coordination-ledger-bundle-v1"}', "is not a readable case bundle: case_id: expected a str"),
        (None, "cannot use"),
    ],
)
def test_an_unreadable_or_malformed_file_exits_2_with_one_line(tmp_path, content, says):
    """Not JSON, a field missing, no such file: 'ledger: error: …' on stderr, exit 2."""
    path = tmp_path / "missing.json" if content is None else written(tmp_path, content)
    result = verify(path)

    assert result.exit_code == 2
    line = one_line(result, "stderr")
    assert line.startswith("ledger: error: ") and says in line, line
    assert result.stdout == ""


def test_a_public_key_that_is_not_hex_exits_2(made, tmp_path):
    """A usage error, like any other: one line, exit 2."""
    result = verify(written(tmp_path, made[0]), "--public-key", "not-a-key")

    assert result.exit_code == 2
    assert "--public-key must be 64 hex digits" in one_line(result, "stderr")
