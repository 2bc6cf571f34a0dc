"""Logging: structured lines that never carry personal data or secrets."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime
from uuid import uuid4

import orjson
import pytest
import structlog
from structlog.testing import capture_logs

from app.logging import DENIED_KEYS, REDACTED, configure_logging, redact_personal_data, reset_logging
from commands.case_commands import AddParticipant, AppointCoordinator, GrantConsent, OpenCase
from ledger.national_id import synthesize
from ledger.values import (
    ConsentGiverRole,
    CoordinatorKind,
    InfoCategory,
    Person,
    Provision,
    ReferrerKind,
    Role,
    Signer,
    Subject,
)
from tests.support.cases import coordinator, ke

NAME = "Åsmund Ødegård-Bjørnstad"
NATIONAL_ID = synthesize(date(1979, 4, 2), 123)


@pytest.fixture(autouse=True)
def _no_handler_left_behind() -> Iterator[None]:
    yield
    reset_logging()


def lines(buffer: io.StringIO) -> list[dict]:
    return [orjson.loads(line) for line in buffer.getvalue().splitlines()]


def open_and_consent(ledger) -> None:
    """A case for a named person with a national id, a team and their consent."""
    opened = ledger.app.handle(
        OpenCase(
            actor=ke(),
            municipality="3447",
            subject=Subject(national_id=NATIONAL_ID, name=NAME),
            requested=(Provision.COORDINATOR,),
            referrer_kind=ReferrerKind.GP,
            referrer_name="Dr. Lege",
        )
    )
    case_id = opened.case_id
    ledger.app.handle(
        AppointCoordinator(
            actor=ke(),
            case_id=case_id,
            person=Person("koord-1", "Kåre Koordinator"),
            unit="Psykisk helse og rus",
            kind=CoordinatorKind.COORDINATOR,
            subject_wish_heard=True,
        )
    )
    nav = ledger.app.handle(
        AddParticipant(
            actor=coordinator(), case_id=case_id, person=Person("nav-1", "Nina NAV"), service="NAV", role="veileder"
        )
    ).created["participant_id"]
    ledger.app.handle(
        GrantConsent(
            actor=coordinator(),
            case_id=case_id,
            participants=(nav,),
            given_by=Signer(ConsentGiverRole.SUBJECT, NAME, NATIONAL_ID),
            categories=(InfoCategory.WORK,),
        )
    )


def test_handling_commands_logs_neither_the_subjects_name_nor_national_id(ledger):
    """What the application logs, before any redaction, holds no personal data."""
    with capture_logs() as logs:
        open_and_consent(ledger)
    assert [e["command"] for e in logs if e["event"] == "command.handled"] == [
        "OpenCase",
        "AppointCoordinator",
        "AddParticipant",
        "GrantConsent",
    ]
    text = repr(logs)
    assert NAME not in text and NATIONAL_ID not in text
    assert "Ødegård" not in text


def test_the_configured_chain_writes_json_lines_without_personal_data(ledger):
    """The real processor chain, end to end: command lines are there, the
    person is not, even when a careless call logs them on purpose."""
    out = io.StringIO()
    configure_logging(json=True, stream=out)
    open_and_consent(ledger)
    structlog.get_logger("careless").warning(
        f"opened case for {NATIONAL_ID}", subject={"name": NAME}, note=f"{NAME} ringte", actor_pid=NATIONAL_ID
    )
    written = lines(out)
    assert sum(1 for e in written if e["event"] == "command.handled") == 4
    assert NAME not in out.getvalue() and NATIONAL_ID not in out.getvalue() and "Ødegård" not in out.getvalue()
    careless = written[-1]
    assert careless["event"] == f"opened case for {REDACTED}"
    assert careless["subject"] == careless["note"] == careless["actor_pid"] == REDACTED


def test_redaction_replaces_denylisted_keys_and_national_id_shaped_numbers():
    """Values of personal and secret keys go, nested ones too; 11-digit runs
    go wherever they stand, also written 6+5."""
    event = {
        "event": f"lookup of {NATIONAL_ID}",
        "name": NAME,
        "national_id": NATIONAL_ID,
        "pid": NATIONAL_ID,
        "what_matters": "å bo i egen leilighet",
        "Authorization": "Bearer abc.def.ghi",
        "jwt_secret": "s3cret",
        "password": "hunter2",
        "subject_voice": "Han snakket først",
        "unit_leader_name": "Liv Leder",
        "request": {"body": {"given_by": {"name": NAME}, "lines": [f"fnr {NATIONAL_ID[:6]} {NATIONAL_ID[6:]}"]}},
        "numbers": [int(NATIONAL_ID), 12345],
        NATIONAL_ID: "keyed by a national id",
    }
    cleaned = redact_personal_data(None, "info", dict(event))
    assert cleaned["event"] == f"lookup of {REDACTED}"
    for key in (
        "name",
        "national_id",
        "pid",
        "what_matters",
        "Authorization",
        "jwt_secret",
        "password",
        "subject_voice",
        "unit_leader_name",
    ):
        assert cleaned[key] == REDACTED, key
    assert cleaned["request"]["body"]["given_by"] == REDACTED
    assert cleaned["request"]["body"]["lines"] == [f"fnr {REDACTED}"]
    assert cleaned["numbers"] == [REDACTED, 12345]
    assert NATIONAL_ID not in repr(cleaned) and NAME not in repr(cleaned)


def test_redaction_keeps_what_identifies_records_not_people():
    """Case ids, digests, counts, times and roles stay readable."""
    case_id, digest = str(uuid4()), "0123456789" * 6 + "abcd"
    at = datetime(2026, 11, 22, tzinfo=UTC)
    event = {
        "event": "command.handled",
        "case_id": case_id,
        "sha256": digest,
        "version": 12,
        "ms": 1.5,
        "role": Role.COORDINATOR,
        "occurred_at": at,
        "municipality": "3447",
        "logger": "ledger.commands",
        "team_name": "ansvarsgruppe",
        "phone_like": "tlf 12345678",
    }
    cleaned = redact_personal_data(None, "info", dict(event))
    assert cleaned == {**event, "role": "coordinator"}


def test_every_personal_field_of_a_case_event_is_denied():
    """The fields the store encrypts with the case key are the fields a log may not show."""
    assert {
        "subject",
        "guardians",
        "person_name",
        "what_matters",
        "subject_voice",
        "signers",
        "situation",
        "text",
        "note",
        "reasons",
        "assessment",
        "recorded_by_name",
    } <= DENIED_KEYS


def test_the_json_renderer_writes_one_valid_json_object_per_line():
    """Times, ids, enums, Norwegian letters and tracebacks all serialise."""
    out = io.StringIO()
    configure_logging(json=True, stream=out)
    log = structlog.get_logger("ledger.test")
    log.info(
        "første linje",
        at=datetime(2026, 1, 6, 10, tzinfo=UTC),
        case_id=uuid4(),
        role=Role.KE_CASEWORKER,
        municipality="Søndre Land",
        sizes=(1, 2),
        nothing=None,
    )
    try:
        raise ValueError(f"bad number {NATIONAL_ID}")
    except ValueError:
        log.exception("failed")
    logging.getLogger("uvicorn.access").info('"GET /v1/cases?pid=%s HTTP/1.1" 200', NATIONAL_ID)
    written = lines(out)
    assert [e["event"] for e in written] == ["første linje", "failed", f'"GET /v1/cases?pid={REDACTED} HTTP/1.1" 200']
    first = written[0]
    assert first["level"] == "info" and first["logger"] == "ledger.test"
    assert first["timestamp"].endswith("Z") and datetime.fromisoformat(first["timestamp"])
    assert first["at"] == "2026-01-06T10:00:00+00:00" and first["role"] == "ke_caseworker"
    assert first["municipality"] == "Søndre Land" and first["sizes"] == [1, 2]
    assert "ValueError" in written[1]["exception"] and NATIONAL_ID not in written[1]["exception"]


def test_console_rendering_is_redacted_as_well():
    """On a terminal the lines are for people, and still hold no personal data."""
    out = io.StringIO()
    configure_logging(json=False, stream=out)
    structlog.get_logger("ledger.test").warning("hei", name=NAME, pid=NATIONAL_ID, case_count=3)
    text = out.getvalue()
    assert "hei" in text and "case_count=3" in text
    assert NAME not in text and NATIONAL_ID not in text


def test_the_level_filters_lines_below_it():
    out = io.StringIO()
    configure_logging(json=True, stream=out, level="warning")
    log = structlog.get_logger("ledger.test")
    log.info("hidden")
    log.warning("shown")
    assert [e["event"] for e in lines(out)] == ["shown"]
