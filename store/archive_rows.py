"""The archive outbox's tables and queries (issue #12).

`archive_messages` holds a row per archivable step of a case: the Fiks Arkiv
message that files it, decided once (unique per case and step, keyed by a
message id derived from both) by `projections.archive` in the transaction
that advances its position. A row holds no personal data: case, step, the
case version the message is made from, and its delivery state. The message
itself (XML and PDF/A documents) is rendered from the case's events when an
integration collects it, so erasure needs no second copy chased down.

Delivery: a row is claimable while it is not archived and `available_at`
has passed. Claiming moves `available_at` to the lease's end (a second
worker passes it by); the archive's receipt, recorded on the case as an
event, makes the row `archived`, or `rejected` with `available_at` at the
retry time. `archive_schedule` holds, per open case with a plan, when its
next half-year snapshot falls due by time alone.

Moments are fixed-width UTC text (`stamp`), so text order is time order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from store.compliance_rows import stamp
from store.tables import Dialect

PENDING, REJECTED, ARCHIVED = "pending", "rejected", "archived"
STATUSES = (PENDING, REJECTED, ARCHIVED)


@dataclass(frozen=True)
class DecidedStep:
    message_id: UUID
    step: str
    made_at: datetime


@dataclass(frozen=True)
class Answer:
    """A receipt recorded on the case (an `ArchiveReceiptRecorded`, at its case version)."""

    message_id: UUID
    accepted: bool
    version: int
    at: datetime  # when the receipt was recorded
    error: str | None


@dataclass(frozen=True)
class MessageRow:
    id: int  # the outbox's own order, the cursor of a listing
    message_id: UUID
    case_id: UUID
    municipality: str
    step: str
    made_at: str
    case_version: int
    decided_at: str
    status: str
    available_at: str
    attempts: int
    holder: str | None
    answered_at: str | None
    receipt_version: int | None
    error: str | None


def create_statements(d: Dialect) -> list[str]:
    return [
        d.sql(
            f"CREATE TABLE IF NOT EXISTS {{archive_messages}} (id {d.serial}, message_id TEXT NOT NULL UNIQUE, "
            "case_id TEXT NOT NULL, municipality TEXT NOT NULL, step TEXT NOT NULL, made_at TEXT NOT NULL, "
            "case_version BIGINT NOT NULL, decided_at TEXT NOT NULL, status TEXT NOT NULL, "
            "available_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, holder TEXT, answered_at TEXT, "
            "receipt_version BIGINT, error TEXT, UNIQUE (case_id, step))"
        ),
        d.sql(
            "CREATE INDEX IF NOT EXISTS archive_messages_due ON {archive_messages} (municipality, status, available_at)"
        ),
        d.sql(
            "CREATE TABLE IF NOT EXISTS {archive_schedule} (case_id TEXT PRIMARY KEY, municipality TEXT NOT NULL, "
            "due_at TEXT NOT NULL)"
        ),
        d.sql("CREATE INDEX IF NOT EXISTS archive_schedule_due ON {archive_schedule} (due_at)"),
    ]


# ------------------------------------------------------------ deciding
def add_steps(
    c: Any, d: Dialect, case_id: str, municipality: str, version: int, steps: Sequence[DecidedStep], now: datetime
) -> None:
    """Each step's message, unless the step has one already (then it keeps its first)."""
    for step in steps:
        c.execute(
            d.sql(
                "INSERT INTO {archive_messages} (message_id, case_id, municipality, step, made_at, case_version, "
                "decided_at, status, available_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
            ),
            (
                str(step.message_id),
                case_id,
                municipality,
                step.step,
                stamp(step.made_at),
                version,
                stamp(now),
                PENDING,
                stamp(now),
            ),
        )


def answer(c: Any, d: Dialect, a: Answer, retry_delay: Callable[[int], timedelta]) -> None:
    """The receipt's outcome, unless the row already holds a later one (a replay never turns back time). A refused
    message is offered again `retry_delay(times handed out)` after the refusal was recorded."""
    c.execute(
        d.sql("SELECT attempts, receipt_version FROM {archive_messages} WHERE message_id = ?"), (str(a.message_id),)
    )
    row = c.fetchone()
    if row is None or (row["receipt_version"] is not None and int(row["receipt_version"]) >= a.version):
        return
    retry_at = None if a.accepted else stamp(a.at + retry_delay(int(row["attempts"])))
    c.execute(
        d.sql(
            "UPDATE {archive_messages} SET status = ?, answered_at = ?, receipt_version = ?, error = ?, "
            "available_at = COALESCE(?, available_at) WHERE message_id = ?"
        ),
        (ARCHIVED if a.accepted else REJECTED, stamp(a.at), a.version, a.error, retry_at, str(a.message_id)),
    )


def schedule(c: Any, d: Dialect, case_id: str, municipality: str, due_at: datetime | None) -> None:
    """When the case must be looked at again for a snapshot due by time alone (None: never)."""
    c.execute(d.sql("DELETE FROM {archive_schedule} WHERE case_id = ?"), (case_id,))
    if due_at is not None:
        c.execute(
            d.sql("INSERT INTO {archive_schedule} (case_id, municipality, due_at) VALUES (?, ?, ?)"),
            (case_id, municipality, stamp(due_at)),
        )


def forget_schedule(c: Any, d: Dialect) -> None:
    """A rebuild decides every case again; the messages themselves stay (what was sent stays sent)."""
    c.execute(d.sql("DELETE FROM {archive_schedule}"))


def due(c: Any, d: Dialect, now: datetime, limit: int) -> list[UUID]:
    """Cases whose next half-year snapshot has fallen due, the longest due first."""
    c.execute(
        d.sql(f"SELECT case_id FROM {{archive_schedule}} WHERE due_at <= ? ORDER BY due_at LIMIT {int(limit)}"),
        (stamp(now),),
    )
    return [UUID(r["case_id"]) for r in c.fetchall()]


# ----------------------------------------------------------- delivering
_COLUMNS = (
    "id, message_id, case_id, municipality, step, made_at, case_version, decided_at, status, available_at, "
    "attempts, holder, answered_at, receipt_version, error"
)


def _row(r: Any) -> MessageRow:
    return MessageRow(
        id=int(r["id"]),
        message_id=UUID(r["message_id"]),
        case_id=UUID(r["case_id"]),
        municipality=r["municipality"],
        step=r["step"],
        made_at=r["made_at"],
        case_version=int(r["case_version"]),
        decided_at=r["decided_at"],
        status=r["status"],
        available_at=r["available_at"],
        attempts=int(r["attempts"]),
        holder=r["holder"],
        answered_at=r["answered_at"],
        receipt_version=None if r["receipt_version"] is None else int(r["receipt_version"]),
        error=r["error"],
    )


def claim(
    c: Any,
    d: Dialect,
    municipality: str,
    now: datetime,
    until: datetime,
    holder: str,
    limit: int,
    case_id: UUID | None = None,
) -> list[MessageRow]:
    """Lease up to `limit` claimable messages of the municipality (oldest first) to `holder` until `until`.

    Each row is taken with a compare-and-set on `available_at`: a worker that read the same
    candidates in parallel changes nothing for the rows already taken (PostgreSQL re-reads the row
    after the first worker commits; SQLite has one writer), and PostgreSQL skips rows another
    worker is taking right now."""
    where = "municipality = ? AND status <> ? AND available_at <= ?"
    params: list[Any] = [municipality, ARCHIVED, stamp(now)]
    if case_id is not None:
        where += " AND case_id = ?"
        params.append(str(case_id))
    lock = " FOR UPDATE SKIP LOCKED" if d.name == "postgres" else ""
    c.execute(
        d.sql(f"SELECT {_COLUMNS} FROM {{archive_messages}} WHERE {where} ORDER BY id LIMIT {int(limit)}{lock}"),
        params,
    )
    candidates = [_row(r) for r in c.fetchall()]
    taken = []
    for row in candidates:
        c.execute(
            d.sql(
                "UPDATE {archive_messages} SET available_at = ?, holder = ?, attempts = attempts + 1 "
                "WHERE id = ? AND status <> ? AND available_at <= ?"
            ),
            (stamp(until), holder, row.id, ARCHIVED, stamp(now)),
        )
        if _changed(c, d):
            taken.append(row)
    return [
        MessageRow(**{**vars(r), "available_at": stamp(until), "holder": holder, "attempts": r.attempts + 1})
        for r in taken
    ]


def _changed(c: Any, d: Dialect) -> bool:
    if d.name == "sqlite":
        c.execute("SELECT changes() AS n")
        return int(c.fetchone()["n"]) == 1
    return int(c.rowcount) == 1


def message(c: Any, d: Dialect, message_id: UUID) -> MessageRow | None:
    c.execute(d.sql(f"SELECT {_COLUMNS} FROM {{archive_messages}} WHERE message_id = ?"), (str(message_id),))
    row = c.fetchone()
    return None if row is None else _row(row)


def listing(
    c: Any,
    d: Dialect,
    municipality: str,
    *,
    status: str | None = None,
    case_id: UUID | None = None,
    after: int = 0,
    limit: int = 100,
) -> list[MessageRow]:
    """The municipality's messages in outbox order after the cursor `after` (a row's `id`)."""
    where = ["municipality = ?", "id > ?"]
    params: list[Any] = [municipality, after]
    if status is not None:
        where.append("status = ?")
        params.append(status)
    if case_id is not None:
        where.append("case_id = ?")
        params.append(str(case_id))
    c.execute(
        d.sql(
            f"SELECT {_COLUMNS} FROM {{archive_messages}} WHERE {' AND '.join(where)} ORDER BY id LIMIT {int(limit)}"
        ),
        params,
    )
    return [_row(r) for r in c.fetchall()]


def counts(c: Any, d: Dialect, municipality: str) -> dict[str, int]:
    """How many messages of the municipality are in each state."""
    c.execute(
        d.sql("SELECT status, COUNT(*) AS n FROM {archive_messages} WHERE municipality = ? GROUP BY status"),
        (municipality,),
    )
    found = {r["status"]: int(r["n"]) for r in c.fetchall()}
    return {status: found.get(status, 0) for status in STATUSES}
