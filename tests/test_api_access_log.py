"""Every read of case content leaves an access record (DOMAIN §6, §8): who,
role, which parts, when; chained per case so that an edit shows."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import pytest
from fastapi.routing import APIRoute

from ledger.values import Role
from tests.support.http import Api, open_case, populated_case

# Sample values for the query parameters a case read may require.
QUERY_SAMPLES = {"format": "json"}


def case_read_routes(api: Api) -> list[tuple[str, APIRoute]]:
    """Every GET route of the app that reads one case, with its full path: found from the
    app's routes, so a new route is covered without touching this test."""
    app = api.client.app
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI >= 0.16x keeps included routers nested
    except ImportError:  # pragma: no cover - older FastAPI flattens them into app.routes
        pairs = [(r.path, r) for r in app.routes]
    else:
        pairs = [(ctx.path, ctx.original_route) for ctx in iter_route_contexts(app.routes)]
    routes = [
        (path, r)
        for path, r in pairs
        # The API's routes: the web app's pages (`/saker/{case_id}` …) read through the same read service.
        if isinstance(r, APIRoute) and "GET" in r.methods and (path or "").startswith("/v1/") and "{case_id}" in path
    ]
    assert routes, "no case read routes found"
    documented = {p for p, ops in app.openapi()["paths"].items() if "get" in ops and "{case_id}" in p}
    assert documented <= {path for path, _ in routes}
    return routes


def part_of(path: str) -> str:
    """The part a route reads: the path segment after the case id (`history`, `access_log`, …) or `case`."""
    rest = path.split("{case_id}", 1)[1].strip("/")
    return rest.split("/")[0].replace("-", "_") if rest else "case"


def url_for(path: str, route: APIRoute, ids: dict[str, str]) -> tuple[str, dict[str, Any]]:
    names = re.findall(r"{(\w+)}", path)
    missing = [n for n in names if n not in ids]
    assert not missing, f"{path}: teach populated_case an id for {missing}"
    query = {}
    for param in route.dependant.query_params:
        if param.field_info.is_required():
            assert param.name in QUERY_SAMPLES, f"{path}: add a sample for required ?{param.name}"
            query[param.name] = QUERY_SAMPLES[param.name]
    return path.format(**{n: ids[n] for n in names}), query


def test_every_case_read_route_appends_one_access_record_naming_its_part(api: Api) -> None:
    """Each GET route under /v1/cases/{case_id}: 200 for KE and one new record with who, role, part and when."""
    case, ids = populated_case(api)
    routes = case_read_routes(api)
    assert {part_of(path) for path, _ in routes} >= {"case", "history", "access_log"}
    for path, route in routes:
        url, query = url_for(path, route, ids)
        before = api.access_log(case.case_id)
        response = api.get(url, Role.KE_CASEWORKER, params=query)
        assert response.status_code == 200, (path, response.text)
        after = api.access_log(case.case_id)
        assert len(after) == len(before) + 1, path
        entry = after[-1]
        assert entry["who"] == "ke-1" and entry["role"] == "ke_caseworker", path
        assert entry["parts"] == [part_of(path)], path
        assert entry["at"] == api.ledger.clock().isoformat(), path


def test_a_refused_read_returns_nothing_and_is_not_a_read_of_content(api: Api) -> None:
    """A 403 answers no content, so no content was read (nothing appended)."""
    case, _ = populated_case(api)
    before = len(api.access_log(case.case_id))
    assert api.get(case.path, Role.ADMIN).status_code == 403
    assert len(api.access_log(case.case_id)) == before


def test_reading_the_access_log_is_itself_logged(api: Api) -> None:
    """The access-log read appears in the log it returns, and the next read shows it too."""
    case, _ = populated_case(api)
    first = api.get(f"{case.path}/access-log", Role.KE_CASEWORKER).json()["entries"]
    assert first[-1]["parts"] == ["access_log"] and first[-1]["who"] == "ke-1"
    second = api.get(f"{case.path}/access-log", Role.KE_CASEWORKER).json()["entries"]
    assert len(second) == len(first) + 1
    assert second[: len(first)] == first


def test_a_past_view_is_logged_like_a_present_one(api: Api) -> None:
    """Reading the case `as_of` an earlier time is a read of its content too."""
    case, _ = populated_case(api)
    before = len(api.access_log(case.case_id))
    response = api.get(case.path, Role.KE_CASEWORKER, params={"as_of": "2026-11-22T11:00:00Z"})
    assert response.status_code == 200
    assert len(api.access_log(case.case_id)) == before + 1


def test_a_citizens_access_record_carries_no_name_or_pid(api: Api) -> None:
    """The subject's own read is logged by role only: neither name, pid nor token subject."""
    case, _ = populated_case(api)
    api.get(case.path, Role.CITIZEN, pid=case.national_id, sub="idporten-9f3a", name="Ola Nordmann")
    entry = api.access_log(case.case_id)[-1]
    assert entry["role"] == "citizen" and entry["who"] == "citizen" and entry["name"] == ""
    raw = _raw_entries(api, case.case_id)[-1]
    for personal in (case.national_id, "Ola Nordmann", "idporten-9f3a"):
        assert personal.encode() not in raw


def test_a_guardians_access_record_carries_no_name_or_pid(api: Api) -> None:
    """A guardian's read is logged by role only, like the citizen's."""
    from datetime import date

    from ledger.national_id import synthesize

    mother = synthesize(date(1990, 3, 3))
    case = open_case(
        api,
        birth=date(2021, 5, 10),
        requested=("child_coordinator",),
        guardians=[{"national_id": mother, "name": "Mor Hansen"}],
    )
    assert api.get(case.path, Role.GUARDIAN, pid=mother, name="Mor Hansen").status_code == 200
    raw = _raw_entries(api, case.case_id)[-1]
    assert mother.encode() not in raw and b"Mor Hansen" not in raw


def test_the_access_log_is_readable_to_the_citizen_with_who_read_it(api: Api) -> None:
    """The subject sees that KE and NAV read the case, and which parts."""
    case, _ = populated_case(api)
    api.get(case.path, Role.KE_CASEWORKER)
    api.get(case.path, Role.SERVICE_PROVIDER)
    entries = api.get(f"{case.path}/access-log", Role.CITIZEN, pid=case.national_id).json()["entries"]
    readers = [(e["who"], e["role"], e["parts"]) for e in entries]
    assert ("ke-1", "ke_caseworker", ["case"]) in readers
    assert ("nav-1", "service_provider", ["case"]) in readers


def test_the_access_log_chain_verifies(api: Api) -> None:
    """Untouched, every case's access chain verifies."""
    case, _ = populated_case(api)
    for _ in range(3):
        api.get(case.path, Role.KE_CASEWORKER)
    api.get(f"{case.path}/history", Role.COORDINATOR)
    assert api.ledger.access_log.verify() == []


@pytest.mark.parametrize("column", ["entry", "hash"])
def test_an_edited_access_record_is_detected(api: Api, column: str) -> None:
    """A raw UPDATE of one record's bytes (to hide a reader) breaks the chain and is named."""
    case, _ = populated_case(api)
    api.get(case.path, Role.SERVICE_PROVIDER)
    api.get(case.path, Role.KE_CASEWORKER)
    seq = api.access_log(case.case_id)[-2]["seq"]
    if column == "entry":
        forged = _raw_entries(api, case.case_id)[seq - 1].replace(b"nav-1", b"ke-1!")
    else:
        forged = b"\x00" * 32
    _update(api, case.case_id, seq, column, forged)
    problems = api.ledger.access_log.verify()
    assert problems and str(seq) in problems[0] and case.case_id in problems[0]


def _raw_entries(api: Api, case_id: str | UUID) -> list[bytes]:
    recorder = api.ledger.app.recorder
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(
            recorder.dialect.sql("SELECT entry FROM {access_log} WHERE case_id = ? ORDER BY seq"), (str(case_id),)
        )
        return [bytes(r["entry"]) for r in c.fetchall()]


def _update(api: Api, case_id: str, seq: int, column: str, value: bytes) -> None:
    recorder = api.ledger.app.recorder
    with recorder.datastore.transaction(commit=True) as c:
        c.execute(
            recorder.dialect.sql(f"UPDATE {{access_log}} SET {column} = ? WHERE case_id = ? AND seq = ?"),
            (value, case_id, seq),
        )
