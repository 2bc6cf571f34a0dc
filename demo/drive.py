"""`drive` takes one demo case as far as its target stage: the relay log,
the plan and its first-person goals, the team's working period, closing,
export and erasure.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from commands.case_commands import AppointCoordinator, RequestProvision, WithdrawConsent
from commands.plan_commands import (
    AssessLifeArea,
    CloseCase,
    EraseCase,
    EstablishPlan,
    ExportPlan,
    NotifyClosure,
    PlanActivity,
    SetGoal,
)
from demo.cases import CaseRun, GoalInfo, Stage, StopCase, Writer
from demo.people import ACTIVITIES, GOALS, SITUATIONS
from demo.stages import (
    appoint,
    build_team,
    citizen,
    complain,
    consent,
    decide,
    refer,
    request_coordinator,
    start_up,
)
from demo.team import TeamPeriod, hold_first_meeting
from ledger.values import CoordinatorKind, LifeArea, Person, PlanTool, Provision, WithdrawalScope


def drive(w: Writer, run: CaseRun, target: Stage) -> None:
    """Take the case through every stage up to `target`, or until its next
    step would lie in the future."""
    try:
        refer(w, run)
        if run.relay:
            relay_log(w, run)
            if target is Stage.RELAY:
                return
            ask_for_coordinator(w, run)
        if target is Stage.REFERRED:
            return
        decide(w, run, refuse=target is Stage.REFUSED)
        if target in (Stage.REFUSED, Stage.DECIDED):
            return
        request_coordinator(w, run, unanswered=target is Stage.REQUESTED)
        if target is Stage.REQUESTED:
            return
        appoint(w, run)
        if target is Stage.APPOINTED:
            return
        start_up(w, run)
        if target is Stage.STARTUP:
            return
        build_team(w, run)
        consent(w, run, may_await=target is Stage.CONSENT)
        run.stage = Stage.CONSENT
        if target is Stage.CONSENT:
            return
        plan_and_goals(w, run)
        run.stage = Stage.PLAN
        if target is Stage.PLAN:
            return
        closing = target in (Stage.CLOSED, Stage.ERASED)
        until = (
            min(w.limit - timedelta(days=40), run.t + timedelta(days=w.rng.uniform(240, 560))) if closing else w.limit
        )
        TeamPeriod(w, run, until).run()
        run.stage = Stage.ACTIVE
        if closing:
            close_case(w, run, erase=target is Stage.ERASED)
        else:
            wind_down(w, run)
    except StopCase:
        pass


# ------------------------------------------------------------ relay log
def relay_log(w: Writer, run: CaseRun) -> None:
    """Vestre Toten's BTI model: a relay holder (stafettholder) from the
    kindergarten or health station keeps a relay log before any decision."""
    unit = next((u for u in run.staff.units if u.service == "barnehage"), None) or w.rng.choice(
        run.staff.units_for(True)
    )
    holder = w.rng.choice(unit.coordinators)
    w.handle(
        run,
        AppointCoordinator,
        w.later(run, 2, 7),
        actor=w.ke(run),
        person=Person(holder.id, holder.name),
        unit=unit.name,
        kind=CoordinatorKind.RELAY_HOLDER,
        subject_wish_heard=True,
    )
    run.coordinator, run.unit, run.relay_open = holder, unit, True
    run.stage = Stage.RELAY
    if w.rng.random() < 0.6:
        start_up(w, run)
        run.stage = Stage.RELAY


def ask_for_coordinator(w: Writer, run: CaseRun) -> None:
    """The parents ask for more than the relay log gives."""
    wanted = (
        (Provision.CHILD_COORDINATOR,)
        if w.rng.random() < 0.6
        else (Provision.CHILD_COORDINATOR, Provision.INDIVIDUAL_PLAN)
    )
    w.handle(
        run,
        RequestProvision,
        w.later(run, 40, 150),
        actor=w.ke(run),
        requested=wanted,
        note="Foreldrene ber om barnekoordinator.",
    )
    run.requested = (*run.requested, *wanted)


# ------------------------------------------------------------------ plan
def plan_and_goals(w: Writer, run: CaseRun) -> None:
    """At the team's first meeting: the tool (IP, or minutes when the subject
    declines an IP), life areas assessed, first-person goals and activities."""
    ip_requested = Provision.INDIVIDUAL_PLAN in run.requested
    declines = ip_requested and PlanTool.MINUTES in run.profile.tools and w.rng.random() < 0.3
    tool = PlanTool.INDIVIDUAL_PLAN if ip_requested and not declines else PlanTool.MINUTES

    def during(held: datetime) -> None:
        at = held + timedelta(hours=1)
        w.handle(
            run, EstablishPlan, at, actor=run.coordinator, tool=tool, informed_of_right_to_ip=True, ip_declined=declines
        )
        services = {a.service for a in run.team.values()}
        options = [
            (area, text, [s for s in owners if s in services])
            for area, goals in GOALS[run.child].items()
            for text, owners in goals
        ]
        options = [o for o in options if o[2]]
        chosen = w.rng.sample(options, k=min(len(options), w.rng.randint(1, 3)))
        for area in dict.fromkeys(o[0] for o in chosen):
            at += timedelta(minutes=10)
            w.handle(
                run,
                AssessLifeArea,
                at,
                actor=run.coordinator,
                life_area=area,
                situation=w.rng.choice(SITUATIONS[run.child].get(area, ("Ingen endring.",))),
            )
        for area, text, owners in chosen:
            at += timedelta(minutes=10)
            set_goal(w, run, at, area, text, w.rng.choice(owners))

    hold_first_meeting(w, run, during)


def set_goal(w: Writer, run: CaseRun, at: datetime, area: LifeArea, text: str, service: str) -> None:
    evaluate_by = (at + timedelta(days=w.rng.randint(120, 270))).date()
    result = w.handle(
        run,
        SetGoal,
        at,
        actor=run.coordinator,
        text=text,
        life_area=area,
        responsible_service=service,
        evaluate_by=evaluate_by,
    )
    goal_id = result.created["goal_id"]
    assert isinstance(goal_id, UUID)
    run.goals[goal_id] = GoalInfo(service, evaluate_by, text)
    for what in w.rng.sample(ACTIVITIES[service], k=min(len(ACTIVITIES[service]), w.rng.randint(1, 2))):
        due = (at + timedelta(days=w.rng.randint(30, 150))).date()
        activity = w.handle(
            run,
            PlanActivity,
            at + timedelta(minutes=2),
            actor=run.coordinator,
            goal_id=goal_id,
            what=what,
            responsible_service=service,
            due=due,
        ).created["activity_id"]
        assert isinstance(activity, UUID)
        run.activities.append((activity, goal_id, due))


# --------------------------------------------------------------- closing
def wind_down(w: Writer, run: CaseRun) -> None:
    """The end of an open case's story so far: now and then the whole consent
    is withdrawn, or a complaint about the plan arrives."""
    if run.consents and w.want("consent_withdrawn_all", 0.05):
        withdraw_all(w, run, w.later(run, 3, 30))
    elif w.rng.random() < 0.04:
        complain(w, run, (Provision.INDIVIDUAL_PLAN,), "Planen min er ikke evaluert slik vi avtalte.")


def withdraw_all(w: Writer, run: CaseRun, when: datetime) -> None:
    consent_id = next(reversed(run.consents))
    p = run.person
    own = p.national_id is not None and not run.under_16(when) and run.verge is None
    actor = citizen(run) if own else run.coordinator
    w.handle(
        run,
        WithdrawConsent,
        when,
        actor=actor,
        consent_id=consent_id,
        scope=WithdrawalScope.ALL,
        reason="Ønsker ikke lenger at opplysninger deles i teamet.",
    )


def close_case(w: Writer, run: CaseRun, *, erase: bool) -> None:
    """CaseClosed (with the subject's agreement, or by KE with a termination
    letter), ClosureNotified, PlanExported and, for erasure, KeyDestroyed."""
    ke = w.ke(run)
    when = w.later(run, 3, 20)
    if w.pick("closing", {"termination letter": 35, "agreement": 65}) == "termination letter":
        if run.consents and w.rng.random() < 0.5:
            withdraw_all(w, run, when)
        w.handle(
            run,
            CloseCase,
            w.later(run, 1, 5),
            actor=ke,
            agreed_by_subject=False,
            termination_letter_sent=True,
            reason="Brukeren ønsker ikke lenger koordinerte tjenester.",
            assessment="KE har vurdert at vilkårene for koordinator ikke lenger er oppfylt; opphørsbrev er sendt.",
        )
        terminated = True
    else:
        w.handle(
            run,
            CloseCase,
            when,
            actor=run.coordinator,
            agreed_by_subject=True,
            termination_letter_sent=False,
            reason="Målene i planen er nådd.",
            assessment="Brukeren og teamet er enige om at behovet for koordinerte tjenester ikke lenger er til stede.",
        )
        terminated = False
    run.stage = Stage.CLOSED
    if erase or w.rng.random() < 0.85:
        w.handle(
            run,
            NotifyClosure,
            w.later(run, 0, 3),
            actor=run.coordinator,
            ke_notified=True,
            participants=tuple(run.team),
        )
    else:
        w.breach("CHK-15")
    if erase or w.rng.random() < 0.5:
        w.handle(
            run,
            ExportPlan,
            w.later(run, 1, 5),
            actor=w.rng.choice((ke, run.coordinator)),
            format="json",
            filed_in="kommunens sak- og arkivsystem",
        )
    if erase:
        erase_at = w.later(run, 5, 30)
        w.file_in_archive(run, erase_at - timedelta(hours=3))
        w.handle(run, EraseCase, erase_at, actor=ke)
        run.stage = Stage.ERASED
    elif terminated and w.want("complaint_after_closing", 0.2):
        complain(w, run, (Provision.COORDINATOR,), "Jeg er uenig i at koordinatoren min er tatt fra meg.")
