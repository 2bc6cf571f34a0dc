"""The archive seam (issue #12): where the municipality's archive integration
collects the Fiks Arkiv messages and hands back the archive's receipts, and
where the coordinating unit makes a Noark 5 extract.

Sending over Fiks IO needs credentials and a network this service does not
have, so an integration (the municipality's Fiks IO client, run as a service
account of the role `archive_integration`) pulls instead:

- `claim`: lease the next messages (oldest first) for a while; each comes
  with its `arkivmelding.opprett` XML and its PDF/A document. Two workers
  never hold the same message; one the archive never answered is offered
  again when its lease runs out.
- `record_receipt`: the archive's `…arkivmelding.opprett.kvittering`,
  validated against its schema, recorded on the case as an
  `ArchiveReceiptRecorded` through the command service (a refusal too,
  after which the message is offered again later).

A message is rendered from the case's events as they stood when its step
was decided (the outbox row's `case_version`), with the earliest signed
checkpoint that covers them, so collecting it again gives the same bytes.
Rendering reads case content, so each message handed out is written to its
case's access log (part "archive"); the outbox itself holds no personal
data. The service account reads nothing else of a case (reads/policy.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import structlog

from archive.arkivmelding import MESSAGE_TYPE, build_arkivmelding
from archive.extract import ExtractCase, Manifest, write_extract
from archive.extract_verify import STATEMENT, statement
from archive.receipt import SCHEMA as RECEIPT_SCHEMA
from archive.receipt import ArchiveRejected, InvalidReceipt, Receipt, build_receipt, build_refusal, parse_receipt
from archive.settings import ArchiveSettings
from archive.steps import Archivable, ArchiveDocument, Step
from audit.compliance.timeline import NORWAY
from audit.integrity.access_log import AccessLog
from audit.integrity.checkpoint import Checkpoint
from audit.integrity.log import Integrity
from commands.application import LedgerApplication
from commands.archive_commands import RecordArchiveReceipt
from ledger.errors import Gone, InvalidInput, NotFound, Unavailable
from ledger.events_plan import ArchiveReceiptRecorded, KeyDestroyed
from ledger.values import Actor
from projections.runner import ProjectionRunner
from reads.policy import require_archive_integration, require_archive_overview, require_coordinating_unit
from store import archive_rows as rows
from store import register_rows

log = structlog.get_logger("ledger.archive")

DEFAULT_LEASE = timedelta(minutes=5)
MAX_RECEIPT_BYTES = 1024 * 1024  # a receipt is a few kilobytes


@dataclass(frozen=True)
class OutgoingMessage:
    """One Fiks Arkiv message as handed to the integration."""

    row: rows.MessageRow
    title: str
    arkivmelding: bytes
    documents: Sequence[ArchiveDocument]

    def to_dict(self) -> dict[str, Any]:
        """Without the bytes; `api` and the CLI add them as they carry them."""
        return {
            **summary(self.row),
            "title": self.title,
            "message_type": MESSAGE_TYPE,
            "arkivmelding_sha256": hashlib.sha256(self.arkivmelding).hexdigest(),
        }


@dataclass(frozen=True)
class Claimed:
    messages: list[OutgoingMessage]
    lease_until: datetime


@dataclass(frozen=True)
class RecordedReceipt:
    case_id: UUID
    version: int
    message_id: UUID
    step: str
    status: str  # archived or rejected
    replayed: bool


@dataclass(frozen=True)
class ExtractMade:
    manifest: Manifest
    statement: Path
    checkpoint: Checkpoint
    cases: int
    erased_left_out: int


def _moment(stamp: str | None) -> str | None:
    return None if stamp is None else datetime.fromisoformat(stamp).isoformat()


def summary(row: rows.MessageRow) -> dict[str, Any]:
    """An outbox row as the integration and KE see it: no case content."""
    return {
        "message_id": str(row.message_id),
        "cursor": row.id,
        "case_id": str(row.case_id),
        "step": row.step,
        "kind": row.step.split(":", 1)[0],
        "made_at": _moment(row.made_at),
        "decided_at": _moment(row.decided_at),
        "status": row.status,
        "attempts": row.attempts,
        "available_at": _moment(row.available_at),
        "answered_at": _moment(row.answered_at),
        "error": row.error,
    }


class ArchiveDesk:
    def __init__(
        self,
        app: LedgerApplication,
        *,
        integrity: Integrity,
        access_log: AccessLog,
        projections: ProjectionRunner,
        clock: Callable[[], datetime],
        archivable: Archivable,
        settings_of: Callable[[str], ArchiveSettings],
        schema_dir: Path,
    ) -> None:
        self._app = app
        self._integrity = integrity
        self._access_log = access_log
        self._projections = projections
        self._clock = clock
        self._archivable = archivable
        self._settings_of = settings_of
        self._schema_dir = schema_dir

    # ------------------------------------------------------------ the outbox
    def claim(
        self, actor: Actor, *, limit: int = 10, lease: timedelta = DEFAULT_LEASE, case_id: UUID | None = None
    ) -> Claimed:
        """Lease up to `limit` of the municipality's next messages (of one case, if given) until the lease ends."""
        require_archive_integration(actor)
        self._projections.catch_up(["archive"])  # every step decided up to now is in the outbox
        now = self._clock()
        until = now + lease
        store = self._projections.store
        with store.writing() as c:
            taken = rows.claim(c, store.d, actor.municipality, now, until, actor.id, limit, case_id)
        messages = []
        for row in taken:
            try:
                messages.append(self._outgoing(actor, row))
            except Gone as e:
                # One message that cannot be made must not hold back the rest; it is offered again later.
                log.warning("archive.message_unavailable", message_id=str(row.message_id), detail=e.message)
        return Claimed(messages, until)

    def message(self, actor: Actor, message_id: UUID) -> OutgoingMessage:
        """One message again (e.g. a document lost on the way), whatever its state."""
        require_archive_integration(actor)
        return self._outgoing(actor, self._row(actor, message_id))

    def messages(
        self,
        actor: Actor,
        *,
        status: str | None = None,
        case_id: UUID | None = None,
        after: int = 0,
        limit: int = 100,
    ) -> dict[str, Any]:
        """The municipality's outbox in order, a page at a time after the cursor `after` (no case content)."""
        require_archive_overview(actor)
        self._projections.catch_up(["archive"])
        store = self._projections.store
        found = store.read(
            rows.listing, actor.municipality, status=status, case_id=case_id, after=after, limit=limit + 1
        )
        page = found[:limit]
        return {
            "municipality": actor.municipality,
            "counts": store.read(rows.counts, actor.municipality),
            "items": [summary(r) for r in page],
            "next": page[-1].id if len(found) > limit else None,
        }

    def municipality_of_message(self, message_id: UUID) -> str:
        """The municipality a message belongs to, for an operator's tool (no content, not logged)."""
        self._projections.catch_up(["archive"])
        row = self._projections.store.read(rows.message, message_id)
        if row is None:
            raise NotFound(None, "Ingen slik arkivmelding.")
        return row.municipality

    # ------------------------------------------------------------ receipts
    def record_receipt(
        self,
        actor: Actor,
        message_id: UUID,
        document: bytes,
        *,
        occurred_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> RecordedReceipt:
        """The archive's receipt for a message, validated against its schema and recorded on the case. The same
        receipt again is answered as the first time and records nothing."""
        require_archive_integration(actor)
        row = self._row(actor, message_id)
        schemas = self._receipt_schemas()
        if len(document) > MAX_RECEIPT_BYTES:
            raise InvalidInput(None, f"Kvitteringen er større enn {MAX_RECEIPT_BYTES // 1024} kB.")
        answer: Receipt | ArchiveRejected
        try:
            answer = parse_receipt(document, schemas)
        except ArchiveRejected as e:
            answer = e
        except InvalidReceipt as e:
            raise InvalidInput(None, str(e)[:1000]) from None
        return self._record(actor, row, answer, hashlib.sha256(document).hexdigest(), occurred_at, idempotency_key)

    def record_answer(
        self, actor: Actor, message_id: UUID, answer: Receipt | ArchiveRejected, *, occurred_at: datetime | None = None
    ) -> RecordedReceipt:
        """An answer already read, as a simulated archive gives it (the demo's): recorded through the same command
        as a receipt, with the digest of the receipt it stands for (`build_receipt`, `build_refusal`)."""
        require_archive_integration(actor)
        row = self._row(actor, message_id)
        document = (
            build_refusal(answer.error_id, answer.message, part=answer.part)
            if isinstance(answer, ArchiveRejected)
            else build_receipt(answer)
        )
        return self._record(actor, row, answer, hashlib.sha256(document).hexdigest(), occurred_at, None)

    def _record(
        self,
        actor: Actor,
        row: rows.MessageRow,
        answer: Receipt | ArchiveRejected,
        digest: str,
        occurred_at: datetime | None,
        idempotency_key: str | None,
    ) -> RecordedReceipt:
        accepted = isinstance(answer, Receipt)
        if isinstance(answer, Receipt) and answer.record_system_id is None:
            raise InvalidInput(None, "Kvitteringen sier ikke hvor journalposten er arkivert (registreringKvittering).")
        events = self._app.case_events(row.case_id)
        for e in events:
            if isinstance(e, ArchiveReceiptRecorded) and e.message_id == row.message_id and e.receipt_sha256 == digest:
                status = rows.ARCHIVED if e.accepted else rows.REJECTED
                return RecordedReceipt(row.case_id, e.originator_version, row.message_id, row.step, status, True)
        step = self._step(row, events)
        if isinstance(answer, Receipt):
            fields: dict[str, Any] = {
                "folder_system_id": answer.folder_system_id,
                "case_year": answer.case_year,
                "case_sequence": answer.case_sequence,
                "record_system_id": answer.record_system_id,
                "record_year": answer.record_year,
                "record_sequence": answer.record_sequence,
                "record_number": answer.record_number,
            }
        else:
            fields = {
                "error_id": answer.error_id[:200] or None,
                "error_message": answer.message[:4000] or (None if answer.error_id else answer.part),
            }
        result = self._app.handle(
            RecordArchiveReceipt(
                actor=actor,
                case_id=row.case_id,
                occurred_at=occurred_at,
                idempotency_key=idempotency_key,
                message_id=row.message_id,
                step=row.step,
                title=step.title if step is not None else row.step,
                accepted=accepted,
                receipt_sha256=digest,
                **fields,
            )
        )
        # The outbox learns of the receipt from the event, in the projection's own transaction: every read of
        # the outbox (a claim, a listing) catches up first, so none offers this message again.
        status = rows.ARCHIVED if accepted else rows.REJECTED
        return RecordedReceipt(result.case_id, result.version, row.message_id, row.step, status, result.replayed)

    # ------------------------------------------------------------- extract
    def extract(self, actor: Actor, start: date, end: date, out_dir: Path) -> ExtractMade:
        """A Noark 5 extract of the municipality's cases closed from `start` to `end` (Norwegian days) into
        `out_dir`: the package, and beside it the ledger's signed statement of its files and checkpoint.
        Erased cases are left out (their documents can no longer be made; the archive holds them)."""
        require_coordinating_unit(actor)
        if end < start:
            raise InvalidInput(None, "Perioden må slutte etter at den begynner.")
        self._schemas("noark5-v5/arkivstruktur.xsd")
        self._projections.catch_up(["register"])
        now = self._clock()
        cases: list[ExtractCase] = []
        last: list[tuple[UUID, int]] = []
        erased = 0
        for case_id in map(UUID, self._projections.store.read(register_rows.closed_cases, actor.municipality)):
            events = self._app.case_events(case_id)
            view, steps = self._archivable.of(events, now)
            closure = view.get("closure") or {}
            if view.get("status") != "closed" or not closure:
                continue
            closed_on = datetime.fromisoformat(closure["at"]).astimezone(NORWAY).date()
            if not start <= closed_on <= end:
                continue
            if view.get("erased") or any(isinstance(e, KeyDestroyed) for e in events):
                erased += 1
                continue
            self._access_log.record(
                actor, case_id, actor.municipality, ["archive"], f"arkivuttrekk {start.isoformat()}–{end.isoformat()}"
            )
            documents = [self._archivable.render(step, view, events) for step in steps]
            cases.append(ExtractCase(view, events, documents, _receipts(events)))
            last.append((case_id, len(events)))
        if not cases:
            raise InvalidInput(
                None, f"Ingen avsluttede saker å ta med fra {start.isoformat()} til {end.isoformat()} i kommunen."
            )
        checkpoint, public_key = self._covering(last)
        settings = self._settings_of(actor.municipality)
        manifest = write_extract(
            cases, out_dir, self._schema_dir, settings=settings, period=(start, end), checkpoint=checkpoint.to_dict()
        )
        files = manifest.files
        signature = self._integrity.signer.sign_extract(checkpoint, files)
        path = out_dir / STATEMENT
        path.write_bytes(
            statement(
                checkpoint,
                public_key,
                files,
                signature,
                municipality=actor.municipality,
                period=(start.isoformat(), end.isoformat()),
                counts=manifest.counts,
            )
        )
        return ExtractMade(manifest, path, checkpoint, len(cases), erased)

    def steps_of(
        self, events: Sequence[Any], now: datetime, view: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """The case's archivable steps at `now` (for the report's archive section and the case page; no
        I/O). `view`: the case view of `events`, when the caller has folded it already."""
        _, steps = self._archivable.of(events, now, view)
        return [{"step": s.id, "title": s.title, "made_at": s.made_at.isoformat()} for s in steps]

    # --------------------------------------------------------------- inside
    def _row(self, actor: Actor, message_id: UUID) -> rows.MessageRow:
        row = self._projections.store.read(rows.message, message_id)
        if row is None:  # perhaps decided a moment ago: catch up before answering that there is none
            self._projections.catch_up(["archive"])
            row = self._projections.store.read(rows.message, message_id)
        if row is None or row.municipality != actor.municipality:
            raise NotFound(None, "Ingen slik arkivmelding i din kommune.")
        return row

    def _step(self, row: rows.MessageRow, events: Sequence[Any]) -> Step | None:
        """The row's step as the events stood when it was decided."""
        _, steps = self._archivable.of(events[: row.case_version], self._clock())
        return next((s for s in steps if s.id == row.step), None)

    def _outgoing(self, actor: Actor, row: rows.MessageRow) -> OutgoingMessage:
        events = self._app.case_events(row.case_id)
        if any(isinstance(e, KeyDestroyed) for e in events):
            raise Gone("INV-12", "Saken er slettet; meldingen kan ikke lages igjen (arkivet kvitterte for den).")
        made_from = events[: row.case_version]
        view, steps = self._archivable.of(made_from, self._clock())
        step = next((s for s in steps if s.id == row.step), None)
        if step is None:
            raise Gone(None, f"Steget {row.step} finnes ikke lenger i saken.")
        document = self._archivable.render(step, view, made_from)
        checkpoint, _ = self._covering([(row.case_id, row.case_version)])
        message = build_arkivmelding(
            view, document, self._settings_of(row.municipality), checkpoint=checkpoint.to_dict()
        )
        self._access_log.record(actor, row.case_id, row.municipality, ["archive"], f"arkivmelding {row.step}")
        return OutgoingMessage(row, step.title, message, [document])

    def _covering(self, last: Sequence[tuple[UUID, int]]) -> tuple[Checkpoint, bytes]:
        """The earliest checkpoint signed with the ledger's key that covers each (case, version) given (sealed
        now if none does yet), and its public key. The earliest, so the same events always name the same one."""
        self._integrity.sync()
        notification_ids = []
        for case_id, version in last:
            hashes = self._app.ledger_recorder.fetch_event_hashes(case_id)
            notification_ids.append(hashes[version][0])
        indexes = self._integrity.log_index_of(notification_ids)
        needed = max(indexes.values(), default=-1) + 1
        signer = self._integrity.signer
        for checkpoint, row in self._integrity.checkpoints():
            if checkpoint is not None and checkpoint.key_id == signer.key_id and checkpoint.tree_size >= needed:
                return checkpoint, bytes.fromhex(row["public_key"])
        return self._integrity.seal(), signer.public_key_raw

    def _receipt_schemas(self) -> Path:
        return self._schemas(RECEIPT_SCHEMA)

    def _schemas(self, needed: str) -> Path:
        if not (self._schema_dir / needed).is_file():
            raise Unavailable(
                None,
                f"Arkivskjemaene finnes ikke i {self._schema_dir} (mangler {needed}); sett LEDGER_SCHEMA_DIR.",
            )
        return self._schema_dir


def _receipts(events: Sequence[Any]) -> dict[str, Receipt]:
    """The archive's numbers by step, from the receipts it filed them with (the latest filing of each)."""
    found: dict[str, Receipt] = {}
    for e in events:
        if isinstance(e, ArchiveReceiptRecorded) and e.accepted:
            found[e.step] = Receipt(
                e.folder_system_id,
                None,
                e.case_year,
                e.case_sequence,
                e.record_system_id,
                e.record_year,
                e.record_sequence,
                e.record_number,
            )
    return found
