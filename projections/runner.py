"""Runs projections over the notification log, exactly once.

Each batch of events is applied and the projection's position advanced in
one transaction, with a compare-and-set on the position: if another runner
(another process) got there first, this batch rolls back and is read again
from the new position. A crash rolls back both rows and position, so no
event is skipped or applied twice.

Writers commit in notification-id order (the library locks the events table
on PostgreSQL; SQLite has one writer), so reading `id > position` never
passes over an event that commits later with a lower id.

No poison event: a projection that fails on an event (a value it cannot
handle, an event it cannot read) does not stop the log. The batch is applied
again with each event in a savepoint of its own; the failing case is recorded
in `projection_failures` with the event's position and the error's type,
its later events are counted and not applied, and every other case goes on.
Readiness, `ledger verify` and `ledger rebuild` report what is recorded; a
rebuild (after the defect is fixed) computes the case again. A lost database
is not a poison: the batch fails, nothing is recorded, and it is tried again
from the tracked position.
"""

from __future__ import annotations

import threading
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import structlog

from ledger.events_plan import KeyDestroyed
from store import projection_failures
from store.projection_failures import Failure
from store.projection_rows import ProjectionStore
from store.tables import Dialect

log = structlog.get_logger("ledger.projections")

BATCH = 500
# After a failed pass (the database lost): soon enough that service is back
# within moments of the database, rare enough not to flood the log.
RETRY_AFTER_FAILURE = 0.5


class Projection(Protocol):
    name: str

    def create_statements(self, d: Dialect) -> list[str]: ...

    def reset(self, c: Any, d: Dialect) -> None: ...

    def apply(self, c: Any, d: Dialect, event: Any) -> None: ...


class CaseJudge(Protocol):
    """A projection that computes a case from all its events at once (the
    compliance rows): `judge` reads, outside any write transaction; `write`
    keeps what it found; `discard` drops a case that cannot be judged."""

    name: str

    def judge(self, case_id: UUID) -> Any: ...

    def write(self, c: Any, d: Dialect, judged: Any, *, unless_newer: bool = False) -> None: ...

    def discard(self, c: Any, d: Dialect, case_id: str) -> None: ...


@dataclass(frozen=True)
class Unreadable:
    """A stored event the mapper could not turn into a domain event."""

    error: BaseException


class ProjectionRunner:
    def __init__(
        self,
        app: Any,
        store: ProjectionStore,
        projections: Sequence[Projection],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        jobs: Sequence[Callable[[], object]] = (),
    ) -> None:
        self.app = app
        self.store = store
        self.projections = {p.name: p for p in projections}
        self._clock = clock
        # Work the process that keeps the projections does after each catch-up (recording the end
        # of consents whose period ran out: app/bootstrap.py); `run_forever` runs them, reads never do.
        self.jobs = list(jobs)
        self._lock = threading.Lock()
        store.create_tables(
            self.projections, [s for p in self.projections.values() for s in p.create_statements(store.d)]
        )

    # ------------------------------------------------------------ running
    def catch_up(
        self, names: Iterable[str] | None = None, progress: Callable[[str, int, int], None] | None = None
    ) -> int:
        """Apply every recorded event not yet applied; returns how many."""
        done = 0
        with self._lock:
            for name in names or list(self.projections):
                projection = self.projections[name]
                while True:
                    applied = self._step(projection)
                    if applied is None:
                        continue  # another runner advanced the position: read again
                    if applied == 0:
                        break
                    done += applied
                    if progress:
                        progress(name, self.position(name), self.store.max_notification_id())
                if hasattr(projection, "lapsed"):  # rows whose judgement lapsed with time, not with an event
                    self._judge_lapsed(projection)
                timed = getattr(projection, "after_catch_up", None)
                if timed is not None:  # what time alone makes due beyond any case (KE's weekly digest)
                    timed(self.store)
        return done

    def _step(self, projection: Any) -> int | None:
        start = self.position(projection.name)
        notifications = self.store.notifications_after(start, BATCH)
        if not notifications:
            return 0
        case_ids = [_uuid(n.originator_id) for n in notifications]
        failed = self.store.read(projection_failures.failed_cases, projection.name)
        # The batch's case keys are fetched once, before the write transaction:
        # reading events and sealing rows must not hold the writer for a look-up each.
        with self.app.keyring.scope(case_ids):
            events = [self._read(n) for n in notifications]
            try:
                if hasattr(projection, "judge"):
                    return self._judge_batch(projection, start, notifications, events, failed)
                return self._apply_batch(projection, start, notifications, events, failed)
            except _Lost:
                return None

    def _read(self, notification: Any) -> Any:
        try:
            return self.app.mapper.to_domain_event(notification)
        except Exception as e:
            if self.store.unavailable(e):
                raise
            return Unreadable(e)

    # ------------------------------------------------ event by event
    def _apply_batch(
        self, projection: Projection, start: int, notifications: Sequence[Any], events: list[Any], failed: set[str]
    ) -> int:
        if not any(isinstance(e, Unreadable) for e in events):
            try:
                return self._write_events(projection, start, notifications, events, failed, isolate=False)
            except _Lost:
                raise
            except Exception as e:
                if self.store.unavailable(e):
                    raise
                # An event the projection cannot apply: the batch rolled back;
                # apply it again, each event on its own, and set the failing cases aside.
        return self._write_events(projection, start, notifications, events, failed, isolate=True)

    def _write_events(
        self,
        projection: Projection,
        start: int,
        notifications: Sequence[Any],
        events: list[Any],
        failed: set[str],
        *,
        isolate: bool,
    ) -> int:
        newly: dict[str, Failure] = {}
        skipped: Counter[str] = Counter()
        d = self.store.d
        # Overwritten plaintext leaves no bytes in free pages (scrub).
        with self.store.writing(scrub=True) as c:
            # Claim the batch first, so a second runner waits, then loses.
            if not self.store.claim(c, projection.name, start, notifications[-1].id):
                raise _Lost()
            for n, event in zip(notifications, events, strict=True):
                case = str(_uuid(n.originator_id))
                if case in failed or case in newly:
                    skipped[case] += 1
                    continue
                if isinstance(event, Unreadable):
                    newly[case] = self._failure(projection.name, n, None, event.error)
                    continue
                if not isolate:
                    projection.apply(c, d, event)
                    continue
                try:
                    with self.store.isolated(c):
                        projection.apply(c, d, event)
                except Exception as e:
                    if self.store.unavailable(e):
                        raise
                    newly[case] = self._failure(projection.name, n, event, e)
            for case, failure in newly.items():
                projection_failures.record(c, d, replace(failure, skipped=skipped.pop(case, 0)))
            for case, count in skipped.items():
                projection_failures.skipped(c, d, projection.name, case, count)
        self._report(newly.values())
        if any(isinstance(e, KeyDestroyed) for e in events):
            self.store.purge_after_erasure()
        return len(notifications)

    # -------------------------------------------------- case by case
    def _judge_batch(
        self, projection: Any, start: int, notifications: Sequence[Any], events: list[Any], failed: set[str]
    ) -> int:
        # A case is judged from all its events, so a case that failed before
        # is judged again: a later event (or a fixed defect) may let it pass.
        last: dict[str, tuple[Any, Any]] = {}
        for n, event in zip(notifications, events, strict=True):
            last[str(_uuid(n.originator_id))] = (n, event)
        judged, newly = self._judge_cases(projection, last)
        d = self.store.d
        with self.store.writing(scrub=True) as c:
            if not self.store.claim(c, projection.name, start, notifications[-1].id):
                raise _Lost()
            self._keep(c, d, projection, judged, newly, last, failed)
        self._report(newly.values())
        return len(notifications)

    def _judge_lapsed(self, projection: Any) -> None:
        """Judge again the cases whose judgement has lapsed with time."""
        while True:
            stale = projection.lapsed(self.store)
            if not stale:
                return
            case_ids = [str(case_id) for case_id in stale]
            with self.app.keyring.scope(stale):
                judged, newly = self._judge_cases(projection, dict.fromkeys(case_ids, (None, None)))
            d = self.store.d
            try:
                with self.store.writing() as c:
                    failed = projection_failures.failed_cases(c, d, projection.name)
                    self._keep(c, d, projection, judged, newly, {}, failed, unless_newer=True)
            except Exception as e:
                if self.store.unavailable(e) or not self.store.lost_race(e):
                    raise
                # Another process judged one of these cases at the same moment;
                # its rows stand (judging is a function of events and time).
                return
            self._report(newly.values())

    def _judge_cases(
        self, projection: Any, cases: dict[str, tuple[Any, Any]]
    ) -> tuple[dict[str, Any], dict[str, Failure]]:
        judged: dict[str, Any] = {}
        newly: dict[str, Failure] = {}
        for case, (n, event) in cases.items():
            try:
                judged[case] = projection.judge(UUID(case))
            except Exception as e:
                if self.store.unavailable(e):
                    raise
                newly[case] = self._failure(projection.name, n, event, e, case_id=case)
        return judged, newly

    def _keep(
        self,
        c: Any,
        d: Dialect,
        projection: Any,
        judged: dict[str, Any],
        newly: dict[str, Failure],
        last: dict[str, tuple[Any, Any]],
        failed: set[str],
        *,
        unless_newer: bool = False,
    ) -> None:
        for case, judgement in judged.items():
            try:
                with self.store.isolated(c):
                    if judgement is not None:
                        projection.write(c, d, judgement, unless_newer=unless_newer)
                    if case in failed:
                        projection_failures.clear(c, d, projection.name, case)
                        log.info("projection.case_recovered", projection=projection.name, case_id=case)
            except Exception as e:
                if self.store.unavailable(e):
                    raise
                n, event = last.get(case, (None, None))
                newly[case] = self._failure(projection.name, n, event, e, case_id=case)
        for case, failure in newly.items():
            # Rows judged before would be shown as if they still held: drop them.
            projection.discard(c, d, case)
            if not failure.position:
                version = failure.version or projection_failures.latest_version(c, d, case)
                failure = replace(
                    failure, version=version, position=projection_failures.event_position(c, d, case, version)
                )
            projection_failures.record(c, d, failure)

    # ------------------------------------------------------------ failures
    def _failure(
        self, projection: str, n: Any, event: Any, error: BaseException, *, case_id: str | None = None
    ) -> Failure:
        recorded_by = getattr(event, "recorded_by", None) if event is not None else None
        return Failure(
            projection=projection,
            case_id=case_id if case_id is not None else str(_uuid(n.originator_id)),
            municipality=getattr(recorded_by, "municipality", None) or self._municipality_of(case_id, n),
            position=int(n.id) if n is not None else 0,
            version=int(n.originator_version) if n is not None else 0,
            error=describe(error),
            failed_at=projection_failures.now_text(self._clock()),
        )

    def _municipality_of(self, case_id: str | None, n: Any) -> str | None:
        """The case's municipality, for the overviews that name its failed cases (None if unreadable too)."""
        target = UUID(case_id) if case_id is not None else _uuid(n.originator_id)
        try:
            first = next(iter(self.app.events.get(target, lte=1)), None)
            return getattr(first, "municipality", None)
        except Exception as e:
            if self.store.unavailable(e):
                raise
            return None

    def _report(self, failures: Iterable[Failure]) -> None:
        for f in failures:
            # Loud: a case the ledger cannot compute is a defect to fix, not noise.
            log.error(
                "projection.case_failed",
                projection=f.projection,
                case_id=f.case_id,
                position=f.position,
                version=f.version,
                error=f.error,
            )

    def failures(self, names: Iterable[str] | None = None) -> list[Failure]:
        """Every case a projection could not compute, in log order."""
        return self.store.read(projection_failures.failures, names)

    def run_jobs(self) -> None:
        for job in self.jobs:
            job()

    def run_forever(self, stop: threading.Event, interval: float = 0.25) -> None:
        """Poll the log (works on both stores) until `stop` is set, running the jobs after each
        catch-up. A failure (the database lost) is logged and retried from the tracked position,
        never skipped; the thread itself never dies of it."""
        failing = False
        while not stop.is_set():
            try:
                self.catch_up()
                self.run_jobs()
            except Exception as e:
                if not self.store.unavailable(e):
                    log.error("projection.failed", error=type(e).__name__, detail=str(e)[:200])
                elif not failing:  # once per outage, not every retry
                    log.warning("projection.database_unavailable", error=type(e).__name__)
                failing = True
                stop.wait(RETRY_AFTER_FAILURE)
            else:
                if failing:
                    log.warning("projection.resumed")
                failing = False
            stop.wait(interval)

    def start_background(self, interval: float = 0.25) -> threading.Event:
        stop = threading.Event()
        threading.Thread(target=self.run_forever, args=(stop, interval), name="projections", daemon=True).start()
        return stop

    # ------------------------------------------------------------ rebuild
    def rebuild(
        self, names: Iterable[str] | None = None, progress: Callable[[str, int, int], None] | None = None
    ) -> int:
        chosen = list(names or self.projections)
        unknown = [n for n in chosen if n not in self.projections]
        if unknown:
            raise KeyError(f"unknown projection {unknown[0]!r}; known: {', '.join(sorted(self.projections))}")
        with self._lock, self.store.writing() as c:
            for name in chosen:
                self.projections[name].reset(c, self.store.d)
                projection_failures.delete_all(c, self.store.d, name)
                self.store.rewind(c, name)
        return self.catch_up(chosen, progress)

    def position(self, name: str) -> int:
        return self.store.position(name)


class _Lost(Exception):
    """The position moved under us (another runner)."""


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


_ROOT = Path(__file__).resolve().parent.parent


def describe(error: BaseException) -> str:
    """The error's type and the ledger's line that raised it: enough to find the
    defect, and never the message (it may quote a personal value)."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        path = Path(frame.filename).resolve()
        if _ROOT in path.parents and not {".venv", "site-packages"} & set(path.parts):
            return f"{type(error).__name__} at {path.relative_to(_ROOT)}:{frame.lineno} ({frame.name})"
    return type(error).__name__
