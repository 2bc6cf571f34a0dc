"""Events recorded under an older class version are read in today's form
(upcast on load); the stored bytes are never rewritten (INV-12).

StartupConversationHeld v1 (before 2026-11) had no `interpreter_language`;
v2 added it. A v1 record is made the way the ledger made it then: the real
mapper seals it with the case key and the real recorder chains it, with only
`class_version` set back to 1 while it is encoded and the field v1 did not
have left out. Writing the stored bytes by hand instead would copy the
mapper's sealing (nonce layout, associated data) into the test; a test
class standing in for v1 would need the real class's topic (it is in the
associated data), which the library's topic registry refuses to give a
second class, or, given it first, resolves to the stand-in for every test.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from commands.case_commands import HoldStartupConversation
from ledger.events import StartupConversationHeld
from ledger.values import is_erased
from store.transcoder import OrjsonTranscoder
from tests.support.cases import coordinator, ke, running_case
from tests.support.clock import TODAY
from tests.support.privacy import close_export_and_erase

WHAT_MATTERS = "Å komme seg ut av huset hver dag"
V1_FIELDS = {
    "what_matters": WHAT_MATTERS,
    "expectations": "Hjelp med søknader",
    "contact_preferences": "SMS før kl. 15",
    "interpreter_needed": True,
}


def record_as_v1(ledger: Any, case_id: UUID) -> StoredEvent:
    """Append a StartupConversationHeld to the case exactly as v1 stored it."""
    app = ledger.app
    event = StartupConversationHeld(
        originator_id=case_id,
        originator_version=app.load_case(case_id).version + 1,
        timestamp=TODAY,
        occurred_at=TODAY,
        recorded_by=coordinator().reference(),
        recorded_by_name=coordinator().name,
        interpreter_language=None,
        **V1_FIELDS,
    )
    del vars(event)["interpreter_language"]  # v1 had no such field
    assert app.keyring.prepare_write(case_id) is None  # sealed with the case's existing key
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(StartupConversationHeld, "class_version", 1)
            stored = app.mapper.to_stored_event(event)
    finally:
        app.keyring.finish_write(case_id)
    app.recorder.insert_events([stored])
    return stored


def stored_state(stored: StoredEvent) -> dict[str, Any]:
    return OrjsonTranscoder().decode(stored.state)


def last_event(ledger: Any, case_id: UUID) -> Any:
    return ledger.app.case_events(case_id)[-1]


def test_a_v1_startup_conversation_is_read_as_v2_with_no_interpreter_language(ledger):
    """A stored v1 event loads as StartupConversationHeld v2 with interpreter_language None, its fields intact."""
    fx = running_case(ledger)
    stored = record_as_v1(ledger, fx.case_id)
    assert "class_version" not in stored_state(stored)  # really the v1 form

    event = last_event(ledger, fx.case_id)

    assert type(event) is StartupConversationHeld
    assert event.interpreter_language is None
    assert {name: getattr(event, name) for name in V1_FIELDS} == V1_FIELDS
    assert event.recorded_by_name == coordinator().name
    assert ledger.app.load_case(fx.case_id, ke()).startup_at == TODAY
    assert ledger.integrity.verify().ok  # a legitimate record of its case's chain


def test_a_v2_startup_conversation_round_trips_with_its_interpreter_language(ledger):
    """A v2 event is stored with class_version 2 and loads with its interpreter language."""
    fx = running_case(ledger)
    ledger.app.handle(
        HoldStartupConversation(
            actor=coordinator(),
            case_id=fx.case_id,
            what_matters=WHAT_MATTERS,
            interpreter_needed=True,
            interpreter_language="somali",
        )
    )
    stored = ledger.app.recorder.select_events(fx.case_id, desc=True, limit=1)[0]

    event = last_event(ledger, fx.case_id)

    assert stored_state(stored)["class_version"] == 2
    assert event.interpreter_language == "somali" and event.what_matters == WHAT_MATTERS


def test_a_v1_startup_conversation_of_an_erased_case_is_upcast_with_its_fields_erased(ledger):
    """Upcasting runs on erased events too: the v1 event loads, every personal field (the new one too) ERASED."""
    fx = running_case(ledger)
    record_as_v1(ledger, fx.case_id)
    close_export_and_erase(ledger, fx.case_id)

    event = next(e for e in ledger.app.case_events(fx.case_id) if type(e) is StartupConversationHeld)

    assert event.interpreter_needed is True
    assert all(
        is_erased(getattr(event, name))
        for name in ("what_matters", "expectations", "contact_preferences", "interpreter_language")
    )
