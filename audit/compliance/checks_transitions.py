"""CHK-16: transitions prepared in time for a child's age (Selbu's
transitions table, Vestre Toten §10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from audit.compliance.result import (
    CheckResult,
    CheckStatus,
    Finding,
    Task,
    combine,
    not_applicable,
)
from audit.compliance.timeline import Timeline, add_years, fmt, local_date
from ledger.events_plan import TransitionCompleted, TransitionPlanned
from ledger.profiles import MunicipalProfile
from ledger.values import TransitionKind

# Norwegian schools start in the middle of August; the profile names no day,
# so the 15th stands for "August" in every school step below.
SCHOOL_START_MONTH, SCHOOL_START_DAY = 8, 15
ADULT_AGE = 18


@dataclass(frozen=True)
class Step:
    kind: TransitionKind
    what: str  # Norwegian, completes "… skulle vært gjort senest <date>"
    opens: date  # from when the step is due to be worked on (pending from then)
    deadline: date
    held: bool  # the step is a meeting: it counts when completed, not when planned
    only_if_recorded: bool  # "when large costs follow": the ledger cannot know, so judged only if recorded


def school_start(birth: date) -> date:
    """August of the year the child turns 6."""
    return add_years(date(birth.year, SCHOOL_START_MONTH, SCHOOL_START_DAY), 6)


def steps_for(birth: date) -> list[Step]:
    start = school_start(birth)
    return [
        Step(
            TransitionKind.SCHOOL_NOTIFIED,
            "Skolen skulle fått beskjed om tiltak med store kostnader",
            add_years(start, -3),
            add_years(start, -2),
            False,
            True,
        ),
        Step(
            TransitionKind.SCHOOL_TRANSFER_MEETING,
            "Overføringsmøte med skolen skulle vært holdt",
            add_years(start, -2),
            add_years(start, -1),
            True,
            False,
        ),
        Step(
            TransitionKind.LOWER_SECONDARY,
            "Overgangen til ungdomsskolen skulle vært forberedt i 7. trinn",
            add_years(start, 6),
            add_years(start, 7),
            False,
            False,
        ),
        Step(
            TransitionKind.UPPER_SECONDARY,
            "Planleggingen av videregående skole skulle vært startet i 9. trinn",
            add_years(start, 8),
            add_years(start, 9),
            False,
            False,
        ),
        Step(
            TransitionKind.ADULT_SERVICES,
            "NAV og tjenester for voksne skulle vært koblet inn før 18 år",
            add_years(birth, ADULT_AGE - 1),
            add_years(birth, ADULT_AGE),
            False,
            False,
        ),
    ]


def chk16_transitions(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-16. Only where the profile sets age-based deadlines. From the subject's birth date (the due
    date of an expected child), with school start taken as 15 August of the year the child turns 6:
    the school told of costly measures 2 years before school start (judged only when such a step is
    recorded, since the ledger cannot know the costs); a transfer meeting held (TransitionCompleted of a
    school_transfer_meeting) at least 1 year before school start; the lower-secondary transition planned
    during 7th grade (by the start of 8th); upper-secondary planning begun during 9th grade (by the start
    of 10th); adult services (NAV) involved in the year before the 18th birthday. Except the transfer
    meeting, a step counts when it is planned (TransitionPlanned) or completed. A step is pending from
    the start of its period (the transfer meeting: from 2 years before school start) to its deadline,
    and a breach after; steps whose deadline fell before the case was opened or after it was closed are
    not judged. Not applicable for an adult, before any step is due, or once the birth date is erased."""
    rule = "CHK-16"
    if not p.age_based_transition_deadlines:
        return not_applicable(rule, f"{p.name} har ikke satt aldersbestemte frister for overganger.")
    birth = t.birth_date
    if t.opened is None or birth is None:
        why = "fødselsdatoen er slettet" if t.erasure is not None else "fødselsdatoen er ukjent"
        return not_applicable(rule, f"Overgangene kan ikke vurderes: {why}.", t.erasure)
    opened = local_date(t.opened.occurred_at)
    age = t.age_on(opened)
    if age is not None and age >= ADULT_AGE:
        return not_applicable(
            rule,
            f"Overganger etter alder gjelder barn og unge; personen var {age} år da saken ble opprettet.",
            t.opened,
        )
    last_day = t.today_date if t.is_open else local_date(t.end)
    findings: list[Finding] = []
    later: list[Step] = []
    for step in steps_for(birth):
        if step.deadline <= opened or (not t.is_open and step.deadline > last_day):
            continue
        finding = _judge(t, step)
        if finding is not None:
            findings.append(finding)
        elif not step.only_if_recorded:
            later.append(step)
    if not findings:
        coming = f" Neste frist er {fmt(later[0].deadline)}." if later and t.is_open else ""
        return not_applicable(rule, f"Ingen overgang er aktuell ennå for barnets alder.{coming}", t.opened)
    return combine(
        rule,
        findings,
        all_ok=f"Overgangene er forberedt i tide for barnets alder (skolestart {fmt(school_start(birth))}).",
        evidence=(t.opened,),
    )


def _judge(t: Timeline, step: Step) -> Finding | None:
    planned = [e for e in t.of(TransitionPlanned) if e.kind is step.kind]
    ids = {e.transition_id for e in planned}
    completed = [e for e in t.of(TransitionCompleted) if e.transition_id in ids]
    counting = completed if step.held else sorted(planned + completed, key=lambda e: e.occurred_at)
    evidence = (*planned, *completed)
    if step.only_if_recorded and not planned:
        return None
    done: datetime | None = counting[0].occurred_at if counting else None
    if done is not None and local_date(done) <= step.deadline:
        return Finding(CheckStatus.OK, "", evidence, step.deadline)
    if done is not None:
        return Finding(
            CheckStatus.BREACH,
            f"{step.what} senest {fmt(step.deadline)}; det skjedde først {fmt(done)}.",
            evidence,
            step.deadline,
        )
    if t.is_open and t.today_date <= step.deadline:
        if t.today_date < step.opens:
            return None  # not yet due to be worked on
        return Finding(
            CheckStatus.PENDING,
            f"{step.what.replace('skulle vært', 'skal være')} senest {fmt(step.deadline)}.",
            evidence,
            step.deadline,
            Task.PREPARE_TRANSITION,
            step.kind,
        )
    only_planned = f" (planlagt {fmt(planned[0].occurred_at)}, men ikke registrert holdt)" if planned else ""
    # Still owed while the case is open (a transfer meeting planned but not held, NAV not yet involved).
    owed = Task.PREPARE_TRANSITION if t.is_open else None
    return Finding(
        CheckStatus.BREACH,
        f"{step.what} senest {fmt(step.deadline)}; det er ikke registrert{only_planned}.",
        evidence,
        step.deadline,
        owed,
        step.kind if owed else None,
    )
