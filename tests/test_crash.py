"""`kill -9` of a real `ledger serve` under load from several writers, on both stores.

Six writers post commands over HTTP, each with an Idempotency-Key of its own, and retry a
command whose answer they did not get (connection cut, server gone) with the same key until
they get one. Afterwards:

* every acknowledged write is in the store, and nothing is there twice (one case per
  opening key, one coordinator per appointing key);
* the same key again replays the first answer (200, same body);
* `ledger verify` passes;
* the projections the server kept (killed mid-batch) equal a rebuild from the log.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import psycopg
import pytest

from app.bootstrap import Ledger, build
from app.settings import Settings
from ledger.events import CaseOpened, CoordinatorAppointed
from ledger.national_id import synthesize
from projections.case_views import open_view
from tests.support.serve import Server, free_port, ledger_env, serve, token

WRITERS = 6


@dataclass
class Writer:
    """One client: its commands in order, each answered exactly once in the end."""

    k: int
    base: str
    answers: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # key -> first answer
    retried: set[str] = field(default_factory=set)  # keys sent again after no answer
    errors: list[str] = field(default_factory=list)

    def send(self, stop: threading.Event, key: str, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        headers = {"Authorization": f"Bearer {token()}", "Idempotency-Key": key}
        while not stop.is_set():
            try:
                response = httpx.post(f"{self.base}{path}", json=body, headers=headers, timeout=10)
            except httpx.HTTPError:
                self.retried.add(key)  # no answer: written or not, the same key tells
                time.sleep(0.05)
                continue
            if response.status_code == 503:  # the store busy for a moment: ask again
                self.retried.add(key)
                time.sleep(0.05)
                continue
            if response.status_code not in (200, 201):
                self.errors.append(f"{key}: {response.status_code} {response.text[:200]}")
                return None
            self.answers.setdefault(key, (response.status_code, response.json()))
            return response.json()
        return None

    def run(self, stop: threading.Event) -> None:
        n = 0
        while not stop.is_set():
            person = synthesize(date(1950, 1, 1) + timedelta(days=self.k * 4000 + n), 3)
            opened = self.send(
                stop,
                f"open-{self.k}-{n}",
                "/v1/cases",
                {"subject": {"national_id": person}, "requested": ["coordinator"], "referred_by": {"kind": "gp"}},
            )
            if opened is not None:
                self.send(
                    stop,
                    f"appoint-{self.k}-{n}",
                    f"/v1/cases/{opened['case_id']}/coordinators",
                    {
                        "person": {"id": f"k{self.k}", "name": "Koordinator"},
                        "unit": f"unit-{n % 3}",
                        "kind": "coordinator",
                        "subject_wish_heard": True,
                    },
                )
            n += 1


def snapshot(ledger: Ledger) -> dict[str, Any]:
    """The projections' rows (case views opened; judgement times left out: they are the clock's)."""
    d = ledger.app.recorder.dialect
    with ledger.app.recorder.datastore.transaction(commit=False) as c:
        c.execute(d.sql("SELECT * FROM {register_cases} ORDER BY case_id"))
        register = [dict(r) for r in c.fetchall()]
        c.execute(d.sql("SELECT case_id, version, view FROM {case_views} ORDER BY case_id"))
        views = [(r["case_id"], r["version"], bytes(r["view"])) for r in c.fetchall()]
        c.execute(d.sql("SELECT case_id, municipality, version FROM {compliance_cases} ORDER BY case_id"))
        judged = [dict(r) for r in c.fetchall()]
        c.execute(
            d.sql(
                "SELECT case_id, rule, status, deadline, evidence, unit, coordinator_id FROM {compliance_checks} "
                "ORDER BY case_id, rule"
            )
        )
        checks = [dict(r) for r in c.fetchall()]
    opened = [
        (case_id, version, open_view(ledger.app.keyring, UUID(case_id), blob)) for case_id, version, blob in views
    ]
    return {"register": register, "case_views": opened, "compliance": judged, "checks": checks}


@pytest.fixture
def store_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path}/ledger.db"
    db = request.getfixturevalue("pg_database")
    schema = f"crash_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{db}?schema={schema}"


def test_kill_9_under_load_loses_and_duplicates_nothing(store_url: str, tmp_path: Path) -> None:
    env = ledger_env(store_url)
    port = free_port()
    server: Server = serve(env, tmp_path, "serve-1", port)
    stop = threading.Event()
    writers = [Writer(k, server.base) for k in range(WRITERS)]
    threads = [threading.Thread(target=w.run, args=(stop,)) for w in writers]
    try:
        for t in threads:
            t.start()
        time.sleep(2.0)
        server.kill()  # kill -9, mid-write and mid-projection
        time.sleep(0.3)
        server = serve(env, tmp_path, "serve-2", port)
        time.sleep(2.0)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    try:
        assert [e for w in writers for e in w.errors] == []
        answers = {key: answer for w in writers for key, answer in w.answers.items()}
        retried = {key for w in writers for key in w.retried}
        assert len(answers) > 10 and retried, (len(answers), len(retried))

        # The same key again: the first answer, replayed (200), nothing written.
        for key in sorted(answers)[:: max(1, len(answers) // 25)] + sorted(retried & set(answers)):
            status, first = answers[key]
            writer = next(w for w in writers if key in w.answers)
            path, body = _request_of(key, first)
            again = httpx.post(
                f"{server.base}{path}",
                json=body,
                headers={"Authorization": f"Bearer {token()}", "Idempotency-Key": key},
                timeout=10,
            )
            assert again.status_code == 200 and again.json() == first, (key, status, writer.k, again.text)
    finally:
        server.stop()

    ledger = build(Settings.from_env(env))
    try:
        opened_keys = {key: body for key, (_, body) in answers.items() if key.startswith("open-")}
        appointed_keys = {key: body for key, (_, body) in answers.items() if key.startswith("appoint-")}
        cases = {UUID(body["case_id"]) for body in opened_keys.values()}
        assert len(cases) == len(opened_keys)  # one case per opening key
        per_case: dict[UUID, list[Any]] = {case_id: ledger.app.case_events(case_id) for case_id in cases}
        opened_in_store = sum(isinstance(e, CaseOpened) for events in per_case.values() for e in events)
        appointed_in_store = sum(isinstance(e, CoordinatorAppointed) for events in per_case.values() for e in events)
        assert opened_in_store == len(opened_keys)
        assert appointed_in_store == len(appointed_keys)  # every acknowledged appointment, none twice
        for body in appointed_keys.values():  # acknowledged at that version
            assert len(per_case[UUID(body["case_id"])]) >= body["version"]
        # Nothing in the store that no key acknowledged: every case is one the writers were told of.
        head_cases = {e.originator_id for e in _all_events(ledger)}
        assert head_cases == cases

        report = ledger.integrity.verify()
        assert report.ok, report.summary()
        print(
            f"kill -9 under {WRITERS} writers: {len(answers)} commands acknowledged, {len(retried)} retried after "
            f"no answer, {len(cases)} cases, {report.events} events; verify: {report.summary()[:40]}"
        )
        ledger.projections.catch_up()
        kept = snapshot(ledger)
        ledger.projections.rebuild()
        assert snapshot(ledger) == kept
    finally:
        ledger.close()


def _request_of(key: str, first: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The request a key was sent with (the writers' are a function of the key)."""
    kind, k, n = key.split("-")
    if kind == "open":
        person = synthesize(date(1950, 1, 1) + timedelta(days=int(k) * 4000 + int(n)), 3)
        return "/v1/cases", {
            "subject": {"national_id": person},
            "requested": ["coordinator"],
            "referred_by": {"kind": "gp"},
        }
    return f"/v1/cases/{first['case_id']}/coordinators", {
        "person": {"id": f"k{k}", "name": "Koordinator"},
        "unit": f"unit-{int(n) % 3}",
        "kind": "coordinator",
        "subject_wish_heard": True,
    }


def _all_events(ledger: Ledger) -> list[Any]:
    notifications = ledger.app.recorder.select_notifications(start=0, limit=1_000_000)
    return list(notifications)
