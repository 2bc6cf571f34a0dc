"""Closing, export, archiving, erasure, moving and complaints: what a closed
case still accepts (INV-08) and the preconditions of erasure (INV-12)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from uuid import UUID, uuid4

from ledger.case_state import CaseState
from ledger.context import Context
from ledger.errors import InvalidInput, InvariantViolation, NotFound
from ledger.event_base import applies
from ledger.events_plan import (
    ArchiveReceiptRecorded,
    CaseClosed,
    CaseReopened,
    ClosureNotified,
    ComplaintDecided,
    ComplaintForwarded,
    ComplaintReceived,
    KeyDestroyed,
    PlanExported,
    TransferredIn,
    TransferredOut,
)
from ledger.state import Complaint
from ledger.values import (
    CaseStatus,
    ComplaintDecider,
    ComplaintOutcome,
    Provision,
    is_municipality_number,
)

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class ClosingMixin(CaseState):
    def _init_closing_state(self) -> None:
        self.closed_at = None
        self.exports = {}
        self.archived_steps = set()
        self.erased_at = None
        self.complaints = {}
        self.transferred_to = None

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    def close(
        self,
        ctx: Context,
        *,
        reason: str,
        assessment: str,
        agreed_by_subject: bool,
        termination_letter_sent: bool = False,
    ) -> None:
        self._check_open(ctx)
        if not assessment.strip():
            raise InvalidInput(None, "Avslutningen må ha en dokumentert vurdering.")
        self._emit(
            CaseClosed,
            ctx,
            reason=reason,
            assessment=assessment,
            agreed_by_subject=agreed_by_subject,
            termination_letter_sent=termination_letter_sent,
        )

    def notify_closure(self, ctx: Context, *, ke_notified: bool, participants: tuple[UUID, ...]) -> None:
        self._check_tenant(ctx)
        if self.status is not CaseStatus.CLOSED:
            raise InvariantViolation(None, "Varsel om avslutning sendes først når saken er avsluttet.")
        for pid in participants:
            self._require_participant(pid)
        self._emit(ClosureNotified, ctx, ke_notified=ke_notified, participants=tuple(participants))

    def reopen(self, ctx: Context, *, reason: str) -> None:
        self._check_tenant(ctx)
        if self.status is not CaseStatus.CLOSED:
            raise InvariantViolation(None, "Bare en avsluttet sak kan gjenåpnes.")
        if self.erased:
            raise InvariantViolation("INV-12", "Personopplysningene i saken er slettet; opprett en ny sak.")
        self._emit(CaseReopened, ctx, reason=reason)

    def record_export(
        self,
        ctx: Context,
        *,
        export_id: UUID,
        format: str,
        sha256: str,
        filed_in: str = "",
        checkpoint_size: int | None = None,
    ) -> None:
        self._check_tenant(ctx)
        if self.erased:
            raise InvariantViolation("INV-12", "Personopplysningene i saken er slettet; planen kan ikke eksporteres.")
        if not SHA256_HEX.match(sha256):
            raise InvalidInput(None, "sha256 må være 64 heksadesimale tegn.")
        self._emit(
            PlanExported,
            ctx,
            export_id=export_id,
            format=format,
            sha256=sha256,
            filed_in=filed_in,
            checkpoint_size=checkpoint_size,
        )

    def record_archive_receipt(
        self,
        ctx: Context,
        *,
        message_id: UUID,
        step: str,
        title: str,
        accepted: bool,
        folder_system_id: str | None = None,
        case_year: int | None = None,
        case_sequence: int | None = None,
        record_system_id: str | None = None,
        record_year: int | None = None,
        record_sequence: int | None = None,
        record_number: int | None = None,
        error_id: str | None = None,
        error_message: str | None = None,
        receipt_sha256: str,
    ) -> None:
        """The archive's answer to the message that filed `step`: where it is (accepted), or why not."""
        self._check_tenant(ctx)
        if self.erased:
            raise InvariantViolation("INV-12", "Personopplysningene i saken er slettet; alt var arkivert før det.")
        if not SHA256_HEX.match(receipt_sha256):
            raise InvalidInput(None, "receipt_sha256 må være 64 heksadesimale tegn.")
        if accepted and record_system_id is None:
            raise InvalidInput(None, "En kvittering for arkivert journalpost må ha journalpostens systemID.")
        if not accepted and error_id is None and error_message is None:
            raise InvalidInput(None, "En avvisning fra arkivet må ha feilId eller feilmelding.")
        self._emit(
            ArchiveReceiptRecorded,
            ctx,
            message_id=message_id,
            step=step,
            title=title,
            accepted=accepted,
            folder_system_id=folder_system_id,
            case_year=case_year,
            case_sequence=case_sequence,
            record_system_id=record_system_id,
            record_year=record_year,
            record_sequence=record_sequence,
            record_number=record_number,
            error_id=error_id,
            error_message=error_message,
            receipt_sha256=receipt_sha256,
        )

    def destroy_keys(self, ctx: Context, *, key_ids: tuple[str, ...], archivable: Mapping[str, str]) -> None:
        """Erasure: only a closed case whose plan was exported (003 §3: print
        the whole IP, then delete it) and whose every archivable step the
        municipality's archive has filed (`archivable`: step id -> what it is,
        as the composition root's archive rules list them)."""
        self._check_tenant(ctx)
        if self.status is not CaseStatus.CLOSED:
            raise InvariantViolation("INV-12", "Personopplysninger kan bare slettes når saken er avsluttet.")
        if not self.exports:
            raise InvariantViolation("INV-12", "Planen må eksporteres før personopplysningene slettes.")
        if self.erased:
            raise InvariantViolation("INV-12", "Personopplysningene er allerede slettet.")
        missing = [label for step, label in archivable.items() if step not in self.archived_steps]
        if missing:
            raise InvariantViolation(
                "INV-12",
                "Personopplysningene kan ikke slettes før arkivet har kvittert for alle arkivverdige dokumenter "
                f"i saken. Mangler kvittering for: {'; '.join(missing)}.",
            )
        self._emit(KeyDestroyed, ctx, key_ids=tuple(key_ids))

    def transfer_out(
        self, ctx: Context, *, to_municipality: str, transferred: tuple[str, ...], consent_id: UUID | None = None
    ) -> None:
        self._check_open(ctx)
        if not is_municipality_number(to_municipality) or to_municipality == self.municipality:
            raise InvalidInput(None, "Mottakende kommune må være et annet firesifret kommunenummer.")
        if consent_id is not None:
            consent = self._require_consent(consent_id)
            if not consent.in_force(ctx.occurred_at):
                raise InvariantViolation("INV-05", "Overføring krever et samtykke som er i kraft.")
        self._emit(
            TransferredOut, ctx, to_municipality=to_municipality, transferred=tuple(transferred), consent_id=consent_id
        )

    def record_transfer_in(
        self, ctx: Context, *, from_municipality: str, bundle_sha256: str, source_case_id: UUID
    ) -> None:
        self._check_open(ctx)
        if not SHA256_HEX.match(bundle_sha256):
            raise InvalidInput(None, "sha256 må være 64 heksadesimale tegn.")
        self._emit(
            TransferredIn,
            ctx,
            from_municipality=from_municipality,
            bundle_sha256=bundle_sha256,
            source_case_id=source_case_id,
        )

    # --------------------------------------------------------- complaints
    def receive_complaint(
        self, ctx: Context, *, concerns: tuple[Provision, ...], text: str = "", received_at: datetime | None = None
    ) -> UUID:
        self._check_tenant(ctx)
        received = received_at or ctx.occurred_at
        if received.tzinfo is None:
            raise InvalidInput(None, "received_at må ha tidssone.")
        if received > ctx.now:
            raise InvariantViolation("INV-10", "En klage kan ikke være mottatt i fremtiden.")
        complaint_id = uuid4()
        self._emit(
            ComplaintReceived, ctx, complaint_id=complaint_id, concerns=tuple(concerns), text=text, received_at=received
        )
        return complaint_id

    def forward_complaint(self, ctx: Context, *, complaint_id: UUID, report_sha256: str) -> None:
        self._check_tenant(ctx)
        complaint = self._require_complaint(complaint_id)
        if complaint.forwarded_at is not None:
            raise InvariantViolation(None, "Klagen er allerede oversendt Statsforvalteren.")
        if not SHA256_HEX.match(report_sha256):
            raise InvalidInput(None, "report_sha256 må være 64 heksadesimale tegn.")
        self._emit(ComplaintForwarded, ctx, complaint_id=complaint_id, report_sha256=report_sha256)

    def decide_complaint(
        self,
        ctx: Context,
        *,
        complaint_id: UUID,
        decided_by: ComplaintDecider,
        outcome: ComplaintOutcome,
        note: str = "",
    ) -> None:
        self._check_tenant(ctx)
        self._require_complaint(complaint_id)
        self._emit(ComplaintDecided, ctx, complaint_id=complaint_id, decided_by=decided_by, outcome=outcome, note=note)

    def _require_complaint(self, complaint_id: UUID) -> Complaint:
        try:
            return self.complaints[complaint_id]
        except KeyError:
            raise NotFound(None, "Ingen slik klage i saken.") from None


@applies(CaseClosed)
def _closed(case: CaseState, e: CaseClosed) -> None:
    case.status = CaseStatus.CLOSED
    case.closed_at = e.occurred_at


@applies(ClosureNotified)
def _notified(case: CaseState, e: ClosureNotified) -> None:
    pass  # read by the compliance projection (CHK-15)


@applies(CaseReopened)
def _reopened(case: CaseState, e: CaseReopened) -> None:
    case.status = CaseStatus.OPEN
    case.closed_at = None


@applies(PlanExported)
def _exported(case: CaseState, e: PlanExported) -> None:
    case.exports[e.export_id] = e.sha256


@applies(ArchiveReceiptRecorded)
def _archive_receipt(case: CaseState, e: ArchiveReceiptRecorded) -> None:
    # A refusal after an earlier filing does not unfile it: the record stays where the archive put it.
    if e.accepted:
        case.archived_steps.add(e.step)


@applies(KeyDestroyed)
def _erased(case: CaseState, e: KeyDestroyed) -> None:
    case.erased_at = e.occurred_at


@applies(TransferredOut)
def _transferred_out(case: CaseState, e: TransferredOut) -> None:
    case.status = CaseStatus.TRANSFERRED_OUT
    case.transferred_to = e.to_municipality


@applies(TransferredIn)
def _transferred_in(case: CaseState, e: TransferredIn) -> None:
    pass  # provenance only


@applies(ComplaintReceived)
def _complaint(case: CaseState, e: ComplaintReceived) -> None:
    case.complaints[e.complaint_id] = Complaint(e.complaint_id, e.received_at)


@applies(ComplaintForwarded)
def _forwarded(case: CaseState, e: ComplaintForwarded) -> None:
    case.complaints[e.complaint_id].forwarded_at = e.occurred_at


@applies(ComplaintDecided)
def _complaint_decided(case: CaseState, e: ComplaintDecided) -> None:
    case.complaints[e.complaint_id].decided.append((e.decided_by.value, e.outcome.value))
