"""Two API worker processes and one projection process on one PostgreSQL
behave as one: no lost events, no duplicated or missing projection rows.

PostgreSQL only, by design: it is what several processes share when one
machine is not enough (SQLite serves one process)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path

import httpx
import psycopg

from api.auth import issue_token
from app.bootstrap import build
from ledger.national_id import synthesize
from ledger.values import Role
from tests.support.stores import settings_for

SECRET = "multiprocess-" + "s" * 40


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(base: str, proc: subprocess.Popen, log: Path) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise AssertionError(f"API process exited: {log.read_text()[-800:]}")
        try:
            if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise AssertionError("API process did not start")


def test_two_api_workers_and_a_projection_process_behave_as_one(pg_database, tmp_path, clock):
    """Concurrent commands through two API processes are all recorded once, and the separate
    projection process's rows equal a rebuild."""
    schema = f"mp_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{pg_database}?schema={schema}"
    env = {
        **os.environ,
        "LEDGER_DATABASE_URL": url,
        "LEDGER_JWT_SECRET": SECRET,
        "LEDGER_MASTER_KEY": "11" * 32,
        "LEDGER_SIGNING_KEY": "22" * 32,
        "LEDGER_PROJECTIONS": "external",
    }
    # Create the tables once before the processes race to do it.
    settings = settings_for(url, tmp_path / "s", LEDGER_JWT_SECRET=SECRET)
    build(settings, clock=clock).close()
    procs, bases = [], []
    try:
        for _ in range(2):
            port = _port()
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "app.server:create_app",
                        "--factory",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--log-level",
                        "warning",
                    ],
                    # Logs to files: an unread pipe would fill and block the server.
                    cwd=tmp_path,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=(tmp_path / f"api{len(procs)}.log").open("w"),
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        projector = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "project", "--interval", "0.05"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / "project.log").open("w"),
        )
        procs.append(projector)
        for i, (base, proc) in enumerate(zip(bases, procs[: len(bases)], strict=True)):
            _wait_healthy(base, proc, tmp_path / f"api{i}.log")

        token = issue_token(SECRET, role=Role.KE_CASEWORKER, sub="ke-1", municipality="3447", name="Kari")
        headers = {"Authorization": f"Bearer {token}"}
        failures: list[str] = []
        created: list[str] = []

        def client_work(k: int) -> None:
            with httpx.Client(base_url=bases[k % 2], headers=headers, timeout=30) as client:
                for i in range(6):
                    n = k * 100 + i
                    r = client.post(
                        "/v1/cases",
                        json={
                            "subject": {"national_id": synthesize(date(1975, 3, 3), n)},
                            "requested": ["coordinator"],
                            "referred_by": {"kind": "gp"},
                        },
                    )
                    if r.status_code != 201:
                        failures.append(r.text)
                        continue
                    case_id = r.json()["case_id"]
                    created.append(case_id)
                    # The same case, through the other worker: both see every write.
                    other = httpx.post(
                        f"{bases[(k + 1) % 2]}/v1/cases/{case_id}/coordinators",
                        headers=headers,
                        json={
                            "person": {"id": f"k{n % 4}", "name": "Koordinator"},
                            "unit": f"u{n % 3}",
                            "kind": "coordinator",
                            "subject_wish_heard": True,
                        },
                        timeout=30,
                    )
                    if other.status_code != 201:
                        failures.append(other.text)

        threads = [threading.Thread(target=client_work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        assert len(created) == 24

        checker = build(settings, clock=clock)
        try:
            head = checker.app.recorder.max_notification_id()
            deadline = time.monotonic() + 30
            while checker.projections.position("register") < head and time.monotonic() < deadline:
                time.sleep(0.05)
            # The projection process caught up (its log says why if not).
            assert checker.projections.position("register") == head, (tmp_path / "project.log").read_text()[-2000:]
            d = checker.app.recorder.dialect
            with checker.app.recorder.datastore.transaction(commit=False) as c:
                c.execute(d.sql("SELECT * FROM {register_cases} ORDER BY case_id"))
                projected = [dict(r) for r in c.fetchall()]
            assert sorted(r["case_id"] for r in projected) == sorted(created)
            assert all(r["coordinator_id"] and r["version"] == 2 for r in projected)
            report = checker.integrity.verify()
            assert report.ok and report.events == 48 and report.cases == 24
            projector.terminate()
            projector.wait(timeout=10)
            checker.projections.rebuild()
            with checker.app.recorder.datastore.transaction(commit=False) as c:
                c.execute(d.sql("SELECT * FROM {register_cases} ORDER BY case_id"))
                assert [dict(r) for r in c.fetchall()] == projected
        finally:
            checker.close()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=10)


def test_processes_starting_together_create_the_schema_once(pg_database, tmp_path, clock):
    """Several workers starting at once on an empty schema all come up: creating
    tables, types and the insert function is serialised, not raced."""
    schema = f"race_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{pg_database}?schema={schema}"
    settings = settings_for(url, tmp_path / "s", LEDGER_JWT_SECRET=SECRET)
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def start() -> None:
        barrier.wait()
        try:
            # Repeated, so the "already exists" path races too, not only the first creation.
            for _ in range(3):
                build(settings, clock=clock).close()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ledger = build(settings, clock=clock)
    try:
        assert ledger.integrity.verify().ok
    finally:
        ledger.close()
