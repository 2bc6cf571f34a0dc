"""`LEDGER_DATABASE_URL` → the eventsourcing library's environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigError(ValueError):
    """A setting a person must fix; the message says how."""


@dataclass(frozen=True)
class StoreConfig:
    url: str
    backend: str  # "sqlite" | "postgres"
    env: dict[str, str]
    sqlite_path: Path | None = None
    schema: str | None = None

    @property
    def redacted_url(self) -> str:
        """The URL without its password, for logs and /v1/health."""
        parts = urlsplit(self.url)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
            return parts._replace(netloc=netloc).geturl()
        return self.url


def parse_database_url(url: str) -> StoreConfig:
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
            env={
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": path,
                "SQLITE_LOCK_TIMEOUT": "30",
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
            env={
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": dbname,
                "POSTGRES_HOST": parts.hostname,
                "POSTGRES_PORT": str(parts.port or 5432),
                "POSTGRES_USER": unquote(parts.username or "postgres"),
                "POSTGRES_PASSWORD": unquote(parts.password or ""),
                "POSTGRES_SCHEMA": schema,
                "POSTGRES_POOL_SIZE": query.get("pool_size", ["5"])[0],
                "POSTGRES_MAX_OVERFLOW": "10",
                "POSTGRES_LOCK_TIMEOUT": "10",
                "POSTGRES_CONNECT_TIMEOUT": "10",
                "APPLICATION_RECORDER_TOPIC": "store.recorders:LedgerPostgresRecorder",
            },
        )
    raise ConfigError("LEDGER_DATABASE_URL must start with sqlite:/// or postgresql://")
