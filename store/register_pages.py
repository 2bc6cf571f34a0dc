"""The register's cases a page at a time (the web app's overview and worklist), and the checks'
counts per rule. Reads `register_cases` (`store.register_rows`) and `compliance_checks`
(`store.compliance_rows`); writes nothing.

Paging is by offset, counted in the database: a municipality of 10,000 cases reads one page of
rows in the order of the `(municipality, opened_at, case_id)` index and counts over an index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from store.compliance_rows import stamp
from store.tables import Dialect

# A case's unit: the coordinator's, or, before one is named, the unit asked to name one.
_UNIT = "COALESCE(r.coordinator_unit, r.requested_unit)"
# A check is breached when judged so, or pending with a deadline that has passed since.
_BREACHED = "(k.status = 'breach' OR (k.status = 'pending' AND k.due_at <= ?))"


@dataclass
class RegisterPage:
    total: int
    items: list[dict[str, Any]]


def cases(
    c: Any,
    d: Dialect,
    municipality: str,
    now: datetime,
    *,
    status: str | None = None,
    unit: str | None = None,
    coordinator_id: str | None = None,
    breached_rule: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> RegisterPage:
    """The municipality's cases matching every filter, newest first, with each case's breached rules."""
    where = ["r.municipality = ?"]
    params: list[Any] = [municipality]
    if status is not None:
        where.append("r.status = ?")
        params.append(status)
    if unit is not None:
        where.append(f"{_UNIT} = ?")
        params.append(unit)
    if coordinator_id is not None:
        where.append("r.coordinator_id = ?")
        params.append(coordinator_id)
    if breached_rule is not None:
        # A correlated EXISTS (a primary-key probe per case), not `IN (the rule's breached checks)`:
        # PostgreSQL without statistics (autovacuum off, a freshly filled table) planned the IN as
        # a scan of the rule's checks for every case, 3.5 s at 10,000 cases; EXISTS stays a probe.
        where.append(
            f"EXISTS (SELECT 1 FROM {{compliance_checks}} k WHERE k.case_id = r.case_id AND k.rule = ? AND {_BREACHED})"
        )
        params.extend((breached_rule, stamp(now)))
    condition = " WHERE " + " AND ".join(where)
    c.execute(d.sql("SELECT COUNT(*) AS n FROM {register_cases} r" + condition), params)
    total = int(c.fetchone()["n"])
    # The page's ids first, from the index alone when no filter needs the row (the offset skips
    # index entries, not rows), then the page's rows by id.
    newest = "ORDER BY r.opened_at DESC, r.case_id DESC"
    c.execute(
        d.sql(
            "SELECT r.case_id, r.status, r.opened_at, r.coordinator_id, r.coordinator_name, r.coordinator_kind, "
            f"{_UNIT} AS unit, r.team_name, r.participants FROM {{register_cases}} r JOIN (SELECT r.case_id AS id "
            f"FROM {{register_cases}} r{condition} {newest} LIMIT {int(limit)} OFFSET {int(offset)}) page "
            f"ON r.case_id = page.id {newest}"
        ),
        params,
    )
    items = [_case(row) for row in c.fetchall()]
    _add_breaches(c, d, items, now)
    return RegisterPage(total, items)


def _case(r: Any) -> dict[str, Any]:
    return {
        "case_id": r["case_id"],
        "status": r["status"],
        "opened_at": r["opened_at"],
        "unit": r["unit"],
        "coordinator": {"person_id": r["coordinator_id"], "name": r["coordinator_name"], "kind": r["coordinator_kind"]}
        if r["coordinator_id"]
        else None,
        "team": {"called": r["team_name"], "participants": int(r["participants"])} if r["team_name"] else None,
        "breaches": [],
    }


def _add_breaches(c: Any, d: Dialect, items: list[dict[str, Any]], now: datetime) -> None:
    """Each case's breached rules: one query for the page (a page is at most a few hundred cases)."""
    if not items:
        return
    by_id = {item["case_id"]: item for item in items}
    marks = ", ".join("?" for _ in by_id)
    c.execute(
        d.sql(
            f"SELECT k.case_id, k.rule FROM {{compliance_checks}} k WHERE k.case_id IN ({marks}) AND {_BREACHED} "
            "ORDER BY k.case_id, k.rule"
        ),
        (*by_id, stamp(now)),
    )
    for row in c.fetchall():
        by_id[row["case_id"]]["breaches"].append(row["rule"])


def choices(c: Any, d: Dialect, municipality: str) -> dict[str, Any]:
    """What the overview's filters offer: the units and the coordinators of the municipality's cases.

    Each distinct value is found by one index seek from the one before (a loose index scan, written
    as a recursive query because neither store skips through an index by itself; the units' seeks
    read `register_cases_unit_opened`, the coordinators' `register_cases_coordinators`), so the cost
    grows with the number of units and coordinators, not of cases."""
    c.execute(
        d.sql(
            f"WITH RECURSIVE units(unit) AS (SELECT MIN({_UNIT}) FROM {{register_cases}} r WHERE r.municipality = ? "
            f"UNION ALL SELECT (SELECT MIN({_UNIT}) FROM {{register_cases}} r WHERE r.municipality = ? "
            f"AND {_UNIT} > u.unit) FROM units u WHERE u.unit IS NOT NULL) "
            "SELECT unit FROM units WHERE unit IS NOT NULL"
        ),
        (municipality,) * 2,
    )
    units = [r["unit"] for r in c.fetchall()]
    c.execute(
        d.sql(
            "WITH RECURSIVE people(id) AS ("
            "SELECT MIN(r.coordinator_id) FROM {register_cases} r WHERE r.municipality = ? "
            "UNION ALL SELECT (SELECT MIN(r.coordinator_id) FROM {register_cases} r "
            "WHERE r.municipality = ? AND r.coordinator_id > p.id) FROM people p WHERE p.id IS NOT NULL) "
            "SELECT p.id AS coordinator_id, (SELECT MAX(r.coordinator_name) FROM {register_cases} r "
            "WHERE r.municipality = ? AND r.coordinator_id = p.id) AS name FROM people p WHERE p.id IS NOT NULL "
            "ORDER BY name, coordinator_id"
        ),
        (municipality,) * 3,
    )
    coordinators = [{"person_id": r["coordinator_id"], "name": r["name"]} for r in c.fetchall()]
    return {"units": units, "coordinators": coordinators}


def rule_counts(
    c: Any, d: Dialect, municipality: str, now: datetime, due_before: datetime
) -> dict[str, dict[str, int]]:
    """Per rule: how many checks are breached now, and how many pending ones fall due before `due_before`."""
    # One aggregate per rule, read in the order of `compliance_checks_rule` (no sort, no row read).
    c.execute(
        d.sql(
            f"SELECT k.rule, COUNT(*) AS n, SUM(CASE WHEN {_BREACHED} THEN 1 ELSE 0 END) AS breach "
            f"FROM {{compliance_checks}} k WHERE k.municipality = ? AND ({_BREACHED} OR "
            "(k.status = 'pending' AND k.due_at <= ?)) GROUP BY k.rule ORDER BY k.rule"
        ),
        (stamp(now), municipality, stamp(now), stamp(due_before)),
    )
    return {
        row["rule"]: {"breach": int(row["breach"]), "soon": int(row["n"]) - int(row["breach"])} for row in c.fetchall()
    }
