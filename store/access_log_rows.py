"""The access log's table (`access_log`), as `audit.integrity.ports.AccessLogStore`
asks for it; what an entry holds and how it is chained is `audit.integrity.access_log`'s."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from audit.integrity.ports import AccessLink, AccessRow
from store.tables import Dialect


class AccessLogRows:
    def __init__(self, recorder: Any) -> None:
        self.d: Dialect = recorder.dialect
        self._db = recorder.datastore

    def append(
        self, case_id: str, municipality: str, entry: bytes, link: Callable[[AccessLink | None], AccessLink]
    ) -> None:
        with self._db.transaction(commit=True) as c:
            c.execute(
                self.d.sql("SELECT seq, prev_hash, hash FROM {access_log} WHERE case_id = ? ORDER BY seq DESC LIMIT 1"),
                (case_id,),
            )
            last = c.fetchone()
            previous = None if last is None else AccessLink(last["seq"], bytes(last["prev_hash"]), bytes(last["hash"]))
            new = link(previous)
            # (case_id, seq) is unique: a writer that chained onto the same entry meanwhile makes this fail.
            c.execute(
                self.d.sql(
                    "INSERT INTO {access_log} (case_id, seq, municipality, entry, prev_hash, hash) "
                    "VALUES (?, ?, ?, ?, ?, ?)"
                ),
                (case_id, new.seq, municipality, entry, new.prev_hash, new.hash),
            )

    def entries(self, case_id: str) -> list[AccessRow]:
        with self._db.transaction(commit=False) as c:
            c.execute(
                self.d.sql(
                    "SELECT case_id, seq, entry, prev_hash, hash FROM {access_log} WHERE case_id = ? ORDER BY seq"
                ),
                (case_id,),
            )
            return [_row(r) for r in c.fetchall()]

    def all_entries(self) -> list[AccessRow]:
        with self._db.transaction(commit=False) as c:
            c.execute(self.d.sql("SELECT case_id, seq, entry, prev_hash, hash FROM {access_log} ORDER BY case_id, seq"))
            return [_row(r) for r in c.fetchall()]


def _row(r: Any) -> AccessRow:
    return AccessRow(r["case_id"], r["seq"], bytes(r["entry"]), bytes(r["prev_hash"]), bytes(r["hash"]))
