"""The forms in a real browser (Chromium through Playwright, served by uvicorn
as `ledger serve` serves them): one form filled in and sent with the keyboard
alone, a double click on a submit button writing one event, and axe-core on a
case page with every form unfolded and on a form showing its errors. The
`page` fixture fails a test whose page the Content-Security-Policy refused
anything on (htmx included)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect

from app.bootstrap import Ledger
from commands.application import utc_now
from ledger.values import Actor
from tests.support.axe import assert_accessible
from tests.support.browser import focus_is_visible, focused, live_server, tab_until
from tests.support.cases import ke, running_case
from tests.support.web import web_app, web_ledger


@dataclass
class Site:
    url: str
    ledger: Ledger
    app: FastAPI

    def sign_in(self, page: Page, actor: Actor) -> None:
        """Signed in as `actor`, as after a completed sign-in (the session cookie of a new session)."""
        web = self.app.state.web
        session = web.sessions.start(actor=actor)
        page.context.add_cookies([{"name": web.config.cookie_name, "value": session.token, "url": self.url}])

    def events(self, case_id: UUID) -> list[str]:
        return [type(e).__name__ for e in self.ledger.app.case_events(case_id)]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    ledger = web_ledger(tmp_path_factory.mktemp("forms"), utc_now)
    app = web_app(ledger)
    try:
        with live_server(app) as url:
            yield Site(url, ledger, app)
    finally:
        ledger.close()


def test_a_decision_is_filled_in_and_sent_with_the_keyboard_alone(page: Page, site: Site) -> None:
    """Tab to the form, open it with Enter, answer with Space and the keys, send with Enter; every stop
    shows its focus, and the confirmation is on the case page the browser is sent back to."""
    fx = running_case(site.ledger, individual=60)
    site.sign_in(page, ke())
    page.goto(f"{site.url}/saker/{fx.case_id}")

    summary = tab_until(page, lambda e: e["tag"] == "SUMMARY" and e["text"] == "Registrer vedtak")
    assert focus_is_visible(summary)
    page.keyboard.press("Enter")
    # The fold fetches its form as it opens; the person goes on once it is there.
    expect(page.locator("#skjema-vedtak")).to_be_visible()
    tab_until(page, lambda e: e["name"] == "outcome" and e["value"] == "granted")
    page.keyboard.press("Space")
    tab_until(page, lambda e: e["name"] == "concerns" and e["value"] == "coordinator")
    page.keyboard.press("Space")
    legal = tab_until(page, lambda e: e["name"] == "legal_basis")
    assert focus_is_visible(legal)
    page.keyboard.type("hol. § 7-2")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "reasons"
    page.keyboard.type("Behov for langvarige og koordinerte tjenester.")
    button = tab_until(page, lambda e: e["tag"] == "BUTTON" and e["text"] == "Registrer vedtak")
    assert focus_is_visible(button)
    page.keyboard.press("Enter")

    expect(page.locator("#melding")).to_have_text("Vedtaket er registrert.")
    assert site.events(fx.case_id)[-1] == "DecisionRecorded"
    decision = site.ledger.app.case_events(fx.case_id)[-1]
    assert decision.legal_basis == "hol. § 7-2" and [p.value for p in decision.concerns] == ["coordinator"]
    assert_accessible(page)


def test_a_double_click_on_submit_writes_one_event(page: Page, site: Site) -> None:
    fx = running_case(site.ledger, individual=80)
    site.sign_in(page, ke())
    page.goto(f"{site.url}/saker/{fx.case_id}")
    page.locator("#handling-evaluer-teamet > summary").click()
    form = page.locator("#skjema-evaluer-teamet")
    form.get_by_label("Ja").check()
    form.get_by_label("Vurdering").fill("Teamet fungerer.")
    form.get_by_role("button", name="Lagre").dblclick()
    expect(page.locator("#melding")).to_have_text("Evalueringen av teamets arbeid er registrert.")
    assert site.events(fx.case_id).count("TeamReviewed") == 1


def test_a_case_page_with_every_form_unfolded_and_a_form_with_errors_are_accessible(page: Page, site: Site) -> None:
    fx = running_case(site.ledger, individual=100)
    site.sign_in(page, ke())
    page.goto(f"{site.url}/saker/{fx.case_id}")
    unfold = (
        "() => { const all = document.querySelectorAll('details'); all.forEach(d => d.open = true); return all.length }"
    )
    count = page.evaluate(unfold)
    assert count > 15
    # Each fold fetches its form as it opens: judged once every one has arrived.
    expect(page.locator("details div[data-handling]")).to_have_count(0)
    assert page.locator("details form[data-handling]").count() > 15
    assert_accessible(page)

    # A refusal swapped in by htmx: the error summary and the message next to the field pass too.
    page.goto(f"{site.url}/saker/ny")
    form = page.locator("#skjema-ny")
    form.locator('[name="subject.national_id"]').fill("12345678901")
    form.get_by_label("Koordinator", exact=True).check()
    form.get_by_label("Hvem henviste").select_option("gp")
    form.get_by_role("button", name="Opprett sak").click()
    summary = page.locator(".ds-error-summary")
    expect(summary).to_contain_text("Ugyldig fødselsnummer")
    expect(page.locator("#ny--subject-national-id")).to_have_attribute("aria-invalid", "true")
    expect(page.locator('[name="subject.national_id"]')).to_have_value("12345678901")
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)
