"""The duties projection's tables and the worklist queries (issue #11).

`duty_cases` holds a row per judged case (when it was judged and until when that judgement holds),
`duties` its upcoming and overdue duties, one row per person who must act, and `consent_expiries`
the consents of open cases that run out at a known moment (the process that runs the projections
records `ConsentExpired` for each one whose moment has come). What is judged, and when again, is
`projections.duties`' to decide.

No row holds personal data: `what` is a sentence without names or free text, and a citizen or
guardian is found by `person_ref`, a keyed pseudonym of their national id (`Keyring.person_ref`),
never the id itself. Moments are fixed-width UTC text (`stamp`), so text order is time order.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from store.compliance_rows import stamp
from store.tables import Dialect


@dataclass(frozen=True)
class DutyRow:
    """One duty of a case for one person (or unit) who must act on it."""

    rule: str
    task: str
    item: str | None
    deadline: str  # ISO date: the Norwegian day the deadline falls on
    due_at: datetime
    status: str  # upcoming | overdue, as judged
    assignee_kind: str
    assignee_id: str | None
    unit: str | None
    guardian: int | None
    person_ref: str | None  # a citizen's or guardian's pseudonym; None for staff
    what: str
    evidence: Sequence[int]


@dataclass(frozen=True)
class ConsentRow:
    consent_id: str
    ends_at: datetime


@dataclass(frozen=True)
class DueConsent:
    """A consent whose period has ended and whose end is not yet recorded."""

    case_id: UUID
    consent_id: UUID
    municipality: str
    ends_at: datetime


def create_statements(d: Dialect) -> list[str]:
    return [
        d.sql(
            "CREATE TABLE IF NOT EXISTS {duty_cases} (case_id TEXT PRIMARY KEY, municipality TEXT NOT NULL, "
            "version BIGINT NOT NULL, judged_at TEXT NOT NULL, valid_until TEXT NOT NULL)"
        ),
        d.sql("CREATE INDEX IF NOT EXISTS duty_cases_stale ON {duty_cases} (valid_until)"),
        d.sql("CREATE INDEX IF NOT EXISTS duty_cases_municipality ON {duty_cases} (municipality)"),
        d.sql(
            "CREATE TABLE IF NOT EXISTS {duties} (case_id TEXT NOT NULL, seq INTEGER NOT NULL, "
            "municipality TEXT NOT NULL, rule TEXT NOT NULL, task TEXT NOT NULL, item TEXT, "
            "deadline TEXT NOT NULL, due_at TEXT NOT NULL, status TEXT NOT NULL, assignee_kind TEXT NOT NULL, "
            "assignee_id TEXT, unit TEXT, guardian INTEGER, person_ref TEXT, what TEXT NOT NULL, "
            "evidence TEXT NOT NULL, PRIMARY KEY (case_id, seq))"
        ),
        # One index per way the worklists are asked for, each ending in the order they are read in,
        # so a page of 10,000 cases' duties is one index range.
        # KE's list also holds what its counts need (status, task), so they read the index alone.
        d.sql(
            "CREATE INDEX IF NOT EXISTS duties_municipality_due ON {duties} "
            "(municipality, due_at, case_id, seq, status, task)"
        ),
        d.sql(f"DROP INDEX IF EXISTS {d.index('duties_municipality')}"),  # its first columns, superseded
        d.sql(
            "CREATE INDEX IF NOT EXISTS duties_assignee ON {duties} (municipality, assignee_kind, assignee_id, due_at)"
        ),
        d.sql("CREATE INDEX IF NOT EXISTS duties_unit ON {duties} (municipality, unit, due_at)"),
        d.sql("CREATE INDEX IF NOT EXISTS duties_person ON {duties} (person_ref, due_at)"),
        d.sql(
            "CREATE TABLE IF NOT EXISTS {consent_expiries} (case_id TEXT NOT NULL, consent_id TEXT NOT NULL, "
            "municipality TEXT NOT NULL, ends_at TEXT NOT NULL, PRIMARY KEY (case_id, consent_id))"
        ),
        d.sql("CREATE INDEX IF NOT EXISTS consent_expiries_due ON {consent_expiries} (ends_at)"),
    ]


def delete_all(c: Any, d: Dialect) -> None:
    for table in ("duties", "consent_expiries", "duty_cases"):
        c.execute(d.sql(f"DELETE FROM {{{table}}}"))


def delete_case(c: Any, d: Dialect, case_id: str) -> None:
    """A case that could not be judged keeps no rows."""
    for table in ("duties", "consent_expiries", "duty_cases"):
        c.execute(d.sql(f"DELETE FROM {{{table}}} WHERE case_id = ?"), (case_id,))


def lapsed(c: Any, d: Dialect, now: datetime, limit: int) -> list[UUID]:
    """Cases whose judgement no longer holds at `now`, the longest lapsed first."""
    c.execute(
        d.sql(f"SELECT case_id FROM {{duty_cases}} WHERE valid_until <= ? ORDER BY valid_until LIMIT {int(limit)}"),
        (stamp(now),),
    )
    return [UUID(r["case_id"]) for r in c.fetchall()]


def municipalities(c: Any, d: Dialect) -> list[str]:
    """Every municipality with a judged case: one index seek each (a loose index scan; run after
    every catch-up, so every page read, and a DISTINCT would read a row per case)."""
    c.execute(
        d.sql(
            "WITH RECURSIVE m(municipality) AS (SELECT MIN(municipality) FROM {duty_cases} UNION ALL "
            "SELECT (SELECT MIN(j.municipality) FROM {duty_cases} j WHERE j.municipality > m.municipality) "
            "FROM m WHERE m.municipality IS NOT NULL) "
            "SELECT municipality FROM m WHERE municipality IS NOT NULL ORDER BY municipality"
        )
    )
    return [r["municipality"] for r in c.fetchall()]


def judged_version(c: Any, d: Dialect, case_id: str) -> int | None:
    """The version of the case its rows were judged at; None if it has none."""
    c.execute(d.sql("SELECT version FROM {duty_cases} WHERE case_id = ?"), (case_id,))
    row = c.fetchone()
    return None if row is None else int(row["version"])


def replace(
    c: Any,
    d: Dialect,
    *,
    case_id: str,
    municipality: str,
    version: int,
    judged_at: datetime,
    valid_until: datetime,
    duties: Sequence[DutyRow],
    consents: Sequence[ConsentRow],
) -> None:
    """The case's rows become exactly these."""
    delete_case(c, d, case_id)
    c.execute(
        d.sql(
            "INSERT INTO {duty_cases} (case_id, municipality, version, judged_at, valid_until) VALUES (?, ?, ?, ?, ?)"
        ),
        (case_id, municipality, version, stamp(judged_at), stamp(valid_until)),
    )
    if duties:
        c.executemany(
            d.sql(
                "INSERT INTO {duties} (case_id, seq, municipality, rule, task, item, deadline, due_at, status, "
                "assignee_kind, assignee_id, unit, guardian, person_ref, what, evidence) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ),
            [
                (
                    case_id,
                    seq,
                    municipality,
                    r.rule,
                    r.task,
                    r.item,
                    r.deadline,
                    stamp(r.due_at),
                    r.status,
                    r.assignee_kind,
                    r.assignee_id,
                    r.unit,
                    r.guardian,
                    r.person_ref,
                    r.what,
                    orjson.dumps(list(r.evidence)).decode(),
                )
                for seq, r in enumerate(duties)
            ],
        )
    if consents:
        c.executemany(
            d.sql("INSERT INTO {consent_expiries} (case_id, consent_id, municipality, ends_at) VALUES (?, ?, ?, ?)"),
            [(case_id, r.consent_id, municipality, stamp(r.ends_at)) for r in consents],
        )


def consents_due(c: Any, d: Dialect, now: datetime, limit: int) -> list[DueConsent]:
    """Consents of open cases whose period ended by `now` and whose end is not yet recorded, oldest first."""
    c.execute(
        d.sql(
            "SELECT case_id, consent_id, municipality, ends_at FROM {consent_expiries} WHERE ends_at <= ? "
            f"ORDER BY ends_at, case_id, consent_id LIMIT {int(limit)}"
        ),
        (stamp(now),),
    )
    return [
        DueConsent(UUID(r["case_id"]), UUID(r["consent_id"]), r["municipality"], _moment(r["ends_at"]))
        for r in c.fetchall()
    ]


@dataclass
class TaskPage:
    total: int
    overdue: int
    items: list[dict[str, Any]]


def tasks(
    c: Any,
    d: Dialect,
    now: datetime,
    *,
    municipality: str | None = None,
    kinds: Collection[str] | None = None,
    assignee_id: str | None = None,
    person_ref: str | None = None,
    unit: str | None = None,
    due_before: datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> TaskPage:
    """Duties matching every filter given, soonest deadline first, a page at a time; the counts
    cover every duty matched.

    An upcoming duty whose moment has passed since it was judged is shown as overdue (what judging
    it again would say), except a consent's renewal: a consent that has run out is not overdue, it
    has ended, and its row goes at the next judgement."""
    where = ["NOT (task = 'renew_consent' AND due_at <= ?)"]
    now_stamp = stamp(now)
    params: list[Any] = [now_stamp]
    if municipality is not None:
        where.append("municipality = ?")
        params.append(municipality)
    if kinds is not None:
        if not kinds:
            return TaskPage(0, 0, [])
        where.append(f"assignee_kind IN ({', '.join('?' for _ in kinds)})")
        params.extend(sorted(kinds))
    for column, value in (("assignee_id", assignee_id), ("person_ref", person_ref), ("unit", unit)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if due_before is not None:
        where.append("due_at <= ?")
        params.append(stamp(due_before))
    condition = " WHERE " + " AND ".join(where)
    shown = "CASE WHEN status = 'upcoming' AND due_at <= ? THEN 'overdue' ELSE status END"
    # Counting and paging happen in the database: only a page is read.
    # One row of counts (no grouping, so no sort): read from the index alone when it holds the columns.
    c.execute(
        d.sql(
            f"SELECT COUNT(*) AS n, SUM(CASE WHEN {shown} = 'overdue' THEN 1 ELSE 0 END) AS overdue "
            f"FROM {{duties}}{condition}"
        ),
        (now_stamp, *params),
    )
    counted = c.fetchone()
    page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    c.execute(
        d.sql(
            f"SELECT case_id, seq, municipality, rule, task, item, deadline, due_at, {shown} AS shown, "
            "assignee_kind, assignee_id, unit, guardian, what, evidence "
            f"FROM {{duties}}{condition} ORDER BY due_at, case_id, seq{page}"
        ),
        (now_stamp, *params),
    )
    return TaskPage(int(counted["n"]), int(counted["overdue"] or 0), [_task(r) for r in c.fetchall()])


def _task(r: Any) -> dict[str, Any]:
    return {
        "case_id": r["case_id"],
        "municipality": r["municipality"],
        "rule": r["rule"],
        "task": r["task"],
        "item": r["item"],
        "deadline": r["deadline"],
        "due_at": _moment(r["due_at"]).isoformat(),
        "status": r["shown"],
        "assignee": {
            "kind": r["assignee_kind"],
            "id": r["assignee_id"],
            "unit": r["unit"],
            "guardian": r["guardian"],
        },
        "what": r["what"],
        "evidence": orjson.loads(r["evidence"]),
    }


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)
