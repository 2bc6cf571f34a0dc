"""Reads of one case: the case now or as it stood, its history, its access
log, its compliance, its report and its exported documents.

Every read goes through `_read`: the read policy first (reads/policy.py),
then the access log, before anything is returned, so no read of case
content escapes either. A report is logged after it is rendered, with the
sha256 of the document handed out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from audit.compliance import evaluate
from audit.integrity.access_log import AccessLog
from audit.integrity.log import Integrity
from audit.report import FORMATS, build_report, filename, render
from audit.report.exports import MEDIA_TYPES, reproduce
from audit.report.proof import case_proof
from commands.application import LedgerApplication
from ledger.case import Case
from ledger.errors import NotFound
from ledger.event_data import event_to_dict
from ledger.values import Actor
from projections.case_view import fold
from projections.case_views import open_view
from projections.runner import ProjectionRunner
from reads.case_page import assemble, page_parts, shown_events
from reads.errors import computing
from reads.policy import ReadScope, filter_view, read_scope, readable_parts
from store import case_view_rows, notification_rows


@dataclass(frozen=True)
class CaseData:
    """JSON-ready data of one case and the case's version it reflects (HTTP sends it as the ETag)."""

    data: dict[str, Any]
    version: int


@dataclass(frozen=True)
class IssuedReport:
    document: bytes
    sha256: str  # hex, as the Digest header and a complaint's forwarding carry it
    media_type: str
    filename: str


@dataclass(frozen=True)
class ExportedDocument:
    document: bytes
    format: str
    media_type: str
    sha256: str


class CaseReads:
    def __init__(
        self,
        app: LedgerApplication,
        integrity: Integrity,
        access_log: AccessLog,
        projections: ProjectionRunner,
        clock: Callable[[], datetime],
        *,
        archive_steps: Callable[..., list[dict[str, Any]]] = lambda events, now, view=None: [],
    ) -> None:
        self._app = app
        self._archive_steps = archive_steps
        self._integrity = integrity
        self._access_log = access_log
        self._projections = projections
        self._clock = clock

    def case(
        self, actor: Actor, case_id: UUID, *, as_of: datetime | None = None, known_at: datetime | None = None
    ) -> CaseData:
        """The case now, as it stood at `as_of` (events that occurred by then), or as known at
        `known_at` (events recorded by then), filtered by what the reader's consent covers."""
        events, case, scope = self._read(actor, case_id, "case")
        projected = self._current_view(case_id, case.version) if as_of is None and known_at is None else None
        # The projection serves the present; a past view (or a row whose key was
        # destroyed a moment ago, or one the projection could not compute) is
        # the same fold over the events.
        with computing(case_id, "case"):
            view = projected if projected is not None else fold(events, as_of=as_of, known_at=known_at)
        version = view.get("version", case.version)
        if not view:
            return CaseData({"case_id": str(case_id), "version": 0, "status": "not_yet_recorded"}, version)
        return CaseData(filter_view(view, scope), version)

    def page(
        self, actor: Actor, case_id: UUID, *, as_of: datetime | None = None, known_at: datetime | None = None
    ) -> CaseData:
        """Everything `actor` may see of the case on one page (reads/case_page.py), read once and logged
        once with every part read; the version is the case's now (the forms' expected version)."""
        events, case, scope = self._authorized(actor, case_id, "case")
        now = self._clock()
        parts = readable_parts(actor, case, now)
        past = as_of is not None or known_at is not None
        shown = shown_events(events, as_of, known_at) if past else events
        moment = min(t for t in (as_of, known_at, now) if t is not None)
        store = self._projections.store
        # Logged before anything is read, as every read is (`_read`), naming each part the page shows.
        self._access_log.record(actor, case.id, case.municipality, page_parts(parts), "")

        def notifications() -> list[dict[str, Any]]:
            self._projections.catch_up(["duties"])
            items: list[dict[str, Any]] = store.read(notification_rows.for_case, str(case_id), now)
            return items

        with computing(case_id, "case"):
            data = assemble(
                shown,
                None if past else self._current_view(case_id, case.version),
                scope,
                parts,
                profile=self._app.profile(case.municipality),
                moment=moment,
                as_of=as_of,
                known_at=known_at,
                # Read after this read is logged below, so the page lists itself.
                access=lambda: self._access_log.entries(case_id),
                notifications=notifications,
                reminders=lambda: store.read(notification_rows.reminders_by_rule, str(case_id)),
                archive_steps=self._archive_steps,
            )
        return CaseData(data, case.version)

    def history(self, actor: Actor, case_id: UUID) -> CaseData:
        """Every event: version, log index, type, when it happened and was recorded, by whom, data and hash."""
        events, case, _ = self._read(actor, case_id, "history")
        hashes = self._app.ledger_recorder.fetch_event_hashes(case_id)
        self._integrity.sync()  # leaves are built off the write path; catch up before naming indexes
        log_index = self._integrity.log_index_of([nid for nid, _ in hashes.values()])
        items = []
        with computing(case_id, "history"):
            for event in events:
                nid, digest = hashes.get(event.originator_version, (None, b""))
                index = log_index.get(nid) if nid is not None else None
                items.append({**event_to_dict(event), "log_index": index, "hash": digest.hex()})
        return CaseData({"case_id": str(case_id), "events": items}, case.version)

    def access_log(self, actor: Actor, case_id: UUID) -> list[dict[str, Any]]:
        """Who read the case, when and which parts (this read is logged too, before the entries are read)."""
        self._read(actor, case_id, "access_log")
        return self._access_log.entries(case_id)

    def compliance(self, actor: Actor, case_id: UUID) -> dict[str, Any]:
        """Each check of DOMAIN §5 judged now under the case's municipal profile."""
        events, case, _ = self._read(actor, case_id, "compliance")
        profile = self._app.profile(case.municipality)
        now = self._clock()
        with computing(case_id, "compliance"):
            checks = [result.to_dict() for result in evaluate(events, profile, now)]
        return {
            "case_id": case_id,
            "municipality": case.municipality,
            "profile": profile.key,
            "evaluated_at": now.isoformat(),
            "version": case.version,
            "checks": checks,
        }

    def report(self, actor: Actor, case_id: UUID, why: str = "") -> dict[str, Any]:
        """The compliance report as data (logged as a read of the report; no document is handed out)."""
        events, case, _ = self._read(actor, case_id, "report", why)
        return self._report(events, case)

    def issue_report(self, actor: Actor, case_id: UUID, fmt: str, why: str = "") -> IssuedReport:
        """The compliance report rendered as `fmt` (json, html, pdf), logged with its sha256 before it
        is handed out: forwarding a complaint names the report sent to Statsforvalteren by that
        digest, and is refused for any digest the ledger did not issue for the case."""
        events, case, _ = self._authorized(actor, case_id, "report")
        report = self._report(events, case)
        with computing(case_id, "report"):
            document = render(report, fmt)
        digest = hashlib.sha256(document).hexdigest()
        self._log(actor, case, "report", why, issued={"format": fmt, "sha256": digest})
        return IssuedReport(document, digest, FORMATS[fmt].media_type, filename(case_id, fmt))

    def export(self, actor: Actor, case_id: UUID, export_id: UUID) -> ExportedDocument:
        """An exported document, rendered again from the events before its export (Gone if it cannot be)."""
        events, case, _ = self._read(actor, case_id, "exports")
        with computing(case_id, "exports"):
            document, fmt = reproduce(self._app.exporters, case.municipality, events, export_id)
        media_type = MEDIA_TYPES.get(fmt, "application/octet-stream")
        return ExportedDocument(document, fmt, media_type, hashlib.sha256(document).hexdigest())

    def notifications(self, actor: Actor, case_id: UUID) -> dict[str, Any]:
        """Every notification decided for the case (KE, the case's coordinator), oldest first, each with
        its deliveries (channel, target, state) and every attempt with its time and result."""
        self._read(actor, case_id, "notifications")
        # Catch up first, so reminders the case's latest events call for are in the answer.
        self._projections.catch_up(["duties"])
        items = self._projections.store.read(notification_rows.for_case, str(case_id), self._clock())
        return {"case_id": str(case_id), "items": items}

    def municipality_of(self, case_id: UUID) -> str:
        """The municipality a case belongs to, for an operator's tool that reads on that municipality's
        behalf (`ledger report`); no content, so not logged. NotFound if there is no such case."""
        return self._app.load_case(case_id, version=1).municipality

    # ------------------------------------------------------------- the gate
    def _read(self, actor: Actor, case_id: UUID, part: str, why: str = "") -> tuple[list[Any], Case, ReadScope]:
        events, case, scope = self._authorized(actor, case_id, part)
        self._log(actor, case, part, why)
        return events, case, scope

    def _authorized(self, actor: Actor, case_id: UUID, part: str) -> tuple[list[Any], Case, ReadScope]:
        """The case's events and state, if the read policy lets `actor` read `part` (else NotFound/Forbidden)."""
        with computing(case_id, part):
            events = self._app.case_events(case_id)
            if not events:
                raise NotFound(None, "Ingen slik sak i din kommune.")
            case: Any = None
            for event in events:
                case = event.mutate(case)
        return events, case, read_scope(actor, case, part, self._clock())

    def _log(self, actor: Actor, case: Case, part: str, why: str, issued: Mapping[str, str] | None = None) -> None:
        self._access_log.record(actor, case.id, case.municipality, [part], why, issued=issued)

    # --------------------------------------------------------------- sources
    def _current_view(self, case_id: UUID, version: int) -> dict[str, Any] | None:
        """The projected view, after catching up, so a read after a command's
        response sees that command; None if absent, sealed with a key destroyed
        since, or not at the case's version (a case the projection could not
        compute stops at its last good event): the caller folds the events instead."""
        self._projections.catch_up(["case_view"])
        row = self._projections.store.read(case_view_rows.sealed_view, str(case_id))
        view = None if row is None else open_view(self._app.keyring, case_id, row)
        return view if view is not None and view.get("version") == version else None

    def _report(self, events: list[Any], case: Case) -> dict[str, Any]:
        """The report's inputs gathered for one case, judged under its municipality's profile at the clock."""
        profile = self._app.profile(case.municipality)
        now = self._clock()
        entries = self._access_log.entries(case.id)
        proof = case_proof(self._integrity, case.id)
        with computing(case.id, "report"):
            return build_report(
                fold(events),
                events,
                evaluate(events, profile, now),
                entries,
                proof,
                profile=profile,
                now=now,
                archive_steps=self._archive_steps(events, now),
                # Whether and when whoever was responsible was reminded (issue #11), from the record.
                reminders=self._projections.store.read(notification_rows.reminders_by_rule, str(case.id)),
            )
