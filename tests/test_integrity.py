"""The intact ledger: verify, seal and checkpoints, proofs against the
ledger's own tree, and the Merkle leaf builder (off the write path,
idempotent, safe when run concurrently)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any
from uuid import UUID

from app.bootstrap import build
from audit.integrity.chain import GENESIS, event_hash, leaf_input
from audit.integrity.checkpoint import verify_checkpoint
from audit.integrity.log import Integrity
from audit.integrity.merkle import EMPTY_ROOT, leaf_hash, verify_consistency, verify_inclusion
from bench.verify import write as bulk_events  # interleaved events through the recorder, chained as usual
from commands.case_commands import AddParticipant
from ledger.values import Person
from tests.support.cases import coordinator, running_case


def write_cases(ledger: Any) -> list[UUID]:
    """Three cases, their events interleaved in the log (13 events)."""
    a = running_case(ledger).case_id
    b = running_case(ledger, birth=date(1985, 6, 1), name="Per Hansen").case_id
    ledger.app.handle(
        AddParticipant(
            actor=coordinator(), case_id=a, person=Person("lege-1", "Lise Lege"), service="Fastlege", role="lege"
        )
    )
    c = running_case(ledger, birth=date(1990, 3, 15), name="Liv Berg").case_id
    return [a, b, c]


def events(ledger: Any) -> list[Any]:
    return list(ledger.app.recorder.select_notifications(start=None, limit=100_000))


def leaves(ledger: Any) -> list[tuple[int, int, bytes]]:
    """The stored Merkle leaves: (log index, notification id, leaf hash) in log order."""
    recorder = ledger.app.recorder
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(
            recorder.dialect.sql("SELECT log_index, notification_id, leaf_hash FROM {merkle_leaves} ORDER BY log_index")
        )
        return [(r["log_index"], r["notification_id"], bytes(r["leaf_hash"])) for r in c.fetchall()]


def expected_leaves(ledger: Any) -> list[bytes]:
    """Each event's leaf, recomputed here from its stored bytes (audit.integrity.chain's definition)."""
    previous: dict[UUID, bytes] = {}
    result = []
    for n in events(ledger):
        case = n.originator_id if isinstance(n.originator_id, UUID) else UUID(n.originator_id)
        digest = event_hash(previous.get(case, GENESIS), case, n.originator_version, n.topic, n.state)
        previous[case] = digest
        result.append(leaf_hash(leaf_input(case, n.originator_version, digest)))
    return result


# --------------------------------------------------------------- verify


def test_an_empty_ledger_verifies(ledger):
    """No events: intact, tree size 0, the RFC 9162 empty root."""
    report = ledger.integrity.verify()
    assert report.ok and report.summary().startswith("intact")
    assert (report.events, report.cases, report.tree_size, report.root) == (0, 0, 0, EMPTY_ROOT.hex())


def test_an_intact_ledger_verifies_with_one_leaf_per_event(ledger):
    """Verify counts every event and case; the tree has exactly one leaf per event."""
    write_cases(ledger)
    report = ledger.integrity.verify()
    assert report.ok, report.problems
    assert (report.events, report.cases, report.tree_size) == (13, 3, 13)
    assert report.summary().startswith("intact: 13 events in 3 cases, tree size 13")


def test_the_verified_root_is_the_root_of_the_leaves_the_builder_stores(ledger):
    """Verify's recomputed tree and the one `sync()` builds are the same tree."""
    write_cases(ledger)
    tree = ledger.integrity.sync()
    assert [leaf for _, _, leaf in leaves(ledger)] == expected_leaves(ledger)
    assert ledger.integrity.verify().root == tree.root().hex()


def test_a_seal_records_a_checkpoint_that_verifies_and_is_listed(ledger):
    """`seal()` signs the whole tree; `checkpoints()` returns it; verify checks it."""
    write_cases(ledger)
    checkpoint = ledger.integrity.seal()
    verify_checkpoint(checkpoint, ledger.integrity.signer.public_key_raw)
    assert checkpoint.tree_size == 13 and checkpoint.time == ledger.clock()
    assert [cp for cp, _ in ledger.integrity.checkpoints()] == [checkpoint]
    report = ledger.integrity.verify()
    assert report.ok and report.checkpoints == 1 and report.root == checkpoint.root.hex()


def test_two_seals_over_a_growing_log_both_verify(ledger, clock):
    """A later seal over more events leaves the earlier one valid."""
    cases = write_cases(ledger)
    first = ledger.integrity.seal()
    clock.advance(hours=1)
    ledger.app.handle(
        AddParticipant(
            actor=coordinator(), case_id=cases[1], person=Person("lege-2", "Leif Lege"), service="Fastlege", role="lege"
        )
    )
    second = ledger.integrity.seal()
    assert (first.tree_size, second.tree_size) == (13, 14)
    report = ledger.integrity.verify()
    assert report.ok and report.checkpoints == 2


def test_sealing_twice_without_new_events_gives_two_checkpoints_of_the_same_root(ledger, clock):
    """Two seals of the same tree differ only in time; both verify."""
    write_cases(ledger)
    first = ledger.integrity.seal()
    clock.advance(minutes=5)
    second = ledger.integrity.seal()
    assert (first.tree_size, first.root) == (second.tree_size, second.root) and first.time < second.time
    assert ledger.integrity.verify().checkpoints == 2


# --------------------------------------------------------------- proofs


def test_every_events_inclusion_proof_verifies_against_the_sealed_root(ledger):
    """Each event's leaf, recomputed from its bytes, is proven in the sealed tree."""
    write_cases(ledger)
    checkpoint = ledger.integrity.seal()
    tree = ledger.integrity.sync()
    n = checkpoint.tree_size
    for index, leaf in enumerate(expected_leaves(ledger)):
        verify_inclusion(leaf, index, n, tree.inclusion_proof(index, n), checkpoint.root)


def test_an_earlier_checkpoint_is_consistent_with_the_later_tree(ledger, clock):
    """Append-only: a consistency proof links an earlier seal's root to a later one's."""
    cases = write_cases(ledger)
    earlier = ledger.integrity.seal()
    for i in range(3):
        ledger.app.handle(
            AddParticipant(
                actor=coordinator(), case_id=cases[i % 2], person=Person(f"p-{i}", "P"), service="Skole", role="lærer"
            )
        )
    clock.advance(days=1)
    later = ledger.integrity.seal()
    tree = ledger.integrity.sync()
    proof = tree.consistency_proof(earlier.tree_size, later.tree_size)
    verify_consistency(earlier.tree_size, later.tree_size, earlier.root, later.root, proof)


# ------------------------------------------------------- leaf builder


def test_writing_events_creates_no_leaves_until_sync(ledger):
    """Leaves are built off the write path: none exist until `sync()` runs."""
    write_cases(ledger)
    assert leaves(ledger) == []
    ledger.integrity.sync()
    assert len(leaves(ledger)) == 13


def test_syncing_twice_yields_the_same_leaves(ledger):
    """`sync()` is idempotent: a second run adds nothing and changes nothing."""
    write_cases(ledger)
    ledger.integrity.sync()
    before = leaves(ledger)
    tree = ledger.integrity.sync()
    assert leaves(ledger) == before and len(tree) == 13


def test_sync_appends_only_the_events_written_since_the_last_one(ledger):
    """A later sync extends the tree; earlier leaves keep their index and hash."""
    cases = write_cases(ledger)
    ledger.integrity.sync()
    before = leaves(ledger)
    ledger.app.handle(
        AddParticipant(actor=coordinator(), case_id=cases[2], person=Person("p-9", "P"), service="Skole", role="lærer")
    )
    ledger.integrity.sync()
    after = leaves(ledger)
    assert after[:13] == before and [i for i, _, _ in after] == list(range(14))


def race(builders: list[Integrity]) -> list[BaseException]:
    """Start every builder's `sync()` at the same moment; the errors they raised."""
    barrier = threading.Barrier(len(builders))
    errors: list[BaseException] = []

    def run(builder: Integrity) -> None:
        barrier.wait()
        try:
            builder.sync()
        except BaseException as e:  # surfaced by the caller
            errors.append(e)

    threads = [threading.Thread(target=run, args=(b,)) for b in builders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_two_builders_syncing_concurrently_store_each_event_exactly_once(ledger):
    """Two Integrity instances racing in threads: log indexes dense 0..n-1, each notification once."""
    bulk_events(ledger, 5000, cases=50)  # several pages, so the builders interleave
    builders = [ledger.integrity, Integrity(ledger.integrity.store, ledger.integrity.signer, ledger.clock)]
    assert race(builders) == []
    stored = leaves(ledger)
    assert [i for i, _, _ in stored] == list(range(5000))
    assert [nid for _, nid, _ in stored] == [n.id for n in events(ledger)]
    assert [leaf for _, _, leaf in stored] == expected_leaves(ledger)
    verified = ledger.integrity.verify()
    assert verified.ok and all(b.sync().root().hex() == verified.root for b in builders)


def test_builders_with_their_own_connections_syncing_concurrently_store_each_event_exactly_once(ledger):
    """Four ledgers on one database (as four processes would be), racing round after round: no
    builder fails ("database is locked" on SQLite), leaves stay dense and each event has one."""
    others = [build(ledger.settings, clock=ledger.clock) for _ in range(3)]
    try:
        builders = [ledger.integrity, *(o.integrity for o in others)]
        for _ in range(10):
            bulk_events(ledger, 300, cases=30)
            assert race(builders) == []
        stored = leaves(ledger)
        assert [i for i, _, _ in stored] == list(range(3000))
        assert [nid for _, nid, _ in stored] == [n.id for n in events(ledger)]
        assert ledger.integrity.verify().ok
    finally:
        for other in others:
            other.close()


def test_verify_running_while_events_are_written_and_sealed_reports_no_problems(ledger, clock):
    """Verify reads up to one bound: events, hashes and seals landing meanwhile are not tampering."""
    write_cases(ledger)
    done = threading.Event()
    errors: list[BaseException] = []
    sealed = threading.Semaphore(0)  # one release per batch written and sealed

    def write_and_seal() -> None:
        try:
            while not done.is_set():
                bulk_events(ledger, 40, cases=20)
                ledger.integrity.seal()
                sealed.release()
        except BaseException as e:  # surfaced below
            errors.append(e)

    writer = threading.Thread(target=write_and_seal)
    writer.start()
    reports = []
    try:
        # Verify while the writer works, however the threads are scheduled: at least 15 times,
        # and until at least two batches were written and sealed after the first verification.
        reports.append(ledger.integrity.verify())
        while sealed.acquire(blocking=False):
            pass  # batches sealed before the first verification do not count
        batches = 0
        while (len(reports) < 15 or batches < 2) and not errors:
            reports.append(ledger.integrity.verify())
            batches += sealed.acquire(timeout=0.05)
        reports.append(ledger.integrity.verify())
    finally:
        done.set()
        writer.join()
    assert errors == []
    assert [r.problems for r in reports if not r.ok] == []
    assert reports[-1].events > reports[0].events  # the log really grew meanwhile


def test_a_realistic_ledger_of_2000_events_verifies_with_its_seal(ledger):
    """2,000 events over 200 cases, synced and sealed: intact, every event counted, the seal checked.
    (How long it takes is measured by `python -m bench.verify`, not here.)"""
    write_cases(ledger)
    bulk_events(ledger, 2000, cases=200)
    ledger.integrity.seal()
    report = ledger.integrity.verify()
    assert report.ok and report.events == 2013 and report.checkpoints == 1
