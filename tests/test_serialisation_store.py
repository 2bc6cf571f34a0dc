"""Events come back from the store exactly as they went in: every value
with its type, datetimes with their UTC offset and microseconds, Decimals
with their digits, the sealed personal fields included."""

from __future__ import annotations

import dataclasses
import enum
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from commands.case_commands import HoldStartupConversation
from commands.plan_commands import CloseCase, EstablishPlan, ReceiveComplaint, ScheduleMeeting, SetGoal
from ledger.event_base import CaseEvent
from ledger.values import ActorRef, LifeArea, PlanTool, Provision, Role, Subject
from store.mapper import KID, SEALED, CaseMapper
from store.transcoder import OrjsonTranscoder, default_types
from tests.support.cases import coordinator, ke, running_case, subject_consent
from tests.support.clock import TODAY
from tests.support.privacy import in_memory_keyring

KINDS = ("at", "day", "ref", "kind", "amount", "items", "subject")


class SampleRecorded(CaseEvent):
    """A test-only event with every kind of value twice: in clear, and sealed."""

    at: datetime
    day: date
    ref: UUID
    kind: enum.Enum
    amount: Decimal
    items: tuple[Any, ...]
    subject: Subject | None
    private_at: datetime
    private_day: date
    private_ref: UUID
    private_kind: enum.Enum
    private_amount: Decimal
    private_items: tuple[Any, ...]
    private_subject: Subject | None

    PUBLIC = frozenset(KINDS)


def assert_identical(a: Any, b: Any) -> None:
    """Equal, of the same type all the way down, and where == is too lenient
    (UTC offsets, Decimal exponents and signs) identical in form too."""
    assert type(a) is type(b), f"{type(a).__name__} != {type(b).__name__}: {a!r} vs {b!r}"
    if isinstance(a, datetime):
        assert (a, a.utcoffset(), a.replace(tzinfo=None)) == (b, b.utcoffset(), b.replace(tzinfo=None))
    elif isinstance(a, Decimal):
        assert a.as_tuple() == b.as_tuple()  # 1.10 is not 1.1, -0 is not 0
    elif isinstance(a, tuple | list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_identical(x, y)
    elif dataclasses.is_dataclass(a):
        for field in dataclasses.fields(a):
            assert_identical(getattr(a, field.name), getattr(b, field.name))
    elif isinstance(a, enum.Enum):
        assert a is b
    else:
        assert a == b


def assert_same_event(handled: Any, loaded: Any) -> None:
    assert type(loaded) is type(handled)
    assert vars(loaded).keys() == vars(handled).keys()
    for name, value in vars(handled).items():
        assert_identical(value, getattr(loaded, name))


# -- strategies ---------------------------------------------------------------

fixed_offsets = st.timedeltas(
    min_value=-timedelta(hours=23, minutes=59, seconds=59, microseconds=999999),
    max_value=timedelta(hours=23, minutes=59, seconds=59, microseconds=999999),
).map(timezone)
named_zones = st.timezones()


def _unambiguous(dt: datetime) -> bool:
    # At a repeated wall time a named zone's offset depends on `fold`, which
    # an ISO string does not carry: such times cannot keep their offset.
    return dt.replace(fold=1 - dt.fold).utcoffset() == dt.utcoffset()


aware_datetimes = st.datetimes(timezones=fixed_offsets) | st.datetimes(
    timezones=named_zones, allow_imaginary=False
).filter(_unambiguous)
enums = st.one_of(*(st.sampled_from(cls) for cls in default_types() if issubclass(cls, enum.Enum)))
# NaN is refused on the way in (it never equals itself); infinities, signed
# zeros, huge exponents and money-like amounts are all kept exactly.
decimals = st.decimals(allow_nan=False, allow_infinity=True) | st.decimals(
    places=2, min_value=-(10**9), max_value=10**9
)
subjects = st.none() | st.builds(
    Subject,
    birth_date=st.none() | st.dates(),
    name=st.none() | st.text(),
    national_id=st.none() | st.text(st.characters(categories=["Nd"]), max_size=11),
    expected=st.booleans(),
)
items = st.lists(st.one_of(aware_datetimes, st.dates(), st.uuids(), enums, decimals), max_size=4).map(tuple)
strategy_of = {
    "at": aware_datetimes,
    "day": st.dates(),
    "ref": st.uuids(),
    "kind": enums,
    "amount": decimals,
    "items": items,
    "subject": subjects,
}
sample_fields = st.fixed_dictionaries({**strategy_of, **{f"private_{k}": s for k, s in strategy_of.items()}})


@st.composite
def sample_events(draw: st.DrawFn) -> SampleRecorded:
    return SampleRecorded(
        originator_id=draw(st.uuids()),
        originator_version=draw(st.integers(min_value=1, max_value=2**40)),
        timestamp=draw(aware_datetimes),
        occurred_at=draw(aware_datetimes),
        recorded_by=ActorRef(
            id=draw(st.text(max_size=10)),
            role=draw(st.sampled_from(Role)),
            municipality="3447",
            service=draw(st.none() | st.text(max_size=10)),
        ),
        recorded_by_name=draw(st.text()),
        **draw(sample_fields),
    )


KEYRING, KEY_ROWS = in_memory_keyring()
MAPPER = CaseMapper(OrjsonTranscoder(), KEYRING)


@given(sample_events())
def test_events_round_trip_exactly_through_the_mapper_sealed_fields_included(event):
    """Datetimes (any offset, microseconds), dates, UUIDs, enums and Decimals come back identical, sealed or not."""
    case_id = event.originator_id
    new_key = KEYRING.prepare_write(case_id)
    if new_key is not None:
        KEY_ROWS[case_id] = [(new_key.kid, new_key.wrapped)]  # as the insert transaction would
    try:
        stored = MAPPER.to_stored_event(event)
    finally:
        KEYRING.finish_write(case_id)
    in_clear = OrjsonTranscoder().decode(stored.state)

    loaded = MAPPER.to_domain_event(stored)

    assert {KID, SEALED} <= in_clear.keys() and not any(k.startswith("private_") for k in in_clear)
    assert_same_event(event, loaded)


def test_a_cases_events_are_loaded_back_identical_to_the_events_handled(ledger, monkeypatch):
    """Every event a run of commands produced reads back from the store field for field, type for type."""
    handled: list[Any] = []
    to_stored = ledger.app.events.mapper.to_stored_event

    def keep(event: Any) -> Any:
        handled.append(event)
        return to_stored(event)

    monkeypatch.setattr(ledger.app.events.mapper, "to_stored_event", keep)
    oslo_summer = timezone(timedelta(hours=2))
    fx = running_case(ledger, name="Åse Ødegård Testesen")
    app = ledger.app
    app.handle(subject_consent(fx))
    app.handle(EstablishPlan(actor=coordinator(), case_id=fx.case_id, tool=PlanTool.INDIVIDUAL_PLAN))
    app.handle(
        SetGoal(
            actor=coordinator(),
            case_id=fx.case_id,
            text="Egen bolig",
            life_area=LifeArea.HOUSING,
            responsible_service="Bolig",
            evaluate_by=date(2027, 6, 1),
        )
    )
    app.handle(
        ScheduleMeeting(
            actor=coordinator(),
            case_id=fx.case_id,
            invitees=(fx.participants["nav"],),
            scheduled_for=datetime(2027, 6, 3, 9, 30, 15, 123456, tzinfo=oslo_summer),
        )
    )
    app.handle(
        HoldStartupConversation(
            actor=coordinator(),
            case_id=fx.case_id,
            what_matters="Jobb",
            interpreter_needed=True,
            interpreter_language="tigrinja",
        )
    )
    app.handle(
        CloseCase(
            actor=coordinator(), case_id=fx.case_id, reason="Flyttet", assessment="Vurdert", agreed_by_subject=False
        )
    )
    app.handle(
        ReceiveComplaint(
            actor=ke(),
            case_id=fx.case_id,
            concerns=(Provision.INDIVIDUAL_PLAN,),
            text="Klage",
            received_at=(TODAY - timedelta(days=1)).astimezone(timezone(-timedelta(hours=3, minutes=30))),
        )
    )

    loaded = app.case_events(fx.case_id)

    assert len(loaded) == len(handled) == app.load_case(fx.case_id, ke()).version
    for event, back in zip(handled, loaded, strict=True):
        assert_same_event(event, back)
