"""p50/p99 latency of a case read and of a command over HTTP on loopback.

Starts the API as a real uvicorn process (one worker) on a fresh store,
opens cases, then times N sequential requests of each kind with one keep-alive
client. Run: `python -m bench.api_latency [--requests 1000] [--store sqlite|postgres|both]`.
The baseline printed beside each figure is GET /v1/health in the same run:
the cost of the HTTP stack itself.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx

from api.auth import issue_token
from bench import STORE_CHOICES, stores
from ledger.national_id import synthesize
from ledger.values import Role


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * len(ordered))) - 1)]
    return statistics.median(ordered), p99


def serve(url: str, workdir: Path) -> tuple[subprocess.Popen, str, str]:
    port = free_port()
    env = {
        **os.environ,
        "LEDGER_DATABASE_URL": url,
        "LEDGER_JWT_SECRET": "bench-" + "s" * 40,
        "LEDGER_MASTER_KEY": "33" * 32,
        "LEDGER_SIGNING_KEY": "44" * 32,
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.server:create_app",
            "--factory",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        # A file, not a pipe: nobody reads a pipe here, and a full
        # one would block the server's logging.
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "api.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                return proc, base, env["LEDGER_JWT_SECRET"]
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"the API did not start: {(workdir / 'api.log').read_text()[-500:]}")


def timed(client: httpx.Client, n: int, request) -> list[float]:
    samples = []
    for i in range(n):
        started = time.perf_counter()
        response = request(client, i)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code >= 400:
            raise SystemExit(f"request failed: {response.status_code} {response.text[:200]}")
    return samples


def measure(store: str, url: str, n: int) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        proc, base, secret = serve(url, Path(tmp))
        try:
            token = issue_token(secret, role=Role.KE_CASEWORKER, sub="ke-bench", municipality="3447", name="Bench")
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
                cases = []
                for i in range(50):
                    body = {
                        "subject": {"national_id": synthesize(date(1980, 1, 1 + i % 28), i)},
                        "requested": ["coordinator"],
                        "referred_by": {"kind": "gp"},
                    }
                    cases.append(client.post("/v1/cases", json=body).json()["case_id"])
                    for _ in range(9):  # a case with ten events
                        client.post(
                            f"/v1/cases/{cases[-1]}/decisions",
                            json={
                                "outcome": "granted",
                                "concerns": ["coordinator"],
                                "legal_basis": "hol. § 7-2",
                                "reasons": "Behov for koordinerte tjenester",
                            },
                        )
                health = timed(client, n, lambda c, i: c.get("/v1/health"))
                reads = timed(client, n, lambda c, i: c.get(f"/v1/cases/{cases[i % len(cases)]}"))
                commands = timed(
                    client,
                    n,
                    lambda c, i: c.post(
                        f"/v1/cases/{cases[i % len(cases)]}/decisions",
                        json={
                            "outcome": "granted",
                            "concerns": ["coordinator"],
                            "legal_basis": "hol. § 7-2",
                            "reasons": "Behov for koordinerte tjenester",
                        },
                    ),
                )
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return {"health (baseline)": percentiles(health), "case read": percentiles(reads), "command": percentiles(commands)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.api_latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--store", choices=STORE_CHOICES, default="both")
    args = parser.parse_args(argv)
    results = {}
    for store, fresh in stores(args.store):
        with fresh() as url:
            results[store] = measure(store, url, args.requests)
    print(f"{args.requests} sequential requests per kind, one keep-alive client, one uvicorn worker, loopback")
    print(f"{'store':<10} {'request':<18} {'p50 ms':>8} {'p99 ms':>8} {'p50 / health':>13}")
    for store, figures in results.items():
        base = figures["health (baseline)"][0]
        for kind, (p50, p99) in figures.items():
            print(f"{store:<10} {kind:<18} {p50:8.2f} {p99:8.2f} {p50 / base:13.1f}")


if __name__ == "__main__":
    main()
