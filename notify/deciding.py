"""Deciding notifications: which reminders the duties call for (audit.duties' rules as data), who
receives each one (the directory KE keeps), and recording them in the outbox.

`ReminderDecider` is the duties projection's `Decider` (projections/duties.py): it is handed the
cursor of the projection's own transaction, so a notification is recorded in the transaction that
moves the projection's position (or refreshes the case) and decided it, never apart from it.

Who receives what (the directory, `store.notification_rows`):

- a reminder to a unit leader or coordinator: the e-mail address KE set for that person (by the id
  the events name them by), else the one set for their unit; none if neither is set;
- a reminder to KE (a complaint to forward) and KE's weekly digest: every KE mailbox of the
  municipality;
- a reminder to a citizen or guardian (a consent running out): no e-mail, the ledger holds no
  citizen's address; they see it in their own task list (`GET /v1/me/tasks`), and a municipality
  that reaches them through another system subscribes a webhook;
- every notification of the municipality: each of its webhook subscriptions.

A notification with no recipient is still recorded as decided (the record says the routine found
no one to tell). Recipients are chosen when the notification is decided; a contact added later
receives the notifications decided after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from audit.duties import (
    AssigneeKind,
    Duty,
    ReminderRules,
    digest_due,
    due_digest,
    due_reminders,
    next_reminder_at,
)
from notify.content import DIGEST, REMINDER, digest_content, reminder_content
from notify.dispatch import Channel
from store import notification_rows as rows
from store.tables import Dialect

# How long a digest found with nothing to tell (or already recorded) is not asked about again.
DIGEST_RECHECK = timedelta(hours=1)


class ReminderDecider:
    def __init__(self, rules: ReminderRules) -> None:
        self.rules = rules
        # Digest ids this process knows need no more asking, and until when (see digests_due).
        self._digests_settled: dict[str, datetime] = {}

    # ------------------------------------------------------------- reminders
    def decide(self, c: Any, d: Dialect, duties: Sequence[Duty], now: datetime) -> int:
        due = [(duty, reminder) for duty in duties for reminder in due_reminders(duty, self.rules, now)]
        # Most reminders a judgement calls for were decided by an earlier one (an overdue duty calls
        # for the same reminder every day): one look-up for the batch, not one insert each.
        known = rows.decided_for(c, d, [reminder.id for _, reminder in due])
        made = 0
        directories: dict[str, rows.Directory] = {}
        for duty, reminder in due:
            if reminder.id in known:
                continue
            directory = directories.get(duty.municipality)
            if directory is None:
                directory = directories[duty.municipality] = rows.directory(c, d, duty.municipality)
            decided = rows.Decided(
                id=reminder.id,
                municipality=duty.municipality,
                case_id=str(duty.case_id),
                type=REMINDER,
                rule=duty.rule,
                stage=reminder.stage,
                assignee_kind=duty.assignee.kind.value,
                decided_at=now,
                content=reminder_content(reminder, now),
            )
            # The insert still guards against a decision made meanwhile (its id is the key).
            made += rows.record_decision(c, d, decided, recipients(duty, directory))
            known.add(reminder.id)
        return made

    def next_due(self, duty: Duty, now: datetime) -> datetime | None:
        return next_reminder_at(duty, self.rules, now)

    # --------------------------------------------------------------- digests
    def digests_due(self, municipalities: Sequence[tuple[str, str]], now: datetime) -> list[tuple[str, str]]:
        due = []
        for municipality, profile in municipalities:
            digest = digest_due(municipality, profile, self.rules, now)
            if digest is None:
                continue
            settled = self._digests_settled.get(digest[0])
            if settled is None or settled <= now:
                due.append((municipality, profile))
        return due

    def decide_digest(
        self, c: Any, d: Dialect, municipality: str, profile: str, duties: Sequence[Duty], now: datetime
    ) -> bool:
        due = digest_due(municipality, profile, self.rules, now)
        if due is None:
            return False
        digest_id = due[0]
        if rows.is_decided(c, d, digest_id):
            self._digests_settled[digest_id] = datetime.max.replace(tzinfo=now.tzinfo)
            return False
        digest = due_digest(municipality, profile, duties, self.rules, now)
        if digest is None:  # nothing to tell yet: ask again later this week
            self._digests_settled[digest_id] = now + DIGEST_RECHECK
            return False
        directory = rows.directory(c, d, municipality)
        decided = rows.Decided(
            id=digest.id,
            municipality=municipality,
            case_id=None,
            type=DIGEST,
            rule=None,
            stage=digest.week,
            assignee_kind=AssigneeKind.KE.value,
            decided_at=now,
            content=digest_content(digest, now),
        )
        made = rows.record_decision(
            c, d, decided, [*((Channel.EMAIL.value, e) for e in directory.ke), *_webhooks(directory)]
        )
        # Only once the transaction commits is it truly recorded; until the week's next check it
        # is taken as settled (a rolled-back one is asked about again within DIGEST_RECHECK).
        self._digests_settled[digest_id] = now + DIGEST_RECHECK
        return made


def recipients(duty: Duty, directory: rows.Directory) -> list[tuple[str, str]]:
    """(channel, target) of everyone a reminder of `duty` goes to (see the module's docstring)."""
    a = duty.assignee
    emails: list[str] = []
    if a.kind in (AssigneeKind.UNIT_LEADER, AssigneeKind.COORDINATOR):
        personal = directory.emails.get(("person", a.id)) if a.id else None
        address = personal or (directory.emails.get(("unit", a.unit)) if a.unit else None)
        emails = [address] if address else []
    elif a.kind is AssigneeKind.KE:
        emails = list(directory.ke)
    return [*((Channel.EMAIL.value, e) for e in emails), *_webhooks(directory)]


def _webhooks(directory: rows.Directory) -> list[tuple[str, str]]:
    return [(Channel.WEBHOOK.value, hook) for hook in directory.webhooks]
