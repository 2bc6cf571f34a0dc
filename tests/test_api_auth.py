"""Bearer tokens (CONTRACT: HTTP): every bad token is a 401 problem, and in
OpenID Connect mode only the provider's keys sign a token we accept."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from api.auth import AUDIENCE, ISSUER, issue_token
from app.bootstrap import build
from app.server import create_app
from ledger.values import Role
from tests.support.cases import MUNICIPALITY
from tests.support.clock import FakeClock
from tests.support.http import Api, assert_problem
from tests.support.stores import settings_for

ANY_CASE_READ = "/v1/ledger/checkpoints"  # a read every ke_caseworker may make, with no case needed


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "sub": "ke-1",
        "name": "Kari",
        "role": "ke_caseworker",
        "municipality": MUNICIPALITY,
        "iat": now,
        "exp": now + 600,
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    return {k: v for k, v in {**base, **overrides}.items() if v is not None}


def hs256(api: Api, **overrides: Any) -> str:
    return jwt.encode(claims(**overrides), api.ledger.settings.jwt_secret, algorithm="HS256")


def call(client: TestClient, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get(ANY_CASE_READ, headers=headers)


# ------------------------------------------------------------- HMAC tokens
def test_a_valid_token_is_accepted(api: Api) -> None:
    """A token signed with the secret, with every required claim, reads."""
    assert call(api.client, hs256(api)).status_code == 200


def test_a_request_without_a_token_is_refused_with_401(api: Api) -> None:
    """No Authorization header: 401 problem+json with a Bearer challenge."""
    response = call(api.client, None)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_non_bearer_authorization_header_is_refused(api: Api) -> None:
    """Basic credentials are not a bearer token."""
    response = api.client.get(ANY_CASE_READ, headers={"Authorization": "Basic a2U6cGFzcw=="})
    assert_problem(response, 401)


def test_a_token_with_alg_none_is_refused(api: Api) -> None:
    """An unsigned token (`alg: none`) is never accepted."""
    token = jwt.encode(claims(), None, algorithm="none")
    assert_problem(call(api.client, token), 401)


def test_a_token_signed_with_another_secret_is_refused(api: Api) -> None:
    """A wrong signature is a 401."""
    token = jwt.encode(claims(), "another-secret-" + "y" * 40, algorithm="HS256")
    assert_problem(call(api.client, token), 401)


def test_a_token_for_another_audience_is_refused(api: Api) -> None:
    """The audience must be the ledger's."""
    assert_problem(call(api.client, hs256(api, aud="someone-else")), 401)


def test_a_token_from_another_issuer_is_refused(api: Api) -> None:
    """The issuer must be the ledger's."""
    assert_problem(call(api.client, hs256(api, iss="https://evil.example")), 401)


def test_an_expired_token_is_refused(api: Api) -> None:
    """A token past its `exp` (beyond the leeway) is a 401."""
    now = int(time.time())
    assert_problem(call(api.client, hs256(api, iat=now - 7200, exp=now - 3600)), 401)


def test_a_token_without_exp_is_refused(api: Api) -> None:
    """`exp` is required: a token that never expires is not accepted."""
    assert_problem(call(api.client, hs256(api, exp=None)), 401)


@pytest.mark.parametrize("role", ["root", "", "KE_CASEWORKER", None])
def test_a_token_with_an_unknown_role_is_refused(api: Api, role: str | None) -> None:
    """The role must be one of DOMAIN §2."""
    assert_problem(call(api.client, hs256(api, role=role)), 401)


@pytest.mark.parametrize("municipality", ["344", "34470", "abcd", "", None, "３４４７"])
def test_a_token_without_a_four_digit_municipality_is_refused(api: Api, municipality: str | None) -> None:
    """The municipality must be a four-digit number (ASCII digits)."""
    assert_problem(call(api.client, hs256(api, municipality=municipality)), 401)


@pytest.mark.parametrize(
    "claim",
    [
        {"sub": "ke\u00001"},
        {"sub": ""},
        {"sub": "k" * 201},
        {"name": "Kari\nAdmin"},
        {"service": "NAV\u0000"},
        {"pid": ["02047900185"]},
        {"name": {"first": "Kari"}},
    ],
)
def test_a_token_with_a_malformed_identity_claim_is_refused(api: Api, claim: dict[str, Any]) -> None:
    """Identity claims are short printable strings: they reach the store and the logs."""
    assert_problem(call(api.client, hs256(api, **claim)), 401)


def test_a_garbage_token_is_refused(api: Api) -> None:
    """Something that is not a JWT at all is a 401, not a 500."""
    assert_problem(call(api.client, "not.a.jwt"), 401)


def test_issue_token_makes_tokens_the_api_accepts(api: Api) -> None:
    """`issue_token` (used by `ledger token`) signs what the verifier accepts."""
    token = issue_token(api.ledger.settings.jwt_secret, role=Role.ADMIN, sub="admin-1", municipality=MUNICIPALITY)
    assert call(api.client, token).status_code == 200


# ------------------------------------------------------------ OpenID Connect
OIDC_ISSUER = "https://idp.example/realms/kommune"
OIDC_AUDIENCE = "coordination-ledger-prod"
KID = "idp-key-1"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def idp_key() -> rsa.RSAPrivateKey:
    return rsa_key()


@pytest.fixture(scope="module")
def jwks_url(idp_key: rsa.RSAPrivateKey) -> Iterator[str]:
    """A JWKS document served on 127.0.0.1 from a thread, as a provider would."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(idp_key.public_key()))
    document = json.dumps({"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(document)))
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/realms/kommune/protocol/openid-connect/certs"
    server.shutdown()
    server.server_close()


@pytest.fixture
def oidc_client(db_url: str, tmp_path: Path, clock: FakeClock, jwks_url: str) -> Iterator[tuple[TestClient, str]]:
    """The app built from settings naming the provider; yields it and the HMAC secret it also knows."""
    settings = settings_for(
        db_url,
        tmp_path / "secrets",
        LEDGER_OIDC_JWKS_URL=jwks_url,
        LEDGER_OIDC_ISSUER=OIDC_ISSUER,
        LEDGER_OIDC_AUDIENCE=OIDC_AUDIENCE,
    )
    ledger = build(settings, clock=clock)
    try:
        with TestClient(create_app(ledger, run_projections=False)) as client:
            yield client, settings.jwt_secret
    finally:
        ledger.close()


def oidc_claims(**overrides: Any) -> dict[str, Any]:
    return claims(iss=OIDC_ISSUER, aud=OIDC_AUDIENCE, **overrides)


def test_an_rs256_token_signed_by_the_providers_key_is_accepted(
    oidc_client: tuple[TestClient, str], idp_key: rsa.RSAPrivateKey
) -> None:
    """OIDC mode: a token signed by a key in the JWKS, for our issuer and audience, reads."""
    client, _ = oidc_client
    token = jwt.encode(oidc_claims(), idp_key, algorithm="RS256", headers={"kid": KID})
    assert call(client, token).status_code == 200


def test_an_rs256_token_signed_by_another_key_is_refused(oidc_client: tuple[TestClient, str]) -> None:
    """OIDC mode: the same `kid` but a key the provider does not publish is a 401."""
    client, _ = oidc_client
    token = jwt.encode(oidc_claims(), rsa_key(), algorithm="RS256", headers={"kid": KID})
    assert_problem(call(client, token), 401)


def test_an_hs256_token_signed_with_the_hmac_secret_is_refused_in_oidc_mode(
    oidc_client: tuple[TestClient, str],
) -> None:
    """OIDC mode: the development HMAC secret signs nothing (no algorithm confusion)."""
    client, secret = oidc_client
    for headers in ({}, {"kid": KID}):
        token = jwt.encode(oidc_claims(), secret, algorithm="HS256", headers=headers)
        assert_problem(call(client, token), 401)


def test_an_hs256_token_keyed_with_the_providers_public_key_is_refused(
    oidc_client: tuple[TestClient, str], idp_key: rsa.RSAPrivateKey
) -> None:
    """OIDC mode: the classic key confusion (HMAC keyed with the public RSA key) is a 401."""
    client, _ = oidc_client
    public_pem = idp_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID}).encode())
    payload = jwt.utils.base64url_encode(json.dumps(oidc_claims()).encode())
    import hashlib
    import hmac

    signature = jwt.utils.base64url_encode(hmac.new(public_pem, header + b"." + payload, hashlib.sha256).digest())
    token = (header + b"." + payload + b"." + signature).decode()
    assert_problem(call(client, token), 401)


def test_an_rs256_token_for_the_development_issuer_is_refused_in_oidc_mode(
    oidc_client: tuple[TestClient, str], idp_key: rsa.RSAPrivateKey
) -> None:
    """OIDC mode: the issuer and audience are the provider's, not the ledger's defaults."""
    client, _ = oidc_client
    token = jwt.encode(claims(), idp_key, algorithm="RS256", headers={"kid": KID})
    assert_problem(call(client, token), 401)
