"""Read queries over the projection tables, for the read service.

Each function opens its own read transaction on the recorder's datastore and
returns plain data; the read service decides who may ask (store knows nothing
of roles). The projections that keep these tables write them; this module
only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

import orjson

from store.tables import Dialect


class Database(Protocol):
    """What these queries need of a recorder (both of the ledger's recorders have it)."""

    dialect: Dialect
    datastore: Any


def stamp(moment: datetime) -> str:
    """A UTC instant as fixed-width text, so text order is time order on both stores."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


# ------------------------------------------------------------------ case view
def case_view_row(db: Database, case_id: UUID) -> bytes | None:
    """The sealed row of the case-view projection, or None if the case has none yet."""
    with db.datastore.transaction(commit=False) as c:
        c.execute(db.dialect.sql("SELECT view FROM {case_views} WHERE case_id = ?"), (str(case_id),))
        row = c.fetchone()
    return None if row is None else bytes(row["view"])


# ------------------------------------------------------------------- register
def coordinators(db: Database, municipality: str) -> dict[str, Any]:
    """Coordinators with their open cases and units, the load per unit, and open cases without a coordinator."""
    d = db.dialect
    with db.datastore.transaction(commit=False) as c:
        c.execute(
            d.sql(
                "SELECT case_id, coordinator_id, coordinator_name, coordinator_unit, coordinator_kind "
                "FROM {register_cases} WHERE municipality = ? AND status = 'open' AND coordinator_id IS NOT NULL "
                "ORDER BY coordinator_unit, coordinator_id, case_id"
            ),
            (municipality,),
        )
        appointed = c.fetchall()
        c.execute(
            d.sql(
                "SELECT case_id, requested_unit, opened_at FROM {register_cases} WHERE municipality = ? "
                "AND status = 'open' AND coordinator_id IS NULL ORDER BY opened_at"
            ),
            (municipality,),
        )
        unappointed = c.fetchall()
    people: dict[str, dict[str, Any]] = {}
    units: dict[str, int] = {}
    for r in appointed:
        person = people.setdefault(
            r["coordinator_id"],
            {
                "person_id": r["coordinator_id"],
                "name": r["coordinator_name"],
                "unit": r["coordinator_unit"],
                "kinds": [],
                "cases": [],
            },
        )
        person["cases"].append(r["case_id"])
        if r["coordinator_kind"] and r["coordinator_kind"] not in person["kinds"]:
            person["kinds"].append(r["coordinator_kind"])
        units[r["coordinator_unit"]] = units.get(r["coordinator_unit"], 0) + 1
    return {
        "coordinators": [{**p, "load": len(p["cases"])} for p in people.values()],
        "load_per_unit": [{"unit": u, "cases": n} for u, n in sorted(units.items())],
        "cases_without_coordinator": [
            {"case_id": r["case_id"], "requested_unit": r["requested_unit"], "opened_at": r["opened_at"]}
            for r in unappointed
        ],
    }


def teams(db: Database, municipality: str) -> dict[str, Any]:
    """Every open case's team with its coordinator and size."""
    with db.datastore.transaction(commit=False) as c:
        c.execute(
            db.dialect.sql(
                "SELECT case_id, team_name, participants, coordinator_id, coordinator_name, coordinator_unit "
                "FROM {register_cases} WHERE municipality = ? AND status = 'open' AND team_name IS NOT NULL "
                "ORDER BY coordinator_unit, case_id"
            ),
            (municipality,),
        )
        rows = c.fetchall()
    return {
        "teams": [
            {
                "case_id": r["case_id"],
                "called": r["team_name"],
                "participants": r["participants"],
                "coordinator": {
                    "person_id": r["coordinator_id"],
                    "name": r["coordinator_name"],
                    "unit": r["coordinator_unit"],
                }
                if r["coordinator_id"]
                else None,
            }
            for r in rows
        ]
    }


# ----------------------------------------------------------------- compliance
@dataclass
class Overview:
    total: int
    breaches_per_rule: dict[str, int]
    items: list[dict[str, Any]]


def breaches(
    db: Database,
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
    d = db.dialect
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
    page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    with db.datastore.transaction(commit=False) as c:
        c.execute(
            d.sql(f"SELECT k.rule, {status} AS shown, COUNT(*) AS n {tables} GROUP BY k.rule, shown"),
            (now_stamp, *params),
        )
        total, per_rule = 0, {}
        for row in c.fetchall():
            total += int(row["n"])
            if row["shown"] == "breach":
                per_rule[row["rule"]] = int(row["n"])
        c.execute(
            d.sql(
                f"SELECT k.case_id, k.rule, {status} AS shown, k.deadline, k.evidence, k.unit, "
                "k.coordinator_id, (SELECT j.judged_at FROM {compliance_cases} j WHERE j.case_id = k.case_id) "
                f"AS judged_at {tables} ORDER BY CASE WHEN k.due_at IS NULL THEN 1 ELSE 0 END, k.due_at, k.case_id, "
                f"k.rule{page}"
            ),
            (now_stamp, *params),
        )
        rows = c.fetchall()
    return Overview(total, dict(sorted(per_rule.items())), [_breach_item(row) for row in rows])


def _breach_item(row: Any) -> dict[str, Any]:
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
