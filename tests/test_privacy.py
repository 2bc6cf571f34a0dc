"""Personal data is encrypted at rest with the case key (DOMAIN §8): the raw
store never holds it in clear, public fields stay readable, and sealed bytes
only open in the event they were written for."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import MapperDeserialisationError, StoredEvent

from app.bootstrap import build
from commands.handlers import subject_identity
from ledger.events import CaseOpened
from ledger.events_plan import GoalSet
from ledger.values import LifeArea, Provision
from store.mapper import KID, SEALED, CaseMapper
from store.transcoder import OrjsonTranscoder
from tests.support.cases import MUNICIPALITY, coordinator, ke
from tests.support.privacy import (
    GOAL,
    INTERPRETER,
    NAME,
    STARTUP,
    documented_case,
    in_memory_keyring,
    raw_store,
    traces,
)

TRANSCODER = OrjsonTranscoder()
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def stored_events(ledger: Any, case_id: UUID, topic_of: type) -> list[StoredEvent]:
    return [s for s in ledger.app.recorder.select_events(case_id) if s.topic.endswith(":" + topic_of.__qualname__)]


def overwrite_stored_state(ledger: Any, case_id: UUID, version: int, state: bytes) -> None:
    """Change an event's stored bytes behind the ledger's back."""
    recorder = ledger.app.recorder
    d = recorder.dialect
    originator = case_id if d.name == "postgres" else case_id.hex
    with recorder.datastore.transaction(commit=True) as c:
        c.execute(
            d.sql(
                f"UPDATE {d.table(recorder.events_table_name)} SET state = ? "
                "WHERE originator_id = ? AND originator_version = ?"
            ),
            (state, originator, version),
        )


# ------------------------------------------------------------------ at rest
def test_personal_data_never_reaches_the_store_in_clear(ledger):
    """The subject's name and national id, the goal and the start-up conversation appear nowhere in the raw store."""
    case = documented_case(ledger)
    ledger.projections.catch_up()  # read models are part of the store too
    store = raw_store(ledger)
    # The scan does see event state in the form it is stored in (else it
    # would pass on anything): a public field is there to be found.
    assert traces(store, '"municipality":"' + MUNICIPALITY + '"')
    for secret in (NAME, "Testesen", "Ødegård", case.national_id, GOAL, STARTUP, INTERPRETER):
        assert traces(store, secret) == [], secret


def test_public_fields_are_stored_readable_beside_the_sealed_personal_fields(ledger):
    """A stored event's state decodes to its public fields in clear, its personal ones only as ciphertext."""
    case = documented_case(ledger)
    (opened,) = stored_events(ledger, case.case_id, CaseOpened)
    (goal,) = stored_events(ledger, case.case_id, GoalSet)

    opened_state = TRANSCODER.decode(opened.state)
    goal_state = TRANSCODER.decode(goal.state)

    assert opened_state["municipality"] == MUNICIPALITY
    assert opened_state["requested"] == (Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN)
    assert goal_state["life_area"] is LifeArea.HOUSING
    assert goal_state["goal_id"] == case.goal_ids[0]
    for state in (opened_state, goal_state):
        assert isinstance(state[SEALED], bytes) and isinstance(state[KID], str)
    assert {"subject", "guardians", "referrer_name", "recorded_by_name"}.isdisjoint(opened_state)
    assert {"text", "recorded_by_name"}.isdisjoint(goal_state)


# ----------------------------------------------------------- sealed bytes
def test_sealed_personal_fields_copied_into_another_event_of_the_case_cannot_be_read(ledger):
    """Ciphertext is bound to its event: moved to another event of the same case and type, it fails to load."""
    case = documented_case(ledger, goals=(GOAL, "Et annet mål"))
    first, second = stored_events(ledger, case.case_id, GoalSet)
    forged = TRANSCODER.decode(second.state)
    forged[SEALED] = TRANSCODER.decode(first.state)[SEALED]
    overwrite_stored_state(ledger, case.case_id, second.originator_version, TRANSCODER.encode(forged))

    # Every read from the store fails on it: the case's events (what every read
    # of the case uses) and a process loading the case afresh. (A process that
    # cached the case before the edit keeps its copy; `ledger verify` names the
    # edited row either way, see test_integrity_tamper.py.)
    with pytest.raises(MapperDeserialisationError):
        ledger.app.case_events(case.case_id)
    fresh = build(ledger.settings)
    try:
        with pytest.raises(MapperDeserialisationError):
            fresh.app.load_case(case.case_id, ke())
    finally:
        fresh.close()


def test_sealed_personal_fields_without_a_key_id_cannot_be_read():
    """Sealed bytes whose key id was stripped fail to load instead of passing for erased data."""
    keyring, key_rows = in_memory_keyring()
    mapper = CaseMapper(OrjsonTranscoder(), keyring)
    case_id = uuid4()
    new_key = keyring.prepare_write(case_id)
    assert new_key is not None
    key_rows[case_id] = [(new_key.kid, new_key.wrapped)]
    event = GoalSet(
        originator_id=case_id,
        originator_version=2,
        timestamp=NOW,
        occurred_at=NOW,
        recorded_by=coordinator().reference(),
        recorded_by_name=coordinator().name,
        goal_id=uuid4(),
        text=GOAL,
        life_area=LifeArea.HOUSING,
        responsible_service="Bolig",
        evaluate_by=NOW.date(),
    )
    stored = mapper.to_stored_event(event)
    keyring.finish_write(case_id)
    state = TRANSCODER.decode(stored.state)
    del state[KID]
    stripped = StoredEvent(stored.originator_id, stored.originator_version, stored.topic, TRANSCODER.encode(state))

    with pytest.raises(MapperDeserialisationError):
        mapper.to_domain_event(stripped)


# ----------------------------------------------------------- side tables
def test_the_subject_index_holds_a_keyed_pseudonym_and_not_the_national_id(ledger):
    """INV-02's index stores an HMAC under the ledger's key: no national id, nothing computable without the key."""
    case = documented_case(ledger)
    recorder = ledger.app.recorder
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(
            recorder.dialect.sql("SELECT municipality, subject_ref FROM {subject_index} WHERE case_id = ?"),
            (str(case.case_id),),
        )
        rows = [(r["municipality"], r["subject_ref"]) for r in c.fetchall()]
    subject = ledger.app.load_case(case.case_id, ke()).subject
    identity = subject_identity(subject)

    assert len(rows) == 1
    municipality, ref = rows[0]
    assert case.national_id not in ref and case.national_id[:6] not in ref
    assert ref == ledger.app.keyring.subject_ref(municipality, identity)
    assert ref != in_memory_keyring()[0].subject_ref(municipality, identity)


# ---------------------------------------------------------------- keyring
def test_a_write_key_prepared_in_one_thread_is_kept_when_another_thread_writes_the_same_case():
    """Concurrent saves of one case each encrypt with the key they prepared; neither takes nor drops the other's."""
    keyring, _ = in_memory_keyring()
    case_id = uuid4()
    mine = keyring.prepare_write(case_id)
    assert mine is not None

    def another_request() -> None:
        keyring.prepare_write(case_id)  # the case has no stored key yet: a second new key
        keyring.finish_write(case_id)

    other = threading.Thread(target=another_request)
    other.start()
    other.join()

    assert keyring.write_key(case_id)[0] == mine.kid
    keyring.finish_write(case_id)
