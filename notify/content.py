"""What a notification says, once, as JSON-ready data; and how it reads as e-mail and as a webhook.

A notification carries no personal data: not the person's name or national id, no free text of the
case, not even the sentence of what to do. Only that a duty in a case is due (its kind and the rule
it protects), the deadline, and a link to the case in the web app, where reading is access-logged.
The content is built when the reminder is decided and stored with it (a later outbox keeps it as
JSON), so every attempt delivers the same words under the same id.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import orjson

from audit.compliance import RULE_TITLES
from audit.compliance.result import Task
from audit.duties import TASK_LABELS, Digest, DutyStatus, Reminder

REMINDER = "duty.reminder"
DIGEST = "duty.digest"

# RFC 5322's line limit (998) rather than the recommended 78: a 64-digit id in a header would
# otherwise be folded onto a line of its own, and some readers keep the fold's space in the value.
_EMAIL_POLICY = policy.default.clone(max_line_length=998)


def reminder_content(reminder: Reminder, decided_at: datetime) -> dict[str, Any]:
    duty = reminder.duty
    return {
        "type": REMINDER,
        "id": reminder.id,
        "decided_at": decided_at.isoformat(),
        "municipality": duty.municipality,
        "case_id": str(duty.case_id),
        "rule": duty.rule,
        "task": duty.task.value,
        "deadline": duty.deadline.isoformat(),
        "due_at": duty.due_at.isoformat(),
        "status": duty.status.value,
        "stage": reminder.stage,
        "assignee": {
            "kind": duty.assignee.kind.value,
            "id": duty.assignee.id,
            "unit": duty.assignee.unit,
            "guardian": duty.assignee.guardian,
        },
    }


def digest_content(digest: Digest, decided_at: datetime) -> dict[str, Any]:
    counts: Counter[tuple[str, str, str]] = Counter((d.rule, d.task.value, d.status.value) for d in digest.duties)
    rows = sorted({(rule, task) for rule, task, _ in counts})
    return {
        "type": DIGEST,
        "id": digest.id,
        "decided_at": decided_at.isoformat(),
        "municipality": digest.municipality,
        "week": digest.week,
        "overdue": sum(n for (_, _, status), n in counts.items() if status == DutyStatus.OVERDUE),
        "upcoming": sum(n for (_, _, status), n in counts.items() if status == DutyStatus.UPCOMING),
        "by_rule": [
            {
                "rule": rule,
                "task": task,
                "overdue": counts[(rule, task, DutyStatus.OVERDUE.value)],
                "upcoming": counts[(rule, task, DutyStatus.UPCOMING.value)],
            }
            for rule, task in rows
        ],
    }


def link_of(content: dict[str, Any], public_url: str) -> str:
    if content["type"] == DIGEST:
        return f"{public_url}/oversikt"
    return f"{public_url}/saker/{content['case_id']}"


# ------------------------------------------------------------------ webhook
def webhook_body(content: dict[str, Any], public_url: str) -> bytes:
    """Standard Webhooks' payload shape: type, timestamp (when decided), data (the content and its link)."""
    data = {k: v for k, v in content.items() if k not in ("type", "decided_at")}
    data["link"] = link_of(content, public_url)
    return orjson.dumps({"type": content["type"], "timestamp": content["decided_at"], "data": data})


# -------------------------------------------------------------------- e-mail
def email_message(content: dict[str, Any], *, to: str, sender: str, public_url: str, now: datetime) -> EmailMessage:
    message = EmailMessage(policy=_EMAIL_POLICY)
    subject, body = (
        _digest_text(content, public_url) if content["type"] == DIGEST else _reminder_text(content, public_url)
    )
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(now)
    # The notification's id, stable over every attempt, lets a mail system drop duplicates.
    message["Message-ID"] = f"<{content['id']}@{sender.rpartition('@')[2]}>"
    message["X-Ledger-Notification-Id"] = content["id"]
    message["Content-Language"] = "nb"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to a reminder
    message.set_content(body)
    return message


def _reminder_text(content: dict[str, Any], public_url: str) -> tuple[str, str]:
    label = TASK_LABELS[Task(content["task"])]
    deadline = _day(content["deadline"])
    overdue = content["status"] == DutyStatus.OVERDUE
    if overdue:
        subject = f"Frist overskredet: {label} (frist {deadline})"
        lead = f"Fristen for en oppgave i en sak gikk ut {deadline}."
    else:
        subject = f"Påminnelse: {label} innen {deadline}"
        lead = f"En oppgave i en sak har frist {deadline}."
    rule = content["rule"]
    body = "\n".join(
        [
            "Hei,",
            "",
            lead,
            "",
            f"Oppgave: {label}",
            f"Regel: {rule} – {RULE_TITLES.get(rule, '')}".rstrip(" –"),
            f"Frist: {deadline}",
            "",
            "Åpne saken for å se hva som skal gjøres:",
            link_of(content, public_url),
            "",
            _footer(content),
        ]
    )
    return subject, body


def _digest_text(content: dict[str, Any], public_url: str) -> tuple[str, str]:
    week = content["week"].replace("-W", ", uke ")
    subject = f"Ukeoversikt over frister ({week}): {content['overdue']} overskredet, {content['upcoming']} kommende"
    lines = ["Hei,", "", f"Oppgaver med frist i kommunens saker, oversikt for {week}:", ""]
    for row in content["by_rule"]:
        label = TASK_LABELS[Task(row["task"])]
        lines.append(f"- {row['rule']} {label}: {row['overdue']} overskredet, {row['upcoming']} kommende")
    lines += ["", "Se oversikten:", link_of(content, public_url), "", _footer(content)]
    return subject, "\n".join(lines)


def _footer(content: dict[str, Any]) -> str:
    return (
        "Meldingen sier med vilje ikke mer: opplysninger om saken leses bare i løsningen, der hver lesing "
        f"logges.\nVarsel-ID: {content['id']}"
    )


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d.%m.%Y")
