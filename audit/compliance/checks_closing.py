"""Checks of decisions, the plan's contents, closing and complaints
(CHK-15, 18, 19, 20)."""

from __future__ import annotations

import re
from typing import Any

from audit.compliance.checks_coordinator import awaiting_meeting, coordinators
from audit.compliance.result import (
    CheckResult,
    CheckStatus,
    Finding,
    Task,
    breach,
    combine,
    not_applicable,
    ok,
)
from audit.compliance.timeline import Timeline, add_days, days_between, fmt, local_date, plural
from ledger.events import DecisionRecorded
from ledger.events_plan import (
    ActivityPlanned,
    ClosureNotified,
    ComplaintDecided,
    ComplaintForwarded,
    ComplaintReceived,
    GoalSet,
    LifeAreaAssessed,
    PlanEstablished,
    PlanExported,
    TransferredOut,
)
from ledger.profiles import MunicipalProfile
from ledger.values import (
    ComplaintDecider,
    ComplaintOutcome,
    DecisionOutcome,
    PlanTool,
    is_erased,
)


# ------------------------------------------------------------------ CHK-15
def chk15_closing_documented(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-15. A closed case (CaseClosed not followed by a reopening) must show: the assessment behind
    the closing (the ledger refuses a closing without one, so after erasure the assessment counts as
    documented though it can no longer be read); the subject's agreement or KE's termination letter; a
    full export of the plan (PlanExported) on or after the closing day; and notice (ClosureNotified) to
    KE and to every team member still in the team when it closed. What is missing is a breach: the
    routines set no time for it. An open (or transferred) case: not applicable."""
    rule = "CHK-15"
    closing = t.closing
    if closing is None:
        moved = t.first(TransferredOut)
        why = "Saken er overført til en annen kommune, ikke avsluttet." if moved else "Saken er ikke avsluttet."
        return not_applicable(rule, why, moved)
    day = local_date(closing.occurred_at)
    missing: list[str] = []
    assessment = closing.assessment
    if not is_erased(assessment) and not (isinstance(assessment, str) and assessment.strip()):
        missing.append("dokumentert vurdering")
    if closing.agreed_by_subject:
        consent = "brukerens samtykke"
    elif closing.termination_letter_sent:
        consent = "opphørsbrev fra koordinerende enhet"
    else:
        consent = ""
        missing.append("brukerens samtykke eller opphørsbrev fra koordinerende enhet")
    exports = [e for e in t.of(PlanExported) if local_date(e.occurred_at) >= day]
    if not exports:
        missing.append("eksport av hele planen")
    notices = [n for n in t.of(ClosureNotified) if n.occurred_at >= closing.occurred_at]
    if not any(n.ke_notified for n in notices):
        missing.append("varsel til koordinerende enhet")
    told = {pid for n in notices for pid in n.participants}
    members = [pr for pr in t.participants.values() if pr.active_at(closing.occurred_at)]
    untold = sorted({pr.state.service for pr in members if pr.state.participant_id not in told})
    if untold:
        missing.append(f"varsel til alle i teamet (ikke varslet: {', '.join(untold)})")
    evidence = (closing, exports, notices)
    if missing:
        return breach(rule, f"Avslutningen {fmt(day)} mangler: {'; '.join(missing)}.", *evidence)
    return ok(
        rule,
        f"Avslutningen {fmt(day)} er dokumentert: vurdering, {consent}, eksport av planen "
        f"{fmt(exports[0].occurred_at)} og varsel til koordinerende enhet og teamet.",
        *evidence,
    )


# ------------------------------------------------------------------ CHK-18
_HEALTH = re.compile(r"\bhol\b|\bpbrl\b|helse- og omsorgst[je]*nestelov|pasient- og bruk[ea]r|spesialisthelset")
_SOCIAL = re.compile(r"sosialt[je]*nestelov|\bstjl\b|\bsotjl\b|nav-lov|arbeids- og velferdsforvaltningslov")


def complaint_weeks(legal_basis: str) -> set[int]:
    """The complaint deadline(s) the legal basis gives: 4 weeks under the health laws (pbrl. § 7-5),
    3 weeks under the social services and NAV acts (fvl. § 29); empty when the basis names neither."""
    text = legal_basis.casefold() if isinstance(legal_basis, str) else ""
    return ({4} if _HEALTH.search(text) else set()) | ({3} if _SOCIAL.search(text) else set())


def chk18_refusal_told_of_complaint(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-18. Every refusal (DecisionRecorded refused) must say that the subject may complain to
    Statsforvalteren (`complaint_information_given`) and give the deadline the legal basis decides: 4
    weeks where it names hol./helse- og omsorgstjenesteloven or pbrl./pasient- og brukerrettighetsloven,
    3 weeks where it names sosialtjenesteloven or NAV-loven; a basis naming both allows either. A basis
    naming neither cannot be checked against the deadline: the result says so and judges the rest."""
    rule = "CHK-18"
    refusals = [d for d in t.of(DecisionRecorded) if d.outcome is DecisionOutcome.REFUSED]
    if not refusals:
        return not_applicable(rule, "Ingen avslag er registrert i saken.")
    findings: list[Finding] = []
    notes: list[str] = []
    for d in refusals:
        name = f"Avslaget {fmt(d.occurred_at)} ({d.legal_basis})"
        weeks, expected = d.complaint_deadline_weeks, complaint_weeks(d.legal_basis)
        if not d.complaint_information_given:
            findings.append(
                Finding(CheckStatus.BREACH, f"{name} sa ikke at brukeren kan klage til Statsforvalteren.", (d,))
            )
        elif weeks is None:
            findings.append(Finding(CheckStatus.BREACH, f"{name} oppga ikke klagefristen.", (d,)))
        elif not expected:
            notes.append(
                f"Hjemmelen i avslaget {fmt(d.occurred_at)} avgjør ikke klagefristen; oppgitt frist "
                f"{plural(weeks, 'uke', 'uker')} er ikke kontrollert."
            )
            findings.append(Finding(CheckStatus.OK, "", (d,)))
        elif weeks not in expected:
            right = " eller ".join(str(w) for w in sorted(expected))
            findings.append(
                Finding(
                    CheckStatus.BREACH,
                    f"{name} oppga {plural(weeks, 'ukes', 'ukers')} klagefrist; hjemmelen gir {right} uker.",
                    (d,),
                    add_days(local_date(d.occurred_at), 7 * min(expected)),
                )
            )
        else:
            findings.append(Finding(CheckStatus.OK, "", (d,), add_days(local_date(d.occurred_at), 7 * weeks)))
    told = "Avslaget" if len(refusals) == 1 else "Hvert avslag"
    sentence = f"{told} informerte om retten til å klage til Statsforvalteren og om klagefristen."
    return combine(rule, findings, all_ok=" ".join([sentence, *notes]))


# ------------------------------------------------------------------ CHK-19
def chk19_plan_contents(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-19. Only for an individual plan (the latest PlanEstablished chose IP; minutes as the tool:
    not applicable). The plan must hold what the regulation asks, as far as the ledger records it:
    goals (GoalSet, each with its evaluation date as the revision date); resources and needs
    (LifeAreaAssessed); participants; a coordinator; measures with who is responsible (ActivityPlanned);
    consent to the plan and to sharing (a consent that came into force); and cooperation with other
    providers (participants from at least two services). Judged once the plan has been in use at a
    meeting held after it was established, or the case closed; pending before that. The plan period
    and next of kin's contributions are not recorded as such and are not checked."""
    rule = "CHK-19"
    plans = t.of(PlanEstablished)
    if not plans:
        return not_applicable(rule, "Ingen plan er opprettet i saken.")
    plan = plans[-1]
    if plan.tool is not PlanTool.INDIVIDUAL_PLAN:
        return not_applicable(rule, "Koordineringsverktøyet er referat; brukeren har ikke individuell plan.", plan)
    services = {pr.state.service for pr in t.participants.values()}
    consents = [c for c in t.consents.values() if c.state.in_force_from is not None]
    parts: list[tuple[str, list[Any]]] = [
        ("mål med evalueringsdato", t.of(GoalSet)),
        ("ressurser og behov (vurdering av livsområder)", t.of(LifeAreaAssessed)),
        ("deltakere", [pr.added for pr in t.participants.values()]),
        ("koordinator", coordinators(t)),
        ("tiltak med ansvarlig tjeneste", t.of(ActivityPlanned)),
        ("samtykke til planen og til deling", [c.events[0] for c in consents]),
        (
            "samarbeid med andre tjenesteytere",
            [pr.added for pr in t.participants.values()] if len(services) > 1 else [],
        ),
    ]
    missing = [label for label, found in parts if not found]
    evidence = (plan, *(found[:1] for _, found in parts))
    in_use = any(m.at >= plan.occurred_at for m in t.held_meetings) or not t.is_open
    if not missing:
        return ok(
            rule,
            "Den individuelle planen har mål, ressurser og behov, deltakere, koordinator, tiltak med "
            "ansvar, samtykke og samarbeid med andre tjenesteytere.",
            *evidence,
        )
    if not in_use:
        return awaiting_meeting(t, rule, f"Den individuelle planen mangler ennå: {', '.join(missing)}.", plan)
    return breach(rule, f"Den individuelle planen mangler: {', '.join(missing)}.", *evidence)


# ------------------------------------------------------------------ CHK-20
def chk20_complaint_forwarded(t: Timeline, p: MunicipalProfile) -> CheckResult:
    """CHK-20. A complaint (ComplaintReceived, from its `received_at`) that the municipality did not
    uphold in full must be forwarded to Statsforvalteren with the case documents (ComplaintForwarded,
    which carries the report's digest) within `complaint_forwarding_days` calendar days. A complaint the
    municipality upheld in full is not forwarded. Pending until the last day, a breach after it."""
    rule, days = "CHK-20", p.complaint_forwarding_days
    if days is None:
        return not_applicable(rule, f"{p.name} har ikke satt frist for å oversende klager.")
    complaints = t.of(ComplaintReceived)
    if not complaints:
        return not_applicable(rule, "Ingen klage er registrert i saken.")
    findings: list[Finding] = []
    for c in complaints:
        received = c.received_at
        deadline = add_days(local_date(received), days)
        sent = next((f for f in t.of(ComplaintForwarded) if f.complaint_id == c.complaint_id), None)
        upheld = next(
            (
                d
                for d in t.of(ComplaintDecided)
                if d.complaint_id == c.complaint_id
                and d.decided_by is ComplaintDecider.MUNICIPALITY
                and d.outcome is ComplaintOutcome.UPHELD
            ),
            None,
        )
        name = f"Klagen mottatt {fmt(received)}"
        if sent is not None:
            took = days_between(received, sent.occurred_at)
            if local_date(sent.occurred_at) <= deadline:
                findings.append(Finding(CheckStatus.OK, "", (c, sent), deadline))
            else:
                findings.append(
                    Finding(
                        CheckStatus.BREACH,
                        f"{name} ble oversendt Statsforvalteren "
                        f"{fmt(sent.occurred_at)}, {plural(took, 'dag', 'dager')} etter (høyst {days}).",
                        (c, sent),
                        deadline,
                    )
                )
        elif upheld is not None:
            findings.append(Finding(CheckStatus.OK, "", (c, upheld)))
        elif t.today_date <= deadline:
            findings.append(
                Finding(
                    CheckStatus.PENDING,
                    f"{name} må oversendes Statsforvalteren senest "
                    f"{fmt(deadline)} hvis kommunen ikke gir klageren medhold.",
                    (c,),
                    deadline,
                    Task.FORWARD_COMPLAINT,
                    c.complaint_id,
                )
            )
        else:
            findings.append(
                Finding(
                    CheckStatus.BREACH,
                    f"{name} er ikke oversendt Statsforvalteren; fristen på {days} dager gikk ut {fmt(deadline)}.",
                    (c,),
                    deadline,
                    Task.FORWARD_COMPLAINT,
                    c.complaint_id,
                )
            )
    return combine(
        rule, findings, all_ok=f"Klager kommunen ikke ga medhold i, ble oversendt Statsforvalteren innen {days} dager."
    )
