"""Reminder rules as data, and which reminders a duty calls for at a given moment.

The rules live in `reminders.toml` beside this module (national defaults, per municipal profile and
per kind of assignee; its comments say how to read it); a municipality changes them with a file of
the same form read over it (`parse_rules(text, over=default_rules())`; the setting that names the
file is read by the adapter that runs the reminders, not here).

`due_reminders(duty, rules, now)` and `due_digest(...)` are pure. Each reminder has a stable id,
the SHA-256 of what it is about (the case, rule, task, item, deadline, assignee) and which reminder
it is (`before:7`, `overdue`), so whoever records the decisions records each one once however often
it is asked: the same duty at the same stage is the same reminder, and a deadline moved (a goal's
date revised) makes new ones.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib.resources import files
from typing import Any

from audit.compliance.timeline import NORWAY, local_date
from audit.duties.duties import AssigneeKind, Duty, DutyStatus
from ledger.profiles import PROFILES

NATIONAL = "national-default"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
OVERDUE = "overdue"
_RULE_KEYS = {"days_before", "on_overdue"}
_PROFILE_KEYS = _RULE_KEYS | {"digest_weekday", "assignee"}
_MAX_DAYS_BEFORE = 366


class ReminderRulesError(ValueError):
    """The rules file is not of the documented form; the message says where."""


@dataclass(frozen=True)
class ReminderRule:
    days_before: tuple[int, ...]  # largest first
    on_overdue: bool


@dataclass(frozen=True)
class ReminderRules:
    """Validated tables: profile key -> its keys (with `assignee` -> kind -> keys)."""

    tables: Mapping[str, Mapping[str, Any]]

    def rule_for(self, profile: str, kind: AssigneeKind) -> ReminderRule:
        """National default, then its table for `kind`, then the profile's keys, then the profile's table for `kind`."""
        merged: dict[str, Any] = {}
        for table in (self.tables.get(NATIONAL, {}), self.tables.get(profile, {})):
            merged.update({k: v for k, v in table.items() if k in _RULE_KEYS})
            merged.update(table.get("assignee", {}).get(kind.value, {}))
        return ReminderRule(
            tuple(sorted(set(merged.get("days_before", ())), reverse=True)), bool(merged.get("on_overdue", False))
        )

    def digest_weekday(self, profile: str) -> int | None:
        """Monday = 0; None when the profile (or the national default) wants no digest."""
        name = self.tables.get(profile, {}).get("digest_weekday", self.tables.get(NATIONAL, {}).get("digest_weekday"))
        return WEEKDAYS.index(name) if name else None


def default_rules() -> ReminderRules:
    """The rules shipped with the ledger (reminders.toml)."""
    return parse_rules(files("audit.duties").joinpath("reminders.toml").read_text(encoding="utf-8"))


def parse_rules(text: str, over: ReminderRules | None = None) -> ReminderRules:
    """Rules from TOML text; with `over`, the text's keys replace those of `over`, table by table."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ReminderRulesError(f"the reminder rules are not valid TOML: {e}") from None
    tables: dict[str, dict[str, Any]] = {
        name: {**table, "assignee": {k: dict(v) for k, v in table.get("assignee", {}).items()}}
        for name, table in (over.tables if over is not None else {}).items()
    }
    for name, table in data.items():
        _check_profile(name, table)
        merged = tables.setdefault(name, {"assignee": {}})
        merged.update({k: v for k, v in table.items() if k != "assignee"})
        for kind, rule in table.get("assignee", {}).items():
            merged["assignee"].setdefault(kind, {}).update(rule)
    return ReminderRules(tables)


def _check_profile(name: str, table: Any) -> None:
    if name not in PROFILES:
        raise ReminderRulesError(f"[{name}] is not a municipal profile; known: {', '.join(sorted(PROFILES))}")
    if not isinstance(table, dict):
        raise ReminderRulesError(f"{name} must be a table")
    unknown = set(table) - _PROFILE_KEYS
    if unknown:
        raise ReminderRulesError(f"[{name}] has unknown keys: {', '.join(sorted(unknown))}")
    _check_rule(f"[{name}]", table)
    weekday = table.get("digest_weekday", "")
    if not isinstance(weekday, str) or weekday not in ("", *WEEKDAYS):
        raise ReminderRulesError(f'[{name}] digest_weekday must be one of {", ".join(WEEKDAYS)}, or "" for none')
    assignees = table.get("assignee", {})
    if not isinstance(assignees, dict):
        raise ReminderRulesError(f"[{name}] assignee must be tables")
    for kind, rule in assignees.items():
        where = f"[{name}.assignee.{kind}]"
        if kind not in {k.value for k in AssigneeKind}:
            raise ReminderRulesError(f"{where}: no such assignee; known: {', '.join(k.value for k in AssigneeKind)}")
        if not isinstance(rule, dict) or set(rule) - _RULE_KEYS:
            raise ReminderRulesError(f"{where} may set only days_before and on_overdue")
        _check_rule(where, rule)


def _check_rule(where: str, table: Mapping[str, Any]) -> None:
    days = table.get("days_before", [])
    if not isinstance(days, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= _MAX_DAYS_BEFORE for n in days
    ):
        raise ReminderRulesError(f"{where} days_before must be a list of whole days, 0 to {_MAX_DAYS_BEFORE}")
    if not isinstance(table.get("on_overdue", False), bool):
        raise ReminderRulesError(f"{where} on_overdue must be true or false")


# ---------------------------------------------------------------- deciding


@dataclass(frozen=True)
class Reminder:
    id: str  # stable: see `reminder_id`
    duty: Duty
    stage: str  # "before:<days>" or "overdue"
    on: date  # the Norwegian day the stage began


@dataclass(frozen=True)
class Digest:
    id: str
    municipality: str
    week: str  # ISO week, e.g. "2026-W07"
    on: date
    duties: tuple[Duty, ...]


def due_reminders(duty: Duty, rules: ReminderRules, now: datetime) -> list[Reminder]:
    """The reminder `duty` calls for at `now`, if any: the latest stage it has reached (one overdue
    reminder once it is overdue; before that, the nearest `days_before` whose day has come)."""
    rule = rules.rule_for(duty.profile, duty.assignee.kind)
    if duty.status is DutyStatus.OVERDUE or now >= duty.due_at:
        if not rule.on_overdue:
            return []
        return [_reminder(duty, OVERDUE, local_date(duty.due_at))]
    today = local_date(now)
    reached = [n for n in rule.days_before if duty.deadline - timedelta(days=n) <= today]
    if not reached:
        return []
    days = min(reached)
    return [_reminder(duty, f"before:{days}", duty.deadline - timedelta(days=days))]


def due_digest(
    municipality: str, profile: str, duties: Sequence[Duty], rules: ReminderRules, now: datetime
) -> Digest | None:
    """KE's weekly digest of `duties` (the municipality's), due from the profile's weekday in each ISO
    week; None before that day, without a weekday, or with nothing to tell."""
    due = digest_due(municipality, profile, rules, now)
    if due is None or not duties:
        return None
    digest_id, name, day = due
    ordered = tuple(sorted(duties, key=lambda d: (d.status is not DutyStatus.OVERDUE, d.due_at, d.rule)))
    return Digest(digest_id, municipality, name, day, ordered)


def digest_due(municipality: str, profile: str, rules: ReminderRules, now: datetime) -> tuple[str, str, date] | None:
    """The digest of this week that is due at `now` (its id, ISO week and day), before any duty is
    read: whoever records digests asks this first, and reads the duties only for one not yet made."""
    weekday = rules.digest_weekday(profile)
    if weekday is None:
        return None
    today = local_date(now)
    day = today - timedelta(days=today.weekday() - weekday)
    if today < day:
        return None
    year, week, _ = day.isocalendar()
    name = f"{year}-W{week:02d}"
    return _digest_id(municipality, name), name, day


def next_reminder_at(duty: Duty, rules: ReminderRules, now: datetime) -> datetime | None:
    """The next moment after `now` at which `due_reminders(duty, …)` calls for a reminder it does not
    call for at `now` (the start of a `days_before` day in Norway, or the moment the duty becomes
    overdue); None when no later reminder will come. Whoever keeps duties judges them again then."""
    rule = rules.rule_for(duty.profile, duty.assignee.kind)
    if duty.status is DutyStatus.OVERDUE or now >= duty.due_at:
        return None
    moments = [
        datetime.combine(duty.deadline - timedelta(days=n), time.min, tzinfo=NORWAY).astimezone(UTC)
        for n in rule.days_before
    ]
    if rule.on_overdue:
        moments.append(duty.due_at)
    ahead = [m for m in moments if m > now]
    return min(ahead) if ahead else None


def reminder_id(duty: Duty, stage: str) -> str:
    a = duty.assignee
    about = [
        "duty-reminder/1",
        str(duty.case_id),
        duty.rule,
        duty.task.value,
        duty.item,
        duty.deadline.isoformat(),
        [a.kind.value, a.id, a.unit, a.guardian],
        stage,
    ]
    return _sha256(about)


def _digest_id(municipality: str, week: str) -> str:
    return _sha256(["ke-digest/1", municipality, week])


def _sha256(about: list[Any]) -> str:
    # Compact, fixed separators: the id must not change with a formatting default.
    return hashlib.sha256(json.dumps(about, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def _reminder(duty: Duty, stage: str, on: date) -> Reminder:
    return Reminder(reminder_id(duty, stage), duty, stage, on)
