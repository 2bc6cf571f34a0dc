"""The library's application recorders, extended so the ledger's side writes
(hash chain, keys, idempotency, subject index) commit with the events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from psycopg import Cursor
from psycopg.sql import SQL

from store.tables import (
    SQLITE,
    Dialect,
    SideTableReads,
    create_statements,
    postgres,
    record_in_transaction,
    schema_changes_serialized,
)

log = structlog.get_logger("ledger.store")


class LedgerSQLiteRecorder(SideTableReads, SQLiteApplicationRecorder):
    dialect: Dialect = SQLITE

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *create_statements(self.dialect)]

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super().insert_events(stored_events, **kwargs)
        side = kwargs.get("side")
        if side is not None and side.destroy_keys_of is not None:
            self.purge_write_ahead_log()
        return ids

    def purge_write_ahead_log(self) -> None:
        """Copy every committed page into the database file and empty the WAL.

        secure_delete zeroes a deleted row in the page's new image, but the
        WAL still holds the older images of that page (a destroyed key, a
        released subject pseudonym) until a checkpoint overwrites them, which
        may be never. Run after an erasure commits, so the destroyed key is
        gone from the files at once, not merely unreferenced."""
        with self.datastore.get_connection(commit=True) as conn:
            cursor = conn.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = cursor.fetchone()[0]
        if busy:
            # A reader held an old snapshot past the lock timeout: the frames
            # stay until the next full checkpoint. Say so; the erasure itself
            # (the committed key deletion) stands.
            log.warning("erasure.wal_not_truncated", database=self.datastore.pool.db_name)

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # Deleted key rows and overwritten projection rows must leave no bytes
        # behind in free pages (erasure is checked by scanning the file).
        c.execute("PRAGMA secure_delete = ON")
        ids = super()._insert_events(c, stored_events, **kwargs)
        record_in_transaction(self.dialect, c, stored_events, ids, kwargs.get("side"))
        return ids


class LedgerPostgresRecorder(SideTableReads, PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.dialect = postgres(datastore.schema)
        self.sql_create_statements.extend(SQL(s) for s in create_statements(self.dialect))  # type: ignore[arg-type]

    def create_table(self) -> None:
        with schema_changes_serialized(self.dialect, self.datastore):
            super().create_table()

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[Any], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # Runs after the library has locked the events table and inserted the
        # rows: notification ids are known and no other writer interleaves.
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        record_in_transaction(self.dialect, curs, stored_events, ids, kwargs.get("side"))
        return ids
