"""Reads of what is the signed-in person's own, beyond their tasks (`reads.tasks`): the register
entries of the cases a coordinator coordinates, and the case a citizen's national id is the subject
of. Like the register, these name cases, units and coordinators, nothing of the person, so they are
not access-logged; opening a case is (reads.cases).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from commands.application import LedgerApplication
from commands.handlers import subject_identity
from ledger.values import Actor, Subject
from projections.runner import ProjectionRunner
from reads.policy import require_coordinator, require_person
from store import register_pages


class OwnReads:
    def __init__(self, app: LedgerApplication, projections: ProjectionRunner, clock: Callable[[], datetime]) -> None:
        self._app = app
        self._projections = projections
        self._clock = clock

    def coordinated(
        self, actor: Actor, *, status: str | None = "open", limit: int = 200, offset: int = 0
    ) -> dict[str, Any]:
        """The cases the actor coordinates (their register entries, breached rules included), newest first."""
        require_coordinator(actor)
        self._projections.catch_up(["register", "compliance"])
        found = self._projections.store.read(
            register_pages.cases,
            actor.municipality,
            self._clock(),
            status=status,
            coordinator_id=actor.id,
            limit=limit,
            offset=offset,
        )
        return {"municipality": actor.municipality, "total": found.total, "items": found.items}

    def own_case(self, actor: Actor) -> UUID | None:
        """The open case with an individual plan whose subject has the actor's national id (the subject
        index, INV-02), or None. Only for a citizen signed in with a national id."""
        require_person(actor)
        assert actor.pid is not None  # require_person
        ref = self._app.keyring.subject_ref(actor.municipality, subject_identity(Subject(national_id=actor.pid)))
        return self._app.subject_claim(actor.municipality, ref)
