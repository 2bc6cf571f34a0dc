"""The case aggregate: one person's coordination in one municipality.

Command methods check every guard first and only then trigger events, so a
refused command changes nothing. Appliers (`@applies`) only assign.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from ledger.case_closing import ClosingMixin
from ledger.case_consent import ConsentMixin
from ledger.case_plan import PlanMixin
from ledger.context import CLOCK_SKEW, Context
from ledger.errors import InvalidInput, InvariantViolation, NotFound
from ledger.event_base import applies
from ledger.events import (
    CaseOpened,
    CoordinatorAppointed,
    CoordinatorReleased,
    CoordinatorReplaced,
    CoordinatorRequested,
    CoordinatorTrainingCompleted,
    DecisionRecorded,
    ProvisionRequested,
    RelayLogClosed,
    StartupConversationHeld,
    SubstituteAssigned,
)
from ledger.national_id import birth_date_of, validate_national_id
from ledger.state import Appointment, CoordinatorRequest, Decision
from ledger.values import (
    Actor,
    CaseStatus,
    CoordinatorKind,
    DecisionOutcome,
    Guardian,
    Person,
    Provision,
    ReferrerKind,
    Role,
    Subject,
    is_municipality_number,
)


class Case(ClosingMixin, PlanMixin, ConsentMixin, Aggregate):
    def __init__(self) -> None:
        pass  # state is set by the CaseOpened applier

    # ----------------------------------------------------------- commands
    @classmethod
    def open(
        cls,
        ctx: Context,
        *,
        municipality: str,
        subject: Subject,
        guardians: tuple[Guardian, ...] = (),
        requested: tuple[Provision, ...],
        referrer_kind: ReferrerKind,
        referrer_name: str = "",
        received_at: datetime | None = None,
        reported_under_hpl_38a: bool = False,
        case_id: UUID | None = None,
    ) -> Case:
        if not is_municipality_number(municipality):
            raise InvalidInput(None, "Kommunenummer må ha fire siffer.")
        if municipality != ctx.actor.municipality:
            raise InvariantViolation("INV-01", "En sak kan bare opprettes i brukerens egen kommune.")
        if not requested:
            raise InvalidInput(
                None, "Henvisningen må si hva det bes om (koordinator, barnekoordinator, IP, stafettlogg)."
            )
        ctx.check_not_future()
        if received_at is not None and (received_at.tzinfo is None or received_at > ctx.now + CLOCK_SKEW):
            raise InvariantViolation("INV-10", "Henvisningen kan ikke være mottatt i fremtiden.")
        subject = _checked_subject(subject)
        guardians = tuple(_checked_guardian(g) for g in guardians)
        return cls._create(
            CaseOpened,
            id=case_id or uuid4(),
            timestamp=ctx.now,
            occurred_at=ctx.occurred_at,
            recorded_by=ctx.actor.reference(),
            recorded_by_name=ctx.actor.name,
            municipality=municipality,
            subject=subject,
            guardians=guardians,
            requested=tuple(dict.fromkeys(requested)),
            referrer_kind=referrer_kind,
            referrer_name=referrer_name,
            received_at=received_at or ctx.occurred_at,
            reported_under_hpl_38a=reported_under_hpl_38a,
        )

    def request_provision(self, ctx: Context, *, requested: tuple[Provision, ...], note: str = "") -> None:
        self._check_open(ctx)
        if not requested:
            raise InvalidInput(None, "Angi hva det bes om.")
        self._emit(ProvisionRequested, ctx, requested=tuple(requested), note=note)

    def record_decision(
        self,
        ctx: Context,
        *,
        outcome: DecisionOutcome,
        concerns: tuple[Provision, ...],
        legal_basis: str,
        reasons: str,
        complaint_deadline_weeks: int | None = None,
        complaint_information_given: bool | None = None,
    ) -> UUID:
        self._check_open(ctx)
        if not concerns:
            raise InvalidInput(None, "Vedtaket må si hva det gjelder.")
        if not legal_basis.strip():
            raise InvalidInput(None, "Vedtaket må ha hjemmel (f.eks. hol. § 7-2).")
        if complaint_deadline_weeks is not None and not 1 <= complaint_deadline_weeks <= 12:
            raise InvalidInput(None, "Klagefristen må oppgis i uker (1-12).")
        decision_id = uuid4()
        informed = (
            complaint_information_given
            if complaint_information_given is not None
            else (complaint_deadline_weeks is not None)
        )
        self._emit(
            DecisionRecorded,
            ctx,
            decision_id=decision_id,
            outcome=outcome,
            concerns=tuple(concerns),
            legal_basis=legal_basis.strip(),
            reasons=reasons,
            complaint_deadline_weeks=complaint_deadline_weeks,
            complaint_information_given=informed,
        )
        return decision_id

    def request_coordinator(self, ctx: Context, *, unit: str, unit_leader: Person) -> UUID:
        self._check_open(ctx)
        if not unit.strip():
            raise InvalidInput(None, "Angi enheten som skal peke ut koordinator.")
        request_id = uuid4()
        self._emit(
            CoordinatorRequested,
            ctx,
            request_id=request_id,
            unit=unit.strip(),
            unit_leader_id=unit_leader.id,
            unit_leader_name=unit_leader.name,
        )
        return request_id

    def appoint_coordinator(
        self,
        ctx: Context,
        *,
        person: Person,
        unit: str,
        kind: CoordinatorKind,
        subject_wish_heard: bool,
        request_id: UUID | None = None,
    ) -> None:
        self._check_open(ctx)
        if kind is CoordinatorKind.CHILD_COORDINATOR:
            self._check_child_coordinator_allowed(ctx)
        if request_id is not None and request_id not in self.coordinator_requests:
            raise NotFound(None, "Ingen slik forespørsel om koordinator i saken.")
        current = self.coordinator
        if current is not None and current.kind is not CoordinatorKind.RELAY_HOLDER:
            raise InvariantViolation(None, "Saken har allerede en koordinator; bruk bytte av koordinator.")
        if request_id is None:
            # The appointment answers the oldest open request, if any.
            open_requests = [r for r in self.coordinator_requests.values() if r.answered_at is None]
            request_id = open_requests[0].request_id if open_requests else None
        self._emit(
            CoordinatorAppointed,
            ctx,
            person_id=person.id,
            person_name=person.name,
            unit=unit,
            kind=kind,
            subject_wish_heard=subject_wish_heard,
            request_id=request_id,
        )

    def assign_substitute(
        self, ctx: Context, *, person: Person, unit: str, until: date | None = None, subject_informed: bool = False
    ) -> None:
        self._check_open(ctx)
        self._require_coordinator()
        self._emit(
            SubstituteAssigned,
            ctx,
            person_id=person.id,
            person_name=person.name,
            unit=unit,
            until=until,
            subject_informed=subject_informed,
        )

    def replace_coordinator(
        self, ctx: Context, *, person: Person, unit: str, reason: str = "", subject_informed: bool = False
    ) -> None:
        self._check_open(ctx)
        current = self._require_coordinator()
        if current.kind is CoordinatorKind.CHILD_COORDINATOR:
            self._check_child_coordinator_allowed(ctx)
        self._emit(
            CoordinatorReplaced,
            ctx,
            person_id=person.id,
            person_name=person.name,
            unit=unit,
            reason=reason,
            subject_informed=subject_informed,
        )

    def release_coordinator(self, ctx: Context, *, reason: str = "") -> None:
        self._check_open(ctx)
        self._require_coordinator()
        self._emit(CoordinatorReleased, ctx, reason=reason)

    def complete_training(self, ctx: Context, *, person_id: str, course: str) -> None:
        self._check_open(ctx)
        self._emit(CoordinatorTrainingCompleted, ctx, person_id=person_id, course=course)

    def close_relay_log(self, ctx: Context, *, reason: str = "") -> None:
        self._check_open(ctx)
        if Provision.RELAY_LOG not in self.requested or self.relay_log_closed_at is not None:
            raise InvariantViolation(None, "Saken har ingen åpen stafettlogg.")
        self._emit(RelayLogClosed, ctx, reason=reason)

    def hold_startup_conversation(
        self,
        ctx: Context,
        *,
        what_matters: str,
        interpreter_needed: bool,
        expectations: str = "",
        contact_preferences: str = "",
        interpreter_language: str | None = None,
    ) -> None:
        self._check_open(ctx)
        self._require_coordinator()
        self._emit(
            StartupConversationHeld,
            ctx,
            what_matters=what_matters,
            expectations=expectations,
            contact_preferences=contact_preferences,
            interpreter_needed=interpreter_needed,
            interpreter_language=interpreter_language,
        )

    # ------------------------------------------------------------- queries
    def recognises(self, actor: Actor) -> bool:
        """Whether a citizen is this case's subject, or a guardian one recorded
        on it, matched by the national id (`pid`) of their token."""
        if actor.pid is None:
            return False
        if actor.role is Role.CITIZEN:
            return isinstance(self.subject, Subject) and self.subject.national_id == actor.pid
        if actor.role is Role.GUARDIAN:
            return any(g.national_id == actor.pid for g in self._recorded_guardians)
        return False

    def is_coordinator(self, person_id: str) -> bool:
        names = {a.person_id for a in (self.coordinator, self.substitute) if a is not None}
        return person_id in names

    # -------------------------------------------------------------- guards
    def _require_coordinator(self) -> Appointment:
        if self.coordinator is None:
            raise InvariantViolation(None, "Saken har ingen koordinator.")
        return self.coordinator

    def _check_child_coordinator_allowed(self, ctx: Context) -> None:
        age = self.subject_age(ctx.occurred_at.date())
        if age is not None and age >= 18:
            raise InvariantViolation(
                "INV-03", "Barnekoordinator gjelder bare familier som venter barn eller har barn under 18 år."
            )
        if Provision.CHILD_COORDINATOR not in self.requested:
            raise InvariantViolation(
                "INV-03",
                "Barnekoordinator oppnevnes bare når foreldrene (eller den som samtykker for barnet) ønsker det.",
            )


# ---------------------------------------------------------------- appliers
@applies(CaseOpened)
def _opened(case: Case, e: CaseOpened) -> None:
    case.municipality = e.municipality
    case.subject = e.subject
    case.guardians = e.guardians
    case.requested = list(e.requested)
    case.opened_at = e.occurred_at
    case.status = CaseStatus.OPEN
    case.decisions = {}
    case.coordinator_requests = {}
    case.coordinator = None
    case.substitute = None
    case.coordinator_history = []
    case.relay_log_closed_at = None
    case.startup_at = None
    case._init_consent_state()
    case._init_plan_state()
    case._init_closing_state()


@applies(ProvisionRequested)
def _provision_requested(case: Case, e: ProvisionRequested) -> None:
    case.requested.extend(p for p in e.requested if p not in case.requested)


@applies(DecisionRecorded)
def _decided(case: Case, e: DecisionRecorded) -> None:
    case.decisions[e.decision_id] = Decision(e.decision_id, e.outcome, e.concerns, e.legal_basis, e.occurred_at)


@applies(CoordinatorRequested)
def _coordinator_requested(case: Case, e: CoordinatorRequested) -> None:
    case.coordinator_requests[e.request_id] = CoordinatorRequest(e.request_id, e.unit, e.unit_leader_id, e.occurred_at)


@applies(CoordinatorAppointed)
def _appointed(case: Case, e: CoordinatorAppointed) -> None:
    case.coordinator = Appointment(e.person_id, e.person_name, e.unit, e.kind, e.occurred_at)
    case.coordinator_history.append(case.coordinator)
    if e.request_id is not None and e.request_id in case.coordinator_requests:
        case.coordinator_requests[e.request_id].answered_at = e.occurred_at


@applies(SubstituteAssigned)
def _substitute(case: Case, e: SubstituteAssigned) -> None:
    kind = case.coordinator.kind if case.coordinator else CoordinatorKind.COORDINATOR
    case.substitute = Appointment(e.person_id, e.person_name, e.unit, kind, e.occurred_at)


@applies(CoordinatorReplaced)
def _replaced(case: Case, e: CoordinatorReplaced) -> None:
    kind = case.coordinator.kind if case.coordinator else CoordinatorKind.COORDINATOR
    case.coordinator = Appointment(e.person_id, e.person_name, e.unit, kind, e.occurred_at)
    case.coordinator_history.append(case.coordinator)
    case.substitute = None


@applies(CoordinatorReleased)
def _released(case: Case, e: CoordinatorReleased) -> None:
    case.coordinator = None
    case.substitute = None


@applies(CoordinatorTrainingCompleted)
def _trained(case: Case, e: CoordinatorTrainingCompleted) -> None:
    pass  # read by the compliance projection; nothing in the case depends on it


@applies(RelayLogClosed)
def _relay_closed(case: Case, e: RelayLogClosed) -> None:
    case.relay_log_closed_at = e.occurred_at


@applies(StartupConversationHeld)
def _startup(case: Case, e: StartupConversationHeld) -> None:
    case.startup_at = case.startup_at or e.occurred_at


def _checked_subject(subject: Subject) -> Subject:
    if subject.national_id is not None:
        national_id = validate_national_id(subject.national_id)
        birth = birth_date_of(national_id)
        if subject.birth_date is not None and subject.birth_date != birth and not subject.expected:
            raise InvalidInput("INV-11", "Fødselsdatoen stemmer ikke med fødselsnummeret.")
        return Subject(birth_date=birth, name=subject.name, national_id=national_id, expected=False)
    if subject.birth_date is None or not (subject.name or subject.expected):
        raise InvalidInput(None, "Personen må ha fødselsnummer, eller navn og fødselsdato.")
    return subject


def _checked_guardian(guardian: Guardian) -> Guardian:
    if guardian.national_id is None:
        return guardian
    return Guardian(name=guardian.name, national_id=validate_national_id(guardian.national_id), kind=guardian.kind)
