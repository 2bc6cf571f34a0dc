"""The web app's sessions in the ledger's own database (the `SessionStore` the web app declares),
so that every API process on one PostgreSQL (or one SQLite file) sees the
same sessions. Rows hold no token and nothing readable: the key is the
token's SHA-256 and the data is sealed by `web.sessions`.

The table is created on first use, in the same schema as the events; it is
not part of the ledger (no hash chain, no projection) and may be emptied at
any time, which signs everybody out.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresDatastore

TABLE = "web_sessions"


class SqlSessionStore:
    def __init__(self, datastore: Any) -> None:
        self.db = datastore
        self.postgres = isinstance(datastore, PostgresDatastore)
        self.table = f'"{datastore.schema}".{TABLE}' if self.postgres else TABLE
        self._create_table()

    @classmethod
    def for_recorder(cls, recorder: Any) -> SqlSessionStore:
        """Beside the events of this recorder's database."""
        return cls(recorder.datastore)

    def _sql(self, statement: str) -> str:
        statement = statement.replace("{table}", self.table)
        return statement.replace("?", "%s") if self.postgres else statement

    def _create_table(self) -> None:
        blob, real = ("BYTEA", "DOUBLE PRECISION") if self.postgres else ("BLOB", "REAL")
        with self.db.transaction(commit=True) as c:
            if self.postgres:
                # Two processes starting at once would race on the catalogue; the
                # same lock key as the ledger's other schema changes queues them.
                c.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"ledger-ddl:{self.db.schema}",))
            c.execute(
                self._sql(
                    f"CREATE TABLE IF NOT EXISTS {{table}} (key TEXT PRIMARY KEY, created_at {real} NOT NULL, "
                    f"last_seen {real} NOT NULL, data {blob} NOT NULL)"
                )
            )
            c.execute(self._sql(f"CREATE INDEX IF NOT EXISTS {TABLE}_last_seen ON {{table}} (last_seen)"))

    def create(self, key: str, created_at: float, data: bytes) -> None:
        with self.db.transaction(commit=True) as c:
            c.execute(
                self._sql("INSERT INTO {table} (key, created_at, last_seen, data) VALUES (?, ?, ?, ?)"),
                (key, created_at, created_at, data),
            )

    def get(self, key: str) -> tuple[float, float, bytes] | None:
        with self.db.transaction(commit=False) as c:
            c.execute(self._sql("SELECT created_at, last_seen, data FROM {table} WHERE key = ?"), (key,))
            row = c.fetchone()
        if row is None:
            return None
        return float(row["created_at"]), float(row["last_seen"]), bytes(row["data"])

    def save(self, key: str, data: bytes) -> None:
        with self.db.transaction(commit=True) as c:
            c.execute(self._sql("UPDATE {table} SET data = ? WHERE key = ?"), (data, key))

    def touch(self, key: str, last_seen: float) -> None:
        with self.db.transaction(commit=True) as c:
            # Never backwards: two requests of one session may finish out of order.
            c.execute(
                self._sql("UPDATE {table} SET last_seen = ? WHERE key = ? AND last_seen < ?"),
                (last_seen, key, last_seen),
            )

    def delete(self, key: str) -> None:
        with self.db.transaction(commit=True) as c:
            c.execute(self._sql("DELETE FROM {table} WHERE key = ?"), (key,))

    def purge(self, *, idle_before: float, created_before: float) -> None:
        with self.db.transaction(commit=True) as c:
            c.execute(
                self._sql("DELETE FROM {table} WHERE last_seen < ? OR created_at < ?"), (idle_before, created_before)
            )
