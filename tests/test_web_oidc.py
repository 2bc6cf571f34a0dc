"""Signing in to the web app through a real OpenID Connect provider (npm
`oidc-provider`, started by the test): the authorization code flow with PKCE,
state and nonce; the person gets the role and municipality of their account,
and an answer that is not for this sign-in is refused.

The browser's part is played by HTTP clients here (the full browser walk is in
test_web_browser.py): the app's test client, and one for the provider's pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient

from ledger.national_id import synthesize
from tests.support.clock import FakeClock
from tests.support.oidc_provider import SCOPES, Client, OidcProvider, oidc_provider
from tests.support.web import signed_in_as, web_client

CALLBACK = "http://testserver/logg-inn/oidc/tilbake"
CLIENT = Client("ledger-web", "a-client-secret-for-the-tests-only", (CALLBACK,))
ACCOUNTS = {
    "kari": {"name": "Kari Nordmann", "role": "ke_caseworker", "municipality": "5032"},
    "ola": {
        "name": "Ola Nordmann",
        "role": "citizen",
        "municipality": "3447",
        "pid": synthesize(date(1990, 5, 17), 123),
    },
    "uten-rolle": {"name": "Per Uten Rolle"},
    # A well-formed municipality this deployment does not serve (LEDGER_MUNICIPALITIES).
    "annen-kommune": {"name": "Anne Annen", "role": "ke_caseworker", "municipality": "1804"},
}


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with oidc_provider([CLIENT], ACCOUNTS) as provider:
        yield provider


def oidc_env(provider: OidcProvider, **extra: str) -> dict[str, str]:
    return {
        "LEDGER_OIDC_ISSUER": provider.issuer,
        "LEDGER_OIDC_CLIENT_ID": CLIENT.client_id,
        "LEDGER_OIDC_CLIENT_SECRET": CLIENT.client_secret,
        "LEDGER_OIDC_SCOPES": " ".join(SCOPES),
        **extra,
    }


@pytest.fixture
def client(provider: OidcProvider, tmp_path: Path, clock: FakeClock) -> Iterator[TestClient]:
    with web_client(tmp_path, clock, **oidc_env(provider)) as client:
        yield client


def start(client: TestClient) -> str:
    answer = client.get("/logg-inn/oidc")
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def back(client: TestClient, url: str) -> Any:
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return parts._replace(query=urlencode(query)).geturl()


def test_signing_in_through_the_provider_gives_the_accounts_role_and_municipality(
    client: TestClient, provider: OidcProvider
) -> None:
    answer = back(client, provider.sign_in(start(client), "kari"))
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert signed_in_as(client) == "Innlogget som Kari Nordmann, saksbehandler i koordinerende enhet, Selbu"


def test_a_citizen_signs_in_with_their_national_id(client: TestClient, provider: OidcProvider) -> None:
    back(client, provider.sign_in(start(client), "ola"))
    assert signed_in_as(client) == "Innlogget som Ola Nordmann, innbygger, Søndre Land"


def test_the_sign_in_asks_for_a_code_with_pkce_state_and_nonce(client: TestClient, provider: OidcProvider) -> None:
    url = start(client)
    assert url.startswith(provider.issuer)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["response_type"] == "code" and query["client_id"] == CLIENT.client_id
    assert query["redirect_uri"] == CALLBACK
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 43 and len(query["nonce"]) >= 43
    assert query["scope"].split() == list(SCOPES)


def test_signing_in_rotates_the_session_it_started_in(client: TestClient, provider: OidcProvider) -> None:
    url = start(client)
    during = client.cookies["ledger-session"]
    back(client, provider.sign_in(url, "kari"))
    assert client.cookies["ledger-session"] != during


def test_an_answer_with_another_state_is_refused(client: TestClient, provider: OidcProvider) -> None:
    answer = back(client, with_query(provider.sign_in(start(client), "kari"), state="another-state"))
    assert answer.status_code == 400 and "Innloggingen ble ikke fullført" in answer.text
    assert signed_in_as(client) is None


def test_an_answer_brought_to_another_browser_is_refused(client: TestClient, provider: OidcProvider) -> None:
    """Login CSRF: a code the attacker got for their own account, planted in the victim's browser."""
    url = provider.sign_in(start(client), "kari")
    victim = TestClient(client.app, follow_redirects=False)
    assert back(victim, url).status_code == 400
    assert signed_in_as(victim) is None


def test_an_answer_is_used_once(client: TestClient, provider: OidcProvider) -> None:
    url = provider.sign_in(start(client), "kari")
    assert back(client, url).status_code == 303
    assert back(client, url).status_code == 400


def test_an_answer_naming_another_issuer_is_refused(client: TestClient, provider: OidcProvider) -> None:
    """RFC 9207: the `iss` of the answer must be the provider the person was sent to (mix-up attacks)."""
    url = with_query(provider.sign_in(start(client), "kari"), iss="http://127.0.0.1:9/")
    assert back(client, url).status_code == 400
    assert signed_in_as(client) is None


def test_an_account_without_a_role_in_the_ledger_is_refused(client: TestClient, provider: OidcProvider) -> None:
    answer = back(client, provider.sign_in(start(client), "uten-rolle"))
    assert answer.status_code == 403 and "ingen rolle" in answer.text
    assert signed_in_as(client) is None


def test_an_account_of_a_municipality_this_deployment_does_not_serve_is_refused(
    client: TestClient, provider: OidcProvider
) -> None:
    """The same list as the API's tokens (LEDGER_MUNICIPALITIES): Bodø (1804) is not served here."""
    answer = back(client, provider.sign_in(start(client), "annen-kommune"))
    assert answer.status_code == 403 and "ingen rolle eller kommune" in answer.text
    assert signed_in_as(client) is None


def test_a_sign_in_cancelled_at_the_provider_says_so(client: TestClient) -> None:
    start(client)
    answer = client.get("/logg-inn/oidc/tilbake?error=access_denied&state=x")
    assert answer.status_code == 400 and "avbrutt" in answer.text


def test_an_unreachable_provider_is_a_page_not_a_failure(tmp_path: Path, clock: FakeClock) -> None:
    env = {
        "LEDGER_OIDC_ISSUER": "http://127.0.0.1:9",  # the discard port: nothing listens
        "LEDGER_OIDC_CLIENT_ID": "ledger-web",
    }
    with web_client(tmp_path, clock, **env) as client:
        answer = client.get("/logg-inn/oidc")
        assert answer.status_code == 503 and "Innlogging er ikke tilgjengelig" in answer.text


def test_in_production_sign_in_goes_to_the_provider_only(
    provider: OidcProvider, tmp_path: Path, clock: FakeClock
) -> None:
    with web_client(tmp_path, clock, **oidc_env(provider, LEDGER_ENV="production")) as client:
        page = client.get("/logg-inn").text
        assert 'href="/logg-inn/oidc"' in page and "/logg-inn/utvikling" not in page
