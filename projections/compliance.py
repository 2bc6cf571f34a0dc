"""Every case's open compliance items, kept as rows, for KE's overview of
breached and soon-due checks across a municipality (DOMAIN §7).

A check's status depends on the events and on the day it is judged: a
pending check becomes a breach when its deadline passes with no event at
all. So each row keeps the moment its judgement stops holding
(`valid_until`: the nearest deadline still ahead, and at most one day, so a
rule whose status turns with the calendar in a way that leaves no deadline
is still judged again daily); `refresh` judges such cases again. The runner
calls it on every catch-up, so the overview a reader gets is never older
than the last catch-up.

Only what KE acts on is kept: breaches and pending checks. No `detail` sentence is stored: the rows
hold rule, status, dates and event versions, nothing of the person; the
case's own compliance read (which is access-logged) gives the explanation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import IntegrityError

from audit.compliance import CheckResult, CheckStatus, evaluate
from audit.compliance.timeline import NORWAY
from ledger.events import CoordinatorAppointed, CoordinatorReleased, CoordinatorReplaced, CoordinatorRequested
from ledger.profiles import MunicipalProfile
from projections.register import column
from store.tables import Dialect

JUDGEMENT_LIFETIME = timedelta(days=1)
REFRESH_BATCH = 200


def due_instant(deadline: date | datetime) -> datetime:
    """The UTC moment a deadline passes: a day's deadline runs to the end of
    that day in Norway."""
    if isinstance(deadline, datetime):
        moment = deadline if deadline.tzinfo else deadline.replace(tzinfo=UTC)
    elif deadline >= date.max - timedelta(days=2):
        return datetime.max.replace(tzinfo=UTC)  # "never": no day after it to end on
    else:
        moment = datetime.combine(deadline + timedelta(days=1), time.min, tzinfo=NORWAY)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # within hours of the calendar's ends
        return (datetime.max if moment.year > 1 else datetime.min).replace(tzinfo=UTC)


def stamp(moment: datetime) -> str:
    """A UTC instant as fixed-width text, so text order is time order on both stores."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def kept(result: CheckResult) -> bool:
    # An `ok` with a date ahead may be a duty's next due date or a deadline
    # already met early; the row could not tell them apart, so it is not kept
    # (the refresh at that date judges the case again either way).
    return result.status in (CheckStatus.BREACH, CheckStatus.PENDING)


class ComplianceProjection:
    name = "compliance"

    def __init__(
        self,
        events_of: Callable[[UUID], list[Any]],
        profile_of: Callable[[str], MunicipalProfile],
        clock: Callable[[], datetime],
        case_keys: Callable[[list[UUID]], Any],
    ) -> None:
        self._events_of = events_of
        self._profile_of = profile_of
        self._clock = clock
        self._case_keys = case_keys

    def create_statements(self, d: Dialect) -> list[str]:
        return [
            d.sql(
                "CREATE TABLE IF NOT EXISTS {compliance_cases} (case_id TEXT PRIMARY KEY, municipality TEXT NOT NULL, "
                "version BIGINT NOT NULL, judged_at TEXT NOT NULL, valid_until TEXT NOT NULL)"
            ),
            d.sql("CREATE INDEX IF NOT EXISTS compliance_cases_stale ON {compliance_cases} (valid_until)"),
            # unit and coordinator are kept on each row (not joined from the
            # register) so a filtered overview reads one index range.
            d.sql(
                "CREATE TABLE IF NOT EXISTS {compliance_checks} (case_id TEXT NOT NULL, rule TEXT NOT NULL, "
                "municipality TEXT NOT NULL, status TEXT NOT NULL, deadline TEXT, due_at TEXT, "
                "evidence TEXT NOT NULL, unit TEXT, coordinator_id TEXT, PRIMARY KEY (case_id, rule))"
            ),
            d.sql(
                "CREATE INDEX IF NOT EXISTS compliance_checks_overview ON {compliance_checks} "
                "(municipality, rule, due_at)"
            ),
            d.sql(
                "CREATE INDEX IF NOT EXISTS compliance_checks_unit ON {compliance_checks} "
                "(municipality, unit, rule, due_at)"
            ),
        ]

    def reset(self, c: Any, d: Dialect) -> None:
        c.execute(d.sql("DELETE FROM {compliance_checks}"))
        c.execute(d.sql("DELETE FROM {compliance_cases}"))

    def apply(self, c: Any, d: Dialect, e: Any) -> None:
        """Judging is per case, not per event: see `prepare` and `finish`."""

    def prepare(self, events: Sequence[Any]) -> list[Judgement]:
        """Judge each case the batch touched, once, before the runner opens its
        write transaction: reading a case's events inside it would hold the
        writer (SQLite has one) while waiting for a connection to read with."""
        now = self._clock()
        judged = (self._judgement(case_id, now) for case_id in dict.fromkeys(e.originator_id for e in events))
        return [j for j in judged if j is not None]

    def finish(self, c: Any, d: Dialect, prepared: list[Judgement]) -> None:
        for judgement in prepared:
            self._write(c, d, judgement)

    def refresh(self, db: Any, d: Dialect) -> int:
        """Judge again every case whose judgement has lapsed; returns how many."""
        now = self._clock()
        done = 0
        while True:
            with db.transaction(commit=False) as c:
                c.execute(
                    d.sql(
                        "SELECT case_id FROM {compliance_cases} WHERE valid_until <= ? ORDER BY valid_until "
                        f"LIMIT {REFRESH_BATCH}"
                    ),
                    (stamp(now),),
                )
                stale = [UUID(r["case_id"]) for r in c.fetchall()]
            if not stale:
                return done
            with self._case_keys(stale):
                judged = [j for j in (self._judgement(case_id, now) for case_id in stale) if j is not None]
            try:
                with db.transaction(commit=True) as c:
                    for judgement in judged:
                        self._write(c, d, judgement, unless_newer=True)
            except IntegrityError:
                # Another process judged one of these cases at the same moment;
                # its rows stand (judging is a function of events and time).
                return done
            done += len(stale)

    def _judgement(self, case_id: UUID, now: datetime) -> Judgement | None:
        events = self._events_of(case_id)
        if not events:
            return None
        municipality = events[0].municipality
        results = evaluate(events, self._profile_of(municipality), now)
        ahead = [due_instant(r.deadline) for r in results if r.deadline is not None and due_instant(r.deadline) > now]
        return Judgement(
            str(case_id),
            municipality,
            events[-1].originator_version,
            now,
            min([now + JUDGEMENT_LIFETIME, *ahead]),
            [r for r in results if kept(r)],
            *responsible(events),
        )

    def _write(self, c: Any, d: Dialect, j: Judgement, *, unless_newer: bool = False) -> None:
        if unless_newer:
            # A refresh read the events before a batch of newer ones was
            # judged (by another process): the newer judgement stands.
            c.execute(d.sql("SELECT version FROM {compliance_cases} WHERE case_id = ?"), (j.case_id,))
            row = c.fetchone()
            if row is not None and int(row["version"]) > j.version:
                return
        c.execute(d.sql("DELETE FROM {compliance_checks} WHERE case_id = ?"), (j.case_id,))
        c.execute(d.sql("DELETE FROM {compliance_cases} WHERE case_id = ?"), (j.case_id,))
        c.execute(
            d.sql(
                "INSERT INTO {compliance_cases} (case_id, municipality, version, judged_at, valid_until) "
                "VALUES (?, ?, ?, ?, ?)"
            ),
            (j.case_id, j.municipality, j.version, stamp(j.judged_at), stamp(j.valid_until)),
        )
        for r in j.results:
            c.execute(
                d.sql(
                    "INSERT INTO {compliance_checks} (case_id, rule, municipality, status, deadline, "
                    "due_at, evidence, unit, coordinator_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                (
                    j.case_id,
                    r.rule,
                    j.municipality,
                    r.status.value,
                    r.deadline.isoformat() if r.deadline is not None else None,
                    stamp(due_instant(r.deadline)) if r.deadline is not None else None,
                    orjson.dumps(list(r.evidence)).decode(),
                    j.unit,
                    j.coordinator_id,
                ),
            )


@dataclass(frozen=True)
class Judgement:
    """One case judged at one moment: the rows `_write` keeps."""

    case_id: str
    municipality: str
    version: int
    judged_at: datetime
    valid_until: datetime
    results: list[CheckResult]
    unit: str | None
    coordinator_id: str | None


def responsible(events: Sequence[Any]) -> tuple[str | None, str | None]:
    """The unit a case belongs to (its coordinator's, else the unit asked to
    appoint one) and its coordinator's id, as the events leave them."""
    requested = unit = coordinator = None
    for e in events:
        if isinstance(e, CoordinatorRequested):
            requested = column(e.unit)
        elif isinstance(e, CoordinatorAppointed | CoordinatorReplaced):
            unit, coordinator = column(e.unit), column(e.person_id)
        elif isinstance(e, CoordinatorReleased):
            unit = coordinator = None
    return unit or requested, coordinator


@dataclass
class Overview:
    total: int
    breaches_per_rule: dict[str, int]
    items: list[dict[str, Any]]


def overview(
    c: Any,
    d: Dialect,
    municipality: str,
    now: datetime,
    *,
    due_before: datetime,
    rule: str | None = None,
    unit: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Overview:
    """Breached checks, and checks due before `due_before`, in the municipality,
    soonest deadline first; `items` is the page asked for, the counts cover all.

    A pending check whose deadline has passed since it was judged is shown as
    a breach: that is what judging it again would say (pending means
    "becomes a breach when the deadline passes")."""
    where = [
        "k.municipality = ?",
        "(k.status = 'breach' OR k.due_at <= ? OR (k.status = 'pending' AND k.due_at IS NULL))",
    ]
    params: list[Any] = [municipality, stamp(due_before)]
    if rule is not None:
        where.append("k.rule = ?")
        params.append(rule)
    if unit is not None:
        where.append("k.unit = ?")
        params.append(unit)
    # Counting and paging happen in the database: a municipality of 10,000
    # cases has about as many rows here, and only a page of them is read.
    tables = "FROM {compliance_checks} k WHERE " + " AND ".join(where)
    status = "CASE WHEN k.status = 'pending' AND k.due_at <= ? THEN 'breach' ELSE k.status END"
    now_stamp = stamp(now)
    c.execute(
        d.sql(f"SELECT k.rule, {status} AS shown, COUNT(*) AS n {tables} GROUP BY k.rule, shown"), (now_stamp, *params)
    )
    total, per_rule = 0, {}
    for row in c.fetchall():
        total += int(row["n"])
        if row["shown"] == "breach":
            per_rule[row["rule"]] = int(row["n"])
    page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    c.execute(
        d.sql(
            f"SELECT k.case_id, k.rule, {status} AS shown, k.deadline, k.evidence, k.unit, "
            "k.coordinator_id, (SELECT j.judged_at FROM {compliance_cases} j WHERE j.case_id = k.case_id) "
            f"AS judged_at {tables} ORDER BY CASE WHEN k.due_at IS NULL THEN 1 ELSE 0 END, k.due_at, k.case_id, k.rule{page}"
        ),
        (now_stamp, *params),
    )
    return Overview(total, dict(sorted(per_rule.items())), [_item(row) for row in c.fetchall()])


def _item(row: Any) -> dict[str, Any]:
    return {
        "case_id": row["case_id"],
        "rule": row["rule"],
        "status": row["shown"],
        "deadline": row["deadline"],
        "unit": row["unit"],
        "coordinator_id": row["coordinator_id"],
        "evidence": orjson.loads(row["evidence"]),
        "judged_at": row["judged_at"],
    }
