"""Tokens with limits (issue #10, item 5): `exp` and `iat` required, a lifetime no longer than
LEDGER_TOKEN_MAX_LIFETIME (from `iat` and from now), and a municipality this deployment serves
(LEDGER_MUNICIPALITIES); every refusal is the answer a forged token gets."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from api.auth import AUDIENCE, ISSUER, issue_token
from api.edge_config import DEMO_MUNICIPALITIES, EdgeSettings
from app.bootstrap import build
from app.server import create_app
from ledger.values import Role
from store.config import ConfigError
from tests.support.clock import FakeClock
from tests.support.http import Api, assert_problem

READ = "/v1/ledger/checkpoints"
HOUR = 3600


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"sub": "ke-1", "role": "ke_caseworker", "municipality": "3447", "iat": now, "exp": now + HOUR}
    return {k: v for k, v in {**base, "iss": ISSUER, "aud": AUDIENCE, **overrides}.items() if v is not None}


def call(api: Api, **overrides: Any) -> Any:
    token = jwt.encode(claims(**overrides), api.ledger.settings.jwt_secret, algorithm="HS256")
    return api.client.get(READ, headers={"Authorization": f"Bearer {token}"})


def refused_like_a_forged_token(response: Any) -> None:
    assert assert_problem(response, 401)["detail"] == "Tokenet er ugyldig."
    assert response.headers["www-authenticate"] == 'Bearer realm="ledger"'


def test_a_token_within_every_limit_is_accepted(api: Api) -> None:
    now = int(time.time())
    assert call(api).status_code == 200
    assert call(api, iat=now - 11 * HOUR, exp=now + HOUR).status_code == 200  # 12 h exactly


@pytest.mark.parametrize("missing", ["exp", "iat"])
def test_a_token_without_exp_or_iat_is_refused(api: Api, missing: str) -> None:
    refused_like_a_forged_token(call(api, **{missing: None}))


@pytest.mark.parametrize(
    ("iat", "exp"),
    [
        (0, 10**20),  # the issue's token: exp 10^20
        (0, 13 * HOUR),  # 13 h from iat and from now
        (-20 * HOUR, HOUR),  # issued 20 h ago, 1 h left: 21 h in all
        (0, "soon"),  # not a number
    ],
    ids=["exp-1e20", "13h", "21h-from-iat", "exp-not-a-number"],
)
def test_a_token_living_longer_than_the_maximum_is_refused(api: Api, iat: int, exp: Any) -> None:
    now = int(time.time())
    refused_like_a_forged_token(call(api, iat=now + iat, exp=exp if isinstance(exp, str) else now + exp))


def test_a_token_whose_iat_lies_in_the_future_is_refused(api: Api) -> None:
    now = int(time.time())
    assert call(api, iat=now + HOUR, exp=now + 2 * HOUR).status_code == 401


@pytest.mark.parametrize("municipality", ["0000", "1804", "9999"])
def test_a_municipality_this_deployment_does_not_serve_is_refused_at_authentication(
    api: Api, municipality: str
) -> None:
    refused_like_a_forged_token(call(api, municipality=municipality))


@pytest.fixture
def configured(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[TestClient, str]]:
    """A deployment serving Selbu alone, with tokens of at most one hour (SQLite: configuration)."""
    from tests.support.stores import settings_for

    env = {"LEDGER_MUNICIPALITIES": "5032", "LEDGER_TOKEN_MAX_LIFETIME": "1h"}
    ledger = build(settings_for(f"sqlite:///{tmp_path}/l.db", tmp_path / "s", **env), clock=clock)
    with TestClient(create_app(ledger, run_projections=False)) as client:
        yield client, ledger.settings.jwt_secret
    ledger.close()


def test_the_limits_are_configured(configured: tuple[TestClient, str]) -> None:
    client, secret = configured

    def status(municipality: str, ttl: int) -> int:
        token = issue_token(secret, role=Role.KE_CASEWORKER, sub="ke-1", municipality=municipality, ttl_seconds=ttl)
        return int(client.get(READ, headers={"Authorization": f"Bearer {token}"}).status_code)

    assert status("5032", HOUR) == 200
    assert status("5032", 2 * HOUR) == 401  # the default 8 h of `ledger token` is past this deployment's 1 h
    assert status("3447", HOUR) == 401  # a demo municipality, but not served here


def test_the_settings_of_the_limits() -> None:
    assert EdgeSettings.from_env({}).municipalities == DEMO_MUNICIPALITIES == ("3447", "4647", "5032", "3443")
    assert EdgeSettings.from_env({}).token_max_lifetime == 12 * HOUR
    parsed = EdgeSettings.from_env({"LEDGER_MUNICIPALITIES": " 0301, 4601,0301", "LEDGER_TOKEN_MAX_LIFETIME": "90m"})
    assert parsed.municipalities == ("0301", "4601") and parsed.token_max_lifetime == 90 * 60
    with pytest.raises(ConfigError, match="LEDGER_MUNICIPALITIES is required"):
        EdgeSettings.from_env({}, production=True)
    for env in (
        {"LEDGER_MUNICIPALITIES": "301"},
        {"LEDGER_TOKEN_MAX_LIFETIME": "forever"},
        {"LEDGER_TOKEN_MAX_LIFETIME": "0"},
        {"LEDGER_MAX_BODY_BYTES": "-1"},
        {"LEDGER_CORS_ORIGINS": "*"},
        {"LEDGER_ASSUME_HTTPS": "maybe"},
    ):
        with pytest.raises(ConfigError):
            EdgeSettings.from_env(env)
