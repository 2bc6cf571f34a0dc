"""A real OpenID Connect provider for the tests: npm `oidc-provider` in a small
Node.js script (`oidc/provider.mjs`) on a loopback port it picks itself, with
its discovery document, JWKS, PKCE required, the clients and the accounts the
test gives it. Signing in at it is a login form asking for an account's name.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

SCRIPT = Path(__file__).resolve().parent / "oidc" / "provider.mjs"
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
SCOPES = ("openid", "profile", "ledger")


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


@dataclass
class OidcProvider:
    issuer: str
    process: subprocess.Popen[str] = field(repr=False)
    output: list[str] = field(default_factory=list, repr=False)

    def sign_in(self, authorization_url: str, login: str) -> str:
        """Signs `login` in at the provider as a browser would (no JavaScript
        needed) and returns the URL it sends the browser back to."""
        with httpx.Client(follow_redirects=False, timeout=10) as browser:
            response = browser.get(authorization_url)
            while response.status_code in (302, 303) and response.headers["location"].startswith(("/", self.issuer)):
                url = urljoin(self.issuer, response.headers["location"])
                if "/interaction/" in url and not url.endswith("/login"):
                    response = browser.post(url + "/login", data={"login": login})
                else:
                    response = browser.get(url)
            if response.status_code not in (302, 303):
                raise AssertionError(f"the provider answered {response.status_code}: {response.text[:300]}")
            return response.headers["location"]


@contextmanager
def oidc_provider(clients: list[Client], accounts: Mapping[str, Mapping[str, Any]]) -> Iterator[OidcProvider]:
    """Starts the provider and stops it at the end."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js (`node`) is needed for the OpenID Connect provider of the tests")
    if not (NODE_MODULES / "oidc-provider").is_dir():
        pytest.fail("node_modules/oidc-provider is missing: run scripts/setup (it runs npm ci)")
    config = {
        "clients": [
            {"client_id": c.client_id, "client_secret": c.client_secret, "redirect_uris": list(c.redirect_uris)}
            for c in clients
        ],
        "accounts": {login: dict(claims) for login, claims in accounts.items()},
    }
    process = subprocess.Popen(
        [node, str(SCRIPT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "OIDC_TEST_CONFIG": json.dumps(config), "NODE_ENV": "test"},
    )
    assert process.stdout is not None
    output: list[str] = []
    ready = threading.Event()
    issuer: list[str] = []

    def read() -> None:
        # Drains the output for the whole run, so a chatty provider never blocks on a full pipe.
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line.rstrip())
            if not issuer and line.startswith("{"):
                issuer.append(json.loads(line)["issuer"])
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not ready.wait(30) or not issuer:
            pytest.fail("the OpenID Connect provider did not start:\n" + "\n".join(output[-30:]))
        yield OidcProvider(issuer=issuer[0], process=process, output=output)
    finally:
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
