"""The application's command surface without a store, for the pure rules.

`MemoryApp` answers `handle(command)` and `case_events(case_id)` as
`LedgerApplication` does, but holds each case in memory: it authorises the
command, calls the case's method with a `Context` (who, when it happened, the
clock's now) and keeps the events the case collected, in order. The
compliance rules are pure functions of those events, a profile and a clock, so
they are tested here in milliseconds; tests that run the same stories
through the real application on both stores keep the two honest
(tests/test_compliance_scenarios.py compares them on the worked cases).

What only the store knows is left out: cross-case rules (INV-02's one open
individual plan per person) are not checked, an export's digest stands for a
document that is not rendered, a forwarded report is not looked up among the
issued ones, and erasure (destroying a case's keys) is refused: there are no
keys in memory, so an "erased" case would still read as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from commands.authorization import authorize
from commands.base import CaseCommand, Command, CommandResult
from commands.case_commands import AddParticipant, OpenCase
from commands.plan_commands import ExportPlan
from ledger.case import Case
from ledger.context import Context
from ledger.errors import NotFound
from ledger.profiles import profile_for

# Carried out by a handler of its own in the application; what the case is
# asked to do is the same here, minus the store's part.
Special = Callable[[Case, Any, Context], dict[str, Any]]


def _add_participant(case: Case, c: AddParticipant, ctx: Context) -> dict[str, Any]:
    team_name = profile_for(case.municipality).team_name
    return {"participant_id": case.add_participant(ctx, **c.arguments(), team_name=team_name)}


def _export(case: Case, c: ExportPlan, ctx: Context) -> dict[str, Any]:
    # No document is rendered in memory: the digest stands for one, unique to this export.
    export_id = uuid4()
    digest = hashlib.sha256(export_id.bytes).hexdigest()
    case.record_export(
        ctx, export_id=export_id, format=c.format, sha256=digest, filed_in=c.filed_in, checkpoint_size=None
    )
    return {"export_id": export_id, "sha256": digest}


SPECIAL: dict[type[Command], Special] = {AddParticipant: _add_participant, ExportPlan: _export}


class MemoryApp:
    """`handle` and `case_events` of the application, over cases held in memory."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self._cases: dict[UUID, Case] = {}
        self._events: dict[UUID, list[Any]] = {}

    def handle(self, command: Command) -> CommandResult:
        now = self.clock()
        ctx = Context(command.actor, command.occurred_at or now, now)
        case = self._cases.get(command.case_id) if isinstance(command, CaseCommand) else None
        if isinstance(command, CaseCommand) and (case is None or case.municipality != command.actor.municipality):
            raise NotFound("INV-01", "Ingen slik sak i din kommune.")
        authorize(command, case)
        try:
            if isinstance(command, OpenCase):
                case, created = Case.open(ctx, **command.arguments(), case_id=command.case_id), {}
            elif case is not None and type(command) in SPECIAL:
                created = SPECIAL[type(command)](case, command, ctx)
            elif case is not None and isinstance(command, CaseCommand) and command.case_method is not None:
                made = command.case_method(case, ctx, **command.arguments())
                created = {command.creates: made} if command.creates else {}
            else:
                raise NotImplementedError(f"{type(command).__name__} needs a store: run it through `ledger`")
        except BaseException:
            if case is not None and case.pending_events:
                self._cases[case.id] = self._replay(case.id)  # a refusal changes nothing, as in the store
            raise
        self._events.setdefault(case.id, []).extend(case.collect_events())
        self._cases[case.id] = case
        return CommandResult(case_id=case.id, version=case.version, created=created)

    def case_events(self, case_id: UUID) -> list[Any]:
        return list(self._events[case_id])

    def load_case(self, case_id: UUID) -> Case:
        return self._cases[case_id]

    def _replay(self, case_id: UUID) -> Case:
        case: Any = None
        for event in self._events[case_id]:
            case = event.mutate(case)
        return case
