"""A lost database is a fast, honest 503: a real `ledger serve` process on PostgreSQL, with a TCP
proxy between them that the test turns off (connections refused), blackholes (packets dropped:
nothing refused, nothing answered) and restarts.

While the database is gone, every request that needs it answers 503 problem+json with
Retry-After within 2 s, liveness goes on answering (also with 16 impatient clients hammering
the database routes), and readiness says 503. Within 2 s of the database's return, service is
normal again, with no restart, and the projection thread has survived.

PostgreSQL only: SQLite is a file in the process, there is no connection to lose.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest

from ledger.national_id import synthesize
from tests.support.serve import Server, ledger_env, serve, token
from tests.support.tcp_proxy import TcpProxy

BOUND = 2.0  # seconds: to a 503 while the database is gone, and to service after it returns
PROBLEM = "application/problem+json"


@dataclass
class Measured:
    """What the outage looked like from outside (printed for the report)."""

    phase: str
    answers: list[tuple[int, float]] = field(default_factory=list)  # (status, seconds) during the outage
    recovery: float | None = None

    def line(self) -> str:
        worst = max((s for _, s in self.answers), default=0.0)
        first = self.answers[0][1] if self.answers else 0.0
        return (
            f"{self.phase}: first 503 after {first:.3f} s, slowest 503 {worst:.3f} s over {len(self.answers)} "
            f"requests; service normal {self.recovery:.3f} s after the database returned"
        )


@pytest.fixture(scope="module")
def through_proxy(pg_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, TcpProxy, str]]:
    """`ledger serve` on a schema of its own, reaching PostgreSQL only through the proxy; one case in it.
    One server for the module (starting one is the slow part); each test leaves the proxy forwarding."""
    tmp_path = tmp_path_factory.mktemp("outage")
    schema = f"outage_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    real = urlsplit(pg_database)
    proxy = TcpProxy((real.hostname or "127.0.0.1", real.port or 5432))
    url = f"postgresql://{real.username}@127.0.0.1:{proxy.port}{real.path}?schema={schema}"
    server = serve(ledger_env(url), tmp_path)
    try:
        created = _post_case(server, 0)
        assert created.status_code == 201, created.text
        yield server, proxy, created.json()["case_id"]
    finally:
        server.stop()
        proxy.close()


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {token()}"}


def _post_case(server: Server, n: int, timeout: float = 10) -> httpx.Response:
    return httpx.post(
        f"{server.base}/v1/cases",
        headers=_headers(),
        json={
            "subject": {"national_id": synthesize(date(1970, 1, 1), n)},
            "requested": ["coordinator"],
            "referred_by": {"kind": "gp"},
        },
        timeout=timeout,
    )


def _during_outage(server: Server, case_id: str, measured: Measured, seconds: float = 3.0) -> None:
    """Requests that need the database, for `seconds`: each a 503 problem+json with Retry-After,
    each within the bound; liveness answers throughout; readiness says 503."""
    started = time.monotonic()
    paths = [f"/v1/cases/{case_id}", f"/v1/cases/{case_id}/compliance", "/v1/register/coordinators"]
    i = 0
    while time.monotonic() - started < seconds:
        t0 = time.monotonic()
        if i % 4 == 3:
            response = _post_case(server, 1000 + i, timeout=BOUND + 3)
        else:
            response = httpx.get(f"{server.base}{paths[i % 3]}", headers=_headers(), timeout=BOUND + 3)
        took = time.monotonic() - t0
        assert response.status_code == 503, (response.status_code, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.headers["retry-after"] == "1"
        measured.answers.append((response.status_code, took))
        assert took < BOUND, f"{measured.phase}: a 503 took {took:.2f} s"
        i += 1
        live = httpx.get(f"{server.base}/v1/health", timeout=1)
        assert live.status_code == 200 and live.json() == {"status": "ok", "store": "postgres"}
    t0 = time.monotonic()
    ready = httpx.get(f"{server.base}/v1/health/ready", timeout=BOUND + 3)
    assert ready.status_code == 503 and ready.json()["status"] == "not_ready"
    assert time.monotonic() - t0 < BOUND
    assert "postgresql://" not in ready.text and "password" not in ready.text


def _recovery(server: Server, case_id: str) -> float:
    """Seconds from now until a read that needs the database answers 200 again."""
    started = time.monotonic()
    while time.monotonic() - started < 10:
        try:
            response = httpx.get(f"{server.base}/v1/cases/{case_id}", headers=_headers(), timeout=BOUND + 3)
            if response.status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    raise AssertionError(f"no service 10 s after the database returned: {server.log_tail()}")


def _normal(server: Server, n: int) -> None:
    """A command and readiness work, and the projection thread catches up on its own."""
    response = _post_case(server, n)
    assert response.status_code == 201, response.text
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        ready = httpx.get(f"{server.base}/v1/health/ready", timeout=BOUND + 3)
        if ready.status_code == 200 and all(p["lag"] == 0 for p in ready.json()["projections"].values()):
            return
        time.sleep(0.1)
    raise AssertionError(f"the projection thread did not catch up: {ready.text} {server.log_tail()}")


def test_a_lost_database_is_a_fast_honest_503_and_service_returns_without_a_restart(through_proxy) -> None:
    """Refused, blackholed, restarted: 503 within 2 s each time, normal within 2 s of the return."""
    server, proxy, case_id = through_proxy
    results = []

    refused = Measured("refused")
    proxy.refuse()
    _during_outage(server, case_id, refused)
    proxy.forward()
    refused.recovery = _recovery(server, case_id)
    results.append(refused)
    _normal(server, 1)

    silent = Measured("blackholed")
    proxy.blackhole()
    _during_outage(server, case_id, silent)
    proxy.forward()
    silent.recovery = _recovery(server, case_id)
    results.append(silent)
    _normal(server, 2)

    restarted = Measured("restarted")
    proxy.restart()  # every connection closed at once, as when the database restarts
    restarted.recovery = _recovery(server, case_id)
    results.append(restarted)
    _normal(server, 3)

    for measured in results:
        print(measured.line())
        assert measured.recovery is not None and measured.recovery < BOUND, measured.line()
    assert server.process.poll() is None, server.log_tail()
    assert "Traceback" not in server.log_tail(100_000)


def test_liveness_keeps_answering_while_impatient_clients_wait_on_a_silent_database(through_proxy) -> None:
    """16 clients that give up after 0.3 s and ask again, on routes that need the database, while
    it drops every packet: the worker threads are never all parked, /v1/health answers every time
    (within 2 s on a loaded 2-core machine), and a patient client still gets its 503 within 2 s."""
    server, proxy, case_id = through_proxy
    stop = threading.Event()
    asked = [0]

    def impatient(k: int) -> None:
        with httpx.Client(base_url=server.base, headers=_headers(), timeout=0.3) as client:
            while not stop.is_set():
                try:
                    client.get(f"/v1/cases/{case_id}" if k % 2 else "/v1/register/coordinators")
                except httpx.HTTPError:
                    pass  # gave up: the server goes on with the request all the same
                asked[0] += 1
                stop.wait(0.05)

    proxy.blackhole()
    clients = [threading.Thread(target=impatient, args=(k,)) for k in range(16)]
    for t in clients:
        t.start()
    try:
        slowest = 0.0
        started = time.monotonic()
        while time.monotonic() - started < 5:
            t0 = time.monotonic()
            live = httpx.get(f"{server.base}/v1/health", timeout=1)
            slowest = max(slowest, time.monotonic() - t0)
            assert live.status_code == 200
            time.sleep(0.1)
        t0 = time.monotonic()
        patient = httpx.get(f"{server.base}/v1/cases/{case_id}", headers=_headers(), timeout=BOUND + 3)
        assert patient.status_code == 503 and time.monotonic() - t0 < BOUND
    finally:
        stop.set()
        for t in clients:
            t.join()
    print(f"liveness under 16 impatient clients ({asked[0]} requests): slowest /v1/health {slowest:.3f} s")
    assert slowest < BOUND
    proxy.forward()
    assert _recovery(server, case_id) < BOUND
    _normal(server, 4)
