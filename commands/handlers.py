"""How each command is carried out, found by the command's type.

Most commands are carried out by their `case_method` alone (`_call_case_method`).
The handlers registered here with `@handles` do more than call one Case method:
cross-case rules (INV-02), profile parameters, keys and exports."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from audit.report.exports import anchor_for, render
from commands.base import CaseCommand, Command
from commands.case_commands import AddParticipant, OpenCase
from commands.plan_commands import (
    CloseCase,
    EraseCase,
    EstablishPlan,
    ExportPlan,
    ForwardComplaint,
    ReopenCase,
    TransferOut,
)
from commands.transfer_in import TransferIn, accept_bundle
from ledger.case import Case
from ledger.context import Context
from ledger.errors import InvalidInput, InvariantViolation
from ledger.values import Erased, PlanTool, Provision, Subject
from store.tables import SideWrites, SubjectClaim

if TYPE_CHECKING:
    from commands.application import LedgerApplication


@dataclass
class HandlerOutcome:
    case: Case
    created: dict[str, Any] = field(default_factory=dict)
    side: SideWrites = field(default_factory=SideWrites)


Handler = Callable[["LedgerApplication", Any, Any, Context], HandlerOutcome]
SPECIAL_HANDLERS: dict[type, Handler] = {}


def handles(command_class: type[Command]) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        SPECIAL_HANDLERS[command_class] = fn
        return fn

    return register


def handler_for(command_class: type[Command]) -> Handler:
    """The handler registered for the command's type, else its Case method."""
    special = SPECIAL_HANDLERS.get(command_class)
    if special is not None:
        return special
    if command_class.case_method is None or not issubclass(command_class, CaseCommand):
        raise TypeError(f"{command_class.__name__} has no handler")  # a programming error, not a user's
    return _call_case_method


def _call_case_method(app: LedgerApplication, case: Case, c: CaseCommand, ctx: Context) -> HandlerOutcome:
    method = type(c).case_method
    if method is None:  # handler_for chooses this handler only when it is set
        raise TypeError(f"{type(c).__name__} has no Case method")
    created = method(case, ctx, **c.arguments())
    return HandlerOutcome(case, {c.creates: created} if c.creates else {})


def subject_identity(subject: Subject) -> str:
    if subject.national_id:
        return f"nid:{subject.national_id}"
    return f"name:{' '.join(str(subject.name).split()).casefold()}:{subject.birth_date}"


def _claim_individual_plan(app: LedgerApplication, case: Case) -> SubjectClaim | None:
    """INV-02: one open individual plan per person and municipality."""
    if isinstance(case.subject, Erased):
        # Asked before the case's own checks (a closed case's among them): an erased subject has no
        # identity left to claim, and must be refused, not fail.
        raise InvariantViolation("INV-12", "Personopplysningene i saken er slettet; opprett en ny sak.")
    ref = app.keyring.subject_ref(case.municipality, subject_identity(case.subject))
    holder = app.subject_claim(case.municipality, ref)
    if holder == case.id:
        return None
    if holder is not None:
        raise InvariantViolation("INV-02", "Personen har allerede en åpen individuell plan i kommunen.")
    return SubjectClaim(case.municipality, ref, case.id)


@handles(OpenCase)
def _open(app: LedgerApplication, _: None, c: OpenCase, ctx: Context) -> HandlerOutcome:
    case = Case.open(
        ctx, **c.arguments(), case_id=c.case_id
    )  # arguments() leaves out case_id: the target of other commands
    side = SideWrites()
    if Provision.INDIVIDUAL_PLAN in case.requested:
        side.claim_subject = _claim_individual_plan(app, case)
    return HandlerOutcome(case, {}, side)


@handles(EstablishPlan)
def _establish_plan(app: LedgerApplication, case: Case, c: EstablishPlan, ctx: Context) -> HandlerOutcome:
    side = SideWrites()
    if c.tool is PlanTool.INDIVIDUAL_PLAN:
        side.claim_subject = _claim_individual_plan(app, case)
    case.establish_plan(ctx, **c.arguments())
    return HandlerOutcome(case, {}, side)


@handles(AddParticipant)
def _add_participant(app: LedgerApplication, case: Case, c: AddParticipant, ctx: Context) -> HandlerOutcome:
    participant_id = case.add_participant(ctx, **c.arguments(), team_name=app.profile(case.municipality).team_name)
    return HandlerOutcome(case, {"participant_id": participant_id})


@handles(CloseCase)
def _close(app: LedgerApplication, case: Case, c: CloseCase, ctx: Context) -> HandlerOutcome:
    case.close(ctx, **c.arguments())
    return HandlerOutcome(case, {}, SideWrites(release_subject_of=case.id))


@handles(TransferOut)
def _transfer(app: LedgerApplication, case: Case, c: TransferOut, ctx: Context) -> HandlerOutcome:
    case.transfer_out(ctx, **c.arguments())
    return HandlerOutcome(case, {}, SideWrites(release_subject_of=case.id))


@handles(TransferIn)
def _transfer_in(app: LedgerApplication, _: None, c: TransferIn, ctx: Context) -> HandlerOutcome:
    # First: a bundle that does not hold opens nothing (422).
    incoming = accept_bundle(c, app.trusted_bundle_keys, app.mapper.transcoder.decode)
    case = Case.open(ctx, municipality=ctx.actor.municipality, **incoming.opening())
    side = SideWrites()
    if Provision.INDIVIDUAL_PLAN in case.requested:
        side.claim_subject = _claim_individual_plan(app, case)  # INV-02, as for OpenCase
    case.record_transfer_in(ctx, **incoming.transfer())
    return HandlerOutcome(case, {"sha256": incoming.bundle_sha256}, side)


@handles(ReopenCase)
def _reopen(app: LedgerApplication, case: Case, c: ReopenCase, ctx: Context) -> HandlerOutcome:
    # The case's own refusals first (not closed, erased: INV-12): an erased
    # subject has no identity left to claim the plan with.
    case.reopen(ctx, **c.arguments())
    side = SideWrites()
    if case.plan_tool is PlanTool.INDIVIDUAL_PLAN or Provision.INDIVIDUAL_PLAN in case.requested:
        side.claim_subject = _claim_individual_plan(app, case)
    return HandlerOutcome(case, {}, side)


@handles(ExportPlan)
def _export(app: LedgerApplication, case: Case, c: ExportPlan, ctx: Context) -> HandlerOutcome:
    if c.format not in app.exporters:
        raise InvariantViolation(None, f"Ukjent eksportformat; bruk {', '.join(sorted(app.exporters))}.")
    exporter, events = app.exporters[c.format], app.case_events(case.id)
    # A provable format pins a signed checkpoint; recorded, so GET …/exports/{id} renders the same bytes.
    checkpoint_size = anchor_for(exporter, case.id, events)
    digest = hashlib.sha256(render(exporter, case.municipality, case.id, events, checkpoint_size)).hexdigest()
    export_id = uuid4()
    case.record_export(
        ctx, export_id=export_id, format=c.format, sha256=digest, filed_in=c.filed_in, checkpoint_size=checkpoint_size
    )
    return HandlerOutcome(case, {"export_id": export_id, "sha256": digest})


@handles(ForwardComplaint)
def _forward(app: LedgerApplication, case: Case, c: ForwardComplaint, ctx: Context) -> HandlerOutcome:
    # The case decides first (the complaint exists, is not yet forwarded, the digest is well formed);
    # then the digest must be one the ledger handed out for this case, so the copy Statsforvalteren
    # holds can be matched to the record of sending it.
    case.forward_complaint(ctx, complaint_id=c.complaint_id, report_sha256=c.report_sha256)
    if not app.report_issued(case.id, c.report_sha256):
        raise InvalidInput(
            None,
            "Ingen rapport med denne sha256 er hentet ut for saken; send Digest-verdien "
            "fra rapporten (GET …/report eller ledger report) som ble oversendt.",
        )
    return HandlerOutcome(case)


@handles(EraseCase)
def _erase(app: LedgerApplication, case: Case, c: EraseCase, ctx: Context) -> HandlerOutcome:
    key_ids = tuple(kid for kid, _ in app.ledger_recorder.fetch_case_keys([case.id]).get(case.id, []))
    # INV-12: every archivable step filed in the archive first; which steps those are is the archive's
    # rule (archive/steps.py), given by the composition root.
    if app.archivable is None:
        raise TypeError("the ledger has no archive rules (app.archivable): see app/bootstrap.py")
    case.destroy_keys(ctx, key_ids=key_ids, archivable=app.archivable.labels(app.case_events(case.id), ctx.now))
    return HandlerOutcome(case, {}, SideWrites(destroy_keys_of=case.id, release_subject_of=case.id))
