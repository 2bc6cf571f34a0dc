"""A consistent copy of the store while the ledger runs (`ledger backup -o FILE`).

* SQLite: the online backup API copies every page of one snapshot (in WAL mode writers go on
  meanwhile); the copy is an SQLite file like the original, restored by putting it in place.
  Row ids (which the hash chain and the Merkle leaves refer to) are copied as they are, as never
  with VACUUM.
* PostgreSQL: `pg_dump --format=custom` of the ledger's schema, in one snapshot (pg_dump's own
  repeatable-read transaction), restored with `pg_restore` into an empty database.

Neither copy holds a key: the master key (which opens every case key in the copy) and the signing
key are backed up apart from it (README: Backup and restore).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from store.config import ConfigError, StoreConfig


@dataclass(frozen=True)
class BackupMade:
    path: Path
    bytes: int
    kind: str  # "sqlite" | "pg_dump"


def backup(store: StoreConfig, target: Path) -> BackupMade:
    target = target.resolve()
    if not target.parent.is_dir():
        raise ConfigError(f"cannot write {target}: no such folder")
    partial = target.with_name(f".{target.name}.partial")
    try:
        kind = _sqlite(store, partial) if store.backend == "sqlite" else _pg_dump(store, partial)
        os.replace(partial, target)  # a backup is whole or absent, never half-written
    finally:
        partial.unlink(missing_ok=True)
    return BackupMade(target, target.stat().st_size, kind)


def _sqlite(store: StoreConfig, partial: Path) -> str:
    if store.sqlite_path is None or not store.sqlite_path.exists():
        raise ConfigError(f"no SQLite database at {store.sqlite_path}")
    source = sqlite3.connect(f"file:{store.sqlite_path}?mode=ro", uri=True)
    destination = sqlite3.connect(partial)
    try:
        # One step (pages=-1): a step-wise copy restarts whenever a writer changes the source.
        source.backup(destination, pages=-1)
        destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        destination.commit()
    finally:
        destination.close()
        source.close()
    return "sqlite"


def _pg_dump(store: StoreConfig, partial: Path) -> str:
    program = shutil.which("pg_dump")
    if program is None:
        raise ConfigError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    env = store.env
    command = [
        program,
        "--format=custom",
        "--no-owner",
        f"--schema={store.schema}",
        f"--file={partial}",
        f"--host={env['POSTGRES_HOST']}",
        f"--port={env['POSTGRES_PORT']}",
        f"--username={env['POSTGRES_USER']}",
        "--no-password",
        env["POSTGRES_DBNAME"],
    ]
    # The password goes to pg_dump through its environment, never its command line (`ps` shows that).
    child_env = {**os.environ, "PGPASSWORD": env.get("POSTGRES_PASSWORD", ""), "PGCONNECT_TIMEOUT": "10"}
    done = subprocess.run(command, env=child_env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise ConfigError(f"pg_dump failed: {detail}")
    return "pg_dump"
