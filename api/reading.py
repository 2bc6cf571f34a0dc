"""Loads a case for a reader: checks the read policy and writes the access
log before anything is returned (no read path bypasses it). A report is
logged with the sha256 of the document handed out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from app.bootstrap import Ledger
from audit.report import case_report, render
from ledger.case import Case
from ledger.errors import NotFound
from ledger.values import Actor
from projections.access import ReadScope, read_scope
from projections.case_view import fold


def read_case(
    ledger: Ledger, actor: Actor, case_id: UUID, part: str, why: str = ""
) -> tuple[list[Any], Case, ReadScope]:
    events, case, scope = _authorized(ledger, actor, case_id, part)
    ledger.access_log.record(actor, case_id, case.municipality, [part], why)
    return events, case, scope


@dataclass(frozen=True)
class IssuedReport:
    document: bytes
    sha256: str  # hex, as the Digest header and a complaint's forwarding carry it


def issue_report(ledger: Ledger, actor: Actor, case_id: UUID, fmt: str, why: str = "") -> IssuedReport:
    """The compliance report of a case, rendered and then logged with its
    sha256 before it is handed out: forwarding a complaint names the report
    sent to Statsforvalteren by that digest, and is refused for any digest
    the ledger did not issue for the case."""
    events, case, _ = _authorized(ledger, actor, case_id, "report")
    document = render(case_report(ledger, events, case, fold(events)), fmt)
    digest = hashlib.sha256(document).hexdigest()
    ledger.access_log.record(
        actor, case_id, case.municipality, ["report"], why, issued={"format": fmt, "sha256": digest}
    )
    return IssuedReport(document, digest)


def _authorized(ledger: Ledger, actor: Actor, case_id: UUID, part: str) -> tuple[list[Any], Case, ReadScope]:
    """The case's events and state, if the read policy lets `actor` read `part` (else NotFound/Forbidden)."""
    events = ledger.app.case_events(case_id)
    if not events:
        raise NotFound(None, "Ingen slik sak i din kommune.")
    case: Any = None
    for event in events:
        case = event.mutate(case)
    return events, case, read_scope(actor, case, part, ledger.clock())
