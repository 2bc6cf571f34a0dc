"""A real `ledger serve` process for the process tests (outage, crash, rotation under load)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.auth import issue_token
from ledger.values import Role

SECRET = "process-tests-" + "s" * 40
MASTER_KEY = "11" * 32
SIGNING_KEY = "22" * 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ledger_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a ledger process on this database, with the tests' fixed secrets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    return {
        **env,
        "LEDGER_DATABASE_URL": database_url,
        "LEDGER_JWT_SECRET": SECRET,
        "LEDGER_MASTER_KEY": MASTER_KEY,
        "LEDGER_SIGNING_KEY": SIGNING_KEY,
        "LEDGER_LOG_LEVEL": "warning",
        **extra,
    }


def token(role: Role = Role.KE_CASEWORKER, municipality: str = "3447", **claims: str) -> str:
    defaults = {"sub": "ke-1", "name": "Kari"} if role is Role.KE_CASEWORKER else {"sub": "koord-1", "name": "K"}
    return issue_token(SECRET, role=role, municipality=municipality, **{**defaults, **claims})


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def kill(self) -> None:
        """kill -9: no shutdown, no flush, no goodbye."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def serve(env: Mapping[str, str], cwd: Path, name: str = "serve", port: int | None = None) -> Server:
    """Start `ledger serve` and wait until it is ready (readiness 200)."""
    port = port or free_port()
    log = cwd / f"{name}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.DEVNULL,
        # A file, not a pipe: an unread pipe would fill and block the server.
        stderr=log.open("ab"),
    )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"ledger serve exited ({process.returncode}): {server.log_tail()}")
        try:
            if httpx.get(f"{server.base}/v1/health/ready", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    server.stop()
    raise AssertionError(f"ledger serve did not become ready: {server.log_tail()}")
