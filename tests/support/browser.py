"""A real browser for the web app's tests: Playwright driving Debian's Chromium
headless (`/usr/bin/chromium`, or the path in `LEDGER_CHROMIUM`), one browser
per test run and a fresh context (cookies, storage) per test.

Without Chromium the browser tests fail, naming the command that installs it
(`scripts/setup` does, as root): a test that needs a component runs or fails.

Each page a test opens also has its console watched: a message that the
Content-Security-Policy refused something (an inline style or script) fails
the test, since it means a page does not work under its own policy.

The fixtures are registered once, in tests/conftest.py (`pytest_plugins`).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> Path | None:
    path = Path(os.environ.get("LEDGER_CHROMIUM") or "/usr/bin/chromium")
    return path if path.is_file() and os.access(path, os.X_OK) else None


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        message = "Chromium is needed for the browser tests: apt-get install chromium (or set LEDGER_CHROMIUM)"
        pytest.fail(message)
    browser = playwright.chromium.launch(executable_path=str(path), headless=True, args=list(CHROMIUM_FLAGS))
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a context of its own; fails the test if the CSP refused anything."""
    context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    refused: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            refused.append(message.text)

    page.on("console", watch)
    yield page
    context.close()
    assert not refused, "the Content-Security-Policy refused:\n" + "\n".join(refused)


@contextmanager
def live_server(app: FastAPI, sock: socket.socket | None = None) -> Iterator[str]:
    """Serves `app` with uvicorn in a thread on a loopback port; yields its base URL.
    Pass a socket bound beforehand when the port must be known before the app is built."""
    sock = sock or bound_socket()
    config = uvicorn.Config(app, log_config=None, lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    host, port = sock.getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def focused(page: Page) -> dict[str, str]:
    """What has the keyboard focus: its tag, name, text, value and whether its focus is drawn."""
    return page.evaluate(  # type: ignore[no-any-return]
        """() => {
            const el = document.activeElement, style = getComputedStyle(el);
            return {tag: el.tagName, name: el.getAttribute('name') || '', text: el.textContent.trim(),
                    value: el.getAttribute('value') || '', type: el.getAttribute('type') || '',
                    outline: style.outlineStyle, shadow: style.boxShadow};
        }"""
    )


def tab_until(page: Page, wanted: Callable[[dict[str, str]], bool], limit: int = 200) -> dict[str, str]:
    """Presses Tab until the focused element is the one wanted; fails if it never is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if wanted(element):
            return element
    raise AssertionError(f"not reached with {limit} presses of Tab")


def focus_is_visible(element: dict[str, str]) -> bool:
    return element["outline"] != "none" or element["shadow"] != "none"
