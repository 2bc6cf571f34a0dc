"""The web app in a real browser (Chromium, headless, through Playwright),
served by uvicorn as `ledger serve` serves it, beside a real OpenID Connect
provider: signing in (in development, with the keyboard alone, and through
the provider), seeing who is signed in, signing out. Every page visited passes
axe-core (WCAG 2.1 A/AA) with zero violations, has one h1, and runs under its
Content-Security-Policy without a refusal (the `page` fixture checks that)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from commands.application import utc_now
from tests.support.axe import assert_accessible
from tests.support.browser import bound_socket, live_server
from tests.support.oidc_provider import SCOPES, Client, OidcProvider, oidc_provider
from tests.support.web import KE_SELBU, KE_SONDRE_LAND, web_app, web_ledger

ACCOUNTS = {"kari": {"name": "Kari Nordmann", "role": "ke_caseworker", "municipality": "5032"}}


@dataclass(frozen=True)
class Site:
    url: str
    provider: OidcProvider


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The server's app on a port known before it is built, so the provider can know its redirect URL."""
    sock = bound_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    client = Client("ledger-web", "a-client-secret-for-the-tests-only", (f"{base}/logg-inn/oidc/tilbake",))
    with oidc_provider([client], ACCOUNTS) as provider:
        ledger = web_ledger(
            tmp_path_factory.mktemp("web"),
            utc_now,
            LEDGER_OIDC_ISSUER=provider.issuer,
            LEDGER_OIDC_CLIENT_ID=client.client_id,
            LEDGER_OIDC_CLIENT_SECRET=client.client_secret,
            LEDGER_OIDC_SCOPES=" ".join(SCOPES),
        )
        try:
            with live_server(web_app(ledger), sock) as url:
                assert url == base
                yield Site(url, provider)
        finally:
            ledger.close()


def check(page: Page) -> None:
    """What every page of the web app must be: one h1, Norwegian, accessible."""
    expect(page.locator("h1")).to_have_count(1)
    assert page.locator("html").get_attribute("lang") == "nb"
    assert_accessible(page)


def focused(page: Page) -> dict[str, str]:
    return page.evaluate(
        """() => {
            const el = document.activeElement, style = getComputedStyle(el);
            return {tag: el.tagName, text: el.textContent.trim(), href: el.getAttribute('href') || '',
                    value: el.getAttribute('value') || '', outline: style.outlineStyle, shadow: style.boxShadow};
        }"""
    )


def tab_to(page: Page, wanted: str, limit: int = 40) -> dict[str, str]:
    """Presses Tab until the focused element's text, href or value is `wanted`; fails if it never is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if wanted in (element["text"], element["href"], element["value"]):
            return element
    raise AssertionError(f"{wanted!r} was not reached with {limit} presses of Tab")


def assert_focus_visible(element: dict[str, str]) -> None:
    assert element["outline"] != "none" or element["shadow"] != "none", f"no visible focus on {element}"


def test_a_person_signs_in_in_development_sees_who_they_are_and_signs_out(page: Page, site: Site) -> None:
    page.goto(site.url + "/")
    expect(page).to_have_url(site.url + "/logg-inn")
    check(page)

    page.get_by_role("link", name="Logg inn som en person i demodataene (utvikling)").click()
    expect(page.get_by_role("heading", level=2, name="Søndre Land")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Selbu")).to_be_visible()
    check(page)

    page.locator(f'button[name="person"][value="{KE_SONDRE_LAND}"]').click()
    expect(page).to_have_url(site.url + "/oversikt")  # KE's own screen
    expect(page.locator("#innlogget")).to_contain_text("saksbehandler i koordinerende enhet, Søndre Land")
    check(page)

    page.get_by_role("button", name="Logg ut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Du er logget ut")
    check(page)
    page.goto(site.url + "/")
    expect(page).to_have_url(site.url + "/logg-inn")


def test_the_sign_in_can_be_done_with_the_keyboard_alone(page: Page, site: Site) -> None:
    """Tab and Enter only: the skip link comes first, every stop shows its focus."""
    page.goto(site.url + "/logg-inn")
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Hopp til hovedinnholdet"
    assert page.get_by_role("link", name="Hopp til hovedinnholdet").bounding_box()["width"] > 10  # type: ignore[index]

    link = tab_to(page, "/logg-inn/utvikling")
    assert_focus_visible(link)
    page.keyboard.press("Enter")
    expect(page).to_have_url(site.url + "/logg-inn/utvikling")

    button = tab_to(page, KE_SELBU)
    assert_focus_visible(button)
    page.keyboard.press("Enter")
    expect(page.locator("#innlogget")).to_contain_text("saksbehandler i koordinerende enhet, Selbu")

    sign_out = tab_to(page, "Logg ut")
    assert_focus_visible(sign_out)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du er logget ut")


def test_signing_in_through_the_openid_connect_provider_in_the_browser(page: Page, site: Site) -> None:
    """Authorization code with PKCE: to the provider, its login form, back signed in with the account's role."""
    page.goto(site.url + "/logg-inn")
    page.get_by_role("link", name="Logg inn", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(site.provider.issuer) + "/interaction/"))
    page.get_by_label("Brukernavn").fill("kari")
    page.get_by_role("button", name="Logg inn").click()
    expect(page).to_have_url(site.url + "/oversikt")
    expect(page.locator("#innlogget")).to_contain_text("Kari Nordmann")
    expect(page.locator("#innlogget")).to_contain_text("saksbehandler i koordinerende enhet, Selbu")
    check(page)


def test_an_error_page_is_a_page_like_the_others(page: Page, site: Site) -> None:
    """A sign-in answer nobody asked for: a Norwegian page with the same layout, headers and accessibility."""
    response = page.goto(site.url + "/logg-inn/oidc/tilbake?code=x&state=y")
    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("Innloggingen ble ikke fullført")
    check(page)
