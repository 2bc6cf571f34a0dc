"""Recording the end of consents when their period runs out (issue #11, DOMAIN §6 step 5).

A consent's `valid_until` is the last day it holds; from the first moment after it
(`Consent.ends_at`) the ledger records `ConsentExpired`, so access ends in the record and not only
in a computation. The duties projection keeps the consents whose end is due
(`store.duty_rows.consents_due`); the process that runs the projections calls `expire_consents`
after each catch-up (`ProjectionRunner.jobs`, wired in app/bootstrap.py), through the ordinary
command path.

Exactly once across processes: every process records it as the same actor with the same
idempotency key, derived from the consent id. Two racing processes write the same case version;
the loser's write fails on the case's version check, and its retry finds the winner's answer under
the key and writes nothing. A consent withdrawn, expired or in a closed case meanwhile is refused by
the case and skipped.
"""

from __future__ import annotations

from collections.abc import Iterable

import structlog

from commands.application import LedgerApplication
from commands.case_commands import ExpireConsent
from ledger.errors import DomainError
from ledger.values import Actor, Role
from store.duty_rows import DueConsent

log = structlog.get_logger("ledger.commands")

# Who records it: the ledger itself, acting for the municipality's coordinating unit (the role
# that may record the end of a consent besides the coordinator). Its id says it was no person.
LEDGER_ACTOR_ID = "ledger"
LEDGER_ACTOR_NAME = "Koordineringsprotokollen (automatisk)"


def idempotency_key(due: DueConsent) -> str:
    return f"consent-expired:{due.consent_id}"


def expire_consents(app: LedgerApplication, due: Iterable[DueConsent]) -> int:
    """Record `ConsentExpired` for each consent, dated when its period ended; returns how many this
    call recorded (a replay of another process's record counts none)."""
    recorded = 0
    for item in due:
        actor = Actor(
            id=LEDGER_ACTOR_ID, role=Role.KE_CASEWORKER, municipality=item.municipality, name=LEDGER_ACTOR_NAME
        )
        command = ExpireConsent(
            actor=actor,
            case_id=item.case_id,
            consent_id=item.consent_id,
            occurred_at=item.ends_at,
            idempotency_key=idempotency_key(item),
        )
        try:
            result = app.handle(command)
        except DomainError as refused:
            # Withdrawn, already expired, or the case closed since the row was judged: nothing to record.
            log.info("consent_expiry.skipped", case_id=str(item.case_id), rule=refused.rule, reason=refused.message)
            continue
        if not result.replayed:
            recorded += 1
            log.info("consent_expiry.recorded", case_id=str(item.case_id), version=result.version)
    return recorded
