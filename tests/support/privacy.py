"""Support for the privacy and erasure tests: a case full of distinctive
personal data, and the store as someone holding the disk or a dump would
read it (raw bytes, no key, no mapper), to scan for that data.

SQLite: the database file, its WAL and shared-memory index exactly as they
are on disk, with no checkpoint first (frames not yet copied into the
database file count too, and so do old frames a checkpoint left behind).
PostgreSQL: `pg_dump` of the test's schema (live rows only: dead tuples in
heap pages and WAL segments are out of its reach).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest

from commands.case_commands import HoldStartupConversation
from commands.plan_commands import CloseCase, EraseCase, EstablishPlan, ExportPlan, SetGoal
from ledger.values import LifeArea, PlanTool
from store.keyring import Keyring
from tests.support.cases import coordinator, file_in_archive, ke, running_case

NAME = "Åse Ødegård Testesen"
GOAL = "Åse vil bo i egen leilighet på Hov før sommeren"
STARTUP = "Det viktigste for meg er å få jobbe på Sagaskogen igjen"
INTERPRETER = "tigrinja"
ASSESSMENT = "Åse Ødegård Testesen og teamet er enige om at målene er nådd"
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


@dataclass
class Documented:
    case_id: UUID
    national_id: str
    goal_ids: list[UUID]


def documented_case(ledger: Any, goals: tuple[str, ...] = (GOAL,)) -> Documented:
    """A running case with an individual plan, goals (set with idempotency
    keys, so that table has rows too) and a start-up conversation."""
    fx = running_case(ledger, name=NAME)
    app = ledger.app
    app.handle(EstablishPlan(actor=coordinator(), case_id=fx.case_id, tool=PlanTool.INDIVIDUAL_PLAN))
    goal_ids = [
        app.handle(
            SetGoal(
                actor=coordinator(),
                case_id=fx.case_id,
                text=text,
                life_area=LifeArea.HOUSING,
                responsible_service="Bolig",
                evaluate_by=date(2027, 6, 1),
                idempotency_key=f"goal-{fx.case_id}-{i}",
            )
        ).created["goal_id"]
        for i, text in enumerate(goals)
    ]
    app.handle(
        HoldStartupConversation(
            actor=coordinator(),
            case_id=fx.case_id,
            what_matters=STARTUP,
            interpreter_needed=True,
            interpreter_language=INTERPRETER,
        )
    )
    assert fx.subject_id is not None
    return Documented(fx.case_id, fx.subject_id, [UUID(str(g)) for g in goal_ids])


def close_export_and_erase(ledger: Any, case_id: UUID, *, seal: bool = False) -> None:
    """KE (the coordinating unit, allowed on any case of its municipality)
    closes, exports and erases a case (each with an idempotency key, so that
    table is scanned too), with the projections caught up before and after
    the erasure and, if asked, a seal at both points."""
    app = ledger.app
    app.handle(
        CloseCase(
            actor=ke(),
            case_id=case_id,
            reason="Målene er nådd",
            assessment=ASSESSMENT,
            agreed_by_subject=True,
            idempotency_key=f"close-{case_id}",
        )
    )
    app.handle(
        ExportPlan(
            actor=ke(), case_id=case_id, format="json", filed_in="Websak 2026/1234", idempotency_key=f"export-{case_id}"
        )
    )
    ledger.projections.catch_up()
    if seal:
        ledger.integrity.seal()
    file_in_archive(ledger, case_id)
    app.handle(EraseCase(actor=ke(), case_id=case_id, idempotency_key=f"erase-{case_id}"))
    ledger.projections.catch_up()
    if seal:
        ledger.integrity.seal()


def in_memory_keyring(master_key: bytes = bytes(range(32))) -> tuple[Keyring, dict[UUID, list[tuple[str, bytes]]]]:
    """A keyring over a dict standing in for the case_keys table (the test
    stores the new keys `prepare_write` returns, as the insert would)."""
    rows: dict[UUID, list[tuple[str, bytes]]] = {}
    return Keyring(master_key, lambda ids: {i: list(rows[i]) for i in ids if i in rows}), rows


def raw_store(ledger: Any) -> dict[str, bytes]:
    """Every raw byte of the ledger's store, by where it was read."""
    store = ledger.settings.store
    if store.backend == "sqlite":
        return _sqlite_files(store.sqlite_path)
    return {"pg_dump": _pg_dump(store.env)}


def forms(secret: str | bytes) -> set[bytes]:
    """The shapes a value can take in raw storage: its bytes (UTF-8 for
    text), lower-case hex of them (how a dump prints bytea, the type of the
    events' state column) and, for text, JSON's ASCII escapes."""
    raw = secret.encode() if isinstance(secret, str) else secret
    found = {raw, raw.hex().encode()}
    if isinstance(secret, str):
        found.add(json.dumps(secret)[1:-1].encode())
    return found


def traces(store: dict[str, bytes], secret: str | bytes) -> list[str]:
    """Where `secret` occurs in the raw store, in any of its `forms`."""
    return [
        f"{where}: {form[:40]!r}" for where, blob in store.items() for form in sorted(forms(secret)) if form in blob
    ]


def _sqlite_files(path: Path | None) -> dict[str, bytes]:
    assert path is not None
    files = [path.with_name(path.name + suffix) for suffix in SQLITE_COMPANIONS]
    return {f.name: f.read_bytes() for f in files if f.exists()}


def _pg_dump(env: dict[str, str]) -> bytes:
    args = [
        "-h",
        env["POSTGRES_HOST"],
        "-p",
        env["POSTGRES_PORT"],
        "-U",
        env["POSTGRES_USER"],
        "-d",
        env["POSTGRES_DBNAME"],
        "-n",
        env["POSTGRES_SCHEMA"],
        "--no-owner",
        "--no-privileges",
    ]
    # Passed to the child only: the test process's environment stays as it was.
    child_env = {**os.environ, "PGPASSWORD": env["POSTGRES_PASSWORD"], "PGCONNECT_TIMEOUT": "10"}
    done = subprocess.run([_pg_dump_binary(env), *args], env=child_env, capture_output=True, timeout=120, check=False)
    if done.returncode != 0:
        pytest.fail(f"pg_dump failed: {done.stderr.decode(errors='replace')}")
    return done.stdout


def _pg_dump_binary(env: dict[str, str]) -> str:
    """A pg_dump of the server's major version (an older one refuses to dump
    a newer server), else whichever is on PATH."""
    conninfo = psycopg.conninfo.make_conninfo(
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        dbname=env["POSTGRES_DBNAME"],
    )
    with psycopg.connect(conninfo, connect_timeout=10) as conn:
        major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    matching = Path(f"/usr/lib/postgresql/{major}/bin/pg_dump")
    found = str(matching) if matching.exists() else shutil.which("pg_dump")
    if found is None:
        pytest.fail("pg_dump is required for the raw-store scans on PostgreSQL and is not installed")
    return found
