"""The composition root: builds the whole ledger from settings.

Nothing is built at import time; tests build the same system with their own
settings and clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from app.settings import Settings
from archive.steps import Archivable
from audit.integrity.access_log import AccessLog
from audit.integrity.bundle import BundleExporter
from audit.integrity.checkpoint import CheckpointSigner
from audit.integrity.log import Integrity
from audit.report.plan import PlanPdf
from commands.application import LedgerApplication, utc_now
from commands.consent_expiry import expire_consents
from commands.directory import NotificationDirectory
from notify.deciding import ReminderDecider
from projections.archive import ArchiveProjection
from projections.case_view import fold
from projections.case_views import CaseViewProjection
from projections.compliance import ComplianceProjection
from projections.duties import DutiesProjection
from projections.register import RegisterProjection
from projections.runner import ProjectionRunner
from reads.archive import ArchiveDesk
from reads.service import ReadService
from store import duty_rows
from store.access_log_rows import AccessLogRows
from store.integrity_rows import IntegrityRows
from store.keyring import MasterKeys
from store.projection_rows import ProjectionStore

# Consents whose end is recorded per pass of the projection process (the rest on the next pass).
EXPIRY_BATCH = 100


@dataclass
class Ledger:
    settings: Settings
    app: LedgerApplication  # the command service
    reads: ReadService
    integrity: Integrity
    access_log: AccessLog
    projections: ProjectionRunner
    directory: NotificationDirectory  # KE's contacts, webhook subscriptions and dead-letter replays
    clock: Callable[[], datetime] = field(default=utc_now)

    def close(self) -> None:
        self.app.close()


def build(settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now) -> Ledger:
    settings = settings or Settings.from_env()
    app = LedgerApplication(
        settings.store.env,
        # The master keys follow their key file, so a rotation reaches a running process.
        master_key=MasterKeys(settings.master_keys, path=settings.master_key_file),
        clock=clock,
        default_profile=settings.default_profile,
        case_cache=settings.case_cache,
    )
    app.exporters = {"json": BundleExporter(lambda: integrity)}  # integrity: built below, looked up per export
    app.exporters["pdf"] = PlanPdf(fold)
    # Which steps of a case the municipality's archive must hold (INV-12 waits for every one of them).
    archivable = Archivable(fold, lambda municipality: app.profile(municipality).team_name)
    app.archivable = archivable
    integrity = Integrity(IntegrityRows(app.recorder), CheckpointSigner(settings.signing_key), clock=clock)
    # Bundles this ledger signed itself (a move between two of its municipalities) and other ledgers' configured keys.
    # Its own keys are every key it has signed with (a bundle exported before a rotation still comes home).
    own = {entry.public_key for entry in integrity.key_history()}
    app.trusted_bundle_keys = frozenset({integrity.signer.public_key_raw, *own, *settings.trusted_bundle_keys})
    store = ProjectionStore(app.recorder)
    projections = ProjectionRunner(
        app,
        store,
        [
            RegisterProjection(),
            CaseViewProjection(app.case_events, app.keyring),
            ComplianceProjection(app.case_events, app.profile, clock),
            ArchiveProjection(app.case_events, archivable, clock),
            # Duties for the worklists, and the reminders they call for decided in the same transaction.
            DutiesProjection(
                app.case_events,
                app.profile,
                clock,
                app.keyring.person_ref,
                ReminderDecider(settings.notify.reminder_rules),
            ),
        ],
        clock,
        # The process that keeps the projections records the end of each consent whose period ran out.
        jobs=[lambda: expire_consents(app, store.read(duty_rows.consents_due, clock(), EXPIRY_BATCH))],
    )
    access_log = AccessLog(AccessLogRows(app.recorder), clock)
    # Forwarding a complaint must name a report this ledger issued for the case.
    app.report_issued = access_log.issued
    reads = ReadService(
        app,
        integrity=integrity,
        access_log=access_log,
        projections=projections,
        store=settings.store,
        clock=clock,
        archive=ArchiveDesk(
            app,
            integrity=integrity,
            access_log=access_log,
            projections=projections,
            clock=clock,
            archivable=archivable,
            settings_of=settings.archive.for_municipality,
            schema_dir=settings.archive.schema_dir,
        ),
    )
    return Ledger(
        settings=settings,
        app=app,
        reads=reads,
        integrity=integrity,
        access_log=access_log,
        projections=projections,
        directory=NotificationDirectory(store, app.keyring, clock),
        clock=clock,
    )
