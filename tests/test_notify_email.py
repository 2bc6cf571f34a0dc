"""E-mail over SMTP (issue #11) against a real SMTP server started on a loopback port: STARTTLS with a
self-signed certificate made here, AUTH, and messages that carry no personal data."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from audit.duties import default_rules, due_digest, duties_of
from ledger.profiles import profile_for
from notify.content import digest_content, email_message
from notify.dispatch import Channel, DeliveryError, DeliveryState, Dispatcher, Outcome, RetryPolicy
from notify.memory import MemoryOutbox
from notify.settings import SmtpSettings
from notify.smtp import SmtpSender
from tests.support.duty_story import at, rich_story
from tests.support.notify import SMTP_PASSWORD, SMTP_USER, deliveries, self_signed_certificate, smtp_server

PUBLIC_URL = "https://ledger.kommune.test"
TO = "koordinator@kommune.test"
MOMENTS = (at(2026, 1, 10), at(2026, 2, 10), at(2026, 2, 20), at(2026, 3, 14), at(2026, 4, 2))


@pytest.fixture
def tls(tmp_path):
    return self_signed_certificate(tmp_path)


@pytest.fixture
def server(tls):
    with smtp_server(*tls) as (port, mailbox):
        yield port, mailbox


def settings(port: int, ca_file, **kw) -> SmtpSettings:
    base = SmtpSettings(
        host="127.0.0.1",
        port=port,
        starttls=True,
        user=SMTP_USER,
        password=SMTP_PASSWORD,
        sender="varsel@kommune.test",
        timeout=5.0,
        ca_file=ca_file,
    )
    return replace(base, **kw)


def every_delivery(story):
    found = {}
    for now in MOMENTS:
        for delivery in deliveries(story, now, Channel.EMAIL, TO):
            found.setdefault(delivery.notification_id, delivery)
    return list(found.values())


def parsed(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def readable(raw: bytes) -> str:
    """Everything a person or a program could read in the message: raw bytes, decoded headers and body."""
    message = parsed(raw)
    headers = "\n".join(f"{k}: {v}" for k, v in message.items())
    return "\n".join([raw.decode("utf-8", "replace"), headers, message.get_content()])


def test_each_reminder_is_delivered_over_starttls_after_auth_with_its_id(server, tls):
    port, mailbox = server
    story = rich_story()
    sent = every_delivery(story)
    assert len(sent) >= 6
    sender = SmtpSender(settings(port, tls[0]), PUBLIC_URL)
    for delivery in sent:
        assert sender.send(delivery, datetime.now(UTC)) == 250
    assert len(mailbox.messages) == len(sent)
    assert set(mailbox.logins) == {(SMTP_USER, True, True)}  # every login accepted, and over TLS
    for delivery, (mail_from, rcpt_tos, raw) in zip(sent, mailbox.messages, strict=True):
        message = parsed(raw)
        assert (mail_from, rcpt_tos) == ("varsel@kommune.test", [TO])
        assert message["Message-ID"] == f"<{delivery.notification_id}@kommune.test>"
        assert message["X-Ledger-Notification-Id"] == delivery.notification_id
        assert message["Subject"].startswith(("Påminnelse: ", "Frist overskredet: "))
        body = message.get_content()
        assert f"{PUBLIC_URL}/saker/{story.case_id}" in body
        assert delivery.content["rule"] in body and "Frist: " in body


def test_no_delivered_message_carries_a_name_a_national_id_or_free_text_of_the_case(server, tls):
    port, mailbox = server
    story = rich_story()
    sender = SmtpSender(settings(port, tls[0]), PUBLIC_URL)
    for delivery in every_delivery(story):
        sender.send(delivery, datetime.now(UTC))
    assert mailbox.messages
    secrets = story.secrets()
    assert all(len(s) >= 4 for s in secrets)
    for _, _, raw in mailbox.messages:
        text = readable(raw)
        assert [s for s in secrets if s in text] == [], text


def test_a_wrong_password_is_refused_and_the_error_recorded_says_so_without_the_password(server, tls):
    port, mailbox = server
    (delivery, *_) = every_delivery(rich_story())
    sender = SmtpSender(settings(port, tls[0], password="feil-passord-123"), PUBLIC_URL)
    with pytest.raises(DeliveryError) as refused:
        sender.send(delivery, datetime.now(UTC))
    assert refused.value.status_code == 535 and "authentication refused" in refused.value.text
    assert "feil-passord" not in refused.value.text
    assert mailbox.messages == []
    assert set(mailbox.logins) == {(SMTP_USER, False, True)}  # smtplib tries each mechanism the server offers


def test_an_untrusted_certificate_stops_the_delivery_before_any_credentials_are_sent(server):
    port, mailbox = server
    (delivery, *_) = every_delivery(rich_story())
    sender = SmtpSender(settings(port, None), PUBLIC_URL)  # the system's CAs do not know the test's certificate
    with pytest.raises(DeliveryError, match="not trusted"):
        sender.send(delivery, datetime.now(UTC))
    assert mailbox.logins == [] and mailbox.messages == []


def test_a_server_that_is_not_there_is_a_failed_attempt_naming_only_the_kind_of_failure(tls):
    with smtp_server(*tls) as (port, _):
        pass  # started and stopped: nothing listens on the port now
    (delivery, *_) = every_delivery(rich_story())
    with pytest.raises(DeliveryError) as failed:
        SmtpSender(settings(port, tls[0], timeout=2.0), PUBLIC_URL).send(delivery, datetime.now(UTC))
    assert failed.value.text.startswith("SMTP: ") and not failed.value.permanent


def test_the_dispatcher_delivers_every_decided_e_mail_once_and_records_the_attempt(server, tls):
    port, mailbox = server
    outbox = MemoryOutbox()
    sent = every_delivery(rich_story())
    for delivery in sent:
        assert outbox.add(delivery, due_at=at(2026, 1, 1))
        assert not outbox.add(delivery, due_at=at(2026, 1, 1))  # decided once
    dispatcher = Dispatcher(
        outbox,
        {Channel.EMAIL: SmtpSender(settings(port, tls[0]), PUBLIC_URL)},
        policy=RetryPolicy(max_attempts=3, base=1.0, cap=5.0),
        clock=lambda: datetime.now(UTC),
        rng=random.Random(7),
    )
    assert dispatcher.run_once() == len(sent)
    assert dispatcher.run_once() == 0
    assert len(mailbox.messages) == len(sent)
    for delivery in sent:
        (attempt,) = outbox.attempts(delivery.key)
        assert (attempt.outcome, attempt.status_code, attempt.error) == (Outcome.DELIVERED, 250, None)
        assert outbox.state(delivery.key) is DeliveryState.DELIVERED


def test_kes_weekly_digest_reads_as_counts_per_rule_with_a_link_to_the_overview_and_nothing_more():
    story = rich_story()
    now = at(2026, 2, 16)  # a Monday
    duties = duties_of(story.events, profile_for(story.municipality), now)
    digest = due_digest(story.municipality, "national-default", duties, default_rules(), now)
    assert digest is not None
    content = digest_content(digest, now)
    message = email_message(content, to="ke@kommune.test", sender="varsel@kommune.test", public_url=PUBLIC_URL, now=now)
    body = message.get_content()
    assert message["Subject"].startswith("Ukeoversikt over frister (2026, uke 08): ")
    assert f"{PUBLIC_URL}/oversikt" in body and str(story.case_id) not in body
    assert f"{content['overdue']} overskredet" in message["Subject"] and content["overdue"] >= 2
    assert [s for s in story.secrets() if s in body + str(message)] == []
