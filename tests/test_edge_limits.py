"""Bounded input before any work (issue #10, item 3): the body limit on the stream before parsing
and authentication (413), the header block (431) and the token's length (401), and every query
parameter of the API refused with 422 for control characters and moments off the calendar; a
moment keeps the instant given. On both stores (`?unit=%00` once reached PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.bootstrap import build
from app.server import create_app
from ledger.values import Role
from tests.support.clock import FakeClock
from tests.support.http import Api, assert_problem, running_case
from tests.support.stores import settings_for

MIB = 1024 * 1024
CASE = {"subject": {"national_id": "02047900185"}, "requested": ["coordinator"], "referred_by": {"kind": "gp"}}


def test_a_body_announced_past_the_limit_is_413_before_the_token_is_looked_at(api: Api) -> None:
    """No token at all, and a Content-Length of 100 MB: refused from the header, nothing read."""
    response = api.client.post(
        "/v1/cases", content=b"{}", headers={"Content-Length": str(100 * MIB), "Content-Type": "application/json"}
    )
    body = assert_problem(response, 413)
    assert body["detail"] == "Forespørselen er større enn 1 MB."


def test_a_streamed_body_past_the_limit_is_413(api: Api) -> None:
    """Chunked, no Content-Length: counted as it streams in and refused past 1 MiB; nothing written.
    (That the rest is never read is shown over a socket: tests/test_edge_process.py.)"""

    def chunks() -> Iterator[bytes]:
        for _ in range(64):  # 4 MiB in 64 kB chunks
            yield b" " * (64 * 1024)

    before = api.ledger.app.recorder.max_notification_id()
    response = api.client.post("/v1/cases", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)
    assert api.ledger.app.recorder.max_notification_id() == before


def test_a_body_under_the_limit_reaches_the_route(api: Api) -> None:
    response = api.post("/v1/cases", Role.KE_CASEWORKER, CASE)
    assert response.status_code == 201, response.text


def test_the_bundle_upload_keeps_its_own_larger_limit(api: Api) -> None:
    """2 MiB to the bundle route is past the default but under its 64 MB: read, and refused as no bundle."""
    response = api.client.post(
        "/v1/cases/transfers-in",
        content=b"{" + b" " * (2 * MIB) + b"}",
        headers={**api.auth(Role.KE_CASEWORKER), "Content-Type": "application/json"},
    )
    assert_problem(response, 422)


@pytest.fixture
def small_limits(tmp_path: Path, clock: FakeClock) -> Iterator[Api]:
    """A ledger configured with a 1 kB body limit (SQLite: configuration, not storage)."""
    settings = settings_for(f"sqlite:///{tmp_path}/l.db", tmp_path / "s", LEDGER_MAX_BODY_BYTES="1k")
    ledger = build(settings, clock=clock)
    with TestClient(create_app(ledger, run_projections=False)) as client:
        yield Api(client, ledger)
    ledger.close()


def test_the_body_limit_is_configurable(small_limits: Api) -> None:
    big = {**CASE, "referred_by": {"kind": "gp", "name": "x" * 1100}}
    assert assert_problem(small_limits.post("/v1/cases", Role.KE_CASEWORKER, big), 413)["detail"].endswith("1 kB.")
    assert small_limits.post("/v1/cases", Role.KE_CASEWORKER, CASE).status_code == 201


def test_a_header_block_past_the_limit_is_431(api: Api) -> None:
    response = api.client.get("/v1/register/teams", headers={"X-Padding": "p" * (40 * 1024)})
    assert assert_problem(response, 431)["detail"] == "Forespørselens hoder er større enn 32 kB."


def test_a_token_past_8_kib_is_refused_as_an_invalid_token(api: Api) -> None:
    token = api.token(Role.KE_CASEWORKER, name="n" * 9000)  # well signed, but too long
    response = api.client.get("/v1/register/teams", headers={"Authorization": f"Bearer {token}"})
    assert assert_problem(response, 401)["detail"] == "Tokenet er ugyldig."


# ---------------------------------------------------------------- every query parameter
BASELINE = Path(__file__).parent / "fixtures" / "openapi-baseline.json"
# A value of the parameter's own type for the request to be well formed but for the one tested.
MOMENTS = {"as_of", "known_at", "due_before"}


def query_parameters() -> list[tuple[str, str, str]]:
    """(method, path, name) of every query parameter the OpenAPI document names."""
    document = json.loads(BASELINE.read_text())
    return [
        (method.upper(), path, parameter["name"])
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    ]


PARAMETERS = query_parameters()


def _call(api: Api, method: str, path: str, params: dict[str, str], case_id: str) -> Any:
    url = path.replace("{case_id}", case_id).replace("{message_id}", case_id)
    role = Role.ARCHIVE_INTEGRATION if url.startswith("/v1/archive") else Role.KE_CASEWORKER
    return api.client.request(method, url, params=params, headers=api.auth(role))


def test_the_table_of_query_parameters_is_the_whole_api() -> None:
    assert len(PARAMETERS) >= 25
    assert {name for *_, name in PARAMETERS} >= MOMENTS | {"unit", "assignee", "rule", "limit", "format"}


CONTROL = ["\x00", "a\x00b", "\x1b[2J", "line\nbreak", "\x7f"]


@pytest.mark.parametrize(("method", "path", "name"), PARAMETERS, ids=[f"{m} {p} {n}" for m, p, n in PARAMETERS])
def test_a_control_character_in_any_query_parameter_is_422(api: Api, method: str, path: str, name: str) -> None:
    case_id = running_case(api).case_id if "{case_id}" in path else "0b8e7c7e-4d1e-4c1a-9a53-6e3d6f1f2a10"
    for value in CONTROL:
        body = assert_problem(_call(api, method, path, {name: value}, case_id), 422)
        assert body["detail"] == "Adressen eller et parameter inneholder kontrolltegn.", value


MOMENT_PARAMETERS = [p for p in PARAMETERS if p[2] in MOMENTS]


@pytest.mark.parametrize(
    ("method", "path", "name"), MOMENT_PARAMETERS, ids=[f"{p} {n}" for _, p, n in MOMENT_PARAMETERS]
)
def test_a_moment_off_the_calendar_is_422_and_one_at_its_ends_is_answered(
    api: Api, method: str, path: str, name: str
) -> None:
    case = running_case(api)
    for value in ("9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "10000-01-01T00:00:00Z", "2026-02-30"):
        assert_problem(_call(api, method, path, {name: value}, case.case_id), 422)
    for value in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59+14:00"):
        response = _call(api, method, path, {name: value}, case.case_id)
        assert response.status_code == 200, (value, response.text)


@pytest.mark.parametrize("path", ["/v1/compliance/breaches", "/v1/tasks"])
def test_a_moment_keeps_the_instant_given_and_a_day_means_its_end_in_norway(api: Api, path: str) -> None:
    def until(value: str) -> str:
        response = api.get(path, Role.KE_CASEWORKER, params={"due_before": value})
        assert response.status_code == 200, response.text
        return str(response.json()["due_before"])

    assert until("2026-12-01T00:00:00Z") == "2026-12-01T00:00:00+00:00"
    assert until("2026-12-01T00:00:00+01:00") == "2026-12-01T00:00:00+01:00"
    assert until("2026-12-01") == "2026-12-01T23:00:00+00:00"  # midnight in Norway (winter time)
