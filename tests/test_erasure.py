"""Erasure (DOMAIN §8, INV-12): after closing and export, KE destroys the
case's keys. The events stay and still verify; the personal data can no
longer be read anywhere, and no trace of it is left in the raw store.

(Erasure refused before closing or before export: tests/test_invariants.py.)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from commands.case_commands import OpenCase
from commands.handlers import subject_identity
from commands.plan_commands import ReceiveComplaint
from ledger.event_data import event_to_dict
from ledger.events import CaseOpened, StartupConversationHeld
from ledger.events_plan import ComplaintReceived, GoalSet, KeyDestroyed
from ledger.national_id import synthesize
from ledger.values import (
    CaseStatus,
    LifeArea,
    Provision,
    ReferrerKind,
    Role,
    Subject,
    is_erased,
)
from tests.support.cases import MUNICIPALITY, actor, coordinator, ke
from tests.support.clock import TODAY
from tests.support.privacy import (
    ASSESSMENT,
    GOAL,
    NAME,
    STARTUP,
    close_export_and_erase,
    documented_case,
    raw_store,
    traces,
)

COMPLAINT = "Åse klager på at planen ble avsluttet for tidlig"


@dataclass
class ErasedCase:
    case_id: UUID
    national_id: str
    goal_id: UUID
    destroyed_keys: list[tuple[str, bytes]]  # (kid, wrapped key) as stored before erasure
    subject_ref: str  # the subject index pseudonym the case held while open


@pytest.fixture
def erased(ledger: Any) -> ErasedCase:
    case = documented_case(ledger)
    app = ledger.app
    keys = app.recorder.fetch_case_keys([case.case_id])[case.case_id]
    subject = app.load_case(case.case_id, ke()).subject
    subject_ref = app.keyring.subject_ref(MUNICIPALITY, subject_identity(subject))
    close_export_and_erase(ledger, case.case_id, seal=True)
    return ErasedCase(case.case_id, case.national_id, case.goal_ids[0], keys, subject_ref)


def events_of(ledger: Any, case_id: UUID, event_class: type) -> list[Any]:
    return [e for e in ledger.app.case_events(case_id) if type(e) is event_class]


# ------------------------------------------------------------ reading it
def test_an_erased_case_still_loads_with_its_personal_fields_erased(ledger, erased):
    """Subject (name, national id), guardians, goal text and the start-up conversation read as ERASED."""
    case = ledger.app.load_case(erased.case_id, ke())
    (startup,) = events_of(ledger, erased.case_id, StartupConversationHeld)

    assert is_erased(case.subject)
    assert is_erased(case.guardians)
    assert is_erased(case.goals[erased.goal_id].text)
    assert is_erased(startup.what_matters) and is_erased(startup.interpreter_language)
    assert is_erased(startup.recorded_by_name)


def test_an_erased_case_keeps_its_public_fields(ledger, erased):
    """Municipality, requested provisions, goal life area, status and who recorded what stay readable."""
    case = ledger.app.load_case(erased.case_id, ke())
    (goal,) = events_of(ledger, erased.case_id, GoalSet)
    (startup,) = events_of(ledger, erased.case_id, StartupConversationHeld)

    assert case.municipality == MUNICIPALITY
    assert case.requested == [Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN]
    assert case.status is CaseStatus.CLOSED and case.erased
    assert case.goals[erased.goal_id].life_area is LifeArea.HOUSING
    assert goal.responsible_service == "Bolig" and goal.recorded_by.id == coordinator().id
    assert startup.interpreter_needed is True and startup.occurred_at == TODAY


def test_an_erased_case_recognises_neither_the_subject_nor_a_guardian(ledger, erased):
    """With the national ids erased no citizen's or guardian's token matches, so the case is not theirs to read."""
    case = ledger.app.load_case(erased.case_id, ke())

    assert not case.recognises(actor(Role.CITIZEN, pid=erased.national_id))
    assert not case.recognises(actor(Role.GUARDIAN, pid=erased.national_id))


def test_the_history_of_an_erased_case_names_its_erased_fields_and_shows_none_of_them(ledger, erased):
    """The history projection renders erased fields as null and lists them, so readers see what was erased."""
    (opened,) = events_of(ledger, erased.case_id, CaseOpened)
    shown = event_to_dict(opened)

    assert shown["data"]["subject"] is None and shown["data"]["municipality"] == MUNICIPALITY
    assert {"subject", "guardians", "referrer_name", "recorded_by_name"} <= set(shown["erased"])
    assert shown["recorded_by"]["name"] is None


# --------------------------------------------------------------- integrity
def test_the_chain_and_the_seals_from_before_and_after_erasure_still_verify(ledger, erased):
    """Hashes are over the stored bytes, which erasure does not touch: verify passes both checkpoints."""
    report = ledger.integrity.verify()

    assert report.ok, report.summary()
    assert report.checkpoints == 3  # the two seals, and the one the JSON export sealed for its bundle


def test_erasure_destroys_every_key_of_the_case_and_records_which(ledger, erased):
    """The case_keys rows are gone, and KeyDestroyed lists the key ids that were destroyed."""
    recorder = ledger.app.recorder
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(
            recorder.dialect.sql("SELECT COUNT(*) AS n FROM {case_keys} WHERE case_id = ?"), (str(erased.case_id),)
        )
        remaining = c.fetchone()["n"]
    (destroyed,) = events_of(ledger, erased.case_id, KeyDestroyed)

    assert remaining == 0
    assert destroyed.key_ids == tuple(kid for kid, _ in erased.destroyed_keys)


# ------------------------------------------------------------------ traces
def test_after_erasure_the_raw_store_holds_no_trace_of_the_subject(ledger, erased):
    """Neither name, national id, goal, start-up text, closing assessment nor index pseudonym is in the raw store."""
    store = raw_store(ledger)

    assert traces(store, '"municipality":"' + MUNICIPALITY + '"')  # the scan reads event state
    for secret in (NAME, "Testesen", erased.national_id, GOAL, STARTUP, ASSESSMENT, erased.subject_ref):
        assert traces(store, secret) == [], secret


def test_after_erasure_the_raw_store_holds_no_copy_of_the_destroyed_keys(ledger, erased):
    """Not even wrapped: no WAL frame or freed page keeps a destroyed key row (SQLite), no row is left (PostgreSQL)."""
    store = raw_store(ledger)

    for kid, wrapped in erased.destroyed_keys:
        assert traces(store, wrapped) == [], kid


def test_after_erasure_the_idempotency_records_hold_no_digest_that_confirms_the_subject(ledger):
    """An idempotent OpenCase leaves no unkeyed digest of the subject's name and national id behind erasure."""
    nid = synthesize(date(1981, 5, 17))
    command = OpenCase(
        actor=ke(),
        municipality=MUNICIPALITY,
        subject=Subject(name=NAME, national_id=nid),
        requested=(Provision.COORDINATOR,),
        referrer_kind=ReferrerKind.GP,
        idempotency_key="open-1",
    )
    case_id = ledger.app.handle(command).case_id
    close_export_and_erase(ledger, case_id)

    # Someone holding the database and a guess at the subject recomputes it.
    assert traces(raw_store(ledger), hashlib.sha256(command.canonical()).hexdigest()) == []


# --------------------------------------------------------- after erasure
def test_a_complaint_received_after_erasure_is_readable_while_the_old_fields_stay_erased(ledger, erased):
    """A write after erasure gets a fresh key: the complaint reads in clear, nothing older comes back."""
    ledger.app.handle(
        ReceiveComplaint(actor=ke(), case_id=erased.case_id, concerns=(Provision.INDIVIDUAL_PLAN,), text=COMPLAINT)
    )
    (complaint,) = events_of(ledger, erased.case_id, ComplaintReceived)
    case = ledger.app.load_case(erased.case_id, ke())
    fresh = ledger.app.recorder.fetch_case_keys([erased.case_id])[erased.case_id]

    assert complaint.text == COMPLAINT
    assert is_erased(case.subject) and is_erased(case.goals[erased.goal_id].text)
    assert len(fresh) == 1 and fresh[0][0] not in {kid for kid, _ in erased.destroyed_keys}
