"""Where the projections keep their rows: the transactions a batch is written
in, each projection's tracked position, and the reads of the log a runner
needs. The statements on each projection's own tables are beside this:
`store.register_rows`, `store.case_view_rows`, `store.compliance_rows`.

Functions on a projection's tables take the open cursor and the dialect, so
a projection writes its rows in the transaction that advances its position.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

from eventsourcing.persistence import IntegrityError

from ledger.values import is_erased
from store import projection_failures
from store.availability import is_unavailable
from store.tables import Dialect, rows_changed, schema_changes_serialized

P = ParamSpec("P")
T = TypeVar("T")


def column(value: Any) -> Any:
    """A value as a column holds it. Applying an event must never fail: text
    columns of PostgreSQL refuse NUL, which an event's text may carry (the
    HTTP edge refuses it, other writers need not), so it is shown as U+FFFD.
    An erased field is no value."""
    if is_erased(value):
        return None
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


class ProjectionStore:
    """The projections' side of one recorder (either store)."""

    def __init__(self, recorder: Any) -> None:
        self.d: Dialect = recorder.dialect
        self._recorder = recorder
        self._db = recorder.datastore

    @staticmethod
    def unavailable(error: BaseException) -> bool:
        """The database could not be used now (try again later), as opposed to refusing the work."""
        return is_unavailable(error)

    @staticmethod
    def lost_race(error: BaseException) -> bool:
        """Another writer (process) wrote the same row first."""
        return isinstance(error, IntegrityError)

    # ------------------------------------------------------------ the log
    def max_notification_id(self) -> int:
        return self._recorder.max_notification_id() or 0

    def notifications_after(self, position: int, limit: int) -> Sequence[Any]:
        return self._recorder.select_notifications(start=position, limit=limit, inclusive_of_start=False)

    def purge_after_erasure(self) -> None:
        """Erasure: plaintext a projection just dropped must not survive in
        SQLite's write-ahead log either (PostgreSQL has nothing to purge)."""
        purge = getattr(self._recorder, "purge_write_ahead_log", None)
        if purge is not None:
            purge()

    # ------------------------------------------------------- transactions
    @contextmanager
    def writing(self, *, scrub: bool = False) -> Iterator[Any]:
        """A write transaction's cursor, committed on leaving. `scrub`: rows
        overwritten or deleted in it leave no plaintext in SQLite's free pages."""
        with self._db.transaction(commit=True) as c:
            if scrub and self.d.name == "sqlite":
                c.execute("PRAGMA secure_delete = ON")
            yield c

    @contextmanager
    def isolated(self, c: Any) -> Iterator[None]:
        """A savepoint around one event's writes: if applying it fails, only
        its own writes are undone and the batch's transaction goes on (on
        PostgreSQL a failed statement would otherwise abort the whole batch).
        A lost database is not undone here: the batch fails and is retried."""
        c.execute("SAVEPOINT ledger_event")
        try:
            yield
        except Exception as e:
            if not is_unavailable(e):
                c.execute("ROLLBACK TO SAVEPOINT ledger_event")
                c.execute("RELEASE SAVEPOINT ledger_event")
            raise
        c.execute("RELEASE SAVEPOINT ledger_event")

    def read(self, query: Callable[Concatenate[Any, Dialect, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`query(cursor, dialect, ...)` in a read transaction of its own."""
        with self._db.transaction(commit=False) as c:
            return query(c, self.d, *args, **kwargs)

    # ---------------------------------------------------------- positions
    def create_tables(self, names: Iterable[str], statements: Iterable[str]) -> None:
        """The positions table, the projections' own tables, and a position
        (0) for each projection not yet tracked."""
        with schema_changes_serialized(self.d, self._db), self._db.transaction(commit=True) as c:
            c.execute(
                self.d.sql(
                    "CREATE TABLE IF NOT EXISTS {projection_positions} "
                    "(name TEXT PRIMARY KEY, position BIGINT NOT NULL)"
                )
            )
            for statement in [*projection_failures.create_statements(self.d), *statements]:
                c.execute(statement)
        for name in names:
            try:
                with self._db.transaction(commit=True) as c:
                    c.execute(self.d.sql("INSERT INTO {projection_positions} (name, position) VALUES (?, 0)"), (name,))
            except IntegrityError:
                pass  # already tracked

    def position(self, name: str) -> int:
        with self._db.transaction(commit=False) as c:
            c.execute(self.d.sql("SELECT position FROM {projection_positions} WHERE name = ?"), (name,))
            row = c.fetchone()
        return 0 if row is None else int(row["position"])

    def claim(self, c: Any, name: str, start: int, end: int) -> bool:
        """Move a position from `start` to `end`; False if it is no longer at
        `start`. The update takes the position row's lock, so a second runner
        waits, then matches nothing."""
        c.execute(
            self.d.sql("UPDATE {projection_positions} SET position = ? WHERE name = ? AND position = ?"),
            (end, name, start),
        )
        return rows_changed(c, self.d) == 1

    def rewind(self, c: Any, name: str) -> None:
        c.execute(self.d.sql("UPDATE {projection_positions} SET position = 0 WHERE name = ?"), (name,))
