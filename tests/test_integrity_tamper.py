"""Tampering behind the ledger's back is caught by `verify()`, which names the
first event that does not match; forged or foreign checkpoints are refused.

Every edit here goes straight to the database through its own connection,
as an intruder with database access would, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import psycopg
import pytest

from audit.integrity.chain import event_hash, leaf_input
from audit.integrity.checkpoint import CheckpointSigner
from audit.integrity.merkle import leaf_hash
from commands.case_commands import AddParticipant
from ledger.values import Person
from tests.support.cases import coordinator, running_case

OTHER_KEY = bytes([0x33]) * 32


class RawDB:
    """Executes SQL on the ledger's database, on either backend.

    Statements use `?` placeholders and the names {events}, {event_hashes},
    {merkle_leaves}, {checkpoints} and {nid} (the events' notification id
    column: `rowid` in SQLite, `notification_id` in PostgreSQL).
    """

    def __init__(self, ledger: Any) -> None:
        store, recorder = ledger.settings.store, ledger.app.recorder
        self.postgres = store.backend == "postgres"
        names = ("event_hashes", "merkle_leaves", "checkpoints")
        if self.postgres:
            env = store.env
            self.conn: Any = psycopg.connect(
                dbname=env["POSTGRES_DBNAME"],
                host=env["POSTGRES_HOST"],
                port=env["POSTGRES_PORT"],
                user=env["POSTGRES_USER"],
                password=env["POSTGRES_PASSWORD"] or None,
                autocommit=True,
            )
            schema = f'"{store.schema}"'
            self.names = {n: f"{schema}.{n}" for n in names}
            self.names["events"] = f'{schema}."{recorder.events_table_name}"'
            self.names["nid"] = "notification_id"
        else:
            self.conn = sqlite3.connect(store.sqlite_path, isolation_level=None, timeout=30)
            self.names = {n: n for n in names}
            self.names["events"] = recorder.events_table_name
            self.names["nid"] = "rowid"

    def execute(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        statement = statement.format(**self.names)
        if self.postgres:
            statement = statement.replace("?", "%s")
        cursor = self.conn.execute(statement, params)
        return list(cursor.fetchall()) if cursor.description else []

    def close(self) -> None:
        self.conn.close()

    # The events table keeps a case id as a UUID (PostgreSQL) or as 32 hex
    # digits (SQLite); the ledger's own tables keep its canonical text.
    def oid(self, case_id: UUID) -> Any:
        return case_id if self.postgres else case_id.hex

    def nid(self, case_id: UUID, version: int) -> int:
        rows = self.execute(
            "SELECT {nid} FROM {events} WHERE originator_id = ? AND originator_version = ?",
            (self.oid(case_id), version),
        )
        return int(rows[0][0])

    def event(self, case_id: UUID, version: int) -> tuple[str, bytes]:
        rows = self.execute(
            "SELECT topic, state FROM {events} WHERE originator_id = ? AND originator_version = ?",
            (self.oid(case_id), version),
        )
        return rows[0][0], bytes(rows[0][1])

    def set_event(self, case_id: UUID, version: int, topic: str, state: bytes) -> None:
        self.execute(
            "UPDATE {events} SET topic = ?, state = ? WHERE originator_id = ? AND originator_version = ?",
            (topic, state, self.oid(case_id), version),
        )

    def recorded_hash(self, case_id: UUID, version: int) -> bytes:
        rows = self.execute(
            "SELECT hash FROM {event_hashes} WHERE originator_id = ? AND originator_version = ?",
            (str(case_id), version),
        )
        return bytes(rows[0][0])

    def set_recorded_hash(self, case_id: UUID, version: int, digest: bytes) -> None:
        self.execute(
            "UPDATE {event_hashes} SET hash = ? WHERE originator_id = ? AND originator_version = ?",
            (digest, str(case_id), version),
        )

    def delete_event(self, case_id: UUID, version: int, *, hash: bool = False, leaf: bool = False) -> None:
        nid = self.nid(case_id, version)
        self.execute("DELETE FROM {events} WHERE {nid} = ?", (nid,))
        if hash:
            self.execute("DELETE FROM {event_hashes} WHERE notification_id = ?", (nid,))
        if leaf:
            self.execute("DELETE FROM {merkle_leaves} WHERE notification_id = ?", (nid,))

    def swap_notification_ids(self, first: int, second: int) -> None:
        parked = -first  # unique ids stay unique at every step
        for old, new in ((first, parked), (second, first), (parked, second)):
            self.execute("UPDATE {events} SET {nid} = ? WHERE {nid} = ?", (new, old))

    def insert_event(self, case_id: UUID, version: int, topic: str, state: bytes) -> None:
        self.execute(
            "INSERT INTO {events} (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
            (self.oid(case_id), version, topic, state),
        )

    def insert_checkpoint(self, row: dict[str, Any]) -> None:
        self.execute(
            "INSERT INTO {checkpoints} (tree_size, root, time, key_id, signature, public_key) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (row["tree_size"], row["root"], row["time"], row["key_id"], row["signature"], row["public_key"]),
        )


@pytest.fixture
def raw(ledger: Any) -> Iterator[RawDB]:
    db = RawDB(ledger)
    yield db
    db.close()


@pytest.fixture
def cases(ledger: Any) -> dict[str, UUID]:
    """Three cases with interleaved events; log order:
    A1 A2 A3 A4 B1 B2 B3 B4 A5 C1 C2 C3 C4 B5 (14 events)."""
    a = running_case(ledger).case_id
    b = running_case(ledger, birth=date(1985, 6, 1), name="Per Hansen").case_id
    add_participant(ledger, a)
    c = running_case(ledger, birth=date(1990, 3, 15), name="Liv Berg").case_id
    add_participant(ledger, b)
    return {"A": a, "B": b, "C": c}


def add_participant(ledger: Any, case_id: UUID) -> None:
    ledger.app.handle(
        AddParticipant(
            actor=coordinator(), case_id=case_id, person=Person("lege-1", "Lise Lege"), service="Fastlege", role="lege"
        )
    )


def first_problem(ledger: Any) -> Any:
    report = ledger.integrity.verify()
    assert not report.ok, "the tampering went unnoticed"
    return report.problems[0]


def assert_names(ledger: Any, kind: str, case_id: UUID, version: int) -> None:
    report = ledger.integrity.verify()
    assert not report.ok, "the tampering went unnoticed"
    first = report.problems[0]
    assert (first.kind, first.case_id, first.version) == (kind, str(case_id), version), report.problems
    assert f"event {version} of case {case_id}" in report.summary()


def kinds(ledger: Any) -> set[str]:
    return {p.kind for p in ledger.integrity.verify().problems}


def seal_broken(ledger: Any) -> bool:
    """A checkpoint fails: its root is lost, or it covers more than the log now holds."""
    return bool(kinds(ledger) & {"checkpoint", "shortened"})


# --------------------------------------------------------------- events


def test_a_flipped_byte_in_an_events_stored_state_is_reported_as_altered_naming_that_event(ledger, raw, cases):
    """One byte changed in an event's stored state: `altered`, naming that event."""
    ledger.integrity.seal()
    topic, state = raw.event(cases["A"], 2)
    raw.set_event(cases["A"], 2, topic, state[:10] + bytes([state[10] ^ 0x01]) + state[11:])
    assert_names(ledger, "altered", cases["A"], 2)


def test_an_altered_event_also_breaks_the_checkpoint_that_sealed_it(ledger, raw, cases):
    """The tree is recomputed from stored bytes, so the sealed root no longer matches."""
    ledger.integrity.seal()
    topic, state = raw.event(cases["B"], 3)
    raw.set_event(cases["B"], 3, topic, state + b" ")
    assert "checkpoint" in kinds(ledger)


def test_an_event_rewritten_together_with_its_hash_is_named_by_its_merkle_leaf(ledger, raw, cases):
    """Bytes and recorded hash both rewritten consistently: the leaf still names that event."""
    ledger.integrity.sync()
    a = cases["A"]
    topic, state = raw.event(a, 3)
    forged = state.replace(b"\x00", b"\x01", 1) if b"\x00" in state else state + b"x"
    raw.set_event(a, 3, topic, forged)
    raw.set_recorded_hash(a, 3, event_hash(raw.recorded_hash(a, 2), a, 3, topic, forged))
    assert_names(ledger, "altered", a, 3)


def test_an_event_deleted_with_its_hash_from_the_middle_of_a_case_is_reported_as_removed(ledger, raw, cases):
    """Event and hash row both gone: the case's next version no longer links, the gap is named."""
    ledger.integrity.seal()
    raw.delete_event(cases["A"], 2, hash=True)
    assert_names(ledger, "removed", cases["A"], 2)
    assert seal_broken(ledger)


def test_an_unsealed_event_deleted_with_its_hash_from_the_middle_of_a_case_is_reported_as_removed(ledger, raw, cases):
    """No leaves, no checkpoint: the chain alone names the missing version."""
    raw.delete_event(cases["B"], 3, hash=True)
    assert_names(ledger, "removed", cases["B"], 3)


def test_an_event_deleted_while_its_hash_remains_is_reported_as_removed(ledger, raw, cases):
    """The recorded hash outlives its event: `removed`, naming the event."""
    raw.delete_event(cases["C"], 4)
    assert_names(ledger, "removed", cases["C"], 4)


def test_two_events_of_different_cases_with_swapped_notification_ids_are_reported_as_reordered(ledger, raw, cases):
    """A3 and B2 trade places in the log: the first one out of place (B2, now at A3's position) is named."""
    ledger.integrity.seal()
    raw.swap_notification_ids(raw.nid(cases["A"], 3), raw.nid(cases["B"], 2))
    assert_names(ledger, "reordered", cases["B"], 2)


def test_two_events_of_one_case_with_swapped_notification_ids_are_reported_as_reordered(ledger, raw, cases):
    """C2 and C3 trade places: C3, now before C2, is named."""
    raw.swap_notification_ids(raw.nid(cases["C"], 2), raw.nid(cases["C"], 3))
    assert_names(ledger, "reordered", cases["C"], 3)


def test_state_and_topic_swapped_between_events_of_two_cases_are_reported_as_altered(ledger, raw, cases):
    """A3 and B3 trade contents: A3, first in the log, is named."""
    a, b = cases["A"], cases["B"]
    a3, b3 = raw.event(a, 3), raw.event(b, 3)
    raw.set_event(a, 3, *b3)
    raw.set_event(b, 3, *a3)
    assert_names(ledger, "altered", a, 3)


def test_an_event_inserted_directly_into_the_events_table_is_reported_as_missing_hash(ledger, raw, cases):
    """A plausible next version written past the ledger has no hash: `missing_hash`, naming it."""
    ledger.integrity.seal()
    topic, state = raw.event(cases["C"], 4)
    raw.insert_event(cases["C"], 5, topic, state)
    assert_names(ledger, "missing_hash", cases["C"], 5)


def test_removing_the_last_event_of_the_log_after_a_seal_is_reported_as_shortened(ledger, raw, cases):
    """Event, hash and leaf of the log's last event gone: the checkpoint covers more than the log has."""
    ledger.integrity.seal()
    raw.delete_event(cases["B"], 5, hash=True, leaf=True)
    report = ledger.integrity.verify()
    assert [p.kind for p in report.problems] == ["shortened"], report.problems


def test_removing_the_last_event_of_a_case_with_its_hash_and_leaf_after_a_seal_breaks_the_checkpoint(
    ledger, raw, cases
):
    """A5 (mid-log, last of its case) gone with every trace: the tree has a hole, the sealed root is lost."""
    ledger.integrity.seal()
    raw.delete_event(cases["A"], 5, hash=True, leaf=True)
    report = ledger.integrity.verify()
    assert seal_broken(ledger)
    assert (report.problems[0].kind, report.problems[0].log_index) == ("removed", 8), report.problems


def test_removing_a_whole_case_after_a_seal_is_detected(ledger, raw, cases):
    """All of case C's events, hashes and leaves gone: the sealed root is lost."""
    ledger.integrity.seal()
    for version in range(1, 5):
        raw.delete_event(cases["C"], version, hash=True, leaf=True)
    report = ledger.integrity.verify()
    assert seal_broken(ledger)
    assert (report.problems[0].kind, report.problems[0].log_index) == ("removed", 9), report.problems


def test_a_consistent_rewrite_of_the_unsynced_unsealed_tail_goes_unnoticed_by_design(ledger, raw, cases):
    """The limit: with no leaf and no checkpoint over it, a rewritten last event (bytes and hash) still verifies."""
    b = cases["B"]
    topic, state = raw.event(b, 5)
    raw.set_event(b, 5, topic, state + b"x")
    raw.set_recorded_hash(b, 5, event_hash(raw.recorded_hash(b, 4), b, 5, topic, state + b"x"))
    assert ledger.integrity.verify().ok


# ---------------------------------------------------------- checkpoints


def test_a_checkpoint_with_a_forged_root_fails(ledger, raw, cases):
    """Changing the root of a recorded checkpoint breaks its signature."""
    ledger.integrity.seal()
    raw.execute("UPDATE {checkpoints} SET root = ?", ("ab" * 32,))
    problem = first_problem(ledger)
    assert problem.kind == "checkpoint" and "signature" in problem.message


def test_a_checkpoint_signed_by_another_key_fails(ledger, raw, cases):
    """A well-formed checkpoint over the true root, signed by a stranger's key, is refused."""
    tree = ledger.integrity.sync()
    other = CheckpointSigner(OTHER_KEY)
    checkpoint = other.sign(len(tree), tree.root(), ledger.clock())
    raw.insert_checkpoint({**checkpoint.to_dict(), "public_key": other.public_key_hex})
    problem = first_problem(ledger)
    assert problem.kind == "checkpoint" and "signing key" in problem.message


def test_a_checkpoint_claiming_the_ledgers_key_id_but_signed_by_another_key_fails(ledger, raw, cases):
    """Copying the ledger's key id and public key onto a stranger's signature does not help."""
    tree = ledger.integrity.sync()
    checkpoint = CheckpointSigner(OTHER_KEY).sign(len(tree), tree.root(), ledger.clock())
    signer = ledger.integrity.signer
    raw.insert_checkpoint({**checkpoint.to_dict(), "key_id": signer.key_id, "public_key": signer.public_key_hex})
    problem = first_problem(ledger)
    assert problem.kind == "checkpoint" and "does not verify" in problem.message


def test_a_checkpoint_beyond_the_end_of_the_log_fails_as_shortened(ledger, raw, cases):
    """A validly signed checkpoint over more events than the log holds means events were removed."""
    checkpoint = ledger.integrity.signer.sign(100, bytes(32), ledger.clock())
    raw.insert_checkpoint({**checkpoint.to_dict(), "public_key": ledger.integrity.signer.public_key_hex})
    assert first_problem(ledger).kind == "shortened"


def test_a_validly_signed_checkpoint_over_another_tree_fails(ledger, raw, cases):
    """Signed by the ledger's key but for a root this log never had: refused."""
    checkpoint = ledger.integrity.signer.sign(5, leaf_hash(b"elsewhere"), ledger.clock())
    raw.insert_checkpoint({**checkpoint.to_dict(), "public_key": ledger.integrity.signer.public_key_hex})
    problem = first_problem(ledger)
    assert problem.kind == "checkpoint" and "sealed root" in problem.message


def test_a_malformed_checkpoint_row_fails(ledger, raw, cases):
    """A row whose fields do not parse is reported, not skipped."""
    ledger.integrity.seal()
    raw.execute("UPDATE {checkpoints} SET signature = ?, time = ?", ("not hex", "yesterday"))
    problem = first_problem(ledger)
    assert problem.kind == "checkpoint" and "malformed" in problem.message


def test_a_rewritten_merkle_leaf_is_reported_naming_its_event(ledger, raw, cases):
    """A stored leaf changed behind the ledger's back no longer matches the event it stands for."""
    ledger.integrity.seal()
    a = cases["A"]
    forged = leaf_hash(leaf_input(a, 1, bytes(32)))
    raw.execute("UPDATE {merkle_leaves} SET leaf_hash = ? WHERE notification_id = ?", (forged, raw.nid(a, 1)))
    assert_names(ledger, "altered", a, 1)
