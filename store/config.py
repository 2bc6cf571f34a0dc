"""`LEDGER_DATABASE_URL` → the eventsourcing library's environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigError(ValueError):
    """A setting a person must fix; the message says how."""


@dataclass(frozen=True)
class Timeouts:
    """How long the ledger waits on its database, in seconds (README: Time-outs).

    A service (the API, the projection process) answers people and must not hang: a lost
    database is a 503 within about two seconds. A batch command (verify, rebuild, backup,
    demo, rotation) may legitimately run long statements, so its statements are not limited
    unless configured."""

    connect: float = 2.0  # LEDGER_DB_CONNECT_TIMEOUT: opening a connection (PostgreSQL; at least 2)
    pool: float = 1.0  # LEDGER_DB_POOL_TIMEOUT: waiting for a free connection
    statement: float = 1.0  # LEDGER_DB_STATEMENT_TIMEOUT: one statement (0: no limit)
    lock: float = 1.0  # LEDGER_DB_LOCK_TIMEOUT: waiting for a lock (PostgreSQL; SQLite's busy time-out below)
    busy: float = 5.0  # LEDGER_DB_BUSY_TIMEOUT: SQLite waiting for another writer (whole seconds)

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, service: bool) -> Timeouts:
        base = cls() if service else BATCH
        values = {}
        for name, key in _TIMEOUT_KEYS.items():
            text = env.get(key, "").strip()
            if not text:
                continue
            try:
                value = float(text)
            except ValueError:
                raise ConfigError(f"{key} must be a number of seconds (got {text[:20]!r})") from None
            if not 0 <= value <= 3600 or (value == 0 and name != "statement"):
                raise ConfigError(f"{key} must be between 0 and 3600 seconds (0 only for the statement time-out)")
            values[name] = value
        return replace(base, **values)


# Batch commands: generous waits, no statement limit.
BATCH = Timeouts(connect=5.0, pool=5.0, statement=0.0, lock=30.0, busy=30.0)
_TIMEOUT_KEYS = {
    "connect": "LEDGER_DB_CONNECT_TIMEOUT",
    "pool": "LEDGER_DB_POOL_TIMEOUT",
    "statement": "LEDGER_DB_STATEMENT_TIMEOUT",
    "lock": "LEDGER_DB_LOCK_TIMEOUT",
    "busy": "LEDGER_DB_BUSY_TIMEOUT",
}


@dataclass(frozen=True)
class StoreConfig:
    url: str
    backend: str  # "sqlite" | "postgres"
    env: dict[str, str]
    sqlite_path: Path | None = None
    schema: str | None = None
    timeouts: Timeouts = BATCH

    @property
    def redacted_url(self) -> str:
        """The URL without its password, for operators' error messages (never served over HTTP)."""
        parts = urlsplit(self.url)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
            return parts._replace(netloc=netloc).geturl()
        return self.url


def parse_database_url(url: str, timeouts: Timeouts = BATCH) -> StoreConfig:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        raw = unquote(url[len("sqlite://") :])
        path = raw[1:] if raw.startswith("/") else raw
        if url.startswith("sqlite:////"):
            path = "/" + raw.lstrip("/")
        if not path:
            raise ConfigError("LEDGER_DATABASE_URL: sqlite needs a file, e.g. sqlite:///ledger.db")
        return StoreConfig(
            url=url,
            backend="sqlite",
            sqlite_path=Path(path),
            timeouts=timeouts,
            env={
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": path,
                "SQLITE_LOCK_TIMEOUT": str(max(1, round(timeouts.busy))),
                "APPLICATION_RECORDER_TOPIC": "store.recorders:LedgerSQLiteRecorder",
            },
        )
    if parts.scheme in ("postgresql", "postgres"):
        dbname = parts.path.lstrip("/")
        if not dbname or not parts.hostname:
            raise ConfigError("LEDGER_DATABASE_URL: postgresql://user:pass@host:port/dbname[?schema=name]")
        query = parse_qs(parts.query)
        schema = query.get("schema", ["public"])[0]
        if not schema.replace("_", "").isalnum():
            raise ConfigError("LEDGER_DATABASE_URL: schema must be letters, digits and underscores")
        return StoreConfig(
            url=url,
            backend="postgres",
            schema=schema,
            timeouts=timeouts,
            env={
                "PERSISTENCE_MODULE": "store.postgres:Factory",
                "POSTGRES_DBNAME": dbname,
                "POSTGRES_HOST": parts.hostname,
                "POSTGRES_PORT": str(parts.port or 5432),
                "POSTGRES_USER": unquote(parts.username or "postgres"),
                "POSTGRES_PASSWORD": unquote(parts.password or ""),
                "POSTGRES_SCHEMA": schema,
                "POSTGRES_POOL_SIZE": query.get("pool_size", ["5"])[0],
                "POSTGRES_MAX_OVERFLOW": "10",
                "LEDGER_PG_POOL_TIMEOUT": str(timeouts.pool),
                "LEDGER_PG_CONNECT_TIMEOUT": str(timeouts.connect),
                "LEDGER_PG_STATEMENT_TIMEOUT": str(timeouts.statement),
                "LEDGER_PG_LOCK_TIMEOUT": str(timeouts.lock),
                "APPLICATION_RECORDER_TOPIC": "store.recorders:LedgerPostgresRecorder",
            },
        )
    raise ConfigError("LEDGER_DATABASE_URL must start with sqlite:/// or postgresql://")
