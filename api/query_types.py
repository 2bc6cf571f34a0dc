"""The types of the API's query parameters that name a moment or a day, validated before any
read: a value off the calendar (`9999-12-31T23:59:59-01:00` is in year 10000 in UTC) is 422,
never a 500 further in, and a moment stays the moment given (`2026-12-01T00:00:00Z` is
midnight, not the end of that day: only a plain date means the end of the day in Norway).

The bounds are the compliance timeline's (audit/compliance/timeline.py: `askable`)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, PlainValidator, TypeAdapter, WithJsonSchema

from audit.compliance.timeline import EARLIEST_MOMENT, LATEST_MOMENT, askable

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = TypeAdapter(datetime)
_AWARE = TypeAdapter(AwareDatetime)
BOUNDS = f"between {EARLIEST_MOMENT.isoformat()} and {LATEST_MOMENT.isoformat()}"


def _day_or_moment(value: Any) -> date | datetime:
    """A plain `YYYY-MM-DD` is a day; anything else must be a moment (RFC 3339)."""
    if isinstance(value, str) and _DATE.fullmatch(value):
        return date.fromisoformat(value)  # every day of the calendar: its end is held at the last
    return _bounded(_MOMENT.validate_python(value))


def _moment(value: Any) -> datetime:
    return _bounded(_AWARE.validate_python(value))


def _bounded(moment: datetime) -> datetime:
    if not askable(moment):
        raise ValueError(f"the moment must be {BOUNDS}")
    return moment


DayOrMoment = Annotated[
    date | datetime,
    PlainValidator(_day_or_moment),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}),
]
"""A day (its end, in Norway) or a moment with its offset, as given; within the calendar's bounds."""

Moment = Annotated[AwareDatetime, PlainValidator(_moment), WithJsonSchema({"type": "string", "format": "date-time"})]
"""A moment with its offset, within the calendar's bounds."""
