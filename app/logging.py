"""Structured logging for every entry point (CLI, HTTP API, benchmarks).

One output path: structlog's own events and the standard library's (uvicorn,
eventsourcing, psycopg) both end in a single stderr handler whose formatter
runs `redact_personal_data` just before rendering. JSON lines (orjson) when
stderr is not a terminal, a readable console rendering when it is.

The redaction is the last line of defence, not the first: code should not log
personal data at all. It drops the values of keys that name personal data or
secrets, and scrubs every national-id-shaped number (11 digits) from keys and
values, however deeply nested, so a careless log call still leaks nothing.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import os
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO, Any
from uuid import UUID

import orjson
import structlog
from stdnum.no import fodselsnummer
from structlog.typing import EventDict, Processor

import ledger.events
import ledger.events_plan  # noqa: F401
from ledger.event_base import CaseEvent
from store.mapper import personal_fields

REDACTED = "[redacted]"

# Keys whose values are personal data or secrets, whatever they hold.
_EXPLICIT_DENY = frozenset(
    {
        "name",
        "full_name",
        "national_id",
        "fnr",
        "fodselsnummer",
        "pid",
        "ssn",
        "birth_date",
        "subject",
        "text",
        "what_matters",
        "reasons",
        "note",
        "given_by",
        "also_given_by",
        "signer",
        "signers",
        "person",
        "guardian",
        "guardians",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "secret",
        "jwt_secret",
        "password",
        "passwd",
        "authorization",
        "cookie",
        "set_cookie",
        "master_key",
        "signing_key",
        "private_key",
        "api_key",
        "bearer",
        "credentials",
    }
)
# Parts of key names that mark a secret or an identity wherever they occur.
_DENY_FRAGMENTS = (
    "national_id",
    "password",
    "secret",
    "token",
    "authorization",
    "private_key",
    "master_key",
    "signing_key",
    "api_key",
    "cookie",
)
# Keys that look like names of people but are not: the logger, a team's local name.
_NAME_ALLOWED = frozenset({"logger_name", "team_name", "event_name", "command_name", "table_name", "host_name"})

# An 11-digit run (fødselsnummer / D-nummer), also written 6+5 with a space,
# dot or dash between birth date and personal number.
NATIONAL_ID_SHAPED = re.compile(r"(?<!\d)\d{6}[ .\-]?\d{5}(?!\d)")
# Random identifiers and digests may contain an 11-digit run by chance; they
# identify records, not people, and are kept whole.
_IDENTIFIER = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}"
)
_MAX_DEPTH = 8
_KEEP_AS_IS = (bool, int, float, Decimal, datetime, date, time, timedelta, UUID, type(None))
# Keys the logging machinery itself adds; never redacted.
_MACHINERY = frozenset({"event", "level", "timestamp", "logger", "exception", "stack"})


def _case_event_personal_fields() -> frozenset[str]:
    """Every field the store encrypts with the case key is personal: the same
    definition decides what is sealed at rest and what never reaches a log."""
    found: set[str] = set()
    pending = list(CaseEvent.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        found.update(personal_fields(cls))
    return frozenset(found)


DENIED_KEYS = _EXPLICIT_DENY | _case_event_personal_fields()


def is_denied_key(key: object) -> bool:
    if not isinstance(key, str):
        return False
    k = key.strip().lower().replace("-", "_")
    if k in _MACHINERY:
        return False
    if k in DENIED_KEYS or any(fragment in k for fragment in _DENY_FRAGMENTS):
        return True
    return k.endswith("_name") and k not in _NAME_ALLOWED


def scrub_text(text: str) -> str:
    """The text with every national-id-shaped number replaced."""
    if _IDENTIFIER.fullmatch(text):
        return text
    return NATIONAL_ID_SHAPED.sub(REDACTED, text)


def _int_is_national_id_shaped(value: int) -> bool:
    digits = str(abs(value))
    # As an integer a national id born on the 1st to 9th loses its leading zero.
    return len(digits) == 11 or (len(digits) == 10 and fodselsnummer.is_valid(digits.zfill(11)))


def _clean(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, enum.Enum):
        return _clean(value.value, depth)
    if isinstance(value, int) and not isinstance(value, bool):
        return REDACTED if _int_is_national_id_shaped(value) else value
    if isinstance(value, _KEEP_AS_IS):
        return value
    if depth >= _MAX_DEPTH:
        return "[…]"
    if isinstance(value, Mapping):
        return _clean_mapping(value, depth + 1)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_clean(v, depth + 1) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _clean_mapping({f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, depth + 1)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    # Anything else is logged by its text, which is scrubbed like any string.
    return scrub_text(str(value))


def _clean_mapping(mapping: Mapping[Any, Any], depth: int) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in mapping.items():
        text_key = scrub_text(key if isinstance(key, str) else str(key))
        cleaned[text_key] = REDACTED if is_denied_key(key) else _clean(value, depth)
    return cleaned


def redact_personal_data(_: Any, __: str, event_dict: EventDict) -> EventDict:
    """structlog processor: no personal data or secret survives to the renderer.

    Values of denied keys become "[redacted]"; national-id-shaped numbers are
    replaced anywhere in the event, nested values included.
    """
    cleaned = _clean_mapping(event_dict, 0)
    event_dict.clear()
    event_dict.update(cleaned)
    return event_dict


def _orjson_dumps(obj: Any, **_: Any) -> str:
    return orjson.dumps(obj, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the moment of each record, so a
    test runner or a daemon that swaps the stream is followed."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__(stream)
        self._fixed = stream

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return self._fixed if self._fixed is not None else sys.stderr

    @stream.setter
    def stream(self, value: IO[str]) -> None:
        pass  # StreamHandler.__init__ assigns it; the property decides


def _level(level: str | int | None) -> int:
    if isinstance(level, int):
        return level
    name = (level or os.environ.get("LEDGER_LOG_LEVEL") or "info").upper()
    value = logging.getLevelName(name)
    return value if isinstance(value, int) else logging.INFO


def configure_logging(
    json: bool | None = None, *, level: str | int | None = None, stream: IO[str] | None = None
) -> None:
    """Set up structlog and the standard library's root logger.

    `json`: JSON lines when True, console rendering when False; by default JSON
    unless stderr is a terminal. `level`: a level name or number (default
    LEDGER_LOG_LEVEL, else info). `stream`: where lines go (default: stderr at
    the time of each line). Calling it again replaces the earlier set-up.
    """
    out = stream if stream is not None else sys.stderr
    if json is None:
        json = not (hasattr(out, "isatty") and out.isatty())
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer(serializer=_orjson_dumps)
        if json
        else structlog.dev.ConsoleRenderer(
            colors=out.isatty() if hasattr(out, "isatty") else False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # Tracebacks become text before redaction so they are scrubbed too
            # (and no renderer prints local variables).
            structlog.processors.format_exc_info,
            redact_personal_data,
            renderer,
        ],
    )
    handler = _CurrentStderr(stream)
    handler.setFormatter(formatter)
    handler.set_name("ledger")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "ledger"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(_level(level))
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Not cached: tests and `ledger demo` reconfigure levels at run time.
        cache_logger_on_first_use=False,
    )


def reset_logging() -> None:
    """Undo `configure_logging` (tests, embedding): remove the handler, reset structlog."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "ledger"]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    structlog.reset_defaults()


@contextmanager
def quieted(logger_name: str, level: int = logging.WARNING) -> Iterator[None]:
    """Raise one logger's threshold for a while (e.g. the per-command lines
    during `ledger demo`)."""
    logger = logging.getLogger(logger_name)
    previous = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(previous)


__all__ = [
    "DENIED_KEYS",
    "REDACTED",
    "configure_logging",
    "is_denied_key",
    "quieted",
    "redact_personal_data",
    "reset_logging",
    "scrub_text",
]
