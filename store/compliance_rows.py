"""The compliance projection's tables and KE's overview query.

`compliance_cases` holds a row per judged case (when it was judged and until
when that judgement holds); `compliance_checks` its breached and pending
checks. What is judged, and when again, is `projections.compliance`'s to
decide. Moments are stored as fixed-width UTC text (`stamp`), so text order
is time order on both stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson

from store.tables import Dialect


def stamp(moment: datetime) -> str:
    """A UTC instant as fixed-width text, so text order is time order on both stores."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


@dataclass(frozen=True)
class CheckRow:
    """One kept check of a case: no `detail` sentence, nothing of the person."""

    rule: str
    status: str
    deadline: str | None  # as the rule states it (a date or a moment)
    due_at: datetime | None  # the instant the deadline passes
    evidence: Sequence[int]


def create_statements(d: Dialect) -> list[str]:
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
        # The overview's indexes, each ending in the order a page is read in and holding `status`, so
        # counting a municipality's rows reads the index alone and a first page stops after a page:
        # unfiltered (soonest first), by rule (also the register's breached-rule filter), by unit.
        d.sql(
            "CREATE INDEX IF NOT EXISTS compliance_checks_due ON {compliance_checks} "
            "(municipality, due_at, case_id, rule, status)"
        ),
        d.sql(
            "CREATE INDEX IF NOT EXISTS compliance_checks_rule ON {compliance_checks} "
            "(municipality, rule, due_at, case_id, status)"
        ),
        d.sql(
            "CREATE INDEX IF NOT EXISTS compliance_checks_by_unit ON {compliance_checks} "
            "(municipality, unit, rule, due_at, case_id, status)"
        ),
        # Superseded by the three above (a database made before them still has them).
        d.sql(f"DROP INDEX IF EXISTS {d.index('compliance_checks_overview')}"),
        d.sql(f"DROP INDEX IF EXISTS {d.index('compliance_checks_unit')}"),
    ]


def delete_all(c: Any, d: Dialect) -> None:
    c.execute(d.sql("DELETE FROM {compliance_checks}"))
    c.execute(d.sql("DELETE FROM {compliance_cases}"))


def lapsed(c: Any, d: Dialect, now: datetime, limit: int) -> list[UUID]:
    """Cases whose judgement no longer holds at `now`, the longest lapsed first."""
    c.execute(
        d.sql(
            f"SELECT case_id FROM {{compliance_cases}} WHERE valid_until <= ? ORDER BY valid_until LIMIT {int(limit)}"
        ),
        (stamp(now),),
    )
    return [UUID(r["case_id"]) for r in c.fetchall()]


def judged_version(c: Any, d: Dialect, case_id: str) -> int | None:
    """The version of the case its rows were judged at; None if it has none."""
    c.execute(d.sql("SELECT version FROM {compliance_cases} WHERE case_id = ?"), (case_id,))
    row = c.fetchone()
    return None if row is None else int(row["version"])


def delete_case(c: Any, d: Dialect, case_id: str) -> None:
    c.execute(d.sql("DELETE FROM {compliance_checks} WHERE case_id = ?"), (case_id,))
    c.execute(d.sql("DELETE FROM {compliance_cases} WHERE case_id = ?"), (case_id,))


def replace(
    c: Any,
    d: Dialect,
    *,
    case_id: str,
    municipality: str,
    version: int,
    judged_at: datetime,
    valid_until: datetime,
    checks: Sequence[CheckRow],
    unit: str | None,
    coordinator_id: str | None,
) -> None:
    """The case's rows become exactly these."""
    delete_case(c, d, case_id)
    c.execute(
        d.sql(
            "INSERT INTO {compliance_cases} (case_id, municipality, version, judged_at, valid_until) "
            "VALUES (?, ?, ?, ?, ?)"
        ),
        (case_id, municipality, version, stamp(judged_at), stamp(valid_until)),
    )
    for check in checks:
        c.execute(
            d.sql(
                "INSERT INTO {compliance_checks} (case_id, rule, municipality, status, deadline, "
                "due_at, evidence, unit, coordinator_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ),
            (
                case_id,
                check.rule,
                municipality,
                check.status,
                check.deadline,
                stamp(check.due_at) if check.due_at is not None else None,
                orjson.dumps(list(check.evidence)).decode(),
                unit,
                coordinator_id,
            ),
        )


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
    # One aggregate per rule, read in the order of `compliance_checks_rule` (no sort, no row read).
    c.execute(
        d.sql(
            "SELECT k.rule, COUNT(*) AS n, SUM(CASE WHEN k.status = 'breach' OR (k.status = 'pending' AND "
            "k.due_at <= ?) THEN 1 ELSE 0 END) AS breached, SUM(CASE WHEN k.due_at IS NULL THEN 1 ELSE 0 END) "
            f"AS undated {tables} GROUP BY k.rule ORDER BY k.rule"
        ),
        (now_stamp, *params),
    )
    total, dated, per_rule = 0, 0, {}
    for row in c.fetchall():
        total += int(row["n"])
        dated += int(row["n"]) - int(row["undated"])
        if row["breached"]:
            per_rule[row["rule"]] = int(row["breached"])
    # Dated rows first, soonest first, then the undated ones: two queries rather than one ordered by
    # "undated last", so each reads an index in its order and a page stops after the page.
    select = f"SELECT k.case_id, k.rule, {status} AS shown, k.deadline, k.evidence, k.unit, k.coordinator_id {tables}"
    rows: list[Any] = []
    if limit is None or offset < dated:
        page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
        c.execute(
            d.sql(f"{select} AND k.due_at IS NOT NULL ORDER BY k.due_at, k.case_id, k.rule{page}"), (now_stamp, *params)
        )
        rows.extend(c.fetchall())
    if limit is None or len(rows) < limit:
        page = f" LIMIT {int(limit) - len(rows)} OFFSET {max(0, int(offset) - dated)}" if limit is not None else ""
        c.execute(d.sql(f"{select} AND k.due_at IS NULL ORDER BY k.case_id, k.rule{page}"), (now_stamp, *params))
        rows.extend(c.fetchall())
    judged = _judged_at(c, d, {row["case_id"] for row in rows})
    return Overview(total, per_rule, [_item(row, judged) for row in rows])


def _judged_at(c: Any, d: Dialect, case_ids: set[str]) -> dict[str, str]:
    """When each of these cases was judged: a query per few hundred, for the page's rows only."""
    found: dict[str, str] = {}
    ids = sorted(case_ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ", ".join("?" for _ in chunk)
        c.execute(d.sql(f"SELECT case_id, judged_at FROM {{compliance_cases}} WHERE case_id IN ({marks})"), chunk)
        found.update((row["case_id"], row["judged_at"]) for row in c.fetchall())
    return found


def _item(row: Any, judged: dict[str, str]) -> dict[str, Any]:
    return {
        "case_id": row["case_id"],
        "rule": row["rule"],
        "status": row["shown"],
        "deadline": row["deadline"],
        "unit": row["unit"],
        "coordinator_id": row["coordinator_id"],
        "evidence": orjson.loads(row["evidence"]),
        "judged_at": judged.get(row["case_id"]),
    }
