"""The overview's queries (`store/compliance_rows.overview`, `store/register_pages`) give exactly
the rows, order and counts their definitions say, on both stores: each is compared with the same
definition written plainly in Python over rows written straight into the projections' tables
(dated and undated checks, breaches and pending ones, other municipalities, pages across the
dated/undated seam). And a database made before the overview's indexes gets them at start."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.bootstrap import build
from store import compliance_rows, register_pages, register_rows
from store.compliance_rows import CheckRow, stamp
from tests.support.stores import settings_for

HERE, THERE = "3447", "4647"
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
UNTIL = NOW + timedelta(days=14)
RULES = ("CHK-01", "CHK-03", "CHK-10")
UNITS = ("Barn og familie", "NAV", "Psykisk helse og rus")
PEOPLE = {"k-1": "Anne Berg", "k-2": "Bodil Dahl", "k-3": "Anne Berg"}


def fill(ledger, seed: int = 7, cases: int = 60) -> list[dict]:
    """Cases in two municipalities, each with a register row and a few checks; returns them."""
    rng = random.Random(seed)
    store = ledger.projections.store
    written = []
    with store.writing() as c:
        for n in range(cases):
            case_id = str(uuid.UUID(int=rng.getrandbits(128)))
            municipality = HERE if n % 5 else THERE
            coordinator = rng.choice([None, *PEOPLE])
            # A unit asked of a case that has a coordinator is not its unit ("Skolen" is only that); the
            # last of UNITS is only ever asked, never a coordinator's.
            requested = rng.choice([None, "Skolen", *UNITS]) if coordinator else rng.choice([None, *UNITS])
            unit = rng.choice(UNITS[:2]) if coordinator else None
            checks = []
            for rule in rng.sample(RULES, rng.randint(0, len(RULES))):
                due = (
                    None if rng.random() < 0.2 else NOW + timedelta(days=rng.randint(-30, 30), hours=rng.randint(0, 23))
                )
                checks.append(CheckRow(rule, rng.choice(["breach", "pending"]), None, due, [n]))
            judged = NOW - timedelta(hours=n)
            compliance_rows.replace(
                c,
                store.d,
                case_id=case_id,
                municipality=municipality,
                version=1,
                judged_at=judged,
                valid_until=NOW + timedelta(days=365),
                checks=checks,
                unit=unit or requested,
                coordinator_id=coordinator,
            )
            opened = (NOW - timedelta(days=rng.randint(0, 20))).isoformat()  # equal days: the id breaks the tie
            register_rows.insert_opened(c, store.d, case_id, municipality, opened, 1)
            register_rows.update(
                c,
                store.d,
                case_id,
                {
                    "requested_unit": requested,
                    "coordinator_id": coordinator,
                    "coordinator_unit": unit,
                    "coordinator_name": PEOPLE.get(coordinator or "", None) and f"{PEOPLE[coordinator]} {n % 2}",
                    "status": rng.choice(["open", "open", "closed"]),
                },
            )
            written.append(
                {
                    "case_id": case_id,
                    "municipality": municipality,
                    "judged_at": stamp(judged),
                    "opened_at": opened,
                    "unit": unit or requested,
                    "coordinator": coordinator,
                    "checks": checks,
                }
            )
    return written


def breached(check: CheckRow) -> bool:
    return check.status == "breach" or (check.status == "pending" and check.due_at is not None and check.due_at <= NOW)


def expected_overview(cases, rule=None, unit=None):
    """compliance_rows.overview's definition: breaches, checks due before UNTIL, undated pending ones;
    dated first, soonest first, then by case and rule."""
    rows = [
        (case, check)
        for case in cases
        for check in case["checks"]
        if case["municipality"] == HERE
        and (check.status == "breach" or (check.due_at is not None and check.due_at <= UNTIL) or check.due_at is None)
        and rule in (None, check.rule)
        and unit in (None, case["unit"])
    ]
    rows.sort(key=lambda r: (r[1].due_at is None, r[1].due_at or NOW, r[0]["case_id"], r[1].rule))
    per_rule: dict[str, int] = {}
    for _, check in rows:
        if breached(check):
            per_rule[check.rule] = per_rule.get(check.rule, 0) + 1
    items = [
        (case["case_id"], check.rule, "breach" if breached(check) else check.status, case["judged_at"])
        for case, check in rows
    ]
    return items, dict(sorted(per_rule.items()))


def test_the_breaches_overview_pages_dated_then_undated_rows_with_counts_over_all(ledger):
    cases = fill(ledger)
    store = ledger.projections.store
    for rule, unit in [(None, None), ("CHK-01", None), (None, "NAV"), ("CHK-03", "Barn og familie")]:
        items, per_rule = expected_overview(cases, rule, unit)
        undated = sum(1 for i in items if _undated(cases, i))
        assert 0 < undated < len(items), "the fill has rows on both sides of the seam"
        seam = len(items) - undated
        for limit, offset in [
            (None, 0),
            (5, 0),
            (5, seam - 2),
            (5, seam),
            (7, max(0, seam - 3)),
            (5, len(items) - 1),
            (5, 999),
        ]:
            found = store.read(
                compliance_rows.overview, HERE, NOW, due_before=UNTIL, rule=rule, unit=unit, limit=limit, offset=offset
            )
            page = items[offset:] if limit is None else items[offset : offset + limit]
            got = [(i["case_id"], i["rule"], i["status"], i["judged_at"]) for i in found.items]
            assert got == page, (rule, unit, limit, offset)
            assert found.total == len(items)
            assert found.breaches_per_rule == per_rule


def _undated(cases, item) -> bool:
    case = next(c for c in cases if c["case_id"] == item[0])
    return next(k for k in case["checks"] if k.rule == item[1]).due_at is None


def test_the_counts_per_rule_are_breaches_now_and_pending_checks_due_before(ledger):
    cases = fill(ledger, seed=11)
    expected: dict[str, dict[str, int]] = {}
    for case in cases:
        for check in case["checks"]:
            if case["municipality"] != HERE:
                continue
            soon = check.status == "pending" and check.due_at is not None and check.due_at <= UNTIL
            if breached(check) or soon:
                counts = expected.setdefault(check.rule, {"breach": 0, "soon": 0})
                counts["breach" if breached(check) else "soon"] += 1
    assert expected, "the fill has checks to count"
    assert ledger.projections.store.read(register_pages.rule_counts, HERE, NOW, UNTIL) == dict(sorted(expected.items()))


def test_the_filters_offer_each_unit_and_coordinator_of_the_municipality_once(ledger):
    cases = fill(ledger, seed=3)
    store = ledger.projections.store
    with store.writing() as c:  # a case with neither unit: no choice for it
        register_rows.insert_opened(c, store.d, str(uuid.uuid4()), HERE, NOW.isoformat(), 1)
    here = [c for c in cases if c["municipality"] == HERE]
    choices = store.read(register_pages.choices, HERE)
    assert choices["units"] == sorted({c["unit"] for c in here if c["unit"]}) == sorted(UNITS)
    names: dict[str, str] = {}
    for case in cases:
        if case["municipality"] == HERE and case["coordinator"]:
            name = store.read(_name_of, case["case_id"])
            names[case["coordinator"]] = max(names.get(case["coordinator"], name), name)
    assert choices["coordinators"] == [
        {"person_id": k, "name": v} for k, v in sorted(names.items(), key=lambda kv: (kv[1], kv[0]))
    ]
    assert store.read(register_pages.choices, "0301") == {"units": [], "coordinators": []}


def _name_of(c, d, case_id: str) -> str:
    c.execute(d.sql("SELECT coordinator_name FROM {register_cases} WHERE case_id = ?"), (case_id,))
    return c.fetchone()["coordinator_name"]


@pytest.mark.parametrize("status", [None, "open"])
def test_the_register_filtered_by_a_breached_rule_lists_the_cases_breaching_it_newest_first(ledger, status):
    cases = fill(ledger, seed=5)
    store = ledger.projections.store
    statuses = {c["case_id"]: store.read(_status_of, c["case_id"]) for c in cases}
    for rule, unit in [("CHK-01", None), ("CHK-10", "NAV")]:
        expected = sorted(
            (
                c
                for c in cases
                if c["municipality"] == HERE
                and any(k.rule == rule and breached(k) for k in c["checks"])
                and unit in (None, c["unit"])
                and status in (None, statuses[c["case_id"]])
            ),
            key=lambda c: (c["opened_at"], c["case_id"]),
            reverse=True,
        )
        assert expected, "the fill has cases breaching the rule"
        for offset in (0, 3):
            page = store.read(
                register_pages.cases, HERE, NOW, status=status, unit=unit, breached_rule=rule, limit=4, offset=offset
            )
            assert page.total == len(expected)
            assert [i["case_id"] for i in page.items] == [c["case_id"] for c in expected[offset : offset + 4]]
            assert all(rule in i["breaches"] for i in page.items)


def _status_of(c, d, case_id: str) -> str:
    c.execute(d.sql("SELECT status FROM {register_cases} WHERE case_id = ?"), (case_id,))
    return c.fetchone()["status"]


NEW_INDEXES = {
    "compliance_checks_due",
    "compliance_checks_rule",
    "compliance_checks_by_unit",
    "register_cases_unit_opened",
    "register_cases_coordinators",
    "duty_cases_municipality",
    "duties_municipality_due",
}
OLD_INDEXES = {
    "compliance_checks_overview": "compliance_checks (municipality, rule, due_at)",
    "compliance_checks_unit": "compliance_checks (municipality, unit, rule, due_at)",
    "duties_municipality": "duties (municipality, due_at)",
}


def indexes(ledger) -> set[str]:
    def names(c, d):
        if d.name == "sqlite":
            c.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        else:
            c.execute("SELECT indexname AS name FROM pg_indexes WHERE schemaname = %s", (d.schema,))
        return {r["name"] for r in c.fetchall()}

    return ledger.projections.store.read(names)


def test_a_database_made_before_the_overview_indexes_gets_them_at_start(db_url, tmp_path, clock):
    settings = settings_for(db_url, tmp_path / "secrets")
    ledger = build(settings, clock=clock)
    try:
        assert NEW_INDEXES <= indexes(ledger)
        assert not set(OLD_INDEXES) & indexes(ledger)
        store = ledger.projections.store
        with store.writing() as c:  # as the tables stood before
            for name in NEW_INDEXES:
                c.execute(f"DROP INDEX {store.d.index(name)}")
            for name, on in OLD_INDEXES.items():
                table, columns = on.split(" ", 1)
                c.execute(f"CREATE INDEX {name} ON {store.d.table(table)} {columns}")
    finally:
        ledger.close()
    again = build(settings, clock=clock)
    try:
        assert NEW_INDEXES <= indexes(again)
        assert not set(OLD_INDEXES) & indexes(again)
    finally:
        again.close()
