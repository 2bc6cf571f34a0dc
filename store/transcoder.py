"""A closed, exact, orjson-backed transcoder for stored event state.

The library's `JSONTranscoder` is open-ended and lossy in places we care
about (tuples become lists); this one round-trips every supported value with
its exact type, and resolves classes only from a closed registry, so a
tampered database can never make the decoder instantiate an arbitrary class.

Wire format: plain JSON. Values JSON has natively (None, bool, int that fits
64 bits, finite float, str, list, dict with str keys) are written as is.
Everything else is a *tagged value*: a JSON object with exactly one key, the
tag, which starts with "$":

    {"$tuple": [...]}            tuple (items encoded recursively)
    {"$b64": "aGk="}             bytes, standard base64
    {"$dt": "2024-05-01T12:00:00.000001+02:00"}   aware datetime (isoformat)
    {"$date": "2024-05-01"}      date
    {"$uuid": "0f0e...-..."}     UUID
    {"$dec": "1.10"}             Decimal, str() form (keeps sign and exponent)
    {"$int": "18446744073709551616"}   int outside the 64-bit range
    {"$float": "nan"}            non-finite float (JSON has no nan/inf)
    {"$erased": null}            the ledger.values.ERASED sentinel
    {"$dict": {...}}             a user dict with one key that starts with "$"
                                 (escaped so it cannot pass for a tag; its
                                 key is taken verbatim, its value decoded)
    {"$map": [[k, v], ...]}      a dict with a key that is not a str
    {"$Role": "admin"}           enum member: "$" + class name, member value
    {"$Actor": {"id": ..., ...}} dataclass: "$" + class name, init fields

A decoded object is a tag if and only if it has exactly one key and that key
starts with "$"; an unknown tag is a `ValueError`.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import enum
import math
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Transcoder

from ledger import values as _values_module
from ledger.values import ERASED, Erased

__all__ = ["OrjsonTranscoder", "default_types"]

_INT_MIN = -(1 << 63)
_INT_MAX = (1 << 64) - 1  # orjson writes unsigned 64-bit ints too

# Built-in tags; registered class tags are "$" + class name.
_BUILTIN_TAGS = frozenset(
    {"$tuple", "$b64", "$dt", "$date", "$uuid", "$dec", "$int", "$float", "$erased", "$dict", "$map"}
)

_PASSTHROUGH = frozenset({str, bool, type(None)})
_CONTAINERS = frozenset({dict, list})  # the only loaded JSON values that may need decoding


def default_types() -> list[type]:
    """Every Enum subclass and dataclass defined in `ledger.values`."""
    found: list[type] = []
    for obj in vars(_values_module).values():
        if not isinstance(obj, type) or obj.__module__ != _values_module.__name__:
            continue
        if (issubclass(obj, enum.Enum) and len(obj) > 0) or dataclasses.is_dataclass(obj):
            found.append(obj)
    return found


class OrjsonTranscoder(Transcoder):
    """Encodes event state as JSON bytes with orjson; decodes it exactly.

    `extra_types` registers further Enum subclasses and dataclasses (by class
    name) on top of those defined in `ledger.values`.
    """

    def __init__(self, extra_types: Iterable[type] = ()) -> None:
        # exact type -> function turning an object into JSON-native data
        self._encoders: dict[type, Callable[[Any], Any]] = {
            int: self._encode_int,
            float: self._encode_float,
            dict: self._encode_dict,
            list: self._encode_list,
            tuple: self._encode_tuple,
            bytes: _encode_bytes,
            datetime: _encode_datetime,
            date: _encode_date,
            UUID: _encode_uuid,
            Decimal: _encode_decimal,
            Erased: _encode_erased,
        }
        # tag -> function turning the tagged payload back into an object
        self._decoders: dict[str, Callable[[Any], Any]] = {
            "$tuple": self._decode_tuple,
            "$b64": _decode_bytes,
            "$dt": _decode_datetime,
            "$date": _decode_date,
            "$uuid": _decode_uuid,
            "$dec": _decode_decimal,
            "$int": _decode_int,
            "$float": _decode_float,
            "$erased": _decode_erased,
            "$dict": self._decode_escaped_dict,
            "$map": self._decode_map,
        }
        self._registered: dict[str, type] = {}
        for cls in [*default_types(), *extra_types]:
            self._register(cls)

    # -- registry ---------------------------------------------------------

    def _register(self, cls: type) -> None:
        if not isinstance(cls, type) or not (issubclass(cls, enum.Enum) or dataclasses.is_dataclass(cls)):
            raise TypeError(f"can only register Enum subclasses and dataclasses, not {cls!r}")
        name = cls.__name__
        tag = "$" + name
        known = self._registered.get(name)
        if known is cls:
            return
        if known is not None or tag in _BUILTIN_TAGS:
            raise ValueError(f"cannot register {cls.__module__}.{cls.__qualname__}: tag {tag!r} is already taken")
        if issubclass(cls, enum.Enum):
            self._encoders[cls] = self._enum_encoder(tag)
            self._decoders[tag] = self._enum_decoder(cls)
        else:
            names = tuple(f.name for f in dataclasses.fields(cls) if f.init)
            self._encoders[cls] = self._dataclass_encoder(tag, names)
            self._decoders[tag] = self._dataclass_decoder(cls, names)
        self._registered[name] = cls

    # -- Transcoder interface ---------------------------------------------

    def encode(self, obj: Any) -> bytes:
        """Encodes `obj` as UTF-8 JSON bytes."""
        return orjson.dumps(self._encode(obj))

    def decode(self, data: bytes) -> Any:
        """Decodes bytes made by `encode` back into the exact object."""
        try:
            loaded = orjson.loads(data)
        except orjson.JSONDecodeError as e:
            raise ValueError(f"stored state is not valid JSON: {e}") from e
        return self._decode(loaded)

    # -- encoding ---------------------------------------------------------

    def _encode(self, obj: Any) -> Any:
        cls = type(obj)
        if cls in _PASSTHROUGH:
            return obj
        encoder = self._encoders.get(cls)
        if encoder is None:
            raise TypeError(f"cannot encode object of type {cls.__module__}.{cls.__qualname__}: {obj!r}")
        return encoder(obj)

    @staticmethod
    def _encode_int(obj: int) -> Any:
        if _INT_MIN <= obj <= _INT_MAX:
            return obj
        return {"$int": str(obj)}

    @staticmethod
    def _encode_float(obj: float) -> Any:
        if math.isfinite(obj):
            return obj
        return {"$float": repr(obj)}

    def _encode_dict(self, obj: dict[Any, Any]) -> Any:
        encode = self._encode
        out: dict[str, Any] = {}
        for key, value in obj.items():
            if type(key) is not str:
                return self._encode_map(obj)
            tv = type(value)
            if tv is str or tv is bool or value is None or (tv is int and _INT_MIN <= value <= _INT_MAX):
                out[key] = value  # fast path for the common leaves
            else:
                out[key] = encode(value)
        if len(out) == 1 and key.startswith("$"):
            return {"$dict": out}
        return out

    def _encode_map(self, obj: dict[Any, Any]) -> Any:
        encode = self._encode
        return {"$map": [[encode(k), encode(v)] for k, v in obj.items()]}

    def _encode_list(self, obj: list[Any]) -> Any:
        encode = self._encode
        return [encode(item) for item in obj]

    def _encode_tuple(self, obj: tuple[Any, ...]) -> Any:
        encode = self._encode
        return {"$tuple": [encode(item) for item in obj]}

    def _enum_encoder(self, tag: str) -> Callable[[Any], Any]:
        encode = self._encode

        def encode_enum(obj: enum.Enum) -> Any:
            return {tag: encode(obj.value)}

        return encode_enum

    def _dataclass_encoder(self, tag: str, names: tuple[str, ...]) -> Callable[[Any], Any]:
        encode = self._encode

        def encode_dataclass(obj: Any) -> Any:
            return {tag: {name: encode(getattr(obj, name)) for name in names}}

        return encode_dataclass

    # -- decoding ---------------------------------------------------------

    def _decode(self, obj: Any) -> Any:
        cls = type(obj)
        if cls is dict:
            if len(obj) == 1:
                ((key, payload),) = obj.items()
                if key.startswith("$"):
                    decoder = self._decoders.get(key)
                    if decoder is None:
                        raise ValueError(f"unknown tag {key!r} in stored state: not a built-in tag or registered type")
                    return decoder(payload)
            decode = self._decode
            return {k: decode(v) if type(v) in _CONTAINERS else v for k, v in obj.items()}
        if cls is list:
            decode = self._decode
            return [decode(item) if type(item) in _CONTAINERS else item for item in obj]
        return obj

    def _decode_tuple(self, payload: Any) -> tuple[Any, ...]:
        decode = self._decode
        return tuple(decode(item) for item in _expect(payload, list, "$tuple"))

    def _decode_escaped_dict(self, payload: Any) -> dict[str, Any]:
        decode = self._decode
        return {k: decode(v) for k, v in _expect(payload, dict, "$dict").items()}

    def _decode_map(self, payload: Any) -> dict[Any, Any]:
        decode = self._decode
        out: dict[Any, Any] = {}
        for pair in _expect(payload, list, "$map"):
            if type(pair) is not list or len(pair) != 2:
                raise ValueError(f"malformed '$map' entry in stored state: {pair!r}")
            try:
                out[decode(pair[0])] = decode(pair[1])
            except TypeError as e:  # unhashable key
                raise ValueError(f"malformed '$map' key in stored state: {pair[0]!r}") from e
        return out

    def _enum_decoder(self, cls: type[enum.Enum]) -> Callable[[Any], Any]:
        decode = self._decode

        def decode_enum(payload: Any) -> enum.Enum:
            return cls(decode(payload))  # ValueError if no such member

        return decode_enum

    def _dataclass_decoder(self, cls: type, names: tuple[str, ...]) -> Callable[[Any], Any]:
        decode = self._decode
        tag = "$" + cls.__name__
        expected = frozenset(names)

        def decode_dataclass(payload: Any) -> Any:
            fields = _expect(payload, dict, tag)
            if not expected.issuperset(fields):
                unknown = sorted(set(fields) - expected)
                raise ValueError(f"unknown fields {unknown} for {tag!r} in stored state")
            try:
                return cls(**{k: decode(v) for k, v in fields.items()})
            except TypeError as e:  # missing required fields
                raise ValueError(f"cannot rebuild {tag!r} from stored state: {e}") from e

        return decode_dataclass


# -- leaf codecs ------------------------------------------------------------


def _expect(payload: Any, kind: type, tag: str) -> Any:
    if type(payload) is not kind:
        raise ValueError(f"malformed {tag!r} in stored state: expected {kind.__name__}, got {payload!r}")
    return payload


def _encode_bytes(obj: bytes) -> Any:
    return {"$b64": base64.b64encode(obj).decode("ascii")}


def _decode_bytes(payload: Any) -> bytes:
    try:
        return base64.b64decode(_expect(payload, str, "$b64"), validate=True)
    except binascii.Error as e:
        raise ValueError(f"malformed '$b64' in stored state: {e}") from e


def _encode_datetime(obj: datetime) -> Any:
    if obj.utcoffset() is None:
        raise TypeError(f"naive datetime {obj!r} is refused: the ledger only stores timezone-aware times")
    return {"$dt": obj.isoformat()}


def _decode_datetime(payload: Any) -> datetime:
    value = datetime.fromisoformat(_expect(payload, str, "$dt"))
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {payload!r} in stored state")
    if value.tzinfo is UTC and payload[-7:-6] == ".":
        # Python 3.11 reads an offset under one second ("+00:00:00.000001")
        # as UTC; rebuild such an offset by hand.
        sign = -1 if payload[-16] == "-" else 1
        value = value.replace(tzinfo=timezone(sign * timedelta(microseconds=int(payload[-6:]))))
    return value


def _encode_date(obj: date) -> Any:
    return {"$date": obj.isoformat()}


def _decode_date(payload: Any) -> date:
    return date.fromisoformat(_expect(payload, str, "$date"))


def _encode_uuid(obj: UUID) -> Any:
    return {"$uuid": str(obj)}


def _decode_uuid(payload: Any) -> UUID:
    return UUID(_expect(payload, str, "$uuid"))


def _encode_decimal(obj: Decimal) -> Any:
    if obj.is_nan():
        raise ValueError(f"cannot encode {obj!r}: NaN never equals itself, so it cannot round-trip")
    return {"$dec": str(obj)}


def _decode_decimal(payload: Any) -> Decimal:
    text = _expect(payload, str, "$dec")
    try:
        value = Decimal(text)
    except ArithmeticError as e:
        raise ValueError(f"malformed '$dec' in stored state: {text!r}") from e
    if value.is_nan():
        raise ValueError(f"malformed '$dec' in stored state: {text!r}")
    return value


def _decode_int(payload: Any) -> int:
    return int(_expect(payload, str, "$int"))


def _decode_float(payload: Any) -> float:
    text = _expect(payload, str, "$float")
    if text not in ("nan", "inf", "-inf"):
        raise ValueError(f"malformed '$float' in stored state: {text!r}")
    return float(text)


def _encode_erased(obj: Erased) -> Any:
    return {"$erased": None}


def _decode_erased(payload: Any) -> Erased:
    if payload is not None:
        raise ValueError(f"malformed '$erased' in stored state: {payload!r}")
    return ERASED
