"""Loads a case for a reader: checks the read policy and writes the access
log before anything is returned (no read path bypasses it)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from app.bootstrap import Ledger
from ledger.case import Case
from ledger.errors import NotFound
from ledger.values import Actor
from projections.access import ReadScope, read_scope


def read_case(ledger: Ledger, actor: Actor, case_id: UUID, part: str, why: str = "") -> tuple[list[Any], Case,
                                                                                                ReadScope]:
    events = ledger.app.case_events(case_id)
    if not events:
        raise NotFound(None, "Ingen slik sak i din kommune.")
    case: Any = None
    for event in events:
        case = event.mutate(case)
    scope = read_scope(actor, case, part, ledger.clock())
    ledger.access_log.record(actor, case_id, case.municipality, [part], why)
    return events, case, scope
