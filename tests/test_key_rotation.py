"""Rotating the master key while the ledger serves: every case key re-wrapped, commands going on
meanwhile, every case readable afterwards (and after a crash half-way), the old key opening none,
and the subject index and idempotency fingerprints unchanged. On both stores."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from app.bootstrap import Ledger, build
from app.rotation import rotate_master_key
from app.settings import Settings
from commands.case_commands import OpenCase
from commands.plan_commands import EstablishPlan
from ledger.errors import InvariantViolation
from ledger.national_id import synthesize
from ledger.values import PlanTool, Provision, ReferrerKind, Subject, is_erased
from store.config import ConfigError
from store.key_rotation import not_opened_by, rewrap_all
from store.keyring import read_key_file, write_key_file
from tests.support.cases import ke, running_case


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No LEDGER_MASTER_KEY: the master key lives in its key file (beside the SQLite file, or in the
    working directory for PostgreSQL)."""
    monkeypatch.chdir(tmp_path)
    return {"LEDGER_DATABASE_URL": db_url, "LEDGER_SIGNING_KEY": "22" * 32, "LEDGER_JWT_SECRET": "j" * 40}


def born(n: int) -> date:
    """A birth date of its own for each person, so no two cases claim one person (INV-02)."""
    return date(1940, 1, 1) + timedelta(days=n % 20_000)


def stored_keys(ledger: Ledger) -> int:
    d = ledger.app.recorder.dialect
    with ledger.app.recorder.datastore.transaction(commit=False) as c:
        c.execute(d.sql("SELECT COUNT(*) AS n FROM {case_keys}"))
        cases = int(c.fetchone()["n"])
        c.execute(d.sql("SELECT COUNT(*) AS n FROM {ledger_keys}"))
        return cases + int(c.fetchone()["n"])


def readable(ledger: Ledger, case_ids: list[UUID]) -> None:
    """Every case decrypts: the subject's name is there, not erased."""
    for case_id in case_ids:
        [opened, *_] = ledger.app.case_events(case_id)
        assert not is_erased(opened.subject) and opened.subject.name, case_id
        ledger.reads.cases.case(ke(), case_id)


def open_with_plan(ledger: Ledger, n: int, key: str | None = None) -> Any:
    return ledger.app.handle(
        OpenCase(
            actor=ke(),
            municipality="3447",
            subject=Subject(national_id=synthesize(date(1985, 5, 5), n), name=f"Person {n}"),
            requested=(Provision.INDIVIDUAL_PLAN,),
            referrer_kind=ReferrerKind.GP,
            idempotency_key=key,
        )
    )


def test_rotation_while_commands_run_leaves_every_case_readable_and_the_old_key_useless(env, tmp_path) -> None:
    """Two writers keep opening cases (each a new case key) during the rotation; afterwards the key
    file holds only the new key, every case reads with it, and the old key opens no stored key."""
    serving = build(Settings.from_env(env))
    try:
        old = serving.settings.master_key
        key_file = serving.settings.master_key_file
        assert key_file is not None and read_key_file(key_file) == [old]
        case_ids = [running_case(serving, birth=born(15_000 + i)).case_id for i in range(4)]
        before = open_with_plan(serving, 900, key="ip-900")
        stop, errors = threading.Event(), []

        def writer(k: int) -> None:
            n = 0
            while not stop.is_set():
                try:
                    case_ids.append(running_case(serving, birth=born(k * 5000 + n)).case_id)
                except BaseException as e:  # every failure is the test's finding
                    errors.append(e)
                    return
                n += 1

        writers = [threading.Thread(target=writer, args=(k,)) for k in range(2)]
        for w in writers:
            w.start()
        try:
            done = rotate_master_key(env, grace=1.5)
        finally:
            stop.set()
            for w in writers:
                w.join()
        assert errors == []
        [new] = read_key_file(key_file)
        assert new != old and not done.resumed and done.rewrapped >= 7 and done.rows <= stored_keys(serving)
        readable(serving, case_ids)  # the serving process followed the key file
        assert not_opened_by(serving.app.recorder, old) == stored_keys(serving)
        assert not_opened_by(serving.app.recorder, new) == 0

        fresh = build(Settings.from_env(env))  # knows only the new key now
        try:
            readable(fresh, case_ids)
            # The keys derived before the rotation keep their values: a retried key replays, and
            # the subject index still knows the person (INV-02).
            again = open_with_plan(fresh, 900, key="ip-900")
            assert again.replayed and again.case_id == before.case_id
            with pytest.raises(InvariantViolation) as refused:
                open_with_plan(fresh, 900)
            assert refused.value.rule == "INV-02"
        finally:
            fresh.close()
    finally:
        serving.close()


def test_a_rotation_that_crashed_half_way_loses_nothing_and_finishes_when_run_again(env, monkeypatch) -> None:
    """The file holds both keys and some rows are re-wrapped: every case reads; the next run finishes."""
    ledger = build(Settings.from_env(env))
    try:
        case_ids = [running_case(ledger, birth=born(15_000 + i)).case_id for i in range(6)]
        old = ledger.settings.master_key
        key_file = ledger.settings.master_key_file
        assert key_file is not None
        new = bytes(range(32))
        write_key_file(key_file, [new, old])
        ledger.app.keyring.masters.reload()
        calls = {"n": 0}
        rewrap = ledger.app.keyring.rewrap

        def crash_after_three(*args: Any) -> Any:
            calls["n"] += 1
            if calls["n"] > 3:
                raise KeyboardInterrupt("killed half-way")
            return rewrap(*args)

        monkeypatch.setattr(ledger.app.keyring, "rewrap", crash_after_three)
        with pytest.raises(KeyboardInterrupt):
            rewrap_all(ledger.app.recorder, ledger.app.keyring, new, batch=2)
        monkeypatch.setattr(ledger.app.keyring, "rewrap", rewrap)
        assert 0 < not_opened_by(ledger.app.recorder, new) < stored_keys(ledger)
    finally:
        ledger.close()

    restarted = build(Settings.from_env(env))  # a process started during the crash's aftermath
    try:
        readable(restarted, case_ids)
    finally:
        restarted.close()
    done = rotate_master_key(env, grace=0)
    assert done.resumed and read_key_file(key_file) == [new]
    after = build(Settings.from_env(env))
    try:
        readable(after, case_ids)
        assert not_opened_by(after.app.recorder, old) == stored_keys(after)
    finally:
        after.close()


def test_with_keys_from_the_environment_the_new_key_is_deployed_first(env) -> None:
    """LEDGER_MASTER_KEY alone is refused (the processes must know the new key first); with
    LEDGER_NEW_MASTER_KEY the stored keys move to it, and the new key alone then reads everything."""
    old, new = "33" * 32, "44" * 32
    with_old = {**env, "LEDGER_MASTER_KEY": old}
    ledger = build(Settings.from_env(with_old))
    try:
        case_ids = [running_case(ledger, birth=born(15_000 + i)).case_id for i in range(3)]
        ledger.app.handle(EstablishPlan(actor=ke(), case_id=case_ids[0], tool=PlanTool.MINUTES))
    finally:
        ledger.close()
    with pytest.raises(ConfigError, match="LEDGER_NEW_MASTER_KEY"):
        rotate_master_key(with_old, grace=0)
    done = rotate_master_key({**with_old, "LEDGER_NEW_MASTER_KEY": new}, grace=0)
    assert done.key_file is None and done.rewrapped == done.rows
    after = build(Settings.from_env({**env, "LEDGER_MASTER_KEY": new}))
    try:
        readable(after, case_ids)
        assert not_opened_by(after.app.recorder, bytes.fromhex(old)) == stored_keys(after)
    finally:
        after.close()
