"""The orjson transcoder round-trips every supported value exactly, type and all."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.values import (
    ERASED,
    Actor,
    ActorRef,
    ConsentGiverRole,
    Guardian,
    GuardianKind,
    InfoCategory,
    Person,
    Provision,
    Role,
    Signer,
    Subject,
)
from store.transcoder import OrjsonTranscoder, default_types

TRANSCODER = OrjsonTranscoder()

VALUE_ENUMS = [cls for cls in default_types() if issubclass(cls, enum.Enum)]
TAG_LIKE = ["$dt", "$date", "$tuple", "$dict", "$map", "$b64", "$erased", "$Role", "$Actor", "$", "$nope"]


def roundtrip(value: Any) -> Any:
    return TRANSCODER.decode(TRANSCODER.encode(value))


def assert_same_types(a: Any, b: Any) -> None:
    """Walk both values and require identical types everywhere (and, where ==
    is too lenient, identical UTC offsets and Decimal digits/exponents)."""
    assert type(a) is type(b), f"{type(a).__name__} != {type(b).__name__}: {a!r} vs {b!r}"
    if isinstance(a, dict):
        assert len(a) == len(b)
        b_keys = {k: k for k in b}  # look up b's own key object
        for key, value in a.items():
            b_key = b_keys[key]
            assert_same_types(key, b_key)
            assert_same_types(value, b[b_key])
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same_types(x, y)
    elif isinstance(a, datetime):
        assert a.utcoffset() == b.utcoffset()
    elif isinstance(a, Decimal):
        assert a.as_tuple() == b.as_tuple()
    elif isinstance(a, enum.Enum) or a is ERASED:
        assert a is b
    elif hasattr(a, "__dataclass_fields__"):
        for name in a.__dataclass_fields__:
            assert_same_types(getattr(a, name), getattr(b, name))


# -- strategies ---------------------------------------------------------------

texts = st.text() | st.sampled_from(TAG_LIKE) | st.just("æ ø å Æ Ø Å")
optional_texts = st.none() | texts
enums = st.one_of(*(st.sampled_from(cls) for cls in VALUE_ENUMS))

fixed_offsets = st.timedeltas(
    min_value=-timedelta(hours=23, minutes=59, seconds=59), max_value=timedelta(hours=23, minutes=59, seconds=59)
).map(timezone)


def _unambiguous(dt: datetime) -> bool:
    return dt.replace(fold=1 - dt.fold).utcoffset() == dt.utcoffset()


# Inter-zone == is always False at an ambiguous wall time (PEP 495), so named
# zones only give times whose offset does not depend on `fold`.
aware_datetimes = st.datetimes(timezones=fixed_offsets) | st.datetimes(
    timezones=st.timezones(), allow_imaginary=False
).filter(_unambiguous)

value_objects = st.one_of(
    st.builds(
        Actor,
        id=texts,
        role=st.sampled_from(Role),
        municipality=texts,
        name=texts,
        service=optional_texts,
        pid=optional_texts,
    ),
    st.builds(ActorRef, id=texts, role=st.sampled_from(Role), municipality=texts, service=optional_texts),
    st.builds(Person, id=texts, name=texts),
    st.builds(Guardian, name=texts, national_id=optional_texts, kind=st.sampled_from(GuardianKind)),
    st.builds(
        Subject,
        birth_date=st.none() | st.dates(),
        name=optional_texts,
        national_id=optional_texts,
        expected=st.booleans(),
    ),
    st.builds(Signer, role=st.sampled_from(ConsentGiverRole), name=texts, national_id=optional_texts),
)

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.integers(),
    st.floats(allow_nan=False),
    texts,
    st.binary(),
    aware_datetimes,
    st.dates(),
    st.uuids(),
    st.decimals(allow_nan=False, allow_infinity=False),
    enums,
    value_objects,
    st.just(ERASED),
)

hashable_keys = st.one_of(st.integers(), texts, st.uuids(), st.dates(), enums, st.tuples(st.integers(), texts))

values = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=5).map(tuple),
        st.dictionaries(texts, children, max_size=5),
        st.dictionaries(st.sampled_from(TAG_LIKE), children, max_size=1),
        st.dictionaries(hashable_keys, children, max_size=3),
    ),
    max_leaves=25,
)


# -- property -----------------------------------------------------------------


@given(values)
def test_every_supported_value_round_trips_with_identical_types(value: Any) -> None:
    """Any nesting of supported values decodes equal to the original, type for type."""
    decoded = roundtrip(value)
    assert decoded == value
    assert_same_types(value, decoded)


@given(values)
def test_the_output_is_always_valid_json(value: Any) -> None:
    """Whatever is encoded parses as JSON with both orjson and the standard library."""
    data = TRANSCODER.encode(value)
    assert orjson.loads(data) == json.loads(data.decode("utf-8"))


# -- specific cases -----------------------------------------------------------


def test_a_naive_datetime_is_refused() -> None:
    """Encoding a datetime without a UTC offset raises TypeError."""
    with pytest.raises(TypeError, match="naive datetime"):
        TRANSCODER.encode({"occurred_at": datetime(2024, 5, 1, 12, 0)})


def test_an_aware_datetime_keeps_its_instant_microseconds_and_offset() -> None:
    """A datetime comes back with the same wall time, microseconds and UTC offset."""
    value = datetime(2024, 3, 31, 2, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    decoded = roundtrip(value)
    assert decoded == value
    assert decoded.utcoffset() == timedelta(hours=2)
    assert decoded.isoformat() == value.isoformat()


def test_an_offset_under_one_second_survives() -> None:
    """Sub-second UTC offsets, which Python 3.11's fromisoformat reads as UTC, come back intact."""
    for offset in [timedelta(microseconds=1), timedelta(microseconds=-999_999), timedelta(seconds=1, microseconds=5)]:
        value = datetime(2000, 1, 1, 12, 0, 0, 42, tzinfo=timezone(offset))
        decoded = roundtrip(value)
        assert decoded == value
        assert decoded.utcoffset() == offset


def test_a_date_is_not_confused_with_a_datetime() -> None:
    """A date stays a date and an aware datetime stays a datetime."""
    decoded = roundtrip([date(2024, 1, 2), datetime(2024, 1, 2, tzinfo=UTC)])
    assert type(decoded[0]) is date
    assert type(decoded[1]) is datetime


def test_a_dict_whose_key_looks_like_a_tag_round_trips() -> None:
    """User dicts with tag-like keys are escaped and not read as tags."""
    value = {"$dt": "not a date", "nested": [{"$tuple": [1, 2]}, {"$dict": {"$Role": "admin"}}]}
    value["nested"].append({"$erased": None})
    decoded = roundtrip(value)
    assert decoded == value
    assert_same_types(value, decoded)


def test_a_string_that_looks_like_a_tag_stays_a_string() -> None:
    """Tag-like strings are plain strings wherever they appear."""
    value = ["$dt", ("$tuple",), {"k": "$erased"}]
    assert roundtrip(value) == value


def test_an_unknown_tag_in_stored_bytes_raises_value_error() -> None:
    """A tag that is neither built in nor registered is rejected, never imported."""
    with pytest.raises(ValueError, match="unknown tag '\\$os.system'"):
        TRANSCODER.decode(b'{"x": {"$os.system": "rm -rf /"}}')
    with pytest.raises(ValueError, match="unknown tag"):
        TRANSCODER.decode(b'{"$Path": "/etc/passwd"}')


def test_a_tampered_dataclass_payload_raises_value_error() -> None:
    """Unknown or missing fields of a registered dataclass are rejected."""
    with pytest.raises(ValueError, match="unknown fields"):
        TRANSCODER.decode(b'{"$Person": {"id": "1", "name": "x", "__class__": "y"}}')
    with pytest.raises(ValueError, match="cannot rebuild"):
        TRANSCODER.decode(b'{"$Person": {"id": "1"}}')


def test_erased_round_trips_by_identity() -> None:
    """The ERASED sentinel decodes to the very same object, even nested."""
    decoded = roundtrip({"name": ERASED, "more": (ERASED, [ERASED])})
    assert decoded["name"] is ERASED
    assert decoded["more"][0] is ERASED
    assert decoded["more"][1][0] is ERASED


def test_a_decimal_keeps_its_exponent_and_sign() -> None:
    """Decimal("1.10") keeps its trailing zero and Decimal("-0") its sign."""
    for text in ["1.10", "-0", "-0.000", "1E+3", "123456789012345678901234567890.123456789"]:
        value = Decimal(text)
        assert roundtrip(value).as_tuple() == value.as_tuple()


def test_a_decimal_nan_is_refused() -> None:
    """NaN cannot round-trip as an equal value, so it is refused on encode."""
    with pytest.raises(ValueError, match="NaN"):
        TRANSCODER.encode(Decimal("NaN"))


def test_norwegian_characters_survive() -> None:
    """Æ, Ø and Å (and other unicode) come back unchanged and are stored as UTF-8."""
    value = {"navn": "Åse Ødegård Ærø", "by": "Tromsø", "emoji": "🙂"}
    data = TRANSCODER.encode(value)
    assert "Ødegård".encode() in data
    assert TRANSCODER.decode(data) == value


def test_the_output_is_valid_json() -> None:
    """Encoded bytes parse with orjson.loads."""
    data = TRANSCODER.encode({"when": datetime(2024, 1, 1, tzinfo=UTC), "who": Person("1", "Kari")})
    assert isinstance(orjson.loads(data), dict)


def test_bytes_are_stored_as_base64() -> None:
    """Bytes round-trip through a base64 string."""
    value = bytes(range(256))
    assert orjson.loads(TRANSCODER.encode(value)) == {
        "$b64": (
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZH"
            "SElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6P"
            "kJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX"
            "2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w=="
        )
    }
    assert roundtrip(value) == value


def test_ints_at_and_beyond_the_64_bit_limits_round_trip() -> None:
    """Ints keep their exact value and type, even outside the 64-bit range."""
    value = [-(2**63), 2**63 - 1, 2**64 - 1, 2**64, -(2**63) - 1, 10**40, True, 0]
    decoded = roundtrip(value)
    assert decoded == value
    assert_same_types(value, decoded)


def test_non_finite_floats_keep_their_type() -> None:
    """Infinities and NaN are tagged instead of silently becoming null."""
    inf, neg_inf, nan = roundtrip([float("inf"), float("-inf"), float("nan")])
    assert inf == float("inf") and neg_inf == float("-inf")
    assert isinstance(nan, float) and nan != nan


def test_enums_decode_to_the_same_member() -> None:
    """Enum members from ledger.values come back as the identical member."""
    for member in [Role.ADMIN, Provision.RELAY_LOG, InfoCategory.HEALTH]:
        assert roundtrip(member) is member


def test_value_dataclasses_round_trip_with_nested_values() -> None:
    """Frozen value dataclasses rebuild with their enum and date fields intact."""
    value = (
        Actor(id="u1", role=Role.COORDINATOR, municipality="3443", name="Åse", service="NAV"),
        Subject(birth_date=date(2019, 6, 1), name="Ola", expected=True),
        Guardian(name="Kari", kind=GuardianKind.VERGE),
    )
    decoded = roundtrip(value)
    assert decoded == value
    assert_same_types(value, decoded)


def test_a_dict_with_non_string_keys_round_trips() -> None:
    """Dicts keyed by UUIDs or enums keep their key types."""
    value = {UUID(int=1): "a", InfoCategory.HEALTH: datetime(2024, 1, 1, tzinfo=UTC), 3: None}
    decoded = roundtrip(value)
    assert decoded == value
    assert_same_types(value, decoded)


def test_an_unsupported_type_is_refused_naming_the_type() -> None:
    """Encoding a set or an unregistered class raises TypeError naming the type."""
    with pytest.raises(TypeError, match="set"):
        TRANSCODER.encode({"s": {1, 2}})

    class Stranger:
        pass

    with pytest.raises(TypeError, match="Stranger"):
        TRANSCODER.encode([Stranger()])


@dataclass(frozen=True)
class Extra:
    label: str
    when: date


class Colour(enum.Enum):
    RED = 1
    BLUE = (2, "two")


def test_extra_types_can_be_registered() -> None:
    """Extra enums and dataclasses round-trip once given to the constructor."""
    with pytest.raises(TypeError, match="Extra"):
        TRANSCODER.encode(Extra("x", date(2024, 1, 1)))
    transcoder = OrjsonTranscoder(extra_types=[Extra, Colour])
    value = [Extra("x", date(2024, 1, 1)), Colour.RED, Colour.BLUE, Role.CITIZEN]
    decoded = transcoder.decode(transcoder.encode(value))
    assert decoded == value
    assert_same_types(value, decoded)


def test_a_clashing_extra_type_name_is_refused() -> None:
    """Registering a different class under a name already taken raises ValueError."""

    @dataclass(frozen=True)
    class Person:
        nickname: str

    with pytest.raises(ValueError, match="already taken"):
        OrjsonTranscoder(extra_types=[Person])


def test_only_enums_and_dataclasses_can_be_registered() -> None:
    """Registering an arbitrary class raises TypeError."""
    with pytest.raises(TypeError, match="Enum subclasses and dataclasses"):
        OrjsonTranscoder(extra_types=[dict])


def test_invalid_json_raises_value_error() -> None:
    """Corrupt stored bytes raise ValueError."""
    with pytest.raises(ValueError, match="not valid JSON"):
        TRANSCODER.decode(b"{not json")
