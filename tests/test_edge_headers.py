"""A hardened edge (issue #10, item 4): security headers on every response, `no-store` on every
answer that may carry personal data, HSTS only over HTTPS or when told, CORS only for configured
origins, the web app's own page headers kept, and /docs with a policy of its own, outside
production only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.security_headers import API_CSP, DOCS_CSP, HSTS
from app.bootstrap import build
from app.server import create_app
from ledger.values import Role
from tests.support.clock import FakeClock
from tests.support.http import Api, running_case
from tests.support.stores import settings_for
from web.page import PAGE_HEADERS


def assert_hardened(response: Any, *, csp: str = API_CSP) -> None:
    assert response.headers["content-security-policy"] == csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "server" not in response.headers


def test_every_kind_of_api_answer_is_hardened_and_not_stored(api: Api) -> None:
    case = running_case(api)
    answers = [
        api.get(case.path, Role.KE_CASEWORKER),  # 200 with a person's data
        api.get(f"{case.path}/history", Role.COORDINATOR),
        api.client.get(case.path),  # 401
        api.get("/v1/cases/0b8e7c7e-4d1e-4c1a-9a53-6e3d6f1f2a10", Role.KE_CASEWORKER),  # 404
        api.post("/v1/cases", Role.KE_CASEWORKER, {"subject": {}}),  # 422
        api.client.post("/v1/cases", content=b"x", headers={"Content-Length": str(2**30)}),  # 413
        api.client.get("/v1/cases", headers={"X-Pad": "p" * 40_000}),  # 431
    ]
    assert [a.status_code for a in answers] == [200, 200, 401, 404, 422, 413, 431]
    for answer in answers:
        assert_hardened(answer)
        assert answer.headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in answer.headers  # plain HTTP, not told otherwise


def test_health_is_hardened_and_liveness_may_be_cached(api: Api) -> None:
    live, ready = api.client.get("/v1/health"), api.client.get("/v1/health/ready")
    assert_hardened(live)
    assert_hardened(ready)
    assert "cache-control" not in live.headers  # nothing personal, nothing secret
    assert ready.headers["cache-control"] == "no-store"  # its own: a state of the moment


def test_a_web_page_keeps_its_own_headers(api: Api) -> None:
    page = api.client.get("/logg-inn")
    assert page.status_code == 200
    for name, value in PAGE_HEADERS.items():
        assert page.headers[name] == value


def test_hsts_over_https(api: Api) -> None:
    with TestClient(api.client.app, base_url="https://testserver") as client:
        assert client.get("/v1/health").headers["strict-transport-security"] == HSTS


@pytest.fixture
def configured(tmp_path: Path, clock: FakeClock) -> Iterator[TestClient]:
    env = {"LEDGER_ASSUME_HTTPS": "true", "LEDGER_CORS_ORIGINS": "https://portal.kommune.no"}
    ledger = build(settings_for(f"sqlite:///{tmp_path}/l.db", tmp_path / "s", **env), clock=clock)
    with TestClient(create_app(ledger, run_projections=False)) as client:
        yield client
    ledger.close()


def preflight(client: TestClient, origin: str) -> Any:
    return client.options(
        "/v1/cases",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )


def test_hsts_when_told_the_deployment_is_served_over_https(configured: TestClient) -> None:
    assert configured.get("/v1/health").headers["strict-transport-security"] == HSTS


def test_cors_answers_only_a_configured_origin(configured: TestClient) -> None:
    allowed = preflight(configured, "https://portal.kommune.no")
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://portal.kommune.no"
    assert "access-control-allow-origin" not in preflight(configured, "https://evil.example").headers


def test_cors_is_off_unless_origins_are_configured(api: Api) -> None:
    answer = preflight(api.client, "https://portal.kommune.no")
    assert "access-control-allow-origin" not in answer.headers
    get = api.client.get("/v1/health", headers={"Origin": "https://portal.kommune.no"})
    assert "access-control-allow-origin" not in get.headers


def test_docs_have_their_own_policy_outside_production(api: Api) -> None:
    docs = api.client.get("/docs")
    assert docs.status_code == 200
    assert_hardened(docs, csp=DOCS_CSP)
    assert "frame-ancestors 'none'" in DOCS_CSP and "'unsafe-eval'" not in DOCS_CSP


def test_docs_are_not_served_in_production(tmp_path: Path, clock: FakeClock) -> None:
    env = {"LEDGER_ENV": "production", "LEDGER_MUNICIPALITIES": "3447"}
    ledger = build(settings_for(f"sqlite:///{tmp_path}/l.db", tmp_path / "s", **env), clock=clock)
    with TestClient(create_app(ledger, run_projections=False)) as client:
        assert client.get("/docs").status_code == 404
        assert client.get("/redoc").status_code == 404
        assert client.get("/openapi.json").status_code == 200  # the contract stays public
    ledger.close()
