"""The application service: load the case, authorise, call, save, return ids.

One `handle()` for every command. Writes that belong with the events (keys,
idempotency record, subject index) travel to the recorder as `side` so they
commit in the same transaction.
"""

from __future__ import annotations

import contextlib
import copy
import random
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson
import structlog
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Mapper, Transcoder

from archive.steps import Archivable
from commands.authorization import authorize
from commands.base import CaseCommand, Command, CommandResult
from commands.case_events import DecodedEvents
from commands.handlers import handler_for
from ledger.case import Case
from ledger.context import Context
from ledger.errors import IdempotencyConflict, InvariantViolation, NotFound, VersionMismatch
from ledger.profiles import MunicipalProfile, profile_for
from ledger.values import Actor
from store.keyring import Keyring, MasterKeys
from store.mapper import CaseMapper
from store.protocols import LedgerRecorder
from store.tables import IdempotencyRecord
from store.transcoder import OrjsonTranscoder

log = structlog.get_logger("ledger.commands")

MAX_ATTEMPTS = 10
# Commands on one case are handled one at a time within a process: threads
# racing for the same case version would only burn each other's retries.
# Writers in other processes are met by the store's version check and retried.
CASE_LOCK_STRIPES = 64
DECODED_CASES = 16  # cases whose decoded events the reads keep (commands.case_events)


def utc_now() -> datetime:
    return datetime.now(UTC)


class LedgerApplication(Application[UUID]):
    name = "ledger"

    def __init__(
        self,
        env: dict[str, str],
        *,
        master_key: bytes | MasterKeys,
        clock: Callable[[], datetime] = utc_now,
        default_profile: str = "national-default",
        case_cache: int = 0,
    ) -> None:
        # The recorder keeps the ledger's own keys; it exists once the library has built it (below).
        self.keyring = Keyring(master_key, self._fetch_keys, lambda: getattr(self, "ledger_recorder", None))
        self.clock = clock
        self.default_profile = default_profile
        # Re-entrant: a command holds its case's lock and loads the case under it.
        self._case_locks = [threading.RLock() for _ in range(CASE_LOCK_STRIPES)]
        # Set by the composition root: export renderers by format, the public
        # keys whose case bundles a transfer-in accepts, and the issued reports.
        self.exporters: dict[str, Any] = {}
        self.trusted_bundle_keys: frozenset[bytes] = frozenset()
        # Whether a report with this sha256 was issued for the case (the access
        # log knows); until the composition root says, none was.
        self.report_issued: Callable[[UUID, str], bool] = lambda case_id, sha256: False
        # Which steps of a case are archivable (INV-12: all filed before erasure); set by the composition root.
        self.archivable: Archivable | None = None
        # The reads' copy of recently read cases' decoded events (a smaller share: a case's
        # events take more memory than the case), off with the case cache.
        self._decoded = DecodedEvents(min(case_cache, DECODED_CASES)) if case_cache > 0 else None
        if case_cache > 0:
            # The library keeps the last `case_cache` cases in memory and, on
            # each load, reads only the events stored since (other processes'
            # included), so a command no longer replays the whole case.
            # (The library reads maxsize 0 as "unbounded"; 0 here means off.)
            # Commands work on the cached case itself, one at a time per case
            # (the case lock), not on a deep copy: for a large case the copy
            # costs more than the command. A command that changed the case and
            # did not save it drops it from the cache (`_handle_once`).
            env = {
                **env,
                "AGGREGATE_CACHE_MAXSIZE": str(case_cache),
                "AGGREGATE_CACHE_FASTFORWARD": "y",
                "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",
            }
        super().__init__(env)
        recorder = self.recorder
        if not isinstance(recorder, LedgerRecorder):
            # The side tables (keys, idempotency, subject index, hash chain) are not optional.
            raise TypeError(f"{type(recorder).__name__} is not a ledger recorder: see store.config")
        self.ledger_recorder: LedgerRecorder = recorder

    # --------------------------------------------------------- composition
    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    def construct_mapper(self) -> Mapper[UUID]:
        return CaseMapper(self.construct_transcoder(), self.keyring)

    def profile(self, municipality: str) -> MunicipalProfile:
        return profile_for(municipality, self.default_profile)

    # ------------------------------------------------------------ commands
    def handle(self, command: Command) -> CommandResult:
        started = time.perf_counter()
        scope = f"{command.actor.municipality}:{command.actor.role}:{command.actor.id}"
        fingerprint = command.fingerprint(self.keyring.fingerprint_key) if command.idempotency_key else ""
        for attempt in range(MAX_ATTEMPTS):
            if command.idempotency_key:
                prior = self._prior_response(scope, command.idempotency_key, fingerprint)
                if prior is not None:
                    return prior
            try:
                # One look-up of the case's keys serves loading, sealing and choosing the write key.
                case_id = getattr(command, "case_id", None)
                with self._case_lock(command), self.keyring.scope([case_id] if isinstance(case_id, UUID) else []):
                    result = self._handle_once(command, scope, fingerprint)
            except IntegrityError:
                # Another writer won the race for this case version (or the
                # same idempotency key, or the same subject): reload and decide
                # again. The next attempt replays a stored answer for the key,
                # or reports a version mismatch, or refuses on the rule.
                log.info("command.retried", command=type(command).__name__, attempt=attempt + 1)
                # Jitter so that writers in several processes stop colliding in step.
                time.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 5)))
                continue
            log.info(
                "command.handled",
                command=type(command).__name__,
                case_id=str(result.case_id),
                version=result.version,
                role=command.actor.role.value,
                municipality=command.actor.municipality,
                ms=round((time.perf_counter() - started) * 1000, 2),
            )
            return result
        raise InvariantViolation(None, "Saken endres av mange samtidig; prøv igjen.")

    def _case_lock(self, command: Command) -> contextlib.AbstractContextManager[Any]:
        case_id = getattr(command, "case_id", None)
        if not isinstance(case_id, UUID):
            return contextlib.nullcontext()
        return self._case_locks[case_id.int % CASE_LOCK_STRIPES]

    def _handle_once(self, command: Command, scope: str, fingerprint: str) -> CommandResult:
        loaded: Case | None = None
        if isinstance(command, CaseCommand):
            loaded = self._load(command.case_id, command.actor)  # the cached case itself: we hold its lock
        version = loaded.version if loaded is not None else None
        try:
            return self._decide_and_save(command, loaded, scope, fingerprint)
        except BaseException:
            if loaded is not None and loaded.version != version:
                # Events were applied to the cached case and not saved (a
                # refusal after a first event, a lost race): the store decides.
                self._forget(loaded.id)
            raise

    def _decide_and_save(self, command: Command, case: Case | None, scope: str, fingerprint: str) -> CommandResult:
        now = self.clock()
        ctx = Context(command.actor, command.occurred_at or now, now)
        # Authorise before anything else is said about the case (its version included).
        authorize(command, case)
        if case is not None and command.expected_version is not None and case.version != command.expected_version:
            raise VersionMismatch(command.expected_version, case.version)
        outcome = handler_for(type(command))(self, case, command, ctx)
        case = outcome.case
        result = CommandResult(case_id=case.id, version=case.version, created=outcome.created)
        side = outcome.side
        if command.idempotency_key:
            side.idempotency = IdempotencyRecord(
                scope, command.idempotency_key, fingerprint, orjson.dumps(result.to_json()).decode()
            )
        new_key = self.keyring.prepare_write(case.id)
        if new_key is not None:
            side.new_keys = [new_key]
        try:
            self.save(case, side=side)
        finally:
            self.keyring.finish_write(case.id)
        if case.erased:
            self._forget(case.id)
        elif self.repository.cache is not None:
            # The saved case is the store's state at this version, so the next
            # command on it reads only what other writers stored since.
            self.repository.cache.put(case.id, case)
        return result

    # --------------------------------------------------------------- reads
    def load_case(self, case_id: UUID, actor: Actor | None = None, *, version: int | None = None) -> Case:
        """The case, if it exists in the actor's municipality (INV-01: a case
        of another municipality is reported as absent). A copy of the cached
        case, never the case a command may be changing."""
        if version is not None or self.repository.cache is None:
            return self._load(case_id, actor, version)
        with self._case_locks[case_id.int % CASE_LOCK_STRIPES]:
            return copy.deepcopy(self._load(case_id, actor))

    def _load(self, case_id: UUID, actor: Actor | None, version: int | None = None) -> Case:
        try:
            with self.keyring.scope([case_id]):
                case: Case = self.repository.get(case_id, version=version)
                if case.erased and version is None and self._forget(case_id):
                    # The cached copy was decrypted before the key was destroyed
                    # (perhaps by another process): read the case again from the
                    # store, where its personal fields are now erased. A load at
                    # a version bypasses the cache, so the case is not cached again.
                    case = self.repository.get(case_id, version=case.version)
        except AggregateNotFoundError:
            # Same rule and words as a case of another municipality, so the
            # answer does not tell whether the case exists elsewhere (INV-01).
            raise NotFound("INV-01", "Ingen slik sak i din kommune.") from None
        if actor is not None and case.municipality != actor.municipality:
            raise NotFound("INV-01", "Ingen slik sak i din kommune.")
        return case

    def _forget(self, case_id: UUID) -> bool:
        """Drop a case from the in-memory cache; True if it was there."""
        if self._decoded is not None:
            self._decoded.forget(case_id)
        cache = self.repository.cache
        if cache is None:
            return False
        try:
            cache.get(case_id, evict=True)
        except KeyError:
            return False
        return True

    def case_events(self, case_id: UUID) -> list[Any]:
        """The case's events, decoded (those of recently read cases kept decoded: commands.case_events)."""
        with self.keyring.scope([case_id]):
            if self._decoded is None:
                return list(self.events.get(case_id))
            return self._decoded.get(
                case_id, self.keyring.live_key_ids(case_id), lambda after: self.events.get(case_id, gt=after)
            )

    # ----------------------------------------------------- side-table I/O
    def _fetch_keys(self, case_ids: Sequence[UUID]) -> dict[UUID, list[tuple[str, bytes]]]:
        return self.ledger_recorder.fetch_case_keys(case_ids)

    def _prior_response(self, scope: str, key: str, fingerprint: str) -> CommandResult | None:
        prior = self.ledger_recorder.fetch_idempotency(scope, key)
        if prior is None:
            return None
        if prior.fingerprint != fingerprint:
            raise IdempotencyConflict(None, "Idempotency-Key er brukt før for en annen forespørsel.")
        return CommandResult.from_json(orjson.loads(prior.response), replayed=True)

    def subject_claim(self, municipality: str, subject_ref: str) -> UUID | None:
        return self.ledger_recorder.fetch_subject_claim(municipality, subject_ref)
