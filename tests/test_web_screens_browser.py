"""The screens in a real browser (Chromium through Playwright) on the demo data set: KE's overview,
the worklist, "Min plan", each signed in through the development sign-in. Every page visited passes
axe-core (WCAG 2.1 A/AA) with zero violations, has one h1 and runs under its CSP (the `page`
fixture); the overview's filters and pages are used with the keyboard alone; each main screen is
saved as a screenshot for the README (docs/screenshots/)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pytest
from playwright.sync_api import Page, expect

from app.bootstrap import Ledger
from demo.dataset import demo_staff, run_demo
from demo.sign_in import demo_persons
from ledger.values import Role
from tests.support.axe import assert_accessible
from tests.support.browser import focus_is_visible, live_server, tab_until
from tests.support.clock import FakeClock
from tests.support.web import web_app, web_ledger

SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
KE_SUNNFJORD = "4647-ke-1"


@dataclass(frozen=True)
class Site:
    url: str
    ledger: Ledger

    def sign_in(self, page: Page, person: str) -> None:
        page.goto(self.url + "/logg-inn/utvikling")
        page.locator(f'button[name="person"][value="{person}"]').click()
        expect(page.locator("#innlogget")).to_be_visible()

    def coordinator_with_cases(self) -> str:
        ke = next(a for a in demo_staff() if a.id == KE_SUNNFJORD)
        entries = self.ledger.reads.overviews.register(ke, status="open", limit=1000)["items"]
        ids = [c["coordinator"]["person_id"] for c in entries if c["coordinator"]]
        return max(set(ids), key=ids.count)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    ledger = web_ledger(tmp_path_factory.mktemp("screens"), FakeClock())
    try:
        run_demo(ledger, cases=80)
        with live_server(web_app(ledger)) as url:
            yield Site(url, ledger)
    finally:
        ledger.close()


def check(page: Page) -> None:
    expect(page.locator("h1")).to_have_count(1)
    assert page.locator("html").get_attribute("lang") == "nb"
    expect(page.locator("#innlogget")).to_be_visible()
    assert_accessible(page)


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def person(role: Role) -> tuple[str, UUID]:
    return next((a.id, case_id) for a, case_id in demo_persons().items() if a.role is role)


def test_the_overview_is_accessible_and_shows_the_register_rules_and_tasks(page: Page, site: Site) -> None:
    site.sign_in(page, KE_SUNNFJORD)
    expect(page).to_have_url(site.url + "/oversikt")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oversikt")
    expect(page.locator('nav a[aria-current="page"]')).to_have_text("Oversikt")
    for heading in ("Brudd og frister per regel", "Saksregister", "Brudd og frister som nærmer seg", "Oppgaver"):
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    check(page)
    screenshot(page, "oversikt")
    page.locator("#handling-opprett-sak summary, details[id^='handling-'] summary").first.click()
    check(page)


def test_the_overview_filters_and_pages_with_the_keyboard_alone(
    page: Page, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.overview_page.PAGE_SIZE", 5)  # the server runs in this process: pages of 5
    site.sign_in(page, KE_SUNNFJORD)
    select = tab_until(page, lambda e: e["tag"] == "SELECT" and e["name"] == "status")
    assert focus_is_visible(select)
    page.keyboard.press("ArrowDown")  # "Åpen"
    expect(page.locator("#filter-status")).to_have_value("open")
    button = tab_until(page, lambda e: e["tag"] == "BUTTON" and e["text"] == "Vis saker")
    assert focus_is_visible(button)
    page.keyboard.press("Enter")
    expect(page).to_have_url(site.url + "/oversikt?status=open&enhet=&koordinator=&regel=")
    expect(page.locator("#sakstabell tbody tr").first).to_be_visible()
    statuses = page.locator("#sakstabell tbody tr td:nth-child(3)").all_inner_texts()
    assert statuses and set(statuses) == {"Åpen"}
    check(page)

    first = page.locator("#sakstabell tbody tr td:first-child").all_inner_texts()
    link = tab_until(page, lambda e: e["tag"] == "A" and e["text"] == "Neste")
    assert focus_is_visible(link)
    page.keyboard.press("Enter")
    expect(page.locator("#treff")).to_contain_text("Sak 6–10 av")
    expect(page).to_have_url(site.url + "/oversikt?status=open&side=2")
    assert not set(first) & set(page.locator("#sakstabell tbody tr td:first-child").all_inner_texts())
    check(page)
    link = tab_until(page, lambda e: e["tag"] == "A" and e["text"] == "Forrige")
    page.keyboard.press("Enter")
    expect(page.locator("#treff")).to_contain_text("Sak 1–5 av")


def test_the_coordinators_worklist_is_accessible(page: Page, site: Site) -> None:
    site.sign_in(page, site.coordinator_with_cases())
    expect(page).to_have_url(site.url + "/mine-saker")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine saker")
    expect(page.locator("#mine-saker tbody tr").first).to_be_visible()
    check(page)
    screenshot(page, "mine-saker")
    page.goto(site.url + "/oversikt")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du har ikke tilgang til denne siden")
    check(page)


def test_a_unit_leader_and_a_service_provider_get_their_version(page: Page, site: Site) -> None:
    for role in (Role.UNIT_LEADER, Role.SERVICE_PROVIDER):
        actor = next(a for a in demo_staff() if a.municipality == "4647" and a.role is role)
        page.context.clear_cookies()
        site.sign_in(page, actor.id)
        expect(page).to_have_url(site.url + "/mine-saker")
        check(page)


def test_min_plan_for_the_person_and_a_guardian_is_accessible(page: Page, site: Site) -> None:
    citizen, case_id = person(Role.CITIZEN)
    site.sign_in(page, citizen)
    expect(page).to_have_url(f"{site.url}/min-plan?sak={case_id}")
    expect(page.get_by_role("heading", level=2, name="Hvem har lest saken din")).to_be_visible()
    expect(page.locator("#tilgangslogg tbody tr").first).to_be_visible()
    check(page)
    screenshot(page, "min-plan")
    for details in page.locator("details").all():
        details.locator("summary").click()
    check(page)

    page.context.clear_cookies()
    guardian, child = person(Role.GUARDIAN)
    site.sign_in(page, guardian)
    expect(page).to_have_url(f"{site.url}/min-plan?sak={child}")
    check(page)
    page.goto(site.url + "/min-plan")
    expect(page.get_by_label("Saksnummer")).to_be_visible()
    check(page)
