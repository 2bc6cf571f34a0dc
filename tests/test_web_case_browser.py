"""The case page in a real browser (Chromium through Playwright, served by uvicorn as `ledger serve`
serves it), on the worked case of Søndre Land: axe-core finds no WCAG 2.1 A/AA violation (the case
now, as it stood, a date that is no date); a check's evidence link leads to its event in the
timeline; the keyboard alone reaches a check's evidence and follows it; the page runs under its
Content-Security-Policy without a refusal (the `page` fixture checks that). A screenshot at
1280x800 is taken; with `LEDGER_SCREENSHOTS=1` it is written to docs/screenshots/sak.png."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect

from app.bootstrap import Ledger
from commands.application import utc_now
from demo.scenarios import SCENARIO_1
from ledger.values import Actor
from tests.support.axe import assert_accessible
from tests.support.browser import focus_is_visible, focused, live_server, tab_until
from tests.support.scenarios import CASTS, tell
from tests.support.web import web_app, web_ledger

CAST = CASTS[SCENARIO_1.title]
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshots" / "sak.png"


@dataclass
class Site:
    url: str
    ledger: Ledger
    app: FastAPI
    case_id: UUID

    def sign_in(self, page: Page, actor: Actor) -> None:
        web = self.app.state.web
        session = web.sessions.start(actor=actor)
        page.context.add_cookies([{"name": web.config.cookie_name, "value": session.token, "url": self.url}])

    def case_url(self, query: str = "") -> str:
        return f"{self.url}/saker/{self.case_id}{query}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    ledger = web_ledger(tmp_path_factory.mktemp("case"), utc_now)
    told = tell(ledger, SCENARIO_1)
    app = web_app(ledger)
    try:
        with live_server(app) as url:
            yield Site(url, ledger, app, told.case_id)
    finally:
        ledger.close()


def test_the_case_page_is_accessible_and_its_screenshot_is_taken(page: Page, site: Site, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    site.sign_in(page, CAST.ke)
    page.goto(site.case_url())
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text("Sak for Per Testesen")
    expect(page.locator("#kontroll-chk-01")).to_contain_text("Brudd")
    assert_accessible(page)
    shot = SCREENSHOT if os.environ.get("LEDGER_SCREENSHOTS") else tmp_path / "sak.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    png = page.screenshot(path=str(shot))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == 1280 and int.from_bytes(png[20:24], "big") == 800

    # Every section unfolded (the forms too) passes as well.
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    # Each fold of the forms fetches its form when opened: judged once every one has arrived.
    expect(page.locator("details div[data-handling]")).to_have_count(0)
    expect(page.locator("details form[data-handling]").first).to_be_visible()
    # Judged once the details have finished opening (mid-animation, colours overlap).
    page.evaluate("() => Promise.all(document.getAnimations().map(a => a.finished))")
    page.mouse.move(0, 0)
    assert_accessible(page)


def test_a_checks_evidence_link_leads_to_its_event_in_the_timeline(page: Page, site: Site) -> None:
    site.sign_in(page, CAST.ke)
    page.goto(site.case_url())
    page.locator("#kontroll-chk-01").get_by_role(
        "link", name="Hendelse 3: Enhet bedt om å oppnevne koordinator"
    ).click()
    assert page.url.endswith("#hendelse-3")
    row = page.locator("#hendelse-3")
    expect(row).to_be_in_viewport()
    expect(row).to_contain_text("Enhet bedt om å oppnevne koordinator")
    assert page.evaluate("() => document.querySelector(':target').id") == "hendelse-3"


def test_the_keyboard_alone_reaches_a_checks_evidence_and_follows_it(page: Page, site: Site) -> None:
    site.sign_in(page, CAST.ke)
    page.goto(site.case_url())
    link = tab_until(page, lambda e: e["tag"] == "A" and e["text"] == "Hendelse 4: Koordinator oppnevnt")
    assert focus_is_visible(link)
    page.keyboard.press("Enter")
    assert page.url.endswith("#hendelse-4")
    expect(page.locator("#hendelse-4")).to_be_in_viewport()
    # The next Tab continues from the event (the target), not from the top of the page.
    page.keyboard.press("Tab")
    after = page.evaluate("() => document.activeElement.compareDocumentPosition(document.getElementById('hendelse-4'))")
    assert after & 2, "focus moved on from the event the link led to"  # DOCUMENT_POSITION_PRECEDING
    assert focused(page)["tag"] in {"A", "BUTTON", "SUMMARY", "INPUT"}


def test_the_case_as_it_stood_and_a_bad_date_are_accessible(page: Page, site: Site) -> None:
    site.sign_in(page, CAST.ke)
    page.goto(site.case_url())
    page.get_by_label("Slik saken sto").fill("2026-02-01")
    page.get_by_role("button", name="Vis saken").click()
    expect(page.locator("#fortid")).to_contain_text("Du ser saken slik den sto 01.02.2026")
    expect(page.locator("#hendelser tbody tr")).to_have_count(3)
    assert_accessible(page)

    page.goto(site.case_url("?as_of=2026-13-45"))
    expect(page.locator("#tid-feil")).to_contain_text("Skriv en gyldig dato")
    expect(page.locator("#tid-as_of")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
