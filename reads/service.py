"""The read service: every read an entrance (the HTTP API, the CLI, the demo,
the web app) offers, as (actor, …) → plain data, with the read policy and the
access log applied inside it, so no entrance writes either again.

Built once by the composition root beside the command service
(`app/bootstrap.py`); it knows nothing of HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from audit.integrity.access_log import AccessLog
from audit.integrity.log import Integrity
from commands.application import LedgerApplication
from projections.runner import ProjectionRunner
from reads.archive import ArchiveDesk
from reads.cases import CaseReads
from reads.integrity import IntegrityReads
from reads.overviews import MunicipalityOverviews
from store.config import StoreConfig


class ReadService:
    """`cases`: one case (access-logged); `overviews`: the municipality's (KE);
    `integrity`: the ledger's proofs; `archive`: the archive seam (messages,
    receipts, extracts); and the facts about the service itself."""

    def __init__(
        self,
        app: LedgerApplication,
        *,
        integrity: Integrity,
        access_log: AccessLog,
        projections: ProjectionRunner,
        store: StoreConfig,
        clock: Callable[[], datetime],
        archive: ArchiveDesk,
    ) -> None:
        self.cases = CaseReads(app, integrity, access_log, projections, clock, archive_steps=archive.steps_of)
        self.archive = archive
        self.overviews = MunicipalityOverviews(projections, clock)
        self.integrity = IntegrityReads(integrity, access_log)
        self._app = app
        self._store = store

    def health(self) -> dict[str, Any]:
        """Liveness: the service answers, and which kind of store it uses (never a password); no database call."""
        return {"status": "ok", "store": self._store.backend, "database": self._store.redacted_url}

    def log_head(self) -> int:
        """How many events the ledger holds (the notification log's last id; 0 when empty)."""
        return self._app.recorder.max_notification_id() or 0
