"""A backup taken while commands are written restores into a fresh store that `ledger verify`
passes, with the checkpoints sealed before the backup (same roots) and every case readable.
SQLite (online backup API) and PostgreSQL (pg_dump, restored with pg_restore)."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from typer.testing import CliRunner

from app.bootstrap import Ledger, build
from app.cli import app as ledger_cli
from app.logging import reset_logging
from ledger.values import is_erased
from tests.support.cases import running_case
from tests.support.stores import PG_SERVER, settings_for

runner = CliRunner()


def checkpoint_rows(ledger: Ledger) -> list[dict[str, Any]]:
    return [
        {k: row[k] for k in ("tree_size", "root", "time", "signature")}
        for row in ledger.integrity.store.checkpoint_rows()
    ]


def cli(url: str, secrets: Path, *args: str) -> Any:
    env = {
        "LEDGER_DATABASE_URL": url,
        "LEDGER_MASTER_KEY": "11" * 32,
        "LEDGER_SIGNING_KEY": "22" * 32,
        "LEDGER_JWT_SECRET": "test-secret-" + "x" * 40,
    }
    try:
        return runner.invoke(ledger_cli, list(args), env=env)
    finally:
        reset_logging()


def restore(backend: str, copy: Path, tmp_path: Path, db_url: str) -> tuple[str, str | None]:
    """Put the copy in place as a fresh store; returns its URL (and a database to drop)."""
    if backend == "sqlite":
        target = tmp_path / "restored" / "ledger.db"
        target.parent.mkdir()
        shutil.copyfile(copy, target)
        return f"sqlite:///{target}", None
    parts = urlsplit(db_url)
    database = f"restored_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    server = PG_SERVER.rsplit("/", 1)[0]
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={server}/{database}", str(copy)],
        check=True,
        capture_output=True,
    )
    return f"{server}/{database}?{parts.query}", database


def test_a_backup_under_write_load_restores_and_verifies_with_the_same_checkpoint_roots(
    db_url: str, backend: str, tmp_path: Path, clock: Any
) -> None:
    ledger = build(settings_for(db_url, tmp_path / "secrets"), clock=clock)
    dropped = None
    try:
        first = [running_case(ledger, birth=date(1950, 1, 1) + timedelta(days=i)).case_id for i in range(3)]
        ledger.integrity.seal()
        stop, errors, written = threading.Event(), [], []

        def writer(k: int) -> None:
            n = 0
            while not stop.is_set():
                try:
                    written.append(running_case(ledger, birth=date(1960, 1, 1) + timedelta(days=k * 3000 + n)).case_id)
                except BaseException as e:  # every failure is the test's finding
                    errors.append(e)
                    return
                n += 1

        writers = [threading.Thread(target=writer, args=(k,)) for k in range(2)]
        for w in writers:
            w.start()
        try:
            time.sleep(0.3)
            ledger.integrity.seal()  # sealed while writing
            time.sleep(0.2)
            copy = tmp_path / "backup.bin"
            made = cli(db_url, tmp_path, "backup", "-o", str(copy))
            assert made.exit_code == 0, made.output
            assert "the copy holds no key" in made.output
            time.sleep(0.2)
        finally:
            stop.set()
            for w in writers:
                w.join()
        assert errors == [] and written
        ledger.integrity.seal()  # after the backup: not in the copy
        original = checkpoint_rows(ledger)

        url, dropped = restore(backend, copy, tmp_path, db_url)
        verified = cli(url, tmp_path, "verify")
        assert verified.exit_code == 0, verified.output
        assert verified.output.startswith("intact: ")

        restored = build(settings_for(url, tmp_path / "secrets"), clock=clock)
        try:
            rows = checkpoint_rows(restored)
            assert len(rows) >= 2 and rows == original[: len(rows)]  # the same checkpoints, the same roots
            report = restored.integrity.verify()
            assert report.ok and report.checkpoints == len(rows)
            for case_id in first:
                [opened, *_] = restored.app.case_events(case_id)
                assert not is_erased(opened.subject) and opened.subject.name
            assert restored.reads.log_head() < ledger.reads.log_head()  # writes went on after the copy
        finally:
            restored.close()
    finally:
        ledger.close()
        if dropped is not None:
            with psycopg.connect(PG_SERVER, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{dropped}" WITH (FORCE)')
