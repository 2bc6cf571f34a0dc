"""Web app test support: the server's application (API and web app, built by
the composition root as `ledger serve` builds it) on an SQLite ledger under the
test's clock, and signing in through the development sign-in."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.bootstrap import Ledger, build
from app.server import create_app
from ledger.values import Actor
from tests.support.clock import FakeClock
from tests.support.stores import settings_for

# People of the demo data set (demo.dataset.demo_staff) the tests sign in as.
KE_SONDRE_LAND = "3447-ke-1"
KE_SELBU = "5032-ke-1"  # the first person on the development sign-in page (Selbu comes first)
COORDINATOR_SELBU = "5032-koord-11"

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def web_ledger(tmp_path: Path, clock: Callable[[], datetime], **env: str) -> Ledger:
    return build(settings_for(f"sqlite:///{tmp_path}/ledger.db", tmp_path / "secrets", **env), clock=clock)


def web_app(ledger: Ledger) -> FastAPI:
    return create_app(ledger, run_projections=False)


@contextmanager
def web_client(
    tmp_path: Path, clock: FakeClock, base_url: str = "http://testserver", **env: str
) -> Iterator[TestClient]:
    ledger = web_ledger(tmp_path, clock, **env)
    try:
        with TestClient(web_app(ledger), base_url=base_url, follow_redirects=False) as client:
            yield client
    finally:
        ledger.close()


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def dev_sign_in(client: TestClient, person: str = KE_SONDRE_LAND) -> None:
    page = client.get("/logg-inn/utvikling")
    assert page.status_code == 200
    answer = client.post("/logg-inn/utvikling", data={"person": person, "csrf_token": csrf_of(page.text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text


def signed_in_as(client: TestClient) -> str | None:
    """Who the page header says is signed in ("Innlogget som <name>, <role>, <municipality>"), on
    the page `/` leads to (each role's own screen), or None when sent to sign-in."""
    page = client.get("/", follow_redirects=True)
    if page.status_code != 200 or str(page.url).split("?")[0].endswith("/logg-inn"):
        return None
    match = re.search(r'id="innlogget">(.*?)</p>', page.text, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split()).replace(" ,", ",") if match else None


def sign_in_actor(client: TestClient, actor: Actor) -> str:
    """Signs `client` in as any actor (a citizen or guardian too), as a completed sign-in would;
    returns the session's CSRF token."""
    web = client.app.state.web  # type: ignore[attr-defined]
    session = web.sessions.start(actor=actor)
    client.cookies.set(web.config.cookie_name, session.token)
    token: str = session.csrf_token
    return token
