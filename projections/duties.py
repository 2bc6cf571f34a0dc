"""Every case's duties kept as rows (issue #11): who must do what by when, for the worklists
(`GET /v1/me/tasks`, `GET /v1/tasks`), the consents whose end must be recorded, and the reminders
the duties call for.

A duty depends on the events and on the moment it is judged (`audit.duties.duties_of`): an upcoming
duty becomes overdue when its deadline passes, a consent's renewal appears 30 days before it ends, a
reminder falls due on its day. So, like the compliance projection, each case row keeps the moment
its judgement stops holding (`valid_until`: the nearest deadline or reminder ahead, at most one day
on) and the runner judges such cases (`lapsed`) again on every catch-up.

Reminders are decided here, by the `Decider` the composition root gives (notify's), with the cursor
of the transaction that writes the case's rows and moves this projection's position (or refreshes
the case): a crash loses or repeats neither, and each reminder's stable id makes deciding it again
a no-op. KE's weekly digest, due by time alone, is decided after every catch-up the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from audit.compliance.result import Task
from audit.duties import Assignee, AssigneeKind, Duty, DutyStatus, duties_of
from ledger.profiles import MunicipalProfile
from ledger.values import CaseStatus, Subject
from store import duty_rows as rows
from store import notification_rows
from store.projection_rows import ProjectionStore
from store.tables import Dialect

JUDGEMENT_LIFETIME = timedelta(days=1)
REFRESH_BATCH = 200


class Decider(Protocol):
    """Decides the notifications duties call for, writing them with the cursor it is given."""

    def decide(self, c: Any, d: Dialect, duties: Sequence[Duty], now: datetime) -> int:
        """Record every reminder the duties call for at `now` not recorded before; how many were new."""
        ...

    def next_due(self, duty: Duty, now: datetime) -> datetime | None:
        """When the duty next calls for a reminder it does not call for at `now`."""
        ...

    def digests_due(self, municipalities: Sequence[tuple[str, str]], now: datetime) -> list[tuple[str, str]]:
        """Of these (municipality, profile key), those whose weekly digest may be due at `now` and is
        not known to be recorded (no database call: asked on every catch-up)."""
        ...

    def decide_digest(
        self, c: Any, d: Dialect, municipality: str, profile: str, duties: Sequence[Duty], now: datetime
    ) -> bool:
        """Record the municipality's digest due at `now` unless recorded before; True if new."""
        ...


@dataclass(frozen=True)
class CaseDuties:
    """One case judged at one moment: the rows `_write` keeps and the duties they came from."""

    case_id: str
    municipality: str
    version: int
    judged_at: datetime
    valid_until: datetime
    duties: list[Duty] = field(repr=False)
    rows: list[rows.DutyRow] = field(repr=False)
    consents: list[rows.ConsentRow]


class DutiesProjection:
    name = "duties"

    def __init__(
        self,
        events_of: Callable[[UUID], list[Any]],
        profile_of: Callable[[str], MunicipalProfile],
        clock: Callable[[], datetime],
        person_ref: Callable[[str, str], str],
        decider: Decider | None = None,
    ) -> None:
        self._events_of = events_of
        self._profile_of = profile_of
        self._clock = clock
        self._person_ref = person_ref
        self.decider = decider

    def create_statements(self, d: Dialect) -> list[str]:
        # The notification tables are created here, with the projection that writes them; a rebuild
        # (`reset`) leaves them: what was decided and delivered is a record, not a read model.
        return rows.create_statements(d) + notification_rows.create_statements(d)

    def reset(self, c: Any, d: Dialect) -> None:
        rows.delete_all(c, d)

    def apply(self, c: Any, d: Dialect, e: Any) -> None:
        """Judging is per case, not per event: the runner calls `judge` and `write`."""

    def judge(self, case_id: UUID) -> CaseDuties | None:
        """Judge a case now, before the runner opens its write transaction."""
        return self._judge(case_id, self._clock())

    def write(self, c: Any, d: Dialect, judged: CaseDuties, *, unless_newer: bool = False) -> None:
        """Keep the case's rows and decide its reminders with the same cursor (so with the position)."""
        if self._write(c, d, judged, unless_newer=unless_newer):
            self._decide(c, d, [judged])

    def discard(self, c: Any, d: Dialect, case_id: str) -> None:
        """A case that cannot be judged keeps no duty rows: old ones would be shown as if they held."""
        rows.delete_case(c, d, case_id)

    def lapsed(self, store: ProjectionStore) -> list[UUID]:
        """Cases whose judgement has lapsed with time (a batch of them); the runner judges them again."""
        return store.read(rows.lapsed, self._clock(), REFRESH_BATCH)

    def after_catch_up(self, store: ProjectionStore) -> None:
        """What time alone makes due beyond any one case: KE's weekly digests."""
        self._digests(store, self._clock())

    def _digests(self, store: ProjectionStore, now: datetime) -> None:
        if self.decider is None:
            return
        municipalities = [(m, self._profile_of(m).key) for m in store.read(rows.municipalities)]
        due = self.decider.digests_due(municipalities, now)
        if not due:
            return
        try:
            with store.writing() as c:
                for municipality, profile in due:
                    items = rows.tasks(c, store.d, now, municipality=municipality).items
                    duties = [duty_of_row(item, profile) for item in items]
                    self.decider.decide_digest(c, store.d, municipality, profile, duties, now)
        except IntegrityError:
            pass  # another process recorded the same digest (same id) at the same moment

    # ---------------------------------------------------------------- judging
    def _judge(self, case_id: UUID, now: datetime) -> CaseDuties | None:
        events = self._events_of(case_id)
        if not events:
            return None
        municipality = events[0].municipality
        duties = duties_of(events, self._profile_of(municipality), now)
        case: Any = None
        for event in events:
            case = event.mutate(case)
        ahead = [d.due_at for d in duties if d.due_at > now]
        if self.decider is not None:
            ahead += [m for m in (self.decider.next_due(d, now) for d in duties) if m is not None]
        return CaseDuties(
            str(case_id),
            municipality,
            events[-1].originator_version,
            now,
            min([now + JUDGEMENT_LIFETIME, *ahead]),
            duties,
            [row for duty in duties for row in self._rows(duty, case)],
            _consents(case),
        )

    def _rows(self, duty: Duty, case: Any) -> list[rows.DutyRow]:
        """One row per person who must act; a citizen or guardian by pseudonym, never by national id."""
        a = duty.assignee
        refs: list[str | None] = [None]
        if a.kind is AssigneeKind.SUBJECT:
            subject = case.subject
            if isinstance(subject, Subject) and isinstance(subject.national_id, str):
                refs = [self._person_ref(case.municipality, subject.national_id)]
        elif a.kind is AssigneeKind.GUARDIAN:
            guardians = list(case.guardians) if isinstance(case.guardians, tuple) else []  # none once erased
            chosen = [guardians[a.guardian]] if a.guardian is not None and a.guardian < len(guardians) else guardians
            found = [self._person_ref(case.municipality, g.national_id) for g in chosen if g.national_id]
            refs = list(dict.fromkeys(found)) or [None]
        return [
            rows.DutyRow(
                rule=duty.rule,
                task=duty.task.value,
                item=duty.item,
                deadline=duty.deadline.isoformat(),
                due_at=duty.due_at,
                status=duty.status.value,
                assignee_kind=a.kind.value,
                assignee_id=a.id,
                unit=a.unit,
                guardian=a.guardian,
                person_ref=ref,
                what=duty.what,
                evidence=duty.evidence,
            )
            for ref in refs
        ]

    def _write(self, c: Any, d: Dialect, j: CaseDuties, *, unless_newer: bool = False) -> bool:
        if unless_newer:
            # A refresh read the events before a batch of newer ones was judged (by another
            # process): the newer judgement stands, and so do its decisions.
            judged = rows.judged_version(c, d, j.case_id)
            if judged is not None and judged > j.version:
                return False
        rows.replace(
            c,
            d,
            case_id=j.case_id,
            municipality=j.municipality,
            version=j.version,
            judged_at=j.judged_at,
            valid_until=j.valid_until,
            duties=j.rows,
            consents=j.consents,
        )
        return True

    def _decide(self, c: Any, d: Dialect, judged: Sequence[CaseDuties]) -> None:
        if self.decider is None:
            return
        # One call per moment judged (a batch is judged at one), so the decider looks up together.
        moments: dict[datetime, list[Duty]] = {}
        for j in judged:
            moments.setdefault(j.judged_at, []).extend(j.duties)
        for moment, duties in moments.items():
            self.decider.decide(c, d, duties, moment)


def _consents(case: Any) -> list[rows.ConsentRow]:
    """The consents of an open case whose end is due to be recorded: with an end, not withdrawn
    as a whole, not yet recorded as expired."""
    if case is None or case.status is not CaseStatus.OPEN:
        return []
    found = []
    for consent in case.consents.values():
        ends = consent.ends_at
        if ends is not None and consent.withdrawn_at is None and consent.expired_at is None:
            found.append(rows.ConsentRow(str(consent.consent_id), ends))
    return found


def duty_of_row(item: dict[str, Any], profile: str) -> Duty:
    """A duty as the worklist row keeps it (what a digest counts: rule, task, status, deadline)."""
    a = item["assignee"]
    return Duty(
        case_id=UUID(item["case_id"]),
        municipality=item["municipality"],
        profile=profile,
        rule=item["rule"],
        task=Task(item["task"]),
        item=item["item"],
        deadline=date.fromisoformat(item["deadline"]),
        due_at=datetime.fromisoformat(item["due_at"]),
        status=DutyStatus(item["status"]),
        assignee=Assignee(AssigneeKind(a["kind"]), a["id"], a["unit"], a["guardian"]),
        what=item["what"],
        evidence=tuple(item["evidence"]),
    )
