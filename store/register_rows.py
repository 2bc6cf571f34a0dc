"""The register's table (`register_cases`, a row per case) and its queries:
KE's coordinators with their cases and units, and the active teams.
What goes into a row is `projections.register`'s to decide."""

from __future__ import annotations

from typing import Any

from store.projection_rows import column
from store.tables import Dialect

COLUMNS = (
    "case_id",
    "municipality",
    "status",
    "opened_at",
    "coordinator_id",
    "coordinator_name",
    "coordinator_unit",
    "coordinator_kind",
    "requested_unit",
    "team_name",
    "participants",
    "version",
)


def create_statements(d: Dialect) -> list[str]:
    return [
        d.sql(
            "CREATE TABLE IF NOT EXISTS {register_cases} (case_id TEXT PRIMARY KEY, municipality TEXT NOT NULL, "
            "status TEXT NOT NULL, opened_at TEXT NOT NULL, coordinator_id TEXT, coordinator_name TEXT, "
            "coordinator_unit TEXT, coordinator_kind TEXT, requested_unit TEXT, team_name TEXT, "
            "participants INTEGER NOT NULL DEFAULT 0, version BIGINT NOT NULL)"
        ),
        d.sql("CREATE INDEX IF NOT EXISTS register_cases_municipality ON {register_cases} (municipality, status)"),
        # The web overview's pages, newest first (store.register_pages): read in index order, no sort.
        d.sql(
            "CREATE INDEX IF NOT EXISTS register_cases_opened ON {register_cases} (municipality, opened_at, case_id)"
        ),
        # The same filtered by unit (the coordinator's, else the one asked to name one: the
        # expression is store.register_pages._UNIT's, which is what lets the query use it).
        d.sql(
            "CREATE INDEX IF NOT EXISTS register_cases_unit_opened ON {register_cases} "
            "(municipality, (COALESCE(coordinator_unit, requested_unit)), opened_at, case_id)"
        ),
        # The coordinators to filter by, one seek each (store.register_pages.choices; the units' seeks
        # read the index above).
        d.sql(
            "CREATE INDEX IF NOT EXISTS register_cases_coordinators ON {register_cases} "
            "(municipality, coordinator_id, coordinator_name)"
        ),
    ]


def delete_all(c: Any, d: Dialect) -> None:
    c.execute(d.sql("DELETE FROM {register_cases}"))


def insert_opened(c: Any, d: Dialect, case_id: str, municipality: str, opened_at: str, version: int) -> None:
    c.execute(
        d.sql(
            "INSERT INTO {register_cases} (case_id, municipality, status, opened_at, participants, "
            "version) VALUES (?, ?, 'open', ?, 0, ?)"
        ),
        (case_id, municipality, opened_at, version),
    )


def add_participants(c: Any, d: Dialect, case_id: str, delta: int) -> None:
    c.execute(d.sql("UPDATE {register_cases} SET participants = participants + ? WHERE case_id = ?"), (delta, case_id))


def update(c: Any, d: Dialect, case_id: str, values: dict[str, Any]) -> None:
    """Set these columns of the case's row (each value as a column holds it)."""
    unknown = set(values) - set(COLUMNS)
    if unknown:
        # Column names become SQL text: only the table's own are accepted.
        raise ValueError(f"register_cases has no column {sorted(unknown)[0]!r}")
    assignments = ", ".join(f"{k} = ?" for k in values)
    c.execute(
        d.sql(f"UPDATE {{register_cases}} SET {assignments} WHERE case_id = ?"),
        (*(column(v) for v in values.values()), case_id),
    )


def coordinators(c: Any, d: Dialect, municipality: str) -> dict[str, Any]:
    c.execute(
        d.sql(
            "SELECT case_id, coordinator_id, coordinator_name, coordinator_unit, coordinator_kind "
            "FROM {register_cases} WHERE municipality = ? AND status = 'open' AND coordinator_id IS NOT NULL "
            "ORDER BY coordinator_unit, coordinator_id, case_id"
        ),
        (municipality,),
    )
    people: dict[str, dict[str, Any]] = {}
    units: dict[str, int] = {}
    for r in c.fetchall():
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
    c.execute(
        d.sql(
            "SELECT case_id, requested_unit, opened_at FROM {register_cases} WHERE municipality = ? "
            "AND status = 'open' AND coordinator_id IS NULL ORDER BY opened_at"
        ),
        (municipality,),
    )
    without = [
        {"case_id": r["case_id"], "requested_unit": r["requested_unit"], "opened_at": r["opened_at"]}
        for r in c.fetchall()
    ]
    return {
        "coordinators": [{**p, "load": len(p["cases"])} for p in people.values()],
        "load_per_unit": [{"unit": u, "cases": n} for u, n in sorted(units.items())],
        "cases_without_coordinator": without,
    }


def teams(c: Any, d: Dialect, municipality: str) -> dict[str, Any]:
    c.execute(
        d.sql(
            "SELECT case_id, team_name, participants, coordinator_id, coordinator_name, coordinator_unit "
            "FROM {register_cases} WHERE municipality = ? AND status = 'open' AND team_name IS NOT NULL "
            "ORDER BY coordinator_unit, case_id"
        ),
        (municipality,),
    )
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
            for r in c.fetchall()
        ]
    }


def closed_cases(c: Any, d: Dialect, municipality: str) -> list[str]:
    """The ids of the municipality's closed cases (erased ones too), oldest first."""
    c.execute(
        d.sql(
            "SELECT case_id FROM {register_cases} WHERE municipality = ? AND status = 'closed' "
            "ORDER BY opened_at, case_id"
        ),
        (municipality,),
    )
    return [r["case_id"] for r in c.fetchall()]
