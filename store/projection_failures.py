"""The cases a projection could not compute (`projection_failures`).

A projection that fails on one event must not stop the log: the runner
records here which case failed, at which event (its notification id: its
position in the log) and with what kind of error, and goes on with the other
cases. Later events of that case are counted, not applied, until a rebuild
(or, for a projection that judges a case from all its events, until judging
it succeeds again).

`error` names the exception's type and the line that raised it, never its
message: a message may quote the value it choked on, and values are
personal data. Case ids and positions are not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from store.tables import Dialect


@dataclass(frozen=True)
class Failure:
    projection: str
    case_id: str
    municipality: str | None
    position: int  # notification id of the event it failed on
    version: int  # that event's version within the case
    error: str
    failed_at: str
    skipped: int = 0  # later events of the case not applied since

    def line(self) -> str:
        """One readable line for an operator (CLI, logs)."""
        skipped = f"; {self.skipped} later event(s) not applied" if self.skipped else ""
        return (
            f"{self.projection}: case {self.case_id} could not be computed at log position {self.position} "
            f"(event {self.version}): {self.error}{skipped}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "projection": self.projection,
            "case_id": self.case_id,
            "position": self.position,
            "version": self.version,
            "error": self.error,
            "failed_at": self.failed_at,
            "skipped": self.skipped,
        }


def create_statements(d: Dialect) -> list[str]:
    return [
        d.sql(
            "CREATE TABLE IF NOT EXISTS {projection_failures} (projection TEXT NOT NULL, case_id TEXT NOT NULL, "
            "municipality TEXT, position BIGINT NOT NULL, version BIGINT NOT NULL, error TEXT NOT NULL, "
            "failed_at TEXT NOT NULL, skipped BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (projection, case_id))"
        )
    ]


def record(c: Any, d: Dialect, f: Failure) -> None:
    """Record (or replace) the failure of a case in a projection."""
    c.execute(
        d.sql("DELETE FROM {projection_failures} WHERE projection = ? AND case_id = ?"), (f.projection, f.case_id)
    )
    c.execute(
        d.sql(
            "INSERT INTO {projection_failures} (projection, case_id, municipality, position, version, error, "
            "failed_at, skipped) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        ),
        (f.projection, f.case_id, f.municipality, f.position, f.version, f.error, f.failed_at, f.skipped),
    )


def skipped(c: Any, d: Dialect, projection: str, case_id: str, count: int) -> None:
    """`count` more events of a failed case were not applied."""
    c.execute(
        d.sql("UPDATE {projection_failures} SET skipped = skipped + ? WHERE projection = ? AND case_id = ?"),
        (count, projection, case_id),
    )


def clear(c: Any, d: Dialect, projection: str, case_id: str) -> None:
    """The case is computed again (judged anew from all its events)."""
    c.execute(d.sql("DELETE FROM {projection_failures} WHERE projection = ? AND case_id = ?"), (projection, case_id))


def delete_all(c: Any, d: Dialect, projection: str) -> None:
    """A rebuild starts the projection afresh, failures included."""
    c.execute(d.sql("DELETE FROM {projection_failures} WHERE projection = ?"), (projection,))


def failed_cases(c: Any, d: Dialect, projection: str) -> set[str]:
    """The cases the projection does not compute (usually none)."""
    c.execute(d.sql("SELECT case_id FROM {projection_failures} WHERE projection = ?"), (projection,))
    return {r["case_id"] for r in c.fetchall()}


def failures(c: Any, d: Dialect, projections: Iterable[str] | None = None) -> list[Failure]:
    """Every recorded failure (of these projections), in log order."""
    c.execute(
        d.sql(
            "SELECT projection, case_id, municipality, position, version, error, failed_at, skipped "
            "FROM {projection_failures} ORDER BY position, projection"
        )
    )
    wanted = None if projections is None else set(projections)
    return [
        Failure(
            r["projection"],
            r["case_id"],
            r["municipality"],
            int(r["position"]),
            int(r["version"]),
            r["error"],
            r["failed_at"],
            int(r["skipped"]),
        )
        for r in c.fetchall()
        if wanted is None or r["projection"] in wanted
    ]


def failed_in(c: Any, d: Dialect, projection: str, municipality: str) -> list[str]:
    """The cases of a municipality the projection could not compute (an overview names them)."""
    c.execute(
        d.sql("SELECT case_id FROM {projection_failures} WHERE projection = ? AND municipality = ? ORDER BY case_id"),
        (projection, municipality),
    )
    return [r["case_id"] for r in c.fetchall()]


def is_failed(c: Any, d: Dialect, projection: str, case_id: str) -> bool:
    c.execute(
        d.sql("SELECT 1 AS x FROM {projection_failures} WHERE projection = ? AND case_id = ?"), (projection, case_id)
    )
    return c.fetchone() is not None


def event_position(c: Any, d: Dialect, case_id: str, version: int) -> int:
    """The notification id of a case's event (0 if the hash chain has no row for it)."""
    c.execute(
        d.sql("SELECT notification_id FROM {event_hashes} WHERE originator_id = ? AND originator_version = ?"),
        (case_id, version),
    )
    row = c.fetchone()
    return 0 if row is None else int(row["notification_id"])


def latest_version(c: Any, d: Dialect, case_id: str) -> int:
    """The version of a case's last recorded event (0 if none)."""
    c.execute(d.sql("SELECT MAX(originator_version) AS v FROM {event_hashes} WHERE originator_id = ?"), (case_id,))
    row = c.fetchone()
    return 0 if row is None or row["v"] is None else int(row["v"])


def now_text(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
