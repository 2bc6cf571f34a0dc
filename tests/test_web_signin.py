"""The web app's sign-in, sessions and page security, over HTTP (CONTRACT:
`GET /` and the pages under it): server-side sessions with a safe cookie,
rotated at sign-in, ended by idle and absolute time-outs and by sign-out;
CSRF on every form; the development sign-in only outside production; the
security headers on every page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.settings import Settings
from store.config import ConfigError
from tests.support.clock import FakeClock
from tests.support.web import (
    COORDINATOR_SELBU,
    KE_SONDRE_LAND,
    csrf_of,
    dev_sign_in,
    signed_in_as,
    web_client,
)

COOKIE = "ledger-session"


@pytest.fixture
def client(tmp_path: Path, clock: FakeClock) -> Iterator[TestClient]:
    with web_client(tmp_path, clock) as client:
        yield client


def set_cookie(response: Any) -> str:
    return response.headers["set-cookie"]


# ------------------------------------------------------------------ sign-in
def test_the_start_page_sends_a_visitor_to_sign_in(client: TestClient) -> None:
    """`/` without a session leads to the sign-in page."""
    answer = client.get("/")
    assert answer.status_code == 303 and answer.headers["location"] == "/logg-inn"
    page = client.get("/logg-inn")
    assert page.status_code == 200 and "<h1" in page.text and 'lang="nb"' in page.text
    assert 'href="/logg-inn/utvikling"' in page.text


def test_the_development_sign_in_lists_the_demo_staff_by_municipality_and_role(client: TestClient) -> None:
    """Every municipality of the demo data set, its roles in Norwegian, one button per person."""
    page = client.get("/logg-inn/utvikling").text
    for municipality in ("Søndre Land", "Sunnfjord", "Selbu", "Vestre Toten"):
        assert f">{municipality}</h2>" in page
    for role in ("Saksbehandler i koordinerende enhet", "Enhetsleder", "Koordinator", "Tjenesteyter"):
        assert f">{role}</h3>" in page
    assert f'name="person" value="{KE_SONDRE_LAND}"' in page
    # The staff, and the worked scenarios' person and guardians (with their cases) for "Min plan".
    assert page.count('name="person"') == 163
    assert ">Innbygger</h3>" in page and ">Foresatt</h3>" in page


def test_signing_in_shows_who_is_signed_in_with_role_and_municipality(client: TestClient) -> None:
    """The start page and the header name the person, the role in Norwegian and the municipality."""
    dev_sign_in(client, COORDINATOR_SELBU)
    sentence = signed_in_as(client)
    assert sentence is not None and sentence.endswith(", koordinator, Selbu")
    header = client.get("/", follow_redirects=True).text.split("</header>")[0]
    assert "koordinator" in header and "Selbu" in header and "Logg ut" in header


def test_an_unknown_person_is_not_signed_in(client: TestClient) -> None:
    page = client.get("/logg-inn/utvikling")
    answer = client.post("/logg-inn/utvikling", data={"person": "nobody", "csrf_token": csrf_of(page.text)})
    assert answer.status_code == 400 and "Personen finnes ikke" in answer.text
    assert signed_in_as(client) is None


def test_the_development_sign_in_answers_404_in_production(tmp_path: Path, clock: FakeClock) -> None:
    """With LEDGER_ENV=production the page and its form do not exist, and sign-in offers no shortcut."""
    with web_client(tmp_path, clock, LEDGER_ENV="production") as client:
        assert client.get("/logg-inn/utvikling").status_code == 404
        page = client.get("/logg-inn")
        assert "/logg-inn/utvikling" not in page.text
        # Its form cannot be posted either (refused before it is looked at: there is no session to hold a token).
        assert client.post("/logg-inn/utvikling", data={"person": KE_SONDRE_LAND}).status_code == 403
        assert signed_in_as(client) is None


# --------------------------------------------------------------------- CSRF
def test_a_form_post_without_the_csrf_token_is_refused(client: TestClient) -> None:
    """No token, a wrong token, or another session's token: 403, a Norwegian page, nothing done."""
    client.get("/logg-inn/utvikling")  # a session, so the refusal is about the token alone
    for data in ({"person": KE_SONDRE_LAND}, {"person": KE_SONDRE_LAND, "csrf_token": "x" * 43}):
        answer = client.post("/logg-inn/utvikling", data=data)
        assert answer.status_code == 403
        assert answer.headers["content-type"].startswith("text/html")
        assert "Skjemaet kunne ikke sendes" in answer.text
    assert signed_in_as(client) is None

    dev_sign_in(client)
    other = TestClient(client.app, follow_redirects=False)
    stolen = csrf_of(other.get("/logg-inn/utvikling").text)
    assert client.post("/logg-ut", data={"csrf_token": stolen}).status_code == 403
    assert client.post("/logg-ut").status_code == 403
    assert signed_in_as(client) is not None, "a refused sign-out must not sign out"


def test_the_csrf_token_may_come_in_the_htmx_header(client: TestClient) -> None:
    """htmx sends the token as X-CSRF-Token (from the body's hx-headers)."""
    dev_sign_in(client)
    page = client.get("/", follow_redirects=True).text
    token = csrf_of(page)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in page
    assert client.post("/logg-ut", headers={"X-CSRF-Token": token}).status_code == 200
    assert signed_in_as(client) is None


# ------------------------------------------------------------------ cookies
def test_the_session_cookie_is_http_only_same_site_lax_and_has_no_lifetime(client: TestClient) -> None:
    """Over plain HTTP (development) the cookie is not Secure; it never lives past the browser."""
    cookie = set_cookie(client.get("/logg-inn/utvikling"))
    assert cookie.startswith(f"{COOKIE}=")
    attributes = [a.strip().lower() for a in cookie.split(";")[1:]]
    assert set(attributes) == {"httponly", "path=/", "samesite=lax"}


def test_over_https_the_session_cookie_is_secure(tmp_path: Path, clock: FakeClock) -> None:
    with web_client(tmp_path, clock, base_url="https://testserver") as client:
        cookie = set_cookie(client.get("/logg-inn/utvikling")).lower()
        assert "; secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_configured_secure_cookies_use_the_host_prefix(tmp_path: Path, clock: FakeClock) -> None:
    """LEDGER_WEB_SECURE_COOKIES (the default in production): Secure and `__Host-`, whatever the request says."""
    with web_client(tmp_path, clock, LEDGER_WEB_SECURE_COOKIES="true") as client:
        cookie = set_cookie(client.get("/logg-inn/utvikling"))
        assert cookie.startswith("__Host-ledger-session=")
        assert "; Secure" in cookie and "Domain" not in cookie and "Path=/" in cookie


# ----------------------------------------------------------------- sessions
def test_signing_in_rotates_the_session(client: TestClient) -> None:
    """The token from before sign-in opens nothing after it (no session fixation)."""
    client.get("/logg-inn/utvikling")
    before = client.cookies[COOKIE]
    dev_sign_in(client)
    after = client.cookies[COOKIE]
    assert after != before
    stale = TestClient(client.app, follow_redirects=False, cookies={COOKIE: before})
    assert stale.get("/").status_code == 303


def test_signing_in_again_ends_the_previous_session(client: TestClient) -> None:
    dev_sign_in(client, KE_SONDRE_LAND)
    first = client.cookies[COOKIE]
    dev_sign_in(client, COORDINATOR_SELBU)
    assert client.cookies[COOKIE] != first
    assert TestClient(client.app, follow_redirects=False, cookies={COOKIE: first}).get("/").status_code == 303
    assert "Selbu" in (signed_in_as(client) or "")


def test_an_idle_session_ends(client: TestClient, clock: FakeClock) -> None:
    """After 30 minutes without a request the session is gone; the sign-in page says why."""
    dev_sign_in(client)
    clock.advance(minutes=29)
    assert signed_in_as(client) is not None
    clock.advance(minutes=31)
    answer = client.get("/")
    assert answer.status_code == 303 and answer.headers["location"] == "/logg-inn?utlopt=1"
    assert "økten var utløpt" in client.get("/logg-inn?utlopt=1").text


def test_a_busy_session_still_ends_at_the_absolute_limit(client: TestClient, clock: FakeClock) -> None:
    """A request every 20 minutes keeps it alive, but not past 8 hours from sign-in."""
    dev_sign_in(client)
    for _ in range(23):  # 7 h 40 min
        clock.advance(minutes=20)
        assert signed_in_as(client) is not None
    clock.advance(minutes=21)
    assert signed_in_as(client) is None


def test_the_time_outs_are_configurable(tmp_path: Path, clock: FakeClock) -> None:
    with web_client(tmp_path, clock, LEDGER_SESSION_IDLE_MINUTES="5") as client:
        dev_sign_in(client)
        clock.advance(minutes=6)
        assert signed_in_as(client) is None


def test_signing_out_ends_the_session(client: TestClient) -> None:
    """The page says so, the cookie is cleared, and the old token opens nothing."""
    dev_sign_in(client)
    token = client.cookies[COOKIE]
    answer = client.post("/logg-ut", data={"csrf_token": csrf_of(client.get("/", follow_redirects=True).text)})
    assert answer.status_code == 200 and "Du er logget ut" in answer.text
    assert set_cookie(answer).startswith(f'{COOKIE}=""') or "Max-Age=0" in set_cookie(answer)
    stale = TestClient(client.app, follow_redirects=False, cookies={COOKIE: token})
    assert stale.get("/").status_code == 303


def test_a_forged_session_cookie_opens_nothing(client: TestClient) -> None:
    forged = TestClient(client.app, follow_redirects=False, cookies={COOKIE: "A" * 43})
    assert forged.get("/").headers["location"] == "/logg-inn?utlopt=1"


# ------------------------------------------------------------------ headers
def test_every_page_carries_the_security_headers(client: TestClient) -> None:
    """A strict CSP (no inline script or style), no framing, no caching, no sniffing, no referrer."""
    answers = [client.get("/logg-inn"), client.get("/logg-inn/utvikling")]
    answers.append(client.post("/logg-inn/utvikling", data={"person": KE_SONDRE_LAND}))  # the 403 page
    dev_sign_in(client)
    # KE's overview (where `/` leads); 404 page (no provider configured)
    answers += [client.get("/", follow_redirects=True), client.get("/logg-inn/oidc")]
    assert [a.status_code for a in answers] == [200, 200, 403, 200, 404]
    for answer in answers:
        csp = answer.headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe" not in csp
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"


def test_pages_have_no_inline_scripts_or_styles(client: TestClient) -> None:
    """What the CSP would refuse is not there to begin with; htmx's own indicator style is turned off."""
    dev_sign_in(client)
    for page in (client.get("/logg-inn").text, client.get("/", follow_redirects=True).text):
        assert "<style" not in page and " style=" not in page
        assert "<script>" not in page and "<script " not in page.replace('<script src="/static/', "")
        assert '"includeIndicatorStyles": false' in page


def test_only_front_end_files_are_served_from_node_modules(client: TestClient) -> None:
    """The pages' CSS, font and script files; not manifests, not the test tools beside them."""
    for path in (
        "/static/vendor/designsystemet/src/index.css",
        "/static/vendor/designsystemet/theme/designsystemet.css",
        "/static/vendor/inter/index.css",
        "/static/vendor/htmx/htmx.min.js",
        "/static/web/web.css",
    ):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["x-content-type-options"] == "nosniff"
    for path in (
        "/static/vendor/inter/package.json",
        "/static/vendor/htmx/../../oidc-provider/package.json",
        "/static/vendor/htmx/%2e%2e/%2e%2e/axe-core/axe.min.js",
    ):
        assert client.get(path).status_code == 404, path


# ------------------------------------------------------------ configuration
BASE_ENV = {
    "LEDGER_DATABASE_URL": "sqlite:///ledger.db",
    "LEDGER_MASTER_KEY": "11" * 32,
    "LEDGER_SIGNING_KEY": "22" * 32,
    "LEDGER_JWT_SECRET": "s" * 40,
    "LEDGER_MUNICIPALITIES": "3447",
}


def test_a_client_id_needs_an_issuer_and_in_production_a_secret() -> None:
    with pytest.raises(ConfigError, match="LEDGER_OIDC_ISSUER"):
        Settings.from_env({**BASE_ENV, "LEDGER_OIDC_CLIENT_ID": "ledger-web"})
    production = {**BASE_ENV, "LEDGER_ENV": "production", "LEDGER_OIDC_ISSUER": "https://idp.example"}
    with pytest.raises(ConfigError, match="LEDGER_OIDC_CLIENT_SECRET"):
        Settings.from_env({**production, "LEDGER_OIDC_CLIENT_ID": "ledger-web"})


def test_production_sends_secure_cookies_unless_told_otherwise() -> None:
    production = {**BASE_ENV, "LEDGER_ENV": "production"}
    assert Settings.from_env(production).web.secure_cookies
    assert not Settings.from_env({**production, "LEDGER_WEB_SECURE_COOKIES": "false"}).web.secure_cookies
    assert not Settings.from_env(BASE_ENV).web.secure_cookies


@pytest.mark.parametrize(
    ("name", "value"),
    [("LEDGER_SESSION_IDLE_MINUTES", "0"), ("LEDGER_SESSION_MAX_HOURS", "åtte"), ("LEDGER_WEB_SECURE_COOKIES", "ja")],
)
def test_a_malformed_web_setting_is_a_configuration_error(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({**BASE_ENV, name: value})
