"""What the screens show beside the data: each role's home and navigation, and the Norwegian
way of writing dates, statuses and rules. Installed into the templates by `web.app.install`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from audit.compliance import RULE_TITLES
from ledger.values import CaseStatus, EvaluationStatus, InfoCategory, LifeArea, Role
from ledger.vocabulary import word_for

NORWAY = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class Link:
    url: str
    text: str


# Each role's own screen: where `/` sends it, and the first link of its navigation.
HOMES: dict[Role, Link] = {
    Role.KE_CASEWORKER: Link("/oversikt", "Oversikt"),
    Role.COORDINATOR: Link("/mine-saker", "Mine saker"),
    Role.UNIT_LEADER: Link("/mine-saker", "Mine oppgaver"),
    Role.SERVICE_PROVIDER: Link("/mine-saker", "Mine saker"),
    Role.CITIZEN: Link("/min-plan", "Min plan"),
    Role.GUARDIAN: Link("/min-plan", "Min plan"),
}


def home_of(role: Role) -> str | None:
    link = HOMES.get(role)
    return link.url if link else None


def nav_links(role: Role | None, path: str) -> list[dict[str, Any]]:
    """The navigation of a signed-in role, each link marked `current` when it is the page shown."""
    if role is None:
        return []
    links = [Link("/", "Forside")] if role not in HOMES else [HOMES[role]]
    if role is Role.KE_CASEWORKER:
        links.append(Link("/saker/ny", "Ny sak"))
    return [{"url": link.url, "text": link.text, "current": link.url == path} for link in links]


def norwegian_date(value: str | date | datetime | None) -> str:
    """A date as Norwegians write it (17.05.2026); a moment on the Norwegian day it falls on."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=NORWAY)).astimezone(NORWAY).date()
    return value.strftime("%d.%m.%Y")


def norwegian_time(value: str | datetime | None) -> str:
    """A moment in Norwegian time (17.05.2026 kl. 10.30)."""
    if not value:
        return "–"
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    moment = (moment if moment.tzinfo else moment.replace(tzinfo=NORWAY)).astimezone(NORWAY)
    return moment.strftime("%d.%m.%Y kl. %H.%M")


def case_status(value: str) -> str:
    return word_for(CaseStatus, value) if value in CaseStatus._value2member_map_ else value


def rule_title(rule: str) -> str:
    return RULE_TITLES.get(rule, rule)


# The parts of a case a read names in the access log (reads.policy.PARTS).
PART_WORDS = {
    "case": "saken",
    "history": "hendelsene",
    "compliance": "fristkontrollen",
    "report": "rapporten",
    "access_log": "tilgangsloggen",
    "exports": "eksporterte dokumenter",
    "notifications": "varslene",
}


def parts(values: list[str]) -> str:
    return ", ".join(PART_WORDS.get(v, v) for v in values)


def role_word(value: str) -> str:
    return word_for(Role, value)


def words(enum: Any) -> Any:
    """A filter giving the word for a member of `enum` given by its value."""
    return lambda value: word_for(enum, value) if value else "–"


def bar_width(value: int, largest: int) -> int:
    """A bar's length in steps of 5 % (the style sheet has a class per step: no inline style)."""
    if largest <= 0 or value <= 0:
        return 0
    return max(5, round(value * 20 / largest) * 5)


def install(env: jinja2.Environment) -> None:
    env.globals.update(nav_links=nav_links, bar_width=bar_width, rule_title=rule_title)
    env.filters.update(
        norsk_dato=norwegian_date,
        norsk_tid=norwegian_time,
        saksstatus=case_status,
        rolle=role_word,
        deler=parts,
        livsomraade=words(LifeArea),
        kategori=words(InfoCategory),
        evaluering=words(EvaluationStatus),
    )
