"""The `ledger` command line: tokens, verify, seal, demo, serve and its errors."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import jwt
import orjson
import psycopg
import pytest
from typer.testing import CliRunner, Result

from app.bootstrap import build
from app.cli import app
from app.logging import reset_logging
from app.settings import Settings
from audit.integrity.checkpoint import Checkpoint, verify_checkpoint
from ledger.national_id import synthesize
from projections.case_views import open_view
from store.config import parse_database_url
from tests.support.stores import BACKENDS, database_url

runner = CliRunner()
PID = synthesize(date(1990, 12, 1), 7)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Secrets are created in the working directory (PostgreSQL) or beside the
    SQLite file: both inside this test's folder. No secret comes from the
    environment."""
    monkeypatch.chdir(tmp_path)
    for name in (
        "LEDGER_JWT_SECRET",
        "LEDGER_MASTER_KEY",
        "LEDGER_SIGNING_KEY",
        "LEDGER_ENV",
        "LEDGER_PROFILE",
        "LEDGER_LOG_LEVEL",
        "LEDGER_DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    yield
    reset_logging()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/store/ledger.db"


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request.param, tmp_path, request)


def ledger(url: str, *args: str) -> Result:
    return runner.invoke(app, list(args), env={"LEDGER_DATABASE_URL": url})


def assert_one_error_line(result: Result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ledger: error: "), result.stderr
    assert result.stdout == ""
    return lines[0]


def flip_a_byte_of_event(url: str, version: int = 2) -> str:
    """Change one stored byte of some case's event `version`, behind the
    ledger's back; returns that case's id."""
    config = parse_database_url(url)
    built = build(Settings.from_env({"LEDGER_DATABASE_URL": url}))  # the same secrets as the CLI: cwd or beside
    events_table = built.app.recorder.events_table_name  # type: ignore[attr-defined]
    built.close()
    select = "SELECT originator_id, state FROM {t} WHERE originator_version = {p} ORDER BY originator_id LIMIT 1"
    update = "UPDATE {t} SET state = {p} WHERE originator_id = {p} AND originator_version = {p}"
    if config.backend == "sqlite":
        with sqlite3.connect(config.sqlite_path) as conn:
            case_id, state = conn.execute(select.format(t=events_table, p="?"), (version,)).fetchone()
            conn.execute(update.format(t=events_table, p="?"), (_flipped(state), case_id, version))
        return str(UUID(case_id))
    table = f'"{config.schema}"."{events_table}"'
    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        case_id, state = conn.execute(select.format(t=table, p="%s"), (version,)).fetchone()
        conn.execute(update.format(t=table, p="%s"), (_flipped(state), case_id, version))
    return str(UUID(str(case_id)))


def _flipped(state: bytes) -> bytes:
    changed = bytearray(state)
    changed[len(changed) // 2] ^= 0x01
    return bytes(changed)


# ------------------------------------------------------------------ token
def test_token_is_signed_with_the_secret_created_beside_the_database(sqlite_url, tmp_path):
    """`ledger token` prints only the token; it decodes with the secret file
    and carries every claim the API reads."""
    result = ledger(
        sqlite_url,
        "token",
        "--role",
        "citizen",
        "--sub",
        "idporten-1",
        "--municipality",
        "4647",
        "--name",
        "Gøril Håland",
        "--service",
        "NAV",
        "--pid",
        PID,
        "--ttl-minutes",
        "30",
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert result.stdout == token + "\n"
    secret = (tmp_path / "store" / ".ledger-jwt-secret").read_text().strip()
    claims = jwt.decode(
        token, secret, algorithms=["HS256"], audience="coordination-ledger", issuer="coordination-ledger"
    )
    assert {k: claims[k] for k in ("sub", "name", "role", "municipality", "service", "pid")} == {
        "sub": "idporten-1",
        "name": "Gøril Håland",
        "role": "citizen",
        "municipality": "4647",
        "service": "NAV",
        "pid": PID,
    }
    assert claims["exp"] - claims["iat"] == 30 * 60


def test_token_defaults_to_eight_hours_and_leaves_out_what_was_not_given(sqlite_url, tmp_path):
    result = ledger(sqlite_url, "token", "--role", "ke_caseworker", "--sub", "ke-1", "--municipality", "3447")
    assert result.exit_code == 0, result.output
    secret = (tmp_path / "store" / ".ledger-jwt-secret").read_text().strip()
    claims = jwt.decode(result.stdout.strip(), secret, algorithms=["HS256"], audience="coordination-ledger")
    assert claims["name"] == "ke-1" and "service" not in claims and "pid" not in claims
    assert claims["exp"] - claims["iat"] == 480 * 60


@pytest.mark.parametrize(
    "args, says",
    [
        (["--role", "superuser", "--sub", "x", "--municipality", "3447"], "unknown role 'superuser'"),
        (["--role", "coordinator", "--sub", "x", "--municipality", "344"], "four-digit municipality"),
        (["--role", "coordinator", "--sub", "x", "--municipality", "Oslo"], "four-digit municipality"),
        (["--role", "coordinator", "--sub", "x", "--municipality", "３４４７"], "four-digit municipality"),
        (["--role", "citizen", "--sub", "x", "--municipality", "3447", "--pid", "12345678901"], "INV-11"),
        (["--role", "coordinator", "--municipality", "3447"], "Missing option '--sub'"),
        (["--role", "coordinator", "--sub", "x", "--municipality", "3447", "--ttl-minutes", "0"], "--ttl-minutes"),
    ],
)
def test_a_bad_token_argument_is_one_line_and_exit_status_2(sqlite_url, args, says):
    line = assert_one_error_line(ledger(sqlite_url, "token", *args))
    assert says in line
    assert "12345678901" not in line  # a national id is never echoed


# ---------------------------------------------------------- verify, seal
def test_verify_on_an_empty_store_is_intact(store_url):
    result = ledger(store_url, "verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("intact: 0 events")


def test_verify_after_the_demo_is_intact_and_json_says_so(store_url):
    assert ledger(store_url, "demo", "--cases", "3").exit_code == 0
    result = ledger(store_url, "verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("intact: ")
    report = orjson.loads(ledger(store_url, "verify", "--json").stdout)
    assert report["ok"] is True and report["events"] > 40 and report["cases"] == 3
    # The demo seals what it wrote; its one JSON export (a bundle) sealed the case's events before.
    assert report["checkpoints_verified"] == 2


def test_verify_names_the_event_whose_stored_bytes_were_changed(store_url):
    """One flipped byte: exit status 1 and the first problem names the event."""
    assert ledger(store_url, "demo", "--cases", "3").exit_code == 0
    case_id = flip_a_byte_of_event(store_url, version=2)
    result = ledger(store_url, "verify")
    assert result.exit_code == 1, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("NOT intact") and f"event 2 of case {case_id}" in first
    report = orjson.loads(ledger(store_url, "verify", "--json").stdout)
    assert report["ok"] is False and report["problems"][0]["case_id"] == case_id


def test_seal_prints_a_checkpoint_that_verifies_with_the_printed_public_key(store_url):
    assert ledger(store_url, "demo", "--cases", "3").exit_code == 0
    result = ledger(store_url, "seal")
    assert result.exit_code == 0, result.output
    # Lines read "tree size   42", "public key  ab12…": a label, two or more spaces, a value.
    printed = {
        label.replace(" ", "_"): value
        for label, value in (re.split(r"\s{2,}", line, maxsplit=1) for line in result.stdout.splitlines())
    }
    checkpoint = Checkpoint.from_dict({**printed, "tree_size": int(printed["tree_size"])})
    verify_checkpoint(checkpoint, bytes.fromhex(printed["public_key"]))
    events = orjson.loads(ledger(store_url, "verify", "--json").stdout)["events"]
    assert checkpoint.tree_size == events


def test_seal_json_is_a_checkpoint_an_outside_party_can_check(sqlite_url):
    result = ledger(sqlite_url, "seal", "--json")
    assert result.exit_code == 0, result.output
    data = orjson.loads(result.stdout)
    verify_checkpoint(Checkpoint.from_dict(data), bytes.fromhex(data["public_key"]))
    assert data["tree_size"] == 0


# ------------------------------------------------------------------- demo
def test_demo_refuses_a_store_that_already_has_events_unless_forced(sqlite_url):
    first = ledger(sqlite_url, "demo", "--cases", "3")
    assert first.exit_code == 0, first.output
    assert "Søndre Land" in first.stdout and "events/second" in first.stdout
    line = assert_one_error_line(ledger(sqlite_url, "demo", "--cases", "3"))
    assert "already has" in line and "--force" in line
    forced = ledger(sqlite_url, "demo", "--cases", "3", "--force")
    assert forced.exit_code == 0, forced.output
    assert ledger(sqlite_url, "verify").exit_code == 0


# ----------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "make_url, says",
    [
        (lambda tmp: "mysql://ledger@localhost/ledger", "LEDGER_DATABASE_URL must start with"),
        (lambda tmp: f"sqlite:///{tmp}/a-file/ledger.db", "a-file"),
        (lambda tmp: "postgresql://postgres:Sekret-pw-123@127.0.0.1:1/nowhere", "cannot use the database"),
    ],
    ids=["unknown scheme", "sqlite under a file", "postgres unreachable"],
)
def test_a_bad_database_url_is_one_readable_line(tmp_path, make_url, says):
    (tmp_path / "a-file").write_text("not a folder")
    line = assert_one_error_line(ledger(make_url(tmp_path), "verify"))
    assert says in line
    assert "Sekret-pw-123" not in line


def test_serve_says_when_the_http_api_is_not_built(sqlite_url, monkeypatch):
    monkeypatch.setattr("app.cli._api_available", lambda: False)
    line = assert_one_error_line(ledger(sqlite_url, "serve"), code=1)
    assert "the HTTP API is not built yet" in line


def test_an_unknown_command_is_one_line(sqlite_url):
    line = assert_one_error_line(ledger(sqlite_url, "rebuild-the-world"))
    assert "No such command" in line


def _projected_rows(url: str) -> dict[str, list[dict]]:
    built = build(Settings.from_env({"LEDGER_DATABASE_URL": url}))
    try:
        d = built.app.recorder.dialect
        with built.app.recorder.datastore.transaction(commit=False) as c:
            out = {}
            for table, key in (("register_cases", "case_id"), ("case_views", "case_id")):
                c.execute(d.sql(f"SELECT * FROM {{{table}}} ORDER BY {key}"))
                out[table] = [dict(r) for r in c.fetchall()]
        # Views are sealed with a fresh nonce each time: compare what they hold.
        for row in out["case_views"]:
            row["view"] = open_view(built.app.keyring, UUID(row["case_id"]), bytes(row["view"]))
        return out
    finally:
        built.close()


def test_rebuild_from_zero_reproduces_every_projection_row_and_shows_progress(store_url):
    """`ledger rebuild` empties the projections and replays the log into exactly the same rows."""
    assert ledger(store_url, "demo", "--cases", "6").exit_code == 0
    caught_up = ledger(store_url, "rebuild")
    before = _projected_rows(store_url)
    rebuilt = ledger(store_url, "rebuild", "case_view")
    assert caught_up.exit_code == 0 and rebuilt.exit_code == 0, rebuilt.output
    assert "register" in caught_up.stdout and "case_view" in rebuilt.stdout
    assert before["case_views"] and _projected_rows(store_url) == before


def test_rebuild_of_an_unknown_projection_is_one_line(sqlite_url):
    """A typo in the projection's name names the known ones, exit 2."""
    line = assert_one_error_line(ledger(sqlite_url, "rebuild", "registr"))
    assert "register" in line and "case_view" in line


def test_demo_if_empty_leaves_a_filled_store_alone(sqlite_url):
    """`ledger demo --if-empty` (what scripts/run does) writes nothing to a store that has events."""
    assert ledger(sqlite_url, "demo", "--cases", "4").exit_code == 0
    head = build(Settings.from_env({"LEDGER_DATABASE_URL": sqlite_url}))
    before = head.app.recorder.max_notification_id()
    head.close()
    again = ledger(sqlite_url, "demo", "--if-empty")
    after = build(Settings.from_env({"LEDGER_DATABASE_URL": sqlite_url}))
    assert again.exit_code == 0 and after.app.recorder.max_notification_id() == before
    after.close()
