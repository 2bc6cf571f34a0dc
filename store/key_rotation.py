"""Re-wrapping every stored key under a new master key (`ledger rotate-master-key`).

Rows are re-wrapped a batch at a time, each batch in a transaction of its own, and each row with
a compare-and-set on its old bytes: a key destroyed meanwhile (erasure) stays destroyed, and a
row another process re-wrapped first is left alone. Until every row is done, a row is wrapped by
either key and every process that knows both reads it (store.keyring.Keyring.unwrap), so a crash
half-way loses nothing: running the rotation again finishes it. The case keys themselves, and so
every event's ciphertext, are untouched: only their wrapping changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from store.keyring import Keyring, MasterKeyMismatch, case_key_aad, ledger_key_aad
from store.tables import Dialect

BATCH = 200


@dataclass(frozen=True)
class Rewrapped:
    case_keys: int  # rows re-wrapped in this pass
    ledger_keys: int
    rows: int  # rows looked at


def rewrap_all(recorder: Any, keyring: Keyring, master: bytes, *, batch: int = BATCH) -> Rewrapped:
    """One pass over every stored key: each one not wrapped by `master` is wrapped by it."""
    d: Dialect = recorder.dialect
    db = recorder.datastore
    case_keys = ledger_keys = seen = 0
    after = ""
    while True:
        with db.transaction(commit=False) as c:
            c.execute(
                d.sql(f"SELECT kid, case_id, wrapped FROM {{case_keys}} WHERE kid > ? ORDER BY kid LIMIT {int(batch)}"),
                (after,),
            )
            rows = [(r["kid"], r["case_id"], bytes(r["wrapped"])) for r in c.fetchall()]
        if not rows:
            break
        seen += len(rows)
        changes = []
        for kid, case_id, wrapped in rows:
            new = keyring.rewrap(wrapped, case_key_aad(UUID(case_id), kid), master)
            if new is not None:
                changes.append((new, kid, wrapped))
        with db.transaction(commit=True) as c:
            for new, kid, old in changes:
                c.execute(d.sql("UPDATE {case_keys} SET wrapped = ? WHERE kid = ? AND wrapped = ?"), (new, kid, old))
        case_keys += len(changes)
        after = rows[-1][0]
    with db.transaction(commit=False) as c:
        c.execute(d.sql("SELECT name, wrapped FROM {ledger_keys} ORDER BY name"))
        named = [(r["name"], bytes(r["wrapped"])) for r in c.fetchall()]
    for name, wrapped in named:
        seen += 1
        new = keyring.rewrap(wrapped, ledger_key_aad(name.encode()), master)
        if new is None:
            continue
        with db.transaction(commit=True) as c:
            c.execute(
                d.sql("UPDATE {ledger_keys} SET wrapped = ? WHERE name = ? AND wrapped = ?"), (new, name, wrapped)
            )
        ledger_keys += 1
    return Rewrapped(case_keys, ledger_keys, seen)


def not_opened_by(recorder: Any, master: bytes) -> int:
    """How many stored keys `master` alone cannot open (0 when a rotation to it is complete)."""
    probe = Keyring(master, lambda ids: {})
    d: Dialect = recorder.dialect
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(d.sql("SELECT kid, case_id, wrapped FROM {case_keys}"))
        case_rows = [(case_key_aad(UUID(r["case_id"]), r["kid"]), bytes(r["wrapped"])) for r in c.fetchall()]
        c.execute(d.sql("SELECT name, wrapped FROM {ledger_keys}"))
        named = [(ledger_key_aad(r["name"].encode()), bytes(r["wrapped"])) for r in c.fetchall()]
    missing = 0
    for aad, wrapped in [*case_rows, *named]:
        try:
            probe.unwrap(wrapped, aad)
        except MasterKeyMismatch:
            missing += 1
    return missing
