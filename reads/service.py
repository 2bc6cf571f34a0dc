"""The read service: every read an entrance (the HTTP API, the CLI, the demo,
the web app) offers, as (actor, …) → plain data, with the read policy and the
access log applied inside it, so no entrance writes either again.

Built once by the composition root beside the command service
(`app/bootstrap.py`); it knows nothing of HTTP.
"""

from __future__ import annotations

import time
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
from reads.mine import OwnReads
from reads.notifications import NotificationReads
from reads.overviews import MunicipalityOverviews
from reads.tasks import TaskReads
from store.availability import is_unavailable
from store.config import StoreConfig


class ReadService:
    """`cases`: one case (access-logged); `overviews`: the municipality's (KE); `tasks`: worklists
    (everyone's own, KE's of everyone); `mine`: a coordinator's cases, a citizen's own case;
    `notifications`: KE's notification set-up and dead letters;
    `integrity`: the ledger's proofs; `archive`: the archive seam (messages, receipts, extracts); and
    the facts about the service itself."""

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
        self.tasks = TaskReads(projections, app.keyring.person_ref, clock)
        self.notifications = NotificationReads(projections, clock)
        self.mine = OwnReads(app, projections, clock)
        self.integrity = IntegrityReads(integrity, access_log)
        self._app = app
        self._store = store
        self._projections = projections

    def health(self) -> dict[str, Any]:
        """Liveness: the process answers, and which kind of store it uses. No database call, nothing
        secret (no connection string): it must answer while the database is gone."""
        return {"status": "ok", "store": self._store.backend}

    def readiness(self) -> dict[str, Any]:
        """Readiness: the database answers (how fast), how far each projection is behind the log,
        and the cases a projection could not compute (counts and positions, no case ids: anyone may
        ask). `status`: `ready`; `degraded` when cases could not be computed (the service still
        serves everything else); `not_ready` when the database does not answer."""
        started = time.perf_counter()
        try:
            head = self.log_head()
            positions = {name: self._projections.position(name) for name in self._projections.projections}
            failures = self._projections.failures()
        except Exception as e:
            if not is_unavailable(e):
                raise
            return self.not_ready(type(e).__name__)
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        failed: dict[str, dict[str, Any]] = {}
        for f in failures:
            entry = failed.setdefault(
                f.projection, {"projection": f.projection, "cases": 0, "first_position": f.position, "error": f.error}
            )
            entry["cases"] += 1
        return {
            "status": "degraded" if failed else "ready",
            "store": self._store.backend,
            "database": {"reachable": True, "ms": elapsed},
            "log_head": head,
            "projections": {name: {"position": p, "lag": max(0, head - p)} for name, p in positions.items()},
            "failed_projections": list(failed.values()),
        }

    def not_ready(self, why: str) -> dict[str, Any]:
        """Readiness when the database cannot be asked: the error's kind, no more."""
        return {
            "status": "not_ready",
            "store": self._store.backend,
            "database": {"reachable": False, "error": why},
            "log_head": None,
            "projections": {},
            "failed_projections": [],
        }

    def log_head(self) -> int:
        """How many events the ledger holds (the notification log's last id; 0 when empty)."""
        return self._app.recorder.max_notification_id() or 0
