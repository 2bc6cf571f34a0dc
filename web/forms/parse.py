"""A posted form read into a command's fields, field by field, with a
Norwegian message next to each field that cannot be read or breaks the
limits its command declares. The case's own rules are not checked here: the
command service checks them when the command is handled.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from audit.compliance.timeline import NORWAY
from ledger.errors import InvalidInput
from ledger.national_id import validate_national_id
from web.forms.fields import Field, Form, Widget

YES, NO = "ja", "nei"

REQUIRED = "Dette feltet må fylles ut."
CHOOSE = "Velg et av alternativene."
CHOOSE_SOME = "Velg minst ett alternativ."


class Posted(Protocol):
    """What a posted form offers (Starlette's `FormData`, or a plain multidict in tests)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...


@dataclasses.dataclass
class Parsed:
    values: dict[str, Any]
    errors: dict[str, str]  # field name -> message


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_SKIP = object()  # an optional group left blank


def parse(form: Form, data: Posted) -> Parsed:
    """The command's fields from the posted form (those that could be read) and the errors of the rest."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in form.fields:
        if field.widget == Widget.CONFIRM:
            if data.get(field.name) != YES:
                errors[field.name] = "Du må bekrefte før personopplysningene kan slettes."
            continue
        value = _read(field, data, errors)
        if value is not _SKIP:
            values[field.name] = value
    return Parsed(values, errors)


def _read(field: Field, data: Posted, errors: dict[str, str]) -> Any:
    try:
        if field.widget == Widget.GROUP:
            return _group(field, data, errors)
        if field.widget == Widget.REPEAT:
            items = [_group(child, data, errors) for child in field.children]
            return tuple(item for item in items if item is not _SKIP and item is not None)
        if field.widget == Widget.CHOICES:
            return _choices(field, [v for v in data.getlist(field.name) if isinstance(v, str)])
        if field.widget == Widget.LINES:
            return _lines(field, _text(data, field.name))
        return _single(field, _text(data, field.name))
    except _Refused as e:
        errors[field.name] = e.message
        return None


def _text(data: Posted, name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else ""


def _blank(field: Field, data: Posted) -> bool:
    """A group counts as left blank when nothing was typed or chosen in it (preset choices do not count)."""
    for child in field.children:
        if child.widget in (Widget.CHECKBOX, Widget.CONFIRM):
            continue
        if child.widget in (Widget.CHOICE, Widget.YES_NO) and child.default is not None:
            continue
        if _text(data, child.name).strip():
            return False
    return True


def _group(field: Field, data: Posted, errors: dict[str, str]) -> Any:
    if not field.required and _blank(field, data):
        return _SKIP
    parts: dict[str, Any] = {}
    failed = False
    for child in field.children:
        before = len(errors)
        value = _read(child, data, errors)
        failed = failed or len(errors) > before
        parts[child.name.rsplit(".", 1)[1]] = value
    if failed:
        return None
    return field.kind(**parts)


def _single(field: Field, raw: str) -> Any:
    if field.widget == Widget.CHECKBOX:
        return raw == YES
    if field.widget == Widget.TEXTAREA:
        raw = raw.replace("\r\n", "\n")
    else:
        raw = raw.strip()
    if not raw:
        if field.required:
            raise _Refused(CHOOSE if field.widget in (Widget.CHOICE, Widget.YES_NO) else REQUIRED)
        if field.nullable or field.default is None:
            return None
        return field.default
    if field.widget == Widget.YES_NO:
        if raw not in (YES, NO):
            raise _Refused(CHOOSE)
        return raw == YES
    if field.kind is str:
        _check_text(field, raw)
        if field.options and raw not in {o.value for o in field.options}:
            raise _Refused(CHOOSE)
        if field.name.endswith("national_id"):
            _check_national_id(raw)
        return raw
    return _convert(field, raw)


def _convert(field: Field, raw: str) -> Any:
    kind = field.kind
    if kind is int:
        try:
            number = int(raw)
        except ValueError:
            raise _Refused("Skriv et helt tall.") from None
        if (field.ge is not None and number < field.ge) or (field.le is not None and number > field.le):
            raise _Refused(f"Skriv et tall fra {field.ge} til {field.le}.")
        return number
    if kind is date:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise _Refused("Skriv en gyldig dato.") from None
    if kind is datetime:
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise _Refused("Skriv en gyldig dato og et klokkeslett.") from None
        # A browser's date and time has no zone: it is the time on a Norwegian clock.
        return moment if moment.tzinfo else moment.replace(tzinfo=NORWAY)
    if kind is UUID:
        try:
            return UUID(raw)
        except ValueError:
            raise _Refused(CHOOSE) from None
    try:
        return kind(raw)  # an enumeration
    except ValueError:
        raise _Refused(CHOOSE) from None


def _choices(field: Field, raws: list[str]) -> tuple[Any, ...]:
    item = dataclasses.replace(field, widget=Widget.CHOICE, required=True)
    values = tuple(dict.fromkeys(_convert(item, raw) for raw in raws if raw))
    if field.min_length and len(values) < field.min_length:
        raise _Refused(CHOOSE_SOME)
    if field.max_length is not None and len(values) > field.max_length:
        raise _Refused(f"Velg høyst {field.max_length}.")
    return values


def _lines(field: Field, raw: str) -> tuple[str, ...]:
    lines = tuple(line.strip() for line in raw.splitlines() if line.strip())
    if field.min_length and len(lines) < field.min_length:
        raise _Refused("Skriv minst én linje." if field.min_length == 1 else f"Skriv minst {field.min_length} linjer.")
    if field.max_length is not None and len(lines) > field.max_length:
        raise _Refused(f"Skriv høyst {field.max_length} linjer.")
    if field.item is not None:
        for number, line in enumerate(lines, 1):
            try:
                _check_text(field.item, line)
            except _Refused as e:
                raise _Refused(f"Linje {number}: {e.message}") from None
    return lines


def _check_text(field: Field, value: str) -> None:
    if field.min_length is not None and len(value) < field.min_length:
        raise _Refused(REQUIRED)
    if field.max_length is not None and len(value) > field.max_length:
        raise _Refused(f"Skriv høyst {field.max_length} tegn (nå {len(value)}).")
    if field.pattern is not None and not re.search(field.pattern, value):
        raise _Refused(_PATTERN_MESSAGES.get(field.pattern, "Teksten har et format som ikke kan brukes her."))


def _check_national_id(value: str) -> None:
    # The domain's own check (INV-11), run here too so that its message lands
    # next to the one of several national id fields that is wrong.
    try:
        validate_national_id(value)
    except InvalidInput as e:
        raise _Refused(e.message) from None


_PATTERN_MESSAGES: Mapping[str, str] = {
    "^[0-9]{4}$": "Skriv kommunenummeret med fire siffer.",
    "^[0-9a-f]{64}$": "Velg en av rapportene.",
    r"^[^\x00]*$": "Teksten inneholder et tegn som ikke kan lagres.",
    r"^[^\x00-\x1f\x7f]*$": "Teksten kan ikke ha linjeskift eller kontrolltegn.",
}
