"""A case's history as the checks read it: the events that had happened by
`today`, in the order they happened, with meetings, consents and the team
gathered from them. Pure: built from the events alone.

Dates are calendar days in Norway (Europe/Oslo): a deadline of "14 days"
from a request on 15 January ends at the end of 29 January, Norwegian time.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time, timedelta, timezone
from functools import cached_property
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ledger.events import (
    CaseOpened,
    ConsentExpired,
    ConsentGranted,
    ConsentSigned,
    ConsentWithdrawn,
    ParticipantAdded,
    ParticipantRemoved,
    ProvisionRequested,
)
from ledger.events_plan import (
    AgendaSent,
    CaseClosed,
    CaseReopened,
    KeyDestroyed,
    MeetingCancelled,
    MeetingHeld,
    MeetingScheduled,
    MinutesDistributed,
    TransferredOut,
)
from ledger.state import Consent, Participant
from ledger.values import Provision, WithdrawalScope, is_erased

try:
    NORWAY: Any = ZoneInfo("Europe/Oslo")
except ZoneInfoNotFoundError:  # a system without the tz database: Norwegian winter time
    NORWAY = timezone(timedelta(hours=1))


def in_norway(moment: datetime) -> datetime:
    """The moment on Norway's clock (a naive moment is taken as UTC). Within hours of the
    calendar's ends, where Norway's clock is outside it, the moment as it was written."""
    try:
        return aware(moment).astimezone(NORWAY)
    except OverflowError:
        return aware(moment)


def local_date(moment: datetime) -> date:
    """The Norwegian calendar day of a moment (a naive moment is taken as UTC)."""
    return in_norway(moment).date()


def due_instant(deadline: date | datetime) -> datetime:
    """The UTC moment a deadline passes: a moment is itself; a day's deadline runs to the end of
    that day in Norway. Held at the calendar's ends: the last day's end is "never"."""
    if isinstance(deadline, datetime):
        moment = aware(deadline)
    elif deadline >= date.max - timedelta(days=2):
        return datetime.max.replace(tzinfo=UTC)  # no day after it to end on
    else:
        moment = datetime.combine(deadline + timedelta(days=1), time.min, tzinfo=NORWAY)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # within hours of the calendar's ends
        return (datetime.max if moment.year > 1 else datetime.min).replace(tzinfo=UTC)


# The moments a question may name (a query's `due_before`, `as_of`): those on the calendar in UTC,
# year 1 to 9999 (`9999-12-31T23:59:59-01:00` is in year 10000 in UTC). Days: the whole calendar.
EARLIEST_MOMENT = datetime.min.replace(tzinfo=UTC)
LATEST_MOMENT = datetime.max.replace(tzinfo=UTC)


def askable(moment: datetime) -> bool:
    """Whether a moment lies on the calendar in UTC (a naive one is taken as UTC); the timeline holds
    such a moment at the calendar's ends wherever another clock would leave it."""
    try:
        return EARLIEST_MOMENT <= aware(moment).astimezone(UTC) <= LATEST_MOMENT
    except OverflowError:  # off the calendar in UTC
        return False


def add_days(day: date, days: int) -> date:
    """`day` plus `days`, held at the calendar's first or last day: a deadline past year 9999 is
    "never", one before year 1 "always", and judging a case never fails on it."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the last day of the month where it is shorter (31 Aug + 6 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if not MINYEAR <= year <= MAXYEAR:  # held at the calendar's ends, as `add_days`
        return date.max if year > MAXYEAR else date.min
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def fmt(day: date | datetime) -> str:
    """A date as Norwegians write it: 15.01.2026."""
    on = local_date(day) if isinstance(day, datetime) else day
    return f"{on.day:02d}.{on.month:02d}.{on.year}"  # as strftime("%d.%m.%Y"), a quarter of the time


def days_between(start: datetime, end: datetime) -> int:
    return (local_date(end) - local_date(start)).days


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@dataclass
class MeetingRecord:
    meeting_id: UUID
    scheduled: MeetingScheduled | None = None
    agendas: list[AgendaSent] = field(default_factory=list)
    held: MeetingHeld | None = None
    minutes: list[MinutesDistributed] = field(default_factory=list)
    cancelled: MeetingCancelled | None = None


@dataclass(frozen=True)
class HeldMeeting:
    held: MeetingHeld
    scheduled: MeetingScheduled | None
    agendas: tuple[AgendaSent, ...]
    minutes: tuple[MinutesDistributed, ...]

    @property
    def at(self) -> datetime:
        return self.held.occurred_at


@dataclass(frozen=True)
class ComingMeeting:
    """Scheduled, neither held nor cancelled."""

    scheduled: MeetingScheduled
    agendas: tuple[AgendaSent, ...]

    @property
    def at(self) -> datetime:
        return self.scheduled.scheduled_for


@dataclass
class ConsentRecord:
    state: Consent
    events: list[Any]

    def in_force(self, at: datetime) -> bool:
        return self.state.in_force(at)

    def covers(self, participant: Participant, at: datetime) -> bool:
        return bool(self.state.covers(participant.participant_id, participant.service, at))


@dataclass
class ParticipantRecord:
    state: Participant
    added: ParticipantAdded

    def active_at(self, at: datetime) -> bool:
        return self.state.added_at <= at and (self.state.removed_at is None or self.state.removed_at > at)


class Timeline:
    """The events that occurred by `today`, ordered by when they occurred
    (then by version, so events recorded late fall into place)."""

    def __init__(self, events: Sequence[Any], today: datetime) -> None:
        self.today = aware(today)
        self.today_date = local_date(self.today)
        happened = [e for e in events if aware(e.occurred_at) <= self.today]
        self.events: list[Any] = sorted(happened, key=lambda e: (aware(e.occurred_at), e.originator_version))
        # The checks ask for the same kinds of events again and again (a case of a thousand events
        # was scanned some thirty times per judgement): each kind is picked out once.
        self._of: dict[tuple[type, ...], tuple[Any, ...]] = {}
        self._by_type: dict[type, list[tuple[int, Any]]] = {}
        for i, e in enumerate(self.events):
            self._by_type.setdefault(type(e), []).append((i, e))
        self.opened: CaseOpened | None = self.first(CaseOpened)
        self.erasure: KeyDestroyed | None = self.first(KeyDestroyed)
        self.meetings = self._meetings()
        self.participants = self._participants()
        self.consents = self._consents()

    # ------------------------------------------------------------ events
    def of(self, *classes: type) -> list[Any]:
        found = self._of.get(classes)
        if found is None:
            kinds = [of_type for t, of_type in self._by_type.items() if issubclass(t, classes)]
            # In the timeline's order: by position, across the kinds asked for.
            picked = kinds[0] if len(kinds) == 1 else sorted(p for of_type in kinds for p in of_type)
            found = self._of[classes] = tuple(e for _, e in picked)
        return list(found)

    def first(self, *classes: type) -> Any | None:
        return next((e for e in self.events if isinstance(e, classes)), None)

    # ----------------------------------------------------- the case itself
    @property
    def requested(self) -> set[Provision]:
        asked: set[Provision] = set()
        for e in self.of(CaseOpened, ProvisionRequested):
            asked.update(e.requested)
        return asked

    @property
    def birth_date(self) -> date | None:
        """The subject's birth date (due date of an expected child); None once erased."""
        subject = self.opened.subject if self.opened is not None else None
        if subject is None or is_erased(subject):
            return None
        birth = getattr(subject, "birth_date", None)
        return birth if isinstance(birth, date) and not is_erased(birth) else None

    def age_on(self, day: date) -> int | None:
        birth = self.birth_date
        if birth is None:
            return None
        return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))

    def active_periods(self) -> list[tuple[datetime, datetime | None]]:
        """When the case was open: from opening (or reopening) to closing or transfer; None = still open."""
        periods: list[tuple[datetime, datetime | None]] = []
        start: datetime | None = None
        for e in self.of(CaseOpened, CaseClosed, CaseReopened, TransferredOut):
            if isinstance(e, (CaseOpened, CaseReopened)) and start is None:
                start = e.occurred_at
            elif isinstance(e, (CaseClosed, TransferredOut)) and start is not None:
                periods.append((start, e.occurred_at))
                start = None
        if start is not None:
            periods.append((start, None))
        return periods

    @property
    def closing(self) -> CaseClosed | None:
        """The closing in force: the last CaseClosed, unless the case was reopened after it."""
        last = None
        for e in self.of(CaseClosed, CaseReopened):
            last = e if isinstance(e, CaseClosed) else None
        return last

    @property
    def is_open(self) -> bool:
        periods = self.active_periods()
        return bool(periods) and periods[-1][1] is None

    @property
    def end(self) -> datetime:
        """Where the case's active time ends: its closing or transfer, or today."""
        periods = self.active_periods()
        last_end = periods[-1][1] if periods else None
        return last_end if last_end is not None else self.today

    # ------------------------------------------------------------ meetings
    def _meetings(self) -> dict[UUID, MeetingRecord]:
        meetings: dict[UUID, MeetingRecord] = {}
        for e in self.of(MeetingScheduled, AgendaSent, MeetingHeld, MinutesDistributed, MeetingCancelled):
            record = meetings.setdefault(e.meeting_id, MeetingRecord(e.meeting_id))
            if isinstance(e, MeetingScheduled):
                record.scheduled = e
            elif isinstance(e, AgendaSent):
                record.agendas.append(e)
            elif isinstance(e, MeetingHeld):
                record.held = e
            elif isinstance(e, MinutesDistributed):
                record.minutes.append(e)
            else:
                record.cancelled = e
        return meetings

    @property
    def held_meetings(self) -> list[HeldMeeting]:
        """Meetings held, in the order they were held."""
        return list(self._held_meetings)

    @cached_property
    def _held_meetings(self) -> tuple[HeldMeeting, ...]:
        # Asked for by several checks; the meetings are fixed once the timeline is made.
        held = [
            HeldMeeting(m.held, m.scheduled, tuple(m.agendas), tuple(m.minutes))
            for m in self.meetings.values()
            if m.held is not None
        ]
        return tuple(sorted(held, key=lambda m: (m.at, m.held.originator_version)))

    @property
    def first_meeting(self) -> HeldMeeting | None:
        held = self.held_meetings
        return held[0] if held else None

    def coming_meetings(self) -> list[ComingMeeting]:
        """Meetings scheduled for today or later, neither held nor cancelled, nearest first."""
        coming = [
            ComingMeeting(m.scheduled, tuple(m.agendas))
            for m in self.meetings.values()
            if m.scheduled is not None
            and m.held is None
            and m.cancelled is None
            and local_date(m.scheduled.scheduled_for) >= self.today_date
        ]
        return sorted(coming, key=lambda m: m.at)

    def next_meeting(self) -> MeetingScheduled | None:
        """The nearest meeting scheduled after this moment, neither held nor cancelled."""
        later = [m.scheduled for m in self.coming_meetings() if aware(m.at) > self.today]
        return later[0] if later else None

    # --------------------------------------------------- team and consent
    def _participants(self) -> dict[UUID, ParticipantRecord]:
        team: dict[UUID, ParticipantRecord] = {}
        for e in self.of(ParticipantAdded, ParticipantRemoved):
            if isinstance(e, ParticipantAdded):
                state = Participant(e.participant_id, e.person_id, e.person_name, e.service, e.role, e.occurred_at)
                team[e.participant_id] = ParticipantRecord(state, e)
            elif e.participant_id in team:
                team[e.participant_id].state.removed_at = e.occurred_at
        return team

    def _consents(self) -> dict[UUID, ConsentRecord]:
        """Consents as INV-05 reads them (the same rules as the case's appliers)."""
        consents: dict[UUID, ConsentRecord] = {}
        for e in self.of(ConsentGranted, ConsentSigned, ConsentWithdrawn, ConsentExpired):
            if isinstance(e, ConsentGranted):
                complete = set(e.required_refs) <= set(e.signer_refs)
                state = Consent(
                    consent_id=e.consent_id,
                    giver_role=e.giver_role,
                    required_refs=frozenset(e.required_refs),
                    signed_refs=set(e.signer_refs),
                    participants=set(e.participants),
                    services=set(e.services),
                    categories=set(e.categories),
                    valid_until=e.valid_until,
                    granted_at=e.occurred_at,
                    in_force_from=e.occurred_at if complete else None,
                )
                consents[e.consent_id] = ConsentRecord(state, [e])
                continue
            record = consents.get(e.consent_id)
            if record is None:
                continue
            record.events.append(e)
            consent = record.state
            if isinstance(e, ConsentSigned):
                consent.signed_refs.add(e.signer_ref)
                if consent.in_force_from is None and consent.required_refs <= consent.signed_refs:
                    consent.in_force_from = e.occurred_at
            elif isinstance(e, ConsentWithdrawn):
                if e.scope is WithdrawalScope.ALL:
                    consent.withdrawn_at = consent.withdrawn_at or e.occurred_at
                for pid in e.participants:
                    consent.withdrawn_participants.setdefault(pid, e.occurred_at)
                for category in e.categories:
                    consent.withdrawn_categories.setdefault(category, e.occurred_at)
            else:
                consent.expired_at = e.occurred_at
        return consents

    def consents_in_force(self, at: datetime) -> list[ConsentRecord]:
        return [c for c in self.consents.values() if c.in_force(at)]

    def covered(self, participant: ParticipantRecord, at: datetime) -> list[ConsentRecord]:
        """The consents in force at `at` that let this participant read something."""
        return [c for c in self.consents.values() if c.covers(participant.state, at)]
