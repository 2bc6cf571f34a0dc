"""Duties per person and the reminders they call for (issue #11). Pure: imports ledger and
audit.compliance only; no SQL, no clock of its own, no I/O beyond reading the packaged rules."""

from audit.duties.duties import (
    CONSENT_NOTICE_DAYS,
    TASK_LABELS,
    TASK_RULES,
    Assignee,
    AssigneeKind,
    Duty,
    DutyStatus,
    duties_of,
)
from audit.duties.reminders import (
    Digest,
    Reminder,
    ReminderRule,
    ReminderRules,
    ReminderRulesError,
    default_rules,
    digest_due,
    due_digest,
    due_reminders,
    next_reminder_at,
    parse_rules,
    reminder_id,
)

__all__ = [
    "CONSENT_NOTICE_DAYS",
    "Digest",
    "Reminder",
    "ReminderRule",
    "ReminderRules",
    "ReminderRulesError",
    "default_rules",
    "digest_due",
    "due_digest",
    "due_reminders",
    "next_reminder_at",
    "parse_rules",
    "reminder_id",
    "TASK_LABELS",
    "TASK_RULES",
    "Assignee",
    "AssigneeKind",
    "Duty",
    "DutyStatus",
    "duties_of",
]
