"""A case's state, declared once, and the guards every part of the case shares.

`Case` is written in parts by theme (`case.py`: referral, decision and
coordinator; `case_consent.py`; `case_plan.py`; `case_closing.py`). Each part
derives from `CaseState`, so each is checked against the same attributes. They
are declared here rather than on `Case` because eventsourcing turns an
`Aggregate` subclass whose class body has annotations into a dataclass.
Appliers assign them; nothing here validates an event.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.context import Context
from ledger.errors import InvariantViolation, NotFound
from ledger.event_base import CaseEvent
from ledger.state import (
    Activity,
    Appointment,
    Complaint,
    Consent,
    CoordinatorRequest,
    Decision,
    Goal,
    Meeting,
    Participant,
)
from ledger.values import CaseStatus, Erased, Guardian, PlanTool, Provision, Subject

if TYPE_CHECKING:
    from eventsourcing.domain import CanMutateAggregate


class CaseState:
    # Referral, decision and coordinator (case.py); set by CaseOpened.
    municipality: str
    # Once the case key is destroyed every personal field reads as ERASED (in the
    # events and the records below too); these two say so because the case reasons
    # about them (age, who may consent, whose case it is).
    subject: Subject | Erased
    guardians: tuple[Guardian, ...] | Erased
    requested: list[Provision]
    opened_at: datetime
    status: CaseStatus
    decisions: dict[UUID, Decision]
    coordinator_requests: dict[UUID, CoordinatorRequest]
    coordinator: Appointment | None
    substitute: Appointment | None
    coordinator_history: list[Appointment]
    relay_log_closed_at: datetime | None
    startup_at: datetime | None

    # Consent and team (case_consent.py).
    consents: dict[UUID, Consent]
    team_name: str | None
    participants: dict[UUID, Participant]

    # Plan, goals, meetings and transitions (case_plan.py).
    plan_tool: PlanTool | None
    goals: dict[UUID, Goal]
    activities: dict[UUID, Activity]
    meetings: dict[UUID, Meeting]
    transitions: dict[UUID, bool]  # completed?
    last_review_at: datetime | None

    # Closing, export, archiving, erasure, moving and complaints (case_closing.py).
    closed_at: datetime | None
    exports: dict[UUID, str]  # export id -> sha256 of the exported document
    archived_steps: set[str]  # ids of the archivable steps the archive's receipt says it filed
    erased_at: datetime | None
    complaints: dict[UUID, Complaint]
    transferred_to: str | None

    if TYPE_CHECKING:
        # Supplied by eventsourcing's `Aggregate`, the other base of `Case`.
        def trigger_event(self, event_class: type[CanMutateAggregate[UUID]], **kwargs: Any) -> None: ...

    # ------------------------------------------------------------- queries
    def subject_age(self, on: date) -> int | None:
        """Whole years at `on`; -1 for an expected (unborn) child; None once erased."""
        subject = self.subject
        if not isinstance(subject, Subject) or not isinstance(subject.birth_date, date):
            return None
        birth = subject.birth_date
        if subject.expected or birth > on:
            return -1
        return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))

    @property
    def _recorded_guardians(self) -> tuple[Guardian, ...]:
        """The guardians recorded on the case; none once its personal data is erased."""
        return () if isinstance(self.guardians, Erased) else self.guardians

    # -------------------------------------------------------------- guards
    def _emit(self, event_class: type[CaseEvent], ctx: Context, **fields: Any) -> None:
        ctx.check_not_future()
        if ctx.occurred_at < self.opened_at:
            raise InvariantViolation("INV-10", "Hendelsen kan ikke ha skjedd før saken ble opprettet.")
        self.trigger_event(
            event_class,
            timestamp=ctx.now,
            occurred_at=ctx.occurred_at,
            recorded_by=ctx.actor.reference(),
            recorded_by_name=ctx.actor.name,
            **fields,
        )

    def _check_tenant(self, ctx: Context) -> None:
        if self.municipality != ctx.actor.municipality:
            # Tenancy: a case of another municipality does not exist for the caller.
            raise NotFound("INV-01", "Ingen slik sak i din kommune.")

    def _check_open(self, ctx: Context) -> None:
        self._check_tenant(ctx)
        if self.status is not CaseStatus.OPEN:
            raise InvariantViolation(
                "INV-08", "Saken er avsluttet; bare eksport, sletting, klage og gjenåpning er mulig."
            )

    def _require_consent(self, consent_id: UUID) -> Consent:
        try:
            return self.consents[consent_id]
        except KeyError:
            raise NotFound(None, "Ingen slikt samtykke i saken.") from None

    def _require_participant(self, participant_id: UUID) -> Participant:
        try:
            return self.participants[participant_id]
        except KeyError:
            raise NotFound(None, "Ingen slik deltaker i saken.") from None
