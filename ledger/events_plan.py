"""Events of plan, meetings, evaluation, transitions, closing, moving and
complaints (DOMAIN §6 steps 7-13). Past tense; data only."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ledger.event_base import CaseEvent
from ledger.values import (
    ComplaintDecider,
    ComplaintOutcome,
    EvaluationStatus,
    LifeArea,
    PlanTool,
    Provision,
    TransitionKind,
)


class PlanEstablished(CaseEvent):
    tool: PlanTool
    informed_of_right_to_ip: bool
    ip_declined: bool

    PUBLIC = frozenset({"tool", "informed_of_right_to_ip", "ip_declined"})


class LifeAreaAssessed(CaseEvent):
    life_area: LifeArea
    situation: str

    PUBLIC = frozenset({"life_area"})


class GoalSet(CaseEvent):
    goal_id: UUID
    text: str
    life_area: LifeArea
    responsible_service: str
    evaluate_by: date

    PUBLIC = frozenset({"goal_id", "life_area", "responsible_service", "evaluate_by"})


class GoalRevised(CaseEvent):
    goal_id: UUID
    text: str
    evaluate_by: date

    PUBLIC = frozenset({"goal_id", "evaluate_by"})


class GoalClosed(CaseEvent):
    goal_id: UUID
    reason: str

    PUBLIC = frozenset({"goal_id"})


class ActivityPlanned(CaseEvent):
    activity_id: UUID
    goal_id: UUID
    what: str
    responsible_service: str
    due: date | None

    PUBLIC = frozenset({"activity_id", "goal_id", "responsible_service", "due"})


class ActivityCompleted(CaseEvent):
    activity_id: UUID

    PUBLIC = frozenset({"activity_id"})


class CommentAdded(CaseEvent):
    comment_id: UUID
    goal_id: UUID | None
    text: str

    PUBLIC = frozenset({"comment_id", "goal_id"})


class MeetingScheduled(CaseEvent):
    meeting_id: UUID
    scheduled_for: datetime
    invitees: tuple[UUID, ...]
    interpreter_booked: bool

    PUBLIC = frozenset({"meeting_id", "scheduled_for", "invitees", "interpreter_booked"})


class AgendaSent(CaseEvent):
    meeting_id: UUID
    items: tuple[str, ...]
    agreed_with_subject: bool

    PUBLIC = frozenset({"meeting_id", "agreed_with_subject"})


class MeetingHeld(CaseEvent):
    meeting_id: UUID
    attendees: tuple[UUID, ...]
    absences: tuple[UUID, ...]
    minute_taker: str
    subject_voice: str
    decisions: tuple[str, ...]
    next_meeting: date | None
    informed_of_right_to_ip: bool

    PUBLIC = frozenset({"meeting_id", "attendees", "absences", "next_meeting", "informed_of_right_to_ip"})


class MinutesDistributed(CaseEvent):
    meeting_id: UUID
    recipients: tuple[UUID, ...]
    states_status: bool
    states_evaluation: bool
    states_new_activities: bool
    states_responsibilities: bool
    states_next_meeting: bool

    PUBLIC = frozenset(
        {
            "meeting_id",
            "recipients",
            "states_status",
            "states_evaluation",
            "states_new_activities",
            "states_responsibilities",
            "states_next_meeting",
        }
    )


class MeetingCancelled(CaseEvent):
    meeting_id: UUID
    reason: str

    PUBLIC = frozenset({"meeting_id"})


class GoalEvaluated(CaseEvent):
    goal_id: UUID
    status: EvaluationStatus
    note: str

    PUBLIC = frozenset({"goal_id", "status"})


class TeamReviewed(CaseEvent):
    continued_need: bool
    composition_ok: bool
    note: str

    PUBLIC = frozenset({"continued_need", "composition_ok"})


class StatusReportedToKE(CaseEvent):
    still_active: bool
    coordinator_id: str | None

    PUBLIC = frozenset({"still_active", "coordinator_id"})


class TransitionPlanned(CaseEvent):
    transition_id: UUID
    kind: TransitionKind
    from_service: str
    to_service: str
    responsible: str
    due: date | None

    PUBLIC = frozenset({"transition_id", "kind", "from_service", "to_service", "responsible", "due"})


class TransitionCompleted(CaseEvent):
    transition_id: UUID

    PUBLIC = frozenset({"transition_id"})


class CaseClosed(CaseEvent):
    reason: str
    assessment: str
    agreed_by_subject: bool
    termination_letter_sent: bool

    PUBLIC = frozenset({"agreed_by_subject", "termination_letter_sent"})


class ClosureNotified(CaseEvent):
    """KE and the team were told that coordination ended (part of closing)."""

    ke_notified: bool
    participants: tuple[UUID, ...]

    PUBLIC = frozenset({"ke_notified", "participants"})


class CaseReopened(CaseEvent):
    reason: str


class PlanExported(CaseEvent):
    export_id: UUID
    format: str
    sha256: str
    filed_in: str
    # The tree size of the signed checkpoint a provable export (the JSON bundle)
    # proves its events against. Added later: older records lack it and read
    # it as this default. No class_version bump on purpose: an upcast would add
    # the field to old events' views and change the exports that contain them.
    checkpoint_size: int | None = None

    PUBLIC = frozenset({"export_id", "format", "sha256", "filed_in", "checkpoint_size"})


class KeyDestroyed(CaseEvent):
    """Erasure: the case's data keys were destroyed; personal fields are unreadable."""

    key_ids: tuple[str, ...]

    PUBLIC = frozenset({"key_ids"})


class TransferredOut(CaseEvent):
    to_municipality: str
    transferred: tuple[str, ...]
    consent_id: UUID | None

    PUBLIC = frozenset({"to_municipality", "transferred", "consent_id"})


class TransferredIn(CaseEvent):
    """Recorded in the receiving ledger; the bundle digest ties it to its source."""

    from_municipality: str
    bundle_sha256: str
    source_case_id: UUID

    PUBLIC = frozenset({"from_municipality", "bundle_sha256", "source_case_id"})


class ComplaintReceived(CaseEvent):
    complaint_id: UUID
    concerns: tuple[Provision, ...]
    text: str
    received_at: datetime

    PUBLIC = frozenset({"complaint_id", "concerns", "received_at"})


class ComplaintForwarded(CaseEvent):
    complaint_id: UUID
    report_sha256: str

    PUBLIC = frozenset({"complaint_id", "report_sha256"})


class ComplaintDecided(CaseEvent):
    complaint_id: UUID
    decided_by: ComplaintDecider
    outcome: ComplaintOutcome
    note: str

    PUBLIC = frozenset({"complaint_id", "decided_by", "outcome"})


class ArchiveReceiptRecorded(CaseEvent):
    """The municipality's archive answered the Fiks Arkiv message that filed one archivable step
    of the case: where it filed the record (`accepted`), or why it refused it. The ids are the
    archive's own, so the ledger can answer "where in the archive is this?"."""

    message_id: UUID
    step: str  # the step's id within the case: "vedtak:<decision id>", "plan:2026-06-30", "avslutningsbrev:…"
    title: str  # the record's title as filed (no personal data: it reaches the public journal)
    accepted: bool
    folder_system_id: str | None  # saksmappe systemID
    case_year: int | None  # saksaar
    case_sequence: int | None  # sakssekvensnummer
    record_system_id: str | None  # journalpost systemID
    record_year: int | None  # journalaar
    record_sequence: int | None  # journalsekvensnummer
    record_number: int | None  # journalpostnummer (the record's number in the case folder)
    error_id: str | None  # the archive's feilId when it refused
    error_message: str | None  # its feilmelding: the archive's words, which may quote the case, so sealed
    receipt_sha256: str  # of the receipt as received

    PUBLIC = frozenset(
        {
            "message_id",
            "step",
            "title",
            "accepted",
            "folder_system_id",
            "case_year",
            "case_sequence",
            "record_system_id",
            "record_year",
            "record_sequence",
            "record_number",
            "error_id",
            "receipt_sha256",
        }
    )
