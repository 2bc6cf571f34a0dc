"""The ledger's own tables beside the library's `stored_events`, and the
writes that must commit in the same transaction as the events.

SQL is written once with `?` placeholders; the PostgreSQL dialect swaps in
`%s` and qualifies table names with the schema.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent

from audit.integrity.chain import GENESIS, event_hash
from store.keyring import NewKey


@dataclass(frozen=True)
class Dialect:
    name: str
    schema: str | None
    blob: str
    serial: str

    def sql(self, statement: str) -> str:
        for table in TABLES:
            statement = statement.replace("{" + table + "}", self.table(table))
        return statement.replace("?", "%s") if self.name == "postgres" else statement

    def table(self, name: str) -> str:
        return f'"{self.schema}".{name}' if self.schema else name

    def index(self, name: str) -> str:
        """An index's name as `DROP INDEX` needs it (PostgreSQL keeps it in the table's schema)."""
        return self.table(name)


SQLITE = Dialect("sqlite", None, "BLOB", "INTEGER PRIMARY KEY AUTOINCREMENT")


def postgres(schema: str) -> Dialect:
    return Dialect("postgres", schema, "BYTEA", "BIGSERIAL PRIMARY KEY")


TABLES = (
    "case_keys",
    "event_hashes",
    "idempotency",
    "subject_index",
    "merkle_leaves",
    "checkpoints",
    "access_log",
    "projection_positions",
    "register_cases",
    "case_views",
    "compliance_cases",
    "compliance_checks",
    "archive_messages",
    "archive_schedule",
    "projection_failures",
    "ledger_keys",
    "signing_keys",
    "duty_cases",
    "duties",
    "consent_expiries",
    "notifications",
    "outbox",
    "outbox_attempts",
    "contacts",
    "webhooks",
)


def rows_changed(c: Any, d: Dialect) -> int:
    """How many rows the last statement on `c` changed (SQLite's cursor does not say)."""
    if d.name == "sqlite":
        c.execute("SELECT changes() AS n")
        return int(c.fetchone()["n"])
    return int(c.rowcount)


@contextmanager
def schema_changes_serialized(d: Dialect, datastore: Any) -> Iterator[None]:
    """Let one process at a time create or alter this schema's tables.

    PostgreSQL refuses concurrent `CREATE OR REPLACE FUNCTION` (and races
    `CREATE ... IF NOT EXISTS` on the catalogue) with "tuple concurrently
    updated", which stopped a second API worker starting beside the first.
    A session advisory lock keyed by the schema queues them instead. SQLite
    serialises writers itself."""
    if d.name != "postgres":
        yield
        return
    with datastore.get_connection() as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (f"ledger-ddl:{d.schema}",))
        conn.commit()
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (f"ledger-ddl:{d.schema}",))
            conn.commit()


def create_statements(d: Dialect) -> list[str]:
    return [
        d.sql(s)
        for s in (
            f"CREATE TABLE IF NOT EXISTS {{case_keys}} (kid TEXT PRIMARY KEY, case_id TEXT NOT NULL, "
            f"wrapped {d.blob} NOT NULL)",
            "CREATE INDEX IF NOT EXISTS case_keys_case ON {case_keys} (case_id)",
            # The ledger's own keys (subject index, fingerprints), wrapped by the master key like case keys.
            f"CREATE TABLE IF NOT EXISTS {{ledger_keys}} (name TEXT PRIMARY KEY, wrapped {d.blob} NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {{event_hashes}} (notification_id BIGINT PRIMARY KEY, "
            f"originator_id TEXT NOT NULL, originator_version BIGINT NOT NULL, hash {d.blob} NOT NULL, "
            "UNIQUE (originator_id, originator_version))",
            "CREATE TABLE IF NOT EXISTS {idempotency} (scope TEXT NOT NULL, key TEXT NOT NULL, "
            "fingerprint TEXT NOT NULL, response TEXT NOT NULL, PRIMARY KEY (scope, key))",
            "CREATE TABLE IF NOT EXISTS {subject_index} (municipality TEXT NOT NULL, subject_ref TEXT NOT NULL, "
            "case_id TEXT NOT NULL, PRIMARY KEY (municipality, subject_ref))",
            f"CREATE TABLE IF NOT EXISTS {{merkle_leaves}} (log_index BIGINT PRIMARY KEY, "
            f"notification_id BIGINT NOT NULL UNIQUE, leaf_hash {d.blob} NOT NULL)",
            # Every key that has signed checkpoints, each introduced by its predecessor (audit/integrity/keys.py).
            "CREATE TABLE IF NOT EXISTS {signing_keys} (seq BIGINT PRIMARY KEY, public_key TEXT NOT NULL UNIQUE, "
            "valid_from TEXT, introduced TEXT)",
            f"CREATE TABLE IF NOT EXISTS {{checkpoints}} (id {d.serial}, tree_size BIGINT NOT NULL, "
            f"root TEXT NOT NULL, time TEXT NOT NULL, key_id TEXT NOT NULL, signature TEXT NOT NULL, "
            "public_key TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {{access_log}} (id {d.serial}, case_id TEXT NOT NULL, seq BIGINT NOT NULL, "
            f"municipality TEXT NOT NULL, entry {d.blob} NOT NULL, prev_hash {d.blob} NOT NULL, "
            f"hash {d.blob} NOT NULL, "
            "UNIQUE (case_id, seq))",
        )
    ]


@dataclass(frozen=True)
class IdempotencyRecord:
    scope: str
    key: str
    fingerprint: str
    response: str


@dataclass(frozen=True)
class SubjectClaim:
    municipality: str
    subject_ref: str
    case_id: UUID


@dataclass
class SideWrites:
    """What a command writes besides its events, in the same transaction."""

    new_keys: Sequence[NewKey] = ()
    destroy_keys_of: UUID | None = None
    idempotency: IdempotencyRecord | None = None
    claim_subject: SubjectClaim | None = None
    release_subject_of: UUID | None = None


def record_in_transaction(
    d: Dialect,
    cursor: Any,
    stored_events: Sequence[StoredEvent],
    notification_ids: Sequence[int] | None,
    side: SideWrites | None,
) -> None:
    """Chain every stored event to its case's previous one, then apply the
    side writes. Runs inside the insert transaction: all or nothing."""
    if notification_ids is None or len(notification_ids) != len(stored_events):
        raise IntegrityError("notification ids missing: cannot chain events")
    _chain(d, cursor, stored_events, notification_ids)
    if side is None:
        return
    for key in side.new_keys:
        cursor.execute(
            d.sql("INSERT INTO {case_keys} (kid, case_id, wrapped) VALUES (?, ?, ?)"),
            (key.kid, str(key.case_id), key.wrapped),
        )
    if side.destroy_keys_of is not None:
        cursor.execute(d.sql("DELETE FROM {case_keys} WHERE case_id = ?"), (str(side.destroy_keys_of),))
    if side.release_subject_of is not None:
        cursor.execute(d.sql("DELETE FROM {subject_index} WHERE case_id = ?"), (str(side.release_subject_of),))
    if side.claim_subject is not None:
        c = side.claim_subject
        cursor.execute(
            d.sql("INSERT INTO {subject_index} (municipality, subject_ref, case_id) VALUES (?, ?, ?)"),
            (c.municipality, c.subject_ref, str(c.case_id)),
        )
    if side.idempotency is not None:
        i = side.idempotency
        cursor.execute(
            d.sql("INSERT INTO {idempotency} (scope, key, fingerprint, response) VALUES (?, ?, ?, ?)"),
            (i.scope, i.key, i.fingerprint, i.response),
        )


def _chain(d: Dialect, cursor: Any, stored_events: Sequence[StoredEvent], notification_ids: Sequence[int]) -> None:
    previous: dict[UUID, bytes] = {}
    rows = []
    for stored, notification_id in zip(stored_events, notification_ids, strict=True):
        case_id = _uuid(stored.originator_id)
        prev = previous.get(case_id)
        if prev is None:
            prev = (
                GENESIS
                if stored.originator_version == 1
                else _stored_hash(d, cursor, case_id, stored.originator_version - 1)
            )
        digest = event_hash(prev, case_id, stored.originator_version, stored.topic, stored.state)
        previous[case_id] = digest
        rows.append((notification_id, str(case_id), stored.originator_version, digest))
    cursor.executemany(
        d.sql(
            "INSERT INTO {event_hashes} (notification_id, originator_id, originator_version, hash) VALUES (?, ?, ?, ?)"
        ),
        rows,
    )


def _stored_hash(d: Dialect, cursor: Any, case_id: UUID, version: int) -> bytes:
    cursor.execute(
        d.sql("SELECT hash FROM {event_hashes} WHERE originator_id = ? AND originator_version = ?"),
        (str(case_id), version),
    )
    row = cursor.fetchone()
    if row is None:
        # The chain is broken (a row was removed behind the ledger's back):
        # refuse to extend it rather than hide the gap.
        raise IntegrityError(f"no hash recorded for version {version} of case {case_id}")
    return bytes(row["hash"])


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


class SideTableReads:
    """Reads of the ledger's own tables, shared by both recorders (each has
    `dialect` and `datastore`)."""

    dialect: Dialect
    datastore: Any

    def fetch_case_keys(self, case_ids: Sequence[UUID]) -> dict[UUID, list[tuple[str, bytes]]]:
        if not case_ids:
            return {}
        marks = ", ".join("?" for _ in case_ids)
        found: dict[UUID, list[tuple[str, bytes]]] = {}
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self.dialect.sql(f"SELECT kid, case_id, wrapped FROM {{case_keys}} WHERE case_id IN ({marks})"),
                [str(i) for i in case_ids],
            )
            for row in c.fetchall():
                found.setdefault(UUID(row["case_id"]), []).append((row["kid"], bytes(row["wrapped"])))
        return found

    def fetch_ledger_key(self, name: str) -> bytes | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.dialect.sql("SELECT wrapped FROM {ledger_keys} WHERE name = ?"), (name,))
            row = c.fetchone()
        return None if row is None else bytes(row["wrapped"])

    def insert_ledger_key(self, name: str, wrapped: bytes) -> None:
        """Store a ledger key unless one is stored already (every process derives the same value)."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self.dialect.sql(
                    "INSERT INTO {ledger_keys} (name, wrapped) VALUES (?, ?) ON CONFLICT (name) DO NOTHING"
                ),
                (name, wrapped),
            )

    def fetch_idempotency(self, scope: str, key: str) -> IdempotencyRecord | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self.dialect.sql("SELECT fingerprint, response FROM {idempotency} WHERE scope = ? AND key = ?"),
                (scope, key),
            )
            row = c.fetchone()
        return None if row is None else IdempotencyRecord(scope, key, row["fingerprint"], row["response"])

    def fetch_subject_claim(self, municipality: str, subject_ref: str) -> UUID | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self.dialect.sql("SELECT case_id FROM {subject_index} WHERE municipality = ? AND subject_ref = ?"),
                (municipality, subject_ref),
            )
            row = c.fetchone()
        return None if row is None else UUID(row["case_id"])

    def fetch_event_hashes(self, case_id: UUID) -> dict[int, tuple[int, bytes]]:
        """version -> (notification id, hash) for one case."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self.dialect.sql(
                    "SELECT originator_version, notification_id, hash FROM {event_hashes} WHERE originator_id = ?"
                ),
                (str(case_id),),
            )
            return {r["originator_version"]: (r["notification_id"], bytes(r["hash"])) for r in c.fetchall()}
