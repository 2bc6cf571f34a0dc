"""The early stages of a demo case (DOMAIN §6 steps 1-5 and the team), one
small function per stage: referral, decision and complaint, coordinator
request and appointment, start-up conversation, team and consent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from commands.case_commands import (
    AddParticipant,
    AppointCoordinator,
    CloseRelayLog,
    GrantConsent,
    HoldStartupConversation,
    OpenCase,
    RecordCoordinatorTraining,
    RecordDecision,
    RequestCoordinator,
    SignConsent,
)
from commands.plan_commands import DecideComplaint, ForwardComplaint, ReceiveComplaint
from demo.cases import CaseRun, Stage, Writer
from demo.people import INTERPRETER_LANGUAGES, SERVICE_ROLES, WHAT_MATTERS, Unit
from ledger.values import (
    Actor,
    ComplaintDecider,
    ComplaintOutcome,
    ConsentGiverRole,
    CoordinatorKind,
    DecisionOutcome,
    GuardianKind,
    InfoCategory,
    Person,
    Provision,
    ReferrerKind,
    Role,
    Signer,
    Subject,
)


def refer(w: Writer, run: CaseRun) -> None:
    """CaseOpened: the referral, with what is asked for and who reported it."""
    p = run.person
    if run.relay:
        run.requested = (Provision.RELAY_LOG,)
        kind, who = w.rng.choice(
            ((ReferrerKind.KINDERGARTEN, "Barnehagen"), (ReferrerKind.HEALTH_STATION, "Helsestasjonen"))
        )
    elif run.child:
        run.requested = (
            (Provision.CHILD_COORDINATOR, Provision.INDIVIDUAL_PLAN)
            if w.rng.random() < 0.55 or p.expected
            else (Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN)
        )
        kind, who = w.rng.choice(
            (
                (ReferrerKind.HEALTH_STATION, "Helsestasjonen"),
                (ReferrerKind.HOSPITAL, "Barne- og ungdomsklinikken"),
                (ReferrerKind.RELATIVE, "Foreldrene"),
                (ReferrerKind.SCHOOL, "Skolen"),
            )
        )
    else:
        run.requested = (
            (Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN) if w.rng.random() < 0.75 else (Provision.COORDINATOR,)
        )
        kind, who = w.rng.choice(
            (
                (ReferrerKind.GP, "Fastlegen"),
                (ReferrerKind.HOSPITAL, "Sykehuset"),
                (ReferrerKind.NAV, "NAV-kontoret"),
                (ReferrerKind.SUBJECT, ""),
                (ReferrerKind.RELATIVE, "Pårørende"),
                (ReferrerKind.SERVICE, "Hjemmetjenesten"),
            )
        )
    subject = (
        Subject(birth_date=p.birth, expected=True)
        if p.expected
        else Subject(national_id=p.national_id, name=p.name)
        if p.national_id
        else Subject(birth_date=p.birth, name=p.name)
    )
    w.handle(
        run,
        OpenCase,
        run.t,
        actor=w.ke(run),
        municipality=run.municipality,
        subject=subject,
        guardians=p.guardians + ((run.verge,) if run.verge else ()),
        requested=run.requested,
        referrer_kind=kind,
        referrer_name=who,
        reported_under_hpl_38a=kind is ReferrerKind.GP,
        case_id=run.case_id,
    )
    run.stage = Stage.REFERRED


def decide(w: Writer, run: CaseRun, *, refuse: bool) -> None:
    """DecisionRecorded: granted, or refused with the complaint information."""
    when = w.later(run, 4, 14)
    concerns = tuple(r for r in run.requested if r is not Provision.RELAY_LOG)
    basis = (
        "hol. § 7-2 a"
        if Provision.CHILD_COORDINATOR in concerns
        else ("hol. §§ 7-1, 7-2" if Provision.INDIVIDUAL_PLAN in concerns else "hol. § 7-2")
    )
    if not refuse:
        w.handle(
            run,
            RecordDecision,
            when,
            actor=w.ke(run),
            outcome=DecisionOutcome.GRANTED,
            concerns=concerns,
            legal_basis=basis,
            reasons="Behov for langvarige og koordinerte tjenester fra flere tjenesteytere.",
        )
        run.stage = Stage.DECIDED
        return
    social = w.rng.random() < 0.3
    informed = not w.want("refusal_without_complaint_information", 0.12)
    w.handle(
        run,
        RecordDecision,
        when,
        actor=w.ke(run),
        outcome=DecisionOutcome.REFUSED,
        concerns=concerns,
        legal_basis="sosialtjenesteloven § 28" if social else basis,
        reasons="Behovet dekkes av én tjeneste; det er ikke behov for koordinerte tjenester nå.",
        complaint_deadline_weeks=(3 if social else 4) if informed else None,
        complaint_information_given=informed,
    )
    w.breach("CHK-18", not informed)
    run.stage = Stage.REFUSED
    if w.want("complaint_on_refusal", 0.45):
        complain(
            w, run, concerns, "Jeg mener jeg trenger en koordinator fordi jeg har mange tjenester å forholde meg til."
        )


def complain(w: Writer, run: CaseRun, concerns: tuple[Provision, ...], text: str) -> None:
    """ComplaintReceived, ComplaintForwarded (with the digest of the case
    documents sent) and ComplaintDecided."""
    ke = w.ke(run)
    received = w.later(run, 8, 25)
    complaint_id = w.handle(
        run, ReceiveComplaint, received, actor=ke, concerns=concerns, text=text, received_at=received
    ).created["complaint_id"]
    if w.rng.random() < 0.15:  # the municipality itself reverses its decision
        w.handle(
            run,
            DecideComplaint,
            w.later(run, 5, 15),
            actor=ke,
            complaint_id=complaint_id,
            decided_by=ComplaintDecider.MUNICIPALITY,
            outcome=ComplaintOutcome.UPHELD,
            note="Kommunen omgjør vedtaket etter ny vurdering.",
        )
        return
    late = w.want("complaint_forwarded_late", 0.2)
    forwarded = w.later(run, 25, 50) if late else w.later(run, 4, 18)
    if forwarded > w.limit:
        return
    w.breach("CHK-20", (forwarded - received).days > run.profile.complaint_forwarding_days)
    # KE fetches the compliance report and sends it; the forwarding names it by its digest.
    digest = w.issue_report(ke, run.case_id)
    w.handle(run, ForwardComplaint, forwarded, actor=ke, complaint_id=complaint_id, report_sha256=digest)
    decided = w.later(run, 30, 90)
    if decided <= w.limit:
        outcome = w.rng.choice(
            (
                ComplaintOutcome.NOT_UPHELD,
                ComplaintOutcome.NOT_UPHELD,
                ComplaintOutcome.UPHELD,
                ComplaintOutcome.PARTLY_UPHELD,
            )
        )
        w.handle(
            run,
            DecideComplaint,
            decided,
            actor=ke,
            complaint_id=complaint_id,
            decided_by=ComplaintDecider.STATSFORVALTEREN,
            outcome=outcome,
            note="Statsforvalterens vedtak er mottatt og arkivert.",
        )


def choose_unit(w: Writer, run: CaseRun) -> Unit:
    units = run.staff.units_for(run.child)
    if run.relay:
        units = tuple(u for u in units if u.service == "helsestasjon") or units
    return w.rng.choice(units)


def request_coordinator(w: Writer, run: CaseRun, *, unanswered: bool = False) -> None:
    """CoordinatorRequested: KE asks a unit leader to name a coordinator.
    `unanswered`: nobody is named (yet), so the deadline may be running out."""
    run.unit = choose_unit(w, run)
    leader = run.unit.leader
    w.handle(
        run,
        RequestCoordinator,
        w.later(run, 0.5, 4),
        actor=w.ke(run),
        unit=run.unit.name,
        unit_leader=Person(leader.id, leader.name),
    )
    run.stage = Stage.REQUESTED
    deadline = run.profile.unit_leader_days_to_name_coordinator
    w.breach("CHK-01", unanswered and deadline is not None and (w.limit - run.t).days > deadline)


def appoint(w: Writer, run: CaseRun) -> None:
    """CoordinatorAppointed by the unit leader (or KE), sometimes late."""
    unit = run.unit or choose_unit(w, run)
    deadline = run.profile.unit_leader_days_to_name_coordinator
    late = deadline is not None and w.want("coordinator_named_late", 0.2)
    when = w.later(run, 16, 35) if late else w.later(run, 2, 12)
    coordinator = w.rng.choice(unit.coordinators)
    kind = (
        CoordinatorKind.CHILD_COORDINATOR
        if Provision.CHILD_COORDINATOR in run.requested
        else CoordinatorKind.COORDINATOR
    )
    by = unit.leader if w.rng.random() < 0.8 else w.ke(run)
    w.handle(
        run,
        AppointCoordinator,
        when,
        actor=by,
        person=Person(coordinator.id, coordinator.name),
        unit=unit.name,
        kind=kind,
        subject_wish_heard=w.rng.random() < 0.85,
    )
    w.breach("CHK-01", late)
    run.coordinator, run.unit = coordinator, unit
    run.stage = Stage.APPOINTED
    if run.relay_open:
        if w.want("relay_log_left_open", 0.15):
            w.breach("CHK-17")
        else:
            w.handle(
                run,
                CloseRelayLog,
                when + timedelta(minutes=30),
                actor=coordinator,
                reason="Barnekoordinator har tatt over; stafettloggen avsluttes.",
            )
            run.relay_open = False
    if run.profile.coordinator_training_before_first_meeting:
        if w.want("training_missing", 0.2):
            w.breach("CHK-11")
        else:
            w.handle(
                run,
                RecordCoordinatorTraining,
                w.later(run, 1, 6),
                actor=coordinator,
                person_id=coordinator.id,
                course="Koordinatoropplæring (e-læring)",
            )


def start_up(w: Writer, run: CaseRun) -> None:
    """StartupConversationHeld: what matters to the subject, interpreter need."""
    interpreter = w.rng.random() < 0.08
    w.handle(
        run,
        HoldStartupConversation,
        w.later(run, 3, 12),
        actor=run.coordinator,
        what_matters=w.rng.choice(WHAT_MATTERS[run.child]),
        interpreter_needed=interpreter,
        interpreter_language=w.rng.choice(INTERPRETER_LANGUAGES) if interpreter else None,
        expectations="Én fast kontaktperson og færre møter.",
        contact_preferences=w.rng.choice(("SMS", "telefon på dagtid", "e-post", "Helsenorge")),
    )
    run.stage = Stage.STARTUP


def team_services(w: Writer, run: CaseRun) -> list[str]:
    assert run.unit is not None  # appointed before the team is built
    if run.child:
        school = "barnehage" if run.person.expected or run.person.age(run.t.date()) < 6 else "skole"
        extra = ["fastlege", "fysioterapi"] + (["barnevern"] if w.rng.random() < 0.1 else [])
        services = [run.unit.service, school, "PPT", *w.rng.sample(extra, k=min(len(extra), w.rng.randint(1, 2)))]
    else:
        services = [
            run.unit.service,
            "NAV",
            "fastlege",
            *w.rng.sample(["fysioterapi", "hjemmetjenesten", "psykisk helse og rus"], k=w.rng.randint(0, 1)),
        ]
    return list(dict.fromkeys(services))


def add_participant(w: Writer, run: CaseRun, service: str, when: datetime) -> UUID | None:
    if any(a.service == service for a in run.team.values()):
        return None
    provider = w.rng.choice(run.staff.providers[service])
    result = w.handle(
        run,
        AddParticipant,
        when,
        actor=run.coordinator,
        person=Person(provider.id, provider.name),
        service=service,
        role=SERVICE_ROLES[service],
        mandatory=w.rng.random() < 0.8,
    )
    participant_id = result.created["participant_id"]
    assert isinstance(participant_id, UUID)
    run.team[participant_id] = provider
    return participant_id


def build_team(w: Writer, run: CaseRun) -> None:
    """TeamEstablished and ParticipantAdded for each service around the subject."""
    when = w.later(run, 2, 8)
    for service in team_services(w, run):
        add_participant(w, run, service, when)
        when += timedelta(minutes=5)


def categories(w: Writer, run: CaseRun) -> tuple[InfoCategory, ...]:
    if run.child:
        school = (
            InfoCategory.KINDERGARTEN
            if any(a.service == "barnehage" for a in run.team.values())
            else (InfoCategory.SCHOOL)
        )
        return (InfoCategory.HEALTH, school, *((InfoCategory.NETWORK,) if w.rng.random() < 0.4 else ()))
    pool = [InfoCategory.WORK, InfoCategory.ECONOMY, InfoCategory.HOUSING, InfoCategory.NETWORK]
    return (InfoCategory.HEALTH, *w.rng.sample(pool, k=w.rng.randint(1, 3)))


def consent(w: Writer, run: CaseRun, *, may_await: bool = False) -> None:
    """ConsentGranted (and ConsentSigned by the second parent): by the subject
    from 16, by both parents for a younger child, by a verge where one is set."""
    when = w.later(run, 1, 5)
    common = dict(
        participants=tuple(run.team),
        categories=categories(w, run),
        valid_until=(when.date() + timedelta(days=730)) if w.rng.random() < 0.3 else None,
    )
    p = run.person
    if run.under_16(when) and p.guardians:
        parents = [
            Signer(ConsentGiverRole.GUARDIAN, g.name, g.national_id)
            for g in p.guardians
            if g.kind is GuardianKind.PARENT
        ]
        view = (
            f"{p.first_name} vil at de voksne snakker sammen." if not p.expected and p.age(when.date()) >= 7 else None
        )
        awaiting = len(parents) > 1 and may_await and w.want("consent_awaiting_second_parent", 0.5)
        together = not awaiting and (len(parents) == 1 or w.rng.random() < 0.55)
        first = parents[0]
        # Both signatures at once come on the paper form the coordinator
        # records; with their own tokens each parent signs for themselves.
        by = run.coordinator if together and len(parents) > 1 else _guardian_or(w, run, first)
        result = w.handle(
            run,
            GrantConsent,
            when,
            actor=by,
            given_by=first,
            also_given_by=tuple(parents[1:]) if together else (),
            child_view=view,
            signed_how="digital" if by.role is Role.GUARDIAN else "papir",
            **common,
        )
        if not together and not awaiting:
            second = parents[1]
            w.handle(
                run,
                SignConsent,
                w.later(run, 1, 10),
                actor=_guardian_or(w, run, second),
                consent_id=result.created["consent_id"],
                signer=second,
            )
    elif run.verge is not None:
        signer = Signer(ConsentGiverRole.VERGE, run.verge.name, run.verge.national_id)
        result = w.handle(run, GrantConsent, when, actor=run.coordinator, given_by=signer, signed_how="papir", **common)
    else:
        signer = Signer(ConsentGiverRole.SUBJECT, p.name or "", p.national_id)
        own = p.national_id is not None and w.rng.random() < 0.4
        actor = citizen(run) if own else run.coordinator
        result = w.handle(
            run, GrantConsent, when, actor=actor, given_by=signer, signed_how="digital" if own else "papir", **common
        )
    consent_id = result.created["consent_id"]
    assert isinstance(consent_id, UUID)
    run.consents[consent_id] = common["participants"]  # type: ignore[assignment]


def citizen(run: CaseRun) -> Actor:
    """The subject acting with their own token (ID-porten)."""
    p = run.person
    return Actor(
        id=f"idporten-{run.case_id.hex[:10]}",
        role=Role.CITIZEN,
        municipality=run.municipality,
        name=p.name or "",
        pid=p.national_id,
    )


def _guardian_or(w: Writer, run: CaseRun, signer: Signer) -> Actor:
    """A parent with their own token half the time, else the coordinator with the paper form."""
    if signer.national_id and w.rng.random() < 0.5:
        return Actor(
            id=f"idporten-{signer.national_id[-5:]}{run.case_id.hex[:5]}",
            role=Role.GUARDIAN,
            municipality=run.municipality,
            name=signer.name,
            pid=signer.national_id,
        )
    assert run.coordinator is not None
    return run.coordinator
