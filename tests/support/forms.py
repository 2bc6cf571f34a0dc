"""Test support for the web app's forms: a site (the server's app on a ledger
under the test's clock) where a test signs in as anyone, opens a form as a
person would (its page gives the hidden fields: CSRF token, idempotency key,
the case version) and posts it."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from app.bootstrap import Ledger, build
from app.server import create_app
from ledger.values import Actor
from tests.support.clock import FakeClock
from tests.support.stores import settings_for
from tests.support.web import sign_in_actor

Response = Any  # the test client's response

_FORM = re.compile(
    r'<form method="post" action="(?P<action>[^"]+)"[^>]*data-handling="(?P<slug>[^"]+)"(?P<body>.*?)</form>', re.S
)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')

Data = Mapping[str, str | Sequence[str]]


@dataclass
class Site:
    ledger: Ledger
    client: TestClient
    csrf: str = ""

    def sign_in(self, actor: Actor) -> None:
        self.client.cookies.clear()
        self.csrf = sign_in_actor(self.client, actor)

    def page(self, url: str) -> Response:
        return self.client.get(url)

    def form_page(self, case_id: UUID | None, slug: str) -> Response:
        return self.client.get(f"/saker/{case_id}/handlinger/{slug}" if case_id else f"/saker/{slug}")

    def unfold(self, page: str, slug: str) -> str:
        """Opens a fold of the case page as a browser with htmx does: the form alone, fetched from its address."""
        answer = self.client.get(fold_url(page, slug), headers={"HX-Request": "true"})
        assert answer.status_code == 200, answer.text
        return str(answer.text)

    def submit(self, case_id: UUID | None, slug: str, data: Data, **headers: str) -> Response:
        """Opens the form's page, keeps its hidden fields and posts it with `data`."""
        page = self.form_page(case_id, slug)
        assert page.status_code == 200, page.text
        return self.post_form(page.text, slug, data, **headers)

    def post_form(self, page: str, slug: str, data: Data, **headers: str) -> Response:
        """Posts the form as a browser would after the person filled in `data` (a name given replaces
        what the form held under it; a list gives every value)."""
        action, sent = as_browser_sends(page, slug)
        merged: dict[str, list[str]] = {}
        for name, value in sent:
            if name not in data:
                merged.setdefault(name, []).append(value)
        for name, given in data.items():
            merged[name] = [given] if isinstance(given, str) else list(given)
        return self.client.post(action, data=merged, headers=headers)

    def events(self, case_id: UUID) -> list[str]:
        return [type(e).__name__ for e in self.ledger.app.case_events(case_id)]


def form_on(page: str, slug: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the form `slug` on a page."""
    for match in _FORM.finditer(page):
        if match.group("slug") == slug:
            return match.group("action"), {k: html.unescape(v) for k, v in _HIDDEN.findall(match.group("body"))}
    raise AssertionError(f"no form {slug} on the page")


def as_browser_sends(page: str, slug: str) -> tuple[str, list[tuple[str, str]]]:
    """The action of the form `slug` and what a browser would send from it untouched: every input's
    value, the ticked boxes and chosen radio buttons, the text areas and the chosen list entries."""
    reader = _FormReader(slug)
    reader.feed(page)
    if reader.action is None:
        raise AssertionError(f"no form {slug} on the page")
    return reader.action, reader.pairs


class _FormReader(HTMLParser):
    def __init__(self, slug: str) -> None:
        super().__init__(convert_charrefs=True)
        self.slug = slug
        self.action: str | None = None
        self.pairs: list[tuple[str, str]] = []
        self._inside = False
        self._textarea: str | None = None
        self._text = ""
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("data-handling") == self.slug:
            self._inside, self.action = True, a.get("action")
        if not self._inside:
            return
        if tag == "input" and "name" in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value", "on")))
            else:
                self.pairs.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._inside:
            self._inside = False
        elif tag == "textarea" and self._textarea is not None:
            # The parser keeps the newline right after <textarea>, which a browser drops.
            self.pairs.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            self.pairs.extend((self._select, v) for v in chosen)
            self._select = None


def forms_on(page: str) -> list[str]:
    return [m.group("slug") for m in _FORM.finditer(page)]


_ACTION = re.compile(r'id="handling-(?P<slug>[a-z0-9-]+)"')
_FOLD = re.compile(
    r'<div hx-get="(?P<url>[^"]+)" hx-trigger="toggle once from:closest details"[^>]*data-handling="(?P<slug>[^"]+)"'
)


def actions_on(page: str) -> list[str]:
    """The actions a case page offers: a fold that fetches its form when opened, or a link to its own page."""
    return [m.group("slug") for m in _ACTION.finditer(page)]


def fold_url(page: str, slug: str) -> str:
    """The address a case page's fold fetches its form from (htmx's `hx-get`)."""
    found = {m.group("slug"): html.unescape(m.group("url")) for m in _FOLD.finditer(page)}
    assert slug in found, f"no fold for {slug} on the page (folds: {sorted(found)})"
    return found[slug]


@contextmanager
def form_site(db_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Site]:
    ledger = build(settings_for(db_url, tmp_path / "secrets"), clock=clock)
    try:
        with TestClient(create_app(ledger, run_projections=False), follow_redirects=False) as client:
            yield Site(ledger, client)
    finally:
        ledger.close()


def flash_of(page: str) -> str | None:
    match = re.search(r'id="melding">\s*<p class="ds-paragraph">([^<]*)</p>', page)
    return html.unescape(match.group(1)) if match else None


def field_error(page: str, field_id: str) -> str | None:
    """The message shown next to the element `field_id` (an input, or a group's fieldset), if that
    element names it in its aria-describedby."""
    element = re.search(rf'<[^>]*\bid="{re.escape(field_id)}"[^>]*>', page)
    if element is None or f"{field_id}-feil" not in element.group(0):
        return None
    message = re.search(rf'id="{re.escape(field_id)}-feil">([^<]*)<', page)
    return html.unescape(message.group(1)) if message else None


def summary_of(page: str) -> list[str]:
    match = re.search(r'class="ds-error-summary".*?<ul class="ds-list">(.*?)</ul>', page, re.S)
    if match is None:
        return []
    return [
        html.unescape(re.sub(r"<[^>]+>", "", item)).strip()
        for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)
    ]
