"""What a check concludes: a status, a sentence a person reads, the deadline
it was judged against and the events that prove it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

RULES: tuple[str, ...] = tuple(f"CHK-{n:02d}" for n in range(1, 21))

# Short Norwegian names of the checks (DOMAIN §5), for the report's headings.
RULE_TITLES: dict[str, str] = {
    "CHK-01": "Koordinator oppnevnt innen fristen etter forespørsel fra koordinerende enhet",
    "CHK-02": "Oppstartsamtale etter oppnevning og før første møte",
    "CHK-03": "Samtykke før første møte og fornyet ved endringer i teamet",
    "CHK-04": "Saksliste avtalt med bruker og sendt i tide før hvert møte",
    "CHK-05": "Referat sendt i tide og med fullstendig innhold",
    "CHK-06": "Brukerens egen stemme er ført for hvert møte",
    "CHK-07": "Minste antall møter per 12 måneder",
    "CHK-08": "Evaluering av teamets arbeid i tide",
    "CHK-09": "Hvert mål evaluert innen evalueringsdatoen",
    "CHK-10": "Årlig statusrapport til koordinerende enhet",
    "CHK-11": "Koordinator har fullført innføringskurs før første møte",
    "CHK-12": "Tolkebehov vurdert før første møte, tolk bestilt ved behov",
    "CHK-13": "Informert om retten til individuell plan; nei til IP avsluttet ikke koordinator",
    "CHK-14": "Fravær og bytte av koordinator dekket og brukeren informert",
    "CHK-15": "Avslutningen er dokumentert",
    "CHK-16": "Overganger forberedt i tide etter barnets alder",
    "CHK-17": "Stafettlogg lukket da koordinator eller IP tok over",
    "CHK-18": "Avslag med klagerett og riktig klagefrist",
    "CHK-19": "Planen har innholdet en individuell plan skal ha",
    "CHK-20": "Klage oversendt Statsforvalteren i tide",
}


class CheckStatus(StrEnum):
    OK = "ok"
    BREACH = "breach"
    PENDING = "pending"
    NOT_APPLICABLE = "not_applicable"


class Task(StrEnum):
    """What an item a check found still awaited asks someone to do (read by `audit.duties`)."""

    NAME_COORDINATOR = "name_coordinator"  # CHK-01
    STARTUP_CONVERSATION = "startup_conversation"  # CHK-02
    SEND_AGENDA = "send_agenda"  # CHK-04
    DISTRIBUTE_MINUTES = "distribute_minutes"  # CHK-05
    REVIEW_TEAM = "review_team"  # CHK-08
    EVALUATE_GOAL = "evaluate_goal"  # CHK-09
    REPORT_STATUS = "report_status"  # CHK-10
    PREPARE_TRANSITION = "prepare_transition"  # CHK-16
    FORWARD_COMPLAINT = "forward_complaint"  # CHK-20
    RENEW_CONSENT = "renew_consent"  # a consent in force running out (CHK-03, INV-05)


@dataclass(frozen=True)
class CheckResult:
    rule: str
    status: CheckStatus
    detail: str
    deadline: date | datetime | None = None
    evidence: tuple[int, ...] = ()
    # The items the result was combined from. Not part of the judgement (two
    # results with the same status, detail, deadline and evidence are equal);
    # `audit.duties` reads the ones that carry a task: still awaited, by their deadline.
    findings: tuple[Finding, ...] = field(default=(), compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the status as its value, the deadline in ISO 8601, the evidence as a list of versions."""
        return {
            "rule": self.rule,
            "status": self.status.value,
            "detail": self.detail,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "evidence": list(self.evidence),
        }


def versions(*events: Any) -> tuple[int, ...]:
    """The versions of the events given (None and nested iterables allowed), sorted, once each."""
    found: set[int] = set()

    def add(item: Any) -> None:
        if item is None:
            return
        version = getattr(item, "originator_version", None)
        if version is not None:  # an event (asked first: most items are, and the Iterable check is slow)
            found.add(int(version))
            return
        if isinstance(item, Iterable) and not isinstance(item, (str, bytes)):
            for inner in item:
                add(inner)
            return
        found.add(int(item.originator_version))

    for event in events:
        add(event)
    return tuple(sorted(found))


def ok(rule: str, detail: str, *evidence: Any, deadline: date | datetime | None = None) -> CheckResult:
    return CheckResult(rule, CheckStatus.OK, detail, deadline, versions(*evidence))


def breach(rule: str, detail: str, *evidence: Any, deadline: date | datetime | None = None) -> CheckResult:
    return CheckResult(rule, CheckStatus.BREACH, detail, deadline, versions(*evidence))


def pending(rule: str, detail: str, *evidence: Any, deadline: date | datetime | None = None) -> CheckResult:
    return CheckResult(rule, CheckStatus.PENDING, detail, deadline, versions(*evidence))


def not_applicable(rule: str, detail: str, *evidence: Any) -> CheckResult:
    return CheckResult(rule, CheckStatus.NOT_APPLICABLE, detail, None, versions(*evidence))


@dataclass(frozen=True)
class Finding:
    """One item a check judged (a meeting, a goal, a request): combined into
    the check's result by `combine`."""

    status: CheckStatus
    detail: str
    evidence: tuple[Any, ...] = ()
    deadline: date | datetime | None = None
    # Set only where the item is still awaited and someone can still do it (a
    # request unanswered, minutes not sent): the duty it leaves, and the id of
    # what it is about (request, meeting, goal, complaint, transition kind).
    task: Task | None = None
    item: Any = None


def awaited(result: CheckResult, *items: Finding) -> CheckResult:
    """`result` with the items still awaited attached, for a check judged without `combine`."""
    return replace(result, findings=result.findings + items)


def combine(rule: str, findings: list[Finding], *, all_ok: str, evidence: tuple[Any, ...] = ()) -> CheckResult:
    """A breach wins over pending, pending over ok. The detail names every
    breach (or every pending item); the deadline is the first one that was
    broken, or the nearest one still running, or (all ok) the latest one met."""
    breaches = [f for f in findings if f.status is CheckStatus.BREACH]
    waiting = [f for f in findings if f.status is CheckStatus.PENDING]
    every = versions(evidence, [f.evidence for f in findings])
    items = tuple(findings)
    if breaches:
        deadline = _first_deadline(breaches)
        return CheckResult(rule, CheckStatus.BREACH, " ".join(f.detail for f in breaches), deadline, every, items)
    if waiting:
        deadline = _first_deadline(waiting)
        return CheckResult(rule, CheckStatus.PENDING, " ".join(f.detail for f in waiting), deadline, every, items)
    judged = [f.deadline for f in findings if f.deadline is not None]
    return CheckResult(rule, CheckStatus.OK, all_ok, max(judged, key=_sort_key) if judged else None, every, items)


def _first_deadline(findings: list[Finding]) -> date | datetime | None:
    dated = [f.deadline for f in findings if f.deadline is not None]
    return min(dated, key=_sort_key) if dated else None


def _sort_key(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment
