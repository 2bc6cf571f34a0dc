"""The case-view projection's table (`case_views`): a row per case holding
its folded view, sealed with the case's key (`projections.case_views`)."""

from __future__ import annotations

from typing import Any

from store.tables import Dialect


def create_statements(d: Dialect) -> list[str]:
    return [
        d.sql(
            f"CREATE TABLE IF NOT EXISTS {{case_views}} (case_id TEXT PRIMARY KEY, "
            f"municipality TEXT NOT NULL, version BIGINT NOT NULL, view {d.blob} NOT NULL)"
        )
    ]


def delete_all(c: Any, d: Dialect) -> None:
    c.execute(d.sql("DELETE FROM {case_views}"))


def insert(c: Any, d: Dialect, case_id: str, municipality: str, version: int, view: bytes) -> None:
    c.execute(
        d.sql("INSERT INTO {case_views} (case_id, municipality, version, view) VALUES (?, ?, ?, ?)"),
        (case_id, municipality, version, view),
    )


def update(c: Any, d: Dialect, case_id: str, version: int, view: bytes) -> None:
    c.execute(d.sql("UPDATE {case_views} SET version = ?, view = ? WHERE case_id = ?"), (version, view, case_id))


def sealed_view(c: Any, d: Dialect, case_id: str) -> bytes | None:
    """The stored (sealed) view of a case; None if it has no row."""
    c.execute(d.sql("SELECT view FROM {case_views} WHERE case_id = ?"), (case_id,))
    row = c.fetchone()
    return None if row is None else bytes(row["view"])
