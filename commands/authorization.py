"""Who may issue which command on which case (DOMAIN §2, INV-01, INV-07).

Checked below any HTTP layer, on every command, after the case is loaded.
"""

from __future__ import annotations

from typing import Any

from commands.base import Command
from commands.case_commands import GrantConsent, SignConsent, WithdrawConsent
from commands.plan_commands import EvaluateGoal
from ledger.errors import Forbidden, NotFound
from ledger.values import ConsentGiverRole, Role
from ledger.vocabulary import ROLE_NAMES


def authorize(command: Command, case: Any | None) -> None:
    actor = command.actor
    if actor.role not in command.roles:
        raise Forbidden("INV-07", f"Rollen {ROLE_NAMES[actor.role]} kan ikke utføre {type(command).__name__}.")
    if case is None:
        return
    if actor.role in (Role.CITIZEN, Role.GUARDIAN):
        _check_own_case(command, case)
    if actor.role is Role.COORDINATOR and not case.is_coordinator(actor.id):
        raise Forbidden("INV-07", "Bare sakens koordinator (eller koordinerende enhet) kan drive saken.")
    if actor.role is Role.SERVICE_PROVIDER and isinstance(command, EvaluateGoal):
        goal = case.goals.get(command.goal_id)
        if goal is not None and goal.responsible_service != actor.service:
            raise Forbidden("INV-07", "Bare tjenesten som er ansvarlig for målet kan evaluere det.")


def _check_own_case(command: Command, case: Any) -> None:
    """A citizen or guardian acts only on their own case, recognised by `pid`,
    and only signs as themselves."""
    actor = command.actor
    if not case.recognises(actor):
        # Someone else's case does not exist for them: answered as a missing case is.
        raise NotFound("INV-01", "Ingen slik sak i din kommune.")
    signers = []
    if isinstance(command, GrantConsent):
        signers = [command.given_by, *command.also_given_by]
    elif isinstance(command, SignConsent):
        signers = [command.signer]
    elif not isinstance(command, WithdrawConsent):
        raise Forbidden("INV-07", "Innbyggere og foresatte kan bare gi og trekke samtykke.")
    # A guardian's token serves parents and appointed verges alike; which of
    # the two the signer is, the case decides (INV-04).
    own_roles = (
        {ConsentGiverRole.SUBJECT}
        if actor.role is Role.CITIZEN
        else {ConsentGiverRole.GUARDIAN, ConsentGiverRole.VERGE}
    )
    # Every signature must be the caller's own: one parent cannot bring the
    # other's signature (`also_given_by`) with their own token.
    if any(s.role not in own_roles or s.national_id != actor.pid for s in signers):
        raise Forbidden("INV-04", "Du kan bare samtykke på egne vegne.")
