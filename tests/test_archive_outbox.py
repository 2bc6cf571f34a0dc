"""The archive outbox (projections/archive.py): every archivable step of a
case becomes one message, decided in the transaction that advances the
projection's position, so a crash neither loses nor doubles one; a
half-year snapshot due by time alone is decided by the time refresh; a
rebuild keeps what was sent and answered."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from archive import ids
from commands.plan_commands import CloseCase, ReopenCase
from projections.archive import ArchiveProjection, retry_delay
from store import archive_rows
from tests.support.archive import closed_case
from tests.support.cases import file_in_archive
from tests.support.story import SELBU, Story


def outbox(ledger: Any, **filters: Any) -> list[archive_rows.MessageRow]:
    ledger.projections.catch_up(["archive"])
    return ledger.projections.store.read(archive_rows.listing, SELBU, limit=1000, **filters)


def test_each_archivable_step_of_a_closed_case_is_one_pending_message(ledger):
    story, meeting = closed_case(ledger)
    rows = outbox(ledger)
    assert sorted(r.step.split(":")[0] for r in rows) == ["avslutningsbrev", "plan", "plan", "referat", "vedtak"]
    assert {r.status for r in rows} == {"pending"} and {r.case_id for r in rows} == {story.case_id}
    assert {r.message_id for r in rows} == {ids.message(story.case_id, r.step) for r in rows}
    assert f"referat:{meeting}" in {r.step for r in rows}


def test_a_crash_before_the_position_advances_loses_no_step_and_decides_none_twice(ledger, monkeypatch):
    """The rows and the position commit together: a process dying after the rows are written rolls both
    back, and the retry decides each step once."""
    story, _ = closed_case(ledger)
    write = ArchiveProjection.write

    class Died(BaseException):
        """The process ending mid-transaction: not an error a projection's isolation catches."""

    def die_after_writing(self: ArchiveProjection, c: Any, d: Any, decision: Any, **kw: Any) -> None:
        write(self, c, d, decision, **kw)
        raise Died()

    monkeypatch.setattr(ArchiveProjection, "write", die_after_writing)
    with pytest.raises(Died):
        ledger.projections.catch_up(["archive"])
    assert ledger.projections.position("archive") == 0
    assert ledger.projections.store.read(archive_rows.listing, SELBU) == []
    monkeypatch.undo()
    rows = outbox(ledger)
    assert len(rows) == 5 and len({r.step for r in rows}) == 5


def test_a_rebuild_keeps_what_was_sent_and_answered(ledger):
    """Deciding every case again adds nothing; archived stays archived, attempts stay counted."""
    story, _ = closed_case(ledger)
    before = outbox(ledger)
    file_in_archive(ledger, story.case_id)
    answered = outbox(ledger)
    assert {r.status for r in answered} == {"archived"}
    ledger.projections.rebuild(["archive"])
    after = outbox(ledger)
    assert [(r.message_id, r.status, r.receipt_version) for r in after] == [
        (r.message_id, r.status, r.receipt_version) for r in answered
    ]
    assert [r.id for r in after] == [r.id for r in before]


def test_a_half_year_snapshot_falls_due_by_time_alone(ledger, clock):
    """No event at the end of June: the refresh decides the plan as of 30 June once midnight has passed."""
    clock.set(datetime(2026, 6, 20, 12, tzinfo=UTC))
    s = Story(ledger.app, municipality=SELBU, opened="2026-01-06")
    s.running("2026-01-20")
    s.plan("2026-01-21")
    assert outbox(ledger) == []
    clock.set(datetime(2026, 6, 30, 21, 59, tzinfo=UTC))  # 23:59 in Norway: not yet
    assert outbox(ledger) == []
    clock.set(datetime(2026, 6, 30, 22, 0, tzinfo=UTC))
    (row,) = outbox(ledger)
    assert row.step == "plan:2026-06-30" and row.status == "pending"
    clock.set(datetime(2027, 1, 2, tzinfo=UTC))
    assert [r.step for r in outbox(ledger)] == ["plan:2026-06-30", "plan:2026-12-31"]


def test_a_closed_case_is_not_looked_at_again_by_time(ledger, clock):
    story, _ = closed_case(ledger)
    before = outbox(ledger)
    clock.set(datetime(2028, 1, 1, tzinfo=UTC))
    assert [r.id for r in outbox(ledger)] == [r.id for r in before]
    assert ledger.projections.store.read(archive_rows.due, clock(), 10) == []
    assert story


def test_a_reopened_and_closed_again_case_files_its_second_closing_as_records_of_their_own(ledger):
    """The first closing's letter stays filed; the second closing's are new messages (avslutning-2)."""
    story, _ = closed_case(ledger)
    file_in_archive(ledger, story.case_id)
    story.do(ReopenCase, "2026-09-10", reason="Nytt behov")
    assert {r.status for r in outbox(ledger)} == {"archived"}
    story.do(CloseCase, "2026-10-01", reason="Ferdig", assessment="Behovet er dekket", agreed_by_subject=True)
    pending = {r.step for r in outbox(ledger, status="pending")}
    assert pending == {"avslutningsbrev:avslutning-2", "plan:avslutning-2"}


def test_a_refused_message_waits_longer_after_each_refusal():
    assert [retry_delay(n).total_seconds() / 60 for n in range(1, 7)] == [15, 60, 240, 960, 1440, 1440]
