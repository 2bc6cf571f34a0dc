"""The web app's forms (issue #9, screen 3): one form per command, derived from
the command, offered to the roles that may give it where the case's state
allows it, posted to `/saker/{case_id}/handlinger/{slug}` (and `/saker/ny`)
and handed to the command service, which decides.

Refusals are shown with the rule's Norwegian message next to the field or at
the top, with what the person typed kept; a stale version is shown with a
reload link and nothing written; a form's idempotency key makes a double post
write once; erasure asks for a confirmation; CSRF is checked; a role that may
not give a command is not offered its form, and a forged post is refused by
the service."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from api.command_routes import ROUTES
from api.schemas import VALUE_MODELS
from commands.base import Command
from commands.case_commands import (
    AddParticipant,
    AppointCoordinator,
    GrantConsent,
    OpenCase,
    RequestCoordinator,
)
from commands.constraints import VALUE_FIELDS
from commands.plan_commands import (
    CloseCase,
    CloseGoal,
    EstablishPlan,
    ExportPlan,
    HoldMeeting,
    PlanActivity,
    PlanTransition,
    ReceiveComplaint,
    ScheduleMeeting,
    SetGoal,
)
from commands.transfer_in import TransferIn
from ledger.errors import DomainError
from ledger.national_id import synthesize
from ledger.values import (
    Actor,
    ConsentGiverRole,
    CoordinatorKind,
    Guardian,
    InfoCategory,
    LifeArea,
    Person,
    PlanTool,
    Provision,
    Role,
    Signer,
    TransitionKind,
)
from ledger.vocabulary import WORDS
from tests.support.cases import (
    Fixture,
    actor,
    coordinator,
    file_in_archive,
    ke,
    open_case,
    running_case,
    subject_consent,
)
from tests.support.clock import FakeClock
from tests.support.forms import (
    Site,
    actions_on,
    field_error,
    flash_of,
    form_on,
    form_site,
    forms_on,
    summary_of,
)
from tests.support.stores import database_url
from web.actions import actions_for, open_case_action
from web.forms.fields import Widget, _unwrap, forms

TODAY = date(2026, 11, 22)
UNIT_LEADER = actor(Role.UNIT_LEADER, id="leder-1", name="Lise Leder")
NAV = actor(Role.SERVICE_PROVIDER, id="nav-1", name="Nina NAV", service="NAV")

# Commands offered over HTTP that the web app deliberately has no form for, with the reason.
NO_FORM: dict[type[Command], str] = {
    TransferIn: "the case bundle of another municipality's ledger is received by an integration through the API "
    "(POST /v1/cases/transfers-in); a caseworker does not upload it by hand",
}


@pytest.fixture
def site(tmp_path: Path, clock: FakeClock, request: pytest.FixtureRequest) -> Iterator[Site]:
    with form_site(database_url("sqlite", tmp_path, request), tmp_path, clock) as s:
        yield s


@pytest.fixture
def any_store_site(db_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Site]:
    with form_site(db_url, tmp_path, clock) as s:
        yield s


# ------------------------------------------------------------------ cases
def citizen(fx: Fixture) -> Actor:
    return actor(Role.CITIZEN, id="innbygger-1", name="Ola Nordmann", pid=fx.subject_id)


def rich_case(site: Site, individual: int = 0) -> Fixture:
    """An open case with a coordinator, a team member (NAV), a consent, a plan with a goal and an
    activity, a meeting ahead and one held, a transition, a coordinator request, a complaint and
    a relay log."""
    app = site.ledger.app
    requested = (Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN, Provision.RELAY_LOG)
    fx = running_case(site.ledger, requested=requested, individual=individual)
    consent = subject_consent(fx, (InfoCategory.WORK, InfoCategory.HEALTH))
    fx.participants["consent"] = app.handle(dataclasses.replace(consent, valid_until=date(2027, 6, 30))).created[
        "consent_id"
    ]
    run = {"actor": coordinator(), "case_id": fx.case_id}
    app.handle(EstablishPlan(**run, tool=PlanTool.INDIVIDUAL_PLAN))
    goal = app.handle(
        SetGoal(
            **run,
            text="Jeg vil ha en fast jobb",
            life_area=LifeArea.EDUCATION_WORK,
            responsible_service="NAV",
            evaluate_by=date(2027, 3, 1),
        )
    ).created["goal_id"]
    fx.participants["goal"] = goal
    app.handle(PlanActivity(**run, goal_id=goal, what="Arbeidstrening", responsible_service="NAV"))
    app.handle(ScheduleMeeting(**run, scheduled_for=datetime(2026, 12, 10, 9, tzinfo=UTC)))
    held = app.handle(ScheduleMeeting(**run, scheduled_for=datetime(2026, 11, 20, 9, tzinfo=UTC))).created
    app.handle(HoldMeeting(**run, meeting_id=held["meeting_id"], attendees=(), subject_voice="Han snakket først."))
    app.handle(
        PlanTransition(
            **run, kind=TransitionKind.ADULT_SERVICES, from_service="BUP", to_service="DPS", responsible="NAV"
        )
    )
    app.handle(
        RequestCoordinator(
            actor=ke(), case_id=fx.case_id, unit="Psykisk helse", unit_leader=Person("leder-1", "Lise Leder")
        )
    )
    app.handle(ReceiveComplaint(actor=ke(), case_id=fx.case_id, concerns=(Provision.INDIVIDUAL_PLAN,)))
    return fx


def closed_case(site: Site, individual: int = 20) -> Fixture:
    """A closed case whose plan was exported, with a complaint."""
    app = site.ledger.app
    fx = running_case(site.ledger, individual=individual)
    app.handle(
        CloseCase(actor=ke(), case_id=fx.case_id, reason="", assessment="Målene er nådd.", agreed_by_subject=True)
    )
    app.handle(ExportPlan(actor=ke(), case_id=fx.case_id, format="json"))
    app.handle(ReceiveComplaint(actor=ke(), case_id=fx.case_id, concerns=(Provision.COORDINATOR,)))
    return fx


def child_case(site: Site) -> tuple[Fixture, Actor]:
    """A ten-year-old with two parents on the case; the mother's consent awaits the father's signature.
    Returns the case and the father, signed in as a guardian."""
    mother, father = synthesize(date(1985, 3, 3), 7), synthesize(date(1984, 5, 5), 8)
    fx = open_case(
        site.ledger,
        birth=date(2016, 6, 1),
        individual=2,
        guardians=(Guardian("Mor Hansen", mother), Guardian("Far Hansen", father)),
    )
    app = site.ledger.app
    app.handle(
        AppointCoordinator(
            actor=ke(),
            case_id=fx.case_id,
            person=Person("koord-1", "Kåre Koordinator"),
            unit="Helsestasjon",
            kind=CoordinatorKind.COORDINATOR,
            subject_wish_heard=True,
        )
    )
    pid = app.handle(
        AddParticipant(
            actor=coordinator(),
            case_id=fx.case_id,
            person=Person("bhg-1", "Berit Barnehage"),
            service="Barnehage",
            role="pedagog",
        )
    ).created["participant_id"]
    fx.participants["bhg"] = pid
    app.handle(
        GrantConsent(
            actor=coordinator(),
            case_id=fx.case_id,
            given_by=Signer(ConsentGiverRole.GUARDIAN, "Mor Hansen", mother),
            participants=(pid,),
            categories=(InfoCategory.KINDERGARTEN,),
        )
    )
    return fx, actor(Role.GUARDIAN, id="foresatt-2", name="Far Hansen", pid=father)


def offered(site: Site, who: Actor, case_id: UUID) -> set[type[Command]]:
    """The commands `who` is offered on the case as they read it (nothing if they cannot read it)."""
    try:
        view = site.ledger.reads.cases.case(who, case_id).data
    except DomainError:  # a role that cannot read the case is offered nothing on it
        return set()
    return {a.command for a in actions_for(who, view)}


# --------------------------------------------------------- the derivation
def test_every_command_offered_over_http_has_a_form_that_some_role_is_offered(site: Site) -> None:
    """Walks the API's command routes: each command has a form that at least one role is offered on a case
    in some state, or is listed in NO_FORM with the reason."""
    rich, closed = rich_case(site), closed_case(site)
    fresh = open_case(site.ledger, individual=40)
    child, father = child_case(site)
    people = [ke(), coordinator(), UNIT_LEADER, NAV, citizen(rich), citizen(closed), father]
    reached: set[type[Command]] = set()
    for fx in (rich, closed, fresh, child):
        for who in people:
            reached |= offered(site, who, fx.case_id)
    if open_case_action(ke()) is not None:
        reached.add(OpenCase)  # offered on the overview, not on a case
    routed = {route.command for route in ROUTES}
    missing = {c.__name__ for c in routed - reached - set(NO_FORM)}
    assert not missing, f"commands with a route but no form anyone is offered: {sorted(missing)}"
    assert all(c in routed for c in NO_FORM), "NO_FORM lists a command that has no route any more"
    assert {f.command for f in forms()} >= routed - set(NO_FORM)


def test_every_enumeration_a_form_offers_has_norwegian_words() -> None:
    """No member of an enumeration a form lists is shown by its code."""
    for form in forms():
        for f in form.walk():
            if f.options and isinstance(f.kind, type) and f.kind in WORDS:
                assert {o.value for o in f.options} == {m.value for m in WORDS[f.kind]}, (form.slug, f.name)
                assert all(o.label for o in f.options)


def test_the_value_objects_limits_agree_with_the_api() -> None:
    """The limits a form puts on a Person's, Subject's, Guardian's or Signer's fields are the API's."""
    for (value_class, name), declared in VALUE_FIELDS.items():
        schema = VALUE_MODELS[value_class].model_json_schema()["properties"][name]
        constraints = _unwrap(declared)[1]
        expected = constraints[0].max_length if constraints else None
        assert _max_length(schema) == expected, (value_class.__name__, name)


def _max_length(schema: dict[str, Any]) -> int | None:
    if "maxLength" in schema:
        return int(schema["maxLength"])
    return next((_max_length(s) for s in schema.get("anyOf", []) if _max_length(s) is not None), None)


def test_a_form_carries_the_limits_of_its_command(site: Site) -> None:
    """maxlength, required, pattern, date and date-time inputs, Norwegian choices, check boxes of the
    case's participants and a fieldset for a person, all from the command."""
    fx = rich_case(site)
    site.sign_in(coordinator())
    goal = site.form_page(fx.case_id, "nytt-mal").text
    assert re.search(r'<textarea[^>]*name="text"[^>]*maxlength="4000"[^>]*required', goal)
    assert re.search(r'<input[^>]*name="evaluate_by"[^>]*type="date"[^>]*required', goal)
    assert "Barnehage/skole/arbeid/dagtilbud" in goal and 'value="education_work"' in goal
    assert re.search(r'<input[^>]*name="responsible_service"[^>]*maxlength="200"[^>]*required', goal)
    assert re.search(r'<input[^>]*name="occurred_at"[^>]*type="datetime-local"', goal)

    meeting = site.form_page(fx.case_id, "nytt-mote").text
    assert re.search(r'<input[^>]*name="scheduled_for"[^>]*type="datetime-local"[^>]*required', meeting)
    assert re.search(rf'type="checkbox"[^>]*name="invitees" value="{fx.participants["nav"]}"', meeting)
    assert "Nina NAV (NAV, veileder)" in meeting

    team = site.form_page(fx.case_id, "ny-deltaker").text
    assert re.search(r'<fieldset class="ds-fieldset app-group" id="ny-deltaker--person"', team)
    assert re.search(r'<legend class="ds-label">Deltaker', team)
    assert re.search(r'<input[^>]*name="person.id"[^>]*maxlength="200"[^>]*required', team)

    site.sign_in(ke())
    transfer = site.form_page(fx.case_id, "overfor").text
    assert re.search(r'<input[^>]*name="to_municipality"[^>]*pattern="\^\[0-9\]\{4\}\$"[^>]*required', transfer)
    decision = site.form_page(fx.case_id, "vedtak").text
    assert re.search(r'<input[^>]*name="complaint_deadline_weeks"[^>]*type="number"[^>]*min="1" max="12"', decision)
    # A flag the command needs answered is a yes/no question; one with a default is a box to tick.
    start = site.form_page(fx.case_id, "oppstartsamtale").text
    assert re.search(r'type="radio"[^>]*name="interpreter_needed" value="ja"[^>]*required', start)


def test_the_case_page_groups_the_forms_by_area(site: Site) -> None:
    fx = rich_case(site)
    site.sign_in(ke())
    page = site.page(f"/saker/{fx.case_id}").text
    actions = page.split('id="handlinger"', 1)[1]  # the case page's own sections come first
    headings = re.findall(r'<h3 class="ds-heading" data-size="xs">([^<]*)</h3>', actions)
    assert headings[:3] == ["Henvisning og vedtak", "Koordinator", "Team og samtykke"]
    assert "Klager" in headings
    assert '<details class="ds-details" id="handling-vedtak">' in page
    # Forwarding a complaint needs a choice of report: a page of its own.
    assert f'href="/saker/{fx.case_id}/handlinger/oversend-klage"' in page


def test_a_fold_of_the_case_page_fetches_its_form_for_the_version_the_page_shows(site: Site) -> None:
    fx = rich_case(site)
    site.sign_in(ke())
    page = site.page(f"/saker/{fx.case_id}").text
    version = site.ledger.app.load_case(fx.case_id).version
    # The page holds no forms, only folds; without JavaScript a fold is a link to the form's own page.
    assert forms_on(page) == [] and "vedtak" in actions_on(page)
    fold = page.split('id="handling-vedtak"', 1)[1].split("</details>", 1)[0]
    assert f'<a class="ds-link" href="/saker/{fx.case_id}/handlinger/vedtak">' in fold
    # Opened (htmx), the form alone, sent with the version the page showed.
    form = site.unfold(page, "vedtak")
    assert forms_on(form) == ["vedtak"] and "<html" not in form and "<h1" not in form
    assert f'name="expected_version" value="{version}"' in form
    # The case changes after the page was read: the form opened then is refused as stale, nothing written.
    site.ledger.app.handle(
        AddParticipant(actor=ke(), case_id=fx.case_id, person=Person("x-2", "Xena"), service="PPT", role="rådgiver")
    )
    before = site.events(fx.case_id)
    stale = site.unfold(page, "evaluer-teamet")
    assert f'name="expected_version" value="{version}"' in stale
    answer = site.post_form(stale, "evaluer-teamet", {"continued_need": "ja", "note": "Bra."})
    assert answer.status_code == 409 and "Noen andre har endret saken" in answer.text
    assert site.events(fx.case_id) == before


# ----------------------------------------------------------------- posting
def test_the_coordinating_unit_opens_a_case_on_either_store(any_store_site: Site) -> None:
    """Referral form on the overview → CaseOpened, back to the new case with a confirmation."""
    site = any_store_site
    site.sign_in(ke())
    overview = site.page("/oversikt").text
    assert "skjema-ny" in overview
    answer = site.post_form(
        overview,
        "ny",
        {
            "subject.name": "Kari Nordmann",
            "subject.birth_date": "1990-12-01",
            "guardians.0.kind": "parent",
            "guardians.1.kind": "parent",
            "requested": ["coordinator", "individual_plan"],
            "referrer_kind": "gp",
            "referrer_name": "Dr. Lege",
        },
    )
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    case_id = UUID(re.match(r"/saker/([0-9a-f-]{36})#handlinger-henvisning$", location).group(1))  # type: ignore[union-attr]
    assert site.events(case_id) == ["CaseOpened"]
    page = site.page(location.split("#")[0]).text
    assert flash_of(page) == "Saken er opprettet."
    assert flash_of(site.page(location.split("#")[0]).text) is None, "a confirmation is shown once"


def test_a_decision_and_a_coordinator_request_by_ke_and_the_appointment_by_the_unit_leader(site: Site) -> None:
    fx = open_case(site.ledger)
    site.sign_in(ke())
    answer = site.submit(
        fx.case_id,
        "vedtak",
        {"outcome": "granted", "concerns": ["coordinator"], "legal_basis": "hol. § 7-2", "reasons": "Behov."},
    )
    assert answer.status_code == 303
    decision_id = site.ledger.app.case_events(fx.case_id)[-1].decision_id
    assert answer.headers["location"] == f"/saker/{fx.case_id}#vedtak-{decision_id}"
    answer = site.submit(
        fx.case_id,
        "be-om-koordinator",
        {"unit": "Psykisk helse og rus", "unit_leader.id": "leder-1", "unit_leader.name": "Lise Leder"},
    )
    assert answer.status_code == 303

    site.sign_in(UNIT_LEADER)
    page = site.form_page(fx.case_id, "oppnevn-koordinator").text
    assert 'name="unit" value="Psykisk helse og rus"' in page, "the unit asked starts filled in"
    answer = site.post_form(
        page,
        "oppnevn-koordinator",
        {
            "person.id": "koord-1",
            "person.name": "Kåre Koordinator",
            "unit": "Psykisk helse og rus",
            "kind": "coordinator",
            "subject_wish_heard": "ja",
        },
    )
    assert answer.status_code == 303, answer.text
    assert site.events(fx.case_id)[-3:] == ["DecisionRecorded", "CoordinatorRequested", "CoordinatorAppointed"]


def test_the_coordinator_builds_the_team_and_records_consent(site: Site) -> None:
    fx = running_case(site.ledger)
    site.sign_in(coordinator())
    answer = site.submit(
        fx.case_id,
        "ny-deltaker",
        {"person.id": "lege-1", "person.name": "Lars Lege", "service": "Fastlege", "role": "lege", "mandatory": "ja"},
    )
    assert answer.status_code == 303 and "#deltaker-" in answer.headers["location"]
    participant = site.ledger.app.case_events(fx.case_id)[-1].participant_id
    page = site.form_page(fx.case_id, "samtykke").text
    assert 'name="given_by.name" value="Ola Nordmann"' in page, "the person's own name starts filled in"
    answer = site.post_form(
        page,
        "samtykke",
        {
            "given_by.role": "subject",
            "participants": [str(fx.participants["nav"]), str(participant)],
            "categories": ["health", "work"],
            "valid_until": "2027-12-31",
        },
    )
    assert answer.status_code == 303, answer.text
    consent = site.ledger.app.case_events(fx.case_id)[-1]
    assert type(consent).__name__ == "ConsentGranted"
    assert set(consent.participants) == {fx.participants["nav"], participant}
    assert answer.headers["location"].endswith(f"#samtykke-{consent.consent_id}")


def test_plan_goal_and_the_responsible_service_providers_evaluation(site: Site) -> None:
    fx = running_case(site.ledger)
    site.ledger.app.handle(subject_consent(fx, (InfoCategory.WORK,)))
    site.sign_in(coordinator())
    assert "nytt-mal" not in actions_on(site.page(f"/saker/{fx.case_id}").text), "no goal before there is a plan"
    assert (
        site.submit(fx.case_id, "plan", {"tool": "individual_plan", "informed_of_right_to_ip": "ja"}).status_code == 303
    )
    answer = site.submit(
        fx.case_id,
        "nytt-mal",
        {
            "text": "Jeg vil ha en jobb",
            "life_area": "education_work",
            "responsible_service": "NAV",
            "evaluate_by": "2027-03-01",
        },
    )
    assert answer.status_code == 303
    goal = site.ledger.app.case_events(fx.case_id)[-1].goal_id

    site.sign_in(NAV)
    page = site.page(f"/saker/{fx.case_id}").text
    assert actions_on(page) == ["evaluer-mal"], "a service provider evaluates, and does nothing else"
    answer = site.post_form(
        site.unfold(page, "evaluer-mal"),
        "evaluer-mal",
        {"goal_id": str(goal), "status": "partly_achieved", "note": "Godt i gang."},
    )
    assert answer.status_code == 303 and answer.headers["location"].endswith(f"#mal-{goal}")
    assert site.events(fx.case_id)[-1] == "GoalEvaluated"


def test_meetings_are_scheduled_given_an_agenda_held_minuted_and_cancelled(site: Site) -> None:
    fx = running_case(site.ledger)
    site.sign_in(coordinator())
    nav = str(fx.participants["nav"])
    page = site.form_page(fx.case_id, "nytt-mote").text
    assert re.search(rf'name="invitees" value="{nav}" checked', page), "the whole team starts invited"
    assert (
        site.post_form(page, "nytt-mote", {"scheduled_for": "2026-12-10T09:00", "invitees": [nav]}).status_code == 303
    )
    meeting = site.ledger.app.case_events(fx.case_id)[-1]
    assert meeting.scheduled_for == datetime(2026, 12, 10, 8, tzinfo=UTC), "09:00 on a Norwegian clock in December"
    mid = str(meeting.meeting_id)
    assert (
        site.submit(
            fx.case_id, "saksliste", {"meeting_id": mid, "items": "Velkommen\r\nMål\r\n", "agreed_with_subject": "ja"}
        ).status_code
        == 303
    )
    assert site.ledger.app.case_events(fx.case_id)[-1].items == ("Velkommen", "Mål")
    assert (
        site.submit(
            fx.case_id, "mote-holdt", {"meeting_id": mid, "attendees": [nav], "subject_voice": "Han snakket først."}
        ).status_code
        == 303
    )
    assert (
        site.submit(fx.case_id, "referat", {"meeting_id": mid, "recipients": [nav], "states_status": "ja"}).status_code
        == 303
    )
    assert site.submit(fx.case_id, "nytt-mote", {"scheduled_for": "2027-01-10T09:00"}).status_code == 303
    other = str(site.ledger.app.case_events(fx.case_id)[-1].meeting_id)
    assert site.submit(fx.case_id, "avlys-mote", {"meeting_id": other, "reason": "Sykdom"}).status_code == 303
    assert site.events(fx.case_id)[-6:] == [
        "MeetingScheduled",
        "AgendaSent",
        "MeetingHeld",
        "MinutesDistributed",
        "MeetingScheduled",
        "MeetingCancelled",
    ]


def test_closing_export_and_erasure_with_its_confirmation_step(site: Site) -> None:
    fx = running_case(site.ledger)
    site.sign_in(ke())
    assert (
        site.submit(
            fx.case_id, "avslutt", {"reason": "Ønsket", "assessment": "Målene er nådd.", "agreed_by_subject": "ja"}
        ).status_code
        == 303
    )
    page = site.page(f"/saker/{fx.case_id}").text
    assert "slett" not in actions_on(page) and f"/saker/{fx.case_id}/handlinger/slett" not in page, (
        "no erasure before export"
    )
    assert "nytt-mal" not in actions_on(page) and "vedtak" not in actions_on(page), (
        "INV-08: a closed case takes nothing else"
    )
    assert site.submit(fx.case_id, "eksporter", {"format": "pdf", "filed_in": "2026/123"}).status_code == 303
    assert site.submit(fx.case_id, "varsle-avslutning", {"ke_notified": "ja"}).status_code == 303
    assert file_in_archive(site.ledger, fx.case_id) > 0  # INV-12: erased only once the archive holds it

    page = site.page(f"/saker/{fx.case_id}").text
    assert f'href="/saker/{fx.case_id}/handlinger/slett"' in page and "slett" in actions_on(page)
    assert "slett" not in forms_on(page) and "handlinger/slett?" not in page, "a page of its own, not a fold"
    confirmation = site.form_page(fx.case_id, "slett").text
    assert "Det kan ikke angres." in confirmation
    refused = site.post_form(confirmation, "slett", {})
    assert refused.status_code == 422
    assert field_error(refused.text, "slett--confirm") == "Du må bekrefte før personopplysningene kan slettes."
    assert "KeyDestroyed" not in site.events(fx.case_id)
    done = site.post_form(confirmation, "slett", {"confirm": "ja"})
    assert done.status_code == 303
    assert site.events(fx.case_id)[-1] == "KeyDestroyed"


def test_a_complaint_is_received_forwarded_with_an_issued_reports_digest_and_decided(site: Site) -> None:
    fx = running_case(site.ledger)
    site.sign_in(ke())
    assert (
        site.submit(fx.case_id, "ny-klage", {"concerns": ["coordinator"], "text": "Fikk ikke koordinator."}).status_code
        == 303
    )
    complaint = str(site.ledger.app.case_events(fx.case_id)[-1].complaint_id)
    empty = site.form_page(fx.case_id, "oversend-klage").text
    assert "Det er ingenting å velge blant ennå." in empty
    sent = site.ledger.reads.cases.issue_report(ke(), fx.case_id, "html")
    page = site.form_page(fx.case_id, "oversend-klage").text
    assert f'value="{sent.sha256}"' in page and "HTML-rapport hentet" in page
    assert (
        site.post_form(page, "oversend-klage", {"complaint_id": complaint, "report_sha256": sent.sha256}).status_code
        == 303
    )
    assert site.ledger.app.case_events(fx.case_id)[-1].report_sha256 == sent.sha256
    answer = site.submit(
        fx.case_id, "klage-avgjort", {"complaint_id": complaint, "decided_by": "statsforvalteren", "outcome": "upheld"}
    )
    assert answer.status_code == 303 and answer.headers["location"].endswith(f"#klage-{complaint}")


def test_the_person_withdraws_consent_for_one_participant_on_min_plan(site: Site) -> None:
    fx = running_case(site.ledger)
    consent = site.ledger.app.handle(subject_consent(fx)).created["consent_id"]
    site.sign_in(citizen(fx))
    page = site.page(f"/min-plan?sak={fx.case_id}").text
    assert sorted(forms_on(page)) == ["samtykke", "trekk-samtykke"], (
        "the person gives and withdraws consent, nothing else"
    )
    answer = site.post_form(
        page,
        "trekk-samtykke",
        {"consent_id": str(consent), "scope": "participants", "participants": [str(fx.participants["nav"])]},
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"/min-plan?sak={fx.case_id}#samtykke-{consent}"
    withdrawn = site.ledger.app.case_events(fx.case_id)[-1]
    assert type(withdrawn).__name__ == "ConsentWithdrawn" and withdrawn.participants == (fx.participants["nav"],)


def test_a_second_guardian_signs_the_consent_that_awaits_them(site: Site) -> None:
    fx, father = child_case(site)
    site.sign_in(father)
    page = site.page(f"/min-plan?sak={fx.case_id}").text
    assert "signer-samtykke" in forms_on(page)
    assert 'name="signer.name" value="Far Hansen"' in page, "the guardian signs as themselves"
    answer = site.post_form(page, "signer-samtykke", {})
    assert answer.status_code == 303, answer.text
    assert site.events(fx.case_id)[-1] == "ConsentSigned"


# ---------------------------------------------------------------- refusals
def test_an_invalid_national_id_is_shown_next_to_its_field_and_what_was_typed_is_kept(site: Site) -> None:
    site.sign_in(ke())
    answer = site.submit(
        None,
        "ny",
        {
            "subject.national_id": "12345678901",
            "subject.name": "Kari",
            "requested": ["coordinator"],
            "referrer_kind": "gp",
        },
    )
    assert answer.status_code == 422
    message = field_error(answer.text, "ny--subject-national-id")
    assert message is not None and message.startswith("Ugyldig fødselsnummer")
    assert summary_of(answer.text) == [f"Fødselsnummer eller D-nummer: {message}"]
    assert 'href="#ny--subject-national-id"' in answer.text
    assert 'value="12345678901"' in answer.text and 'value="coordinator" checked' in answer.text
    assert "<title>Feil: Opprett sak" in answer.text


def test_a_refusal_about_the_case_is_shown_at_the_top_with_its_rule(site: Site) -> None:
    """INV-08: the case was closed after the form was opened (the form carried no version)."""
    fx = running_case(site.ledger)
    site.sign_in(coordinator())
    page = site.form_page(fx.case_id, "evaluer-teamet").text
    site.ledger.app.handle(
        CloseCase(actor=ke(), case_id=fx.case_id, reason="", assessment="Ferdig.", agreed_by_subject=True)
    )
    before = site.events(fx.case_id)
    action, hidden = form_on(page, "evaluer-teamet")
    hidden.pop("expected_version")
    answer = site.client.post(action, data={**hidden, "continued_need": "nei", "note": "Ingen behov"})
    assert answer.status_code == 409
    assert summary_of(answer.text) == [
        "Saken er avsluttet; bare eksport, sletting, klage og gjenåpning er mulig. (INV-08)"
    ]
    assert "Ingen behov" in answer.text, "what the person typed is kept"
    assert site.events(fx.case_id) == before


def test_a_refusal_naming_a_rule_is_shown_next_to_the_field_it_is_about(site: Site) -> None:
    """INV-09: a goal that was closed meanwhile; INV-04: a child cannot consent for themselves."""
    fx = rich_case(site)
    other = site.ledger.app.handle(
        SetGoal(
            actor=coordinator(),
            case_id=fx.case_id,
            text="Bo selv",
            life_area=LifeArea.HOUSING,
            responsible_service="NAV",
            evaluate_by=date(2027, 5, 1),
        )
    ).created["goal_id"]
    site.sign_in(coordinator())
    page = site.form_page(fx.case_id, "evaluer-mal").text
    site.ledger.app.handle(CloseGoal(actor=coordinator(), case_id=fx.case_id, goal_id=other))
    action, hidden = form_on(page, "evaluer-mal")
    hidden.pop("expected_version")
    answer = site.client.post(action, data={**hidden, "goal_id": str(other), "status": "achieved", "note": "Flyttet"})
    assert answer.status_code == 409
    assert field_error(answer.text, "evaluer-mal--goal-id") == "Målet er avsluttet. (INV-09)"
    assert "Flyttet" in answer.text

    child, _ = child_case(site)
    answer = site.submit(
        child.case_id,
        "samtykke",
        {
            "given_by.role": "subject",
            "given_by.name": "Barn",
            "participants": [str(child.participants["bhg"])],
            "categories": ["kindergarten"],
        },
    )
    assert answer.status_code == 409
    message = field_error(answer.text, "samtykke--given-by")
    assert message is not None and message.endswith("(INV-04)")


def test_a_stale_version_is_shown_with_a_reload_link_and_nothing_is_written(site: Site) -> None:
    fx = running_case(site.ledger)
    site.sign_in(coordinator())
    page = site.form_page(fx.case_id, "oppstartsamtale").text
    # Someone else records something while the form is open.
    site.ledger.app.handle(
        AddParticipant(actor=ke(), case_id=fx.case_id, person=Person("x-1", "Xena"), service="PPT", role="rådgiver")
    )
    before = site.events(fx.case_id)
    answer = site.post_form(page, "oppstartsamtale", {"what_matters": "Å bo hjemme", "interpreter_needed": "nei"})
    assert answer.status_code == 409
    assert "Noen andre har endret saken" in answer.text
    assert f'<a class="ds-link" href="/saker/{fx.case_id}">Last inn saken på nytt</a>' in answer.text
    assert "Å bo hjemme" in answer.text, "what the person typed is still there"
    assert site.events(fx.case_id) == before
    # Sent again as it stands, it is refused again: never silently overwritten.
    again = site.post_form(answer.text, "oppstartsamtale", {"what_matters": "Å bo hjemme", "interpreter_needed": "nei"})
    assert again.status_code == 409 and site.events(fx.case_id) == before


def test_the_same_form_posted_twice_writes_once(site: Site) -> None:
    """A double click sends the form's idempotency key twice: the second post replays the first answer."""
    fx = running_case(site.ledger)
    site.sign_in(coordinator())
    page = site.form_page(fx.case_id, "evaluer-teamet").text
    data = {"continued_need": "ja", "note": "Fortsatt behov"}
    first = site.post_form(page, "evaluer-teamet", data)
    second = site.post_form(page, "evaluer-teamet", data)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert site.events(fx.case_id).count("TeamReviewed") == 1
    # A form rendered anew carries a new key.
    assert (
        form_on(site.form_page(fx.case_id, "evaluer-teamet").text, "evaluer-teamet")[1]["idempotency_key"]
        != form_on(page, "evaluer-teamet")[1]["idempotency_key"]
    )


def test_a_form_post_without_the_csrf_token_is_refused(site: Site) -> None:
    fx = running_case(site.ledger)
    site.sign_in(coordinator())
    action, hidden = form_on(site.form_page(fx.case_id, "evaluer-teamet").text, "evaluer-teamet")
    before = site.events(fx.case_id)
    for token in (None, "x" * 43):
        data = {**hidden, "continued_need": "ja"}
        data.pop("csrf_token")
        if token:
            data["csrf_token"] = token
        answer = site.client.post(action, data=data)
        assert answer.status_code == 403 and "Skjemaet kunne ikke sendes" in answer.text
    assert site.events(fx.case_id) == before


def test_a_role_that_may_not_give_a_command_sees_no_form_and_a_forged_post_is_refused(site: Site) -> None:
    fx = rich_case(site)
    site.sign_in(NAV)
    page = site.page(f"/saker/{fx.case_id}").text
    assert "vedtak" not in actions_on(page) and "handling-" in page
    assert site.form_page(fx.case_id, "vedtak").status_code == 403
    before = site.events(fx.case_id)
    forged = site.client.post(
        f"/saker/{fx.case_id}/handlinger/vedtak",
        data={
            "csrf_token": site.csrf,
            "outcome": "granted",
            "concerns": "coordinator",
            "legal_basis": "x",
            "reasons": "",
        },
    )
    assert forged.status_code == 403
    assert "Rollen tjenesteyter kan ikke utføre RecordDecision. (INV-07)" in forged.text
    assert site.events(fx.case_id) == before


def test_a_coordinator_of_another_case_is_offered_nothing_on_it(site: Site) -> None:
    fx = rich_case(site)
    other = actor(Role.COORDINATOR, id="koord-2", name="Anna Annen", service="NAV")
    view = site.ledger.reads.cases.case(ke(), fx.case_id).data
    assert actions_for(other, view) == []


def test_htmx_swaps_the_form_in_place_and_is_sent_on_after_success(site: Site) -> None:
    fx = running_case(site.ledger)
    site.sign_in(coordinator())
    page = site.form_page(fx.case_id, "oppstartsamtale").text
    refused = site.post_form(page, "oppstartsamtale", {"what_matters": "x"}, **{"HX-Request": "true"})
    assert refused.status_code == 200 and refused.text.lstrip().startswith("<form")
    assert "<html" not in refused.text and field_error(refused.text, "oppstartsamtale--interpreter-needed")
    done = site.post_form(
        refused.text, "oppstartsamtale", {"what_matters": "x", "interpreter_needed": "nei"}, **{"HX-Request": "true"}
    )
    assert done.status_code == 200 and done.headers["HX-Redirect"].startswith(f"/saker/{fx.case_id}#")
    assert site.events(fx.case_id)[-1] == "StartupConversationHeld"


def test_an_unknown_form_address_is_not_found(site: Site) -> None:
    fx = running_case(site.ledger)
    site.sign_in(ke())
    assert site.form_page(fx.case_id, "finnes-ikke").status_code == 404
    assert site.client.get(f"/saker/{uuid4()}/handlinger/vedtak").status_code == 404


def test_every_form_renders_for_a_role_offered_it(site: Site) -> None:
    """Each form's own page renders (its template knows every widget the derivation gives)."""
    rich, closed = rich_case(site), closed_case(site)
    for fx in (rich, closed):
        site.sign_in(ke())
        view = site.ledger.reads.cases.case(ke(), fx.case_id).data
        for action in actions_for(ke(), view):
            page = site.form_page(fx.case_id, action.slug)
            assert page.status_code == 200, (action.slug, page.text[:500])
            assert page.text.count("<h1") == 1
    assert all(f.widget in vars(Widget).values() for form in forms() for f in form.walk())


# Forms that, filled in with plain sample values on the busy case, are refused by the case, with the reason.
REFUSED_WITH_SAMPLES: dict[str, str] = {
    "samtykke-utlopt": "the consent is still valid on the test's day (the service checks the date)",
}
# Sample values where a field's type alone does not give one the case accepts.
SAMPLES: dict[str, str] = {"to_municipality": "5032", "text": "Jeg vil bo i egen leilighet"}
# Optional lists the case's rules still want one item of: (form, field).
ONE_OF: set[tuple[str, str]] = {("samtykke", "participants")}


def sample(f: Any, action: Any) -> str | list[str] | None:
    """A value for a field, from its widget and its choices; None: leave it as the form has it."""
    if f.name in SAMPLES:
        return SAMPLES[f.name]
    if not f.enforce_in_browser:
        return None  # in a group that may be left blank: left blank
    options = [o.value for o in action.choices.get(f.name, f.options)]
    if f.widget in (Widget.CHOICE,) and f.required:
        return options[0]
    if f.widget == Widget.YES_NO and f.required:
        return "ja"
    if f.widget == Widget.CHOICES and (f.min_length or (action.slug, f.name) in ONE_OF):
        return options[:1]
    if f.widget == Widget.CONFIRM:
        return "ja"
    if not f.required:
        return None
    return {
        Widget.TEXT: "Prøve",
        Widget.TEXTAREA: "Prøvetekst",
        Widget.LINES: "Første punkt\nAndre punkt",
        Widget.DATE: "2027-06-01",
        Widget.DATETIME: "2026-12-01T10:00",
        Widget.NUMBER: "4",
    }.get(f.widget)


@pytest.mark.parametrize("closed", [False, True], ids=["open case", "closed case"])
def test_every_form_offered_records_its_event_when_filled_in(site: Site, closed: bool) -> None:
    """For each form the coordinating unit is offered (on a busy open case, and on a closed one), filled in
    with sample values from its fields: the post is accepted and the case has new events."""
    probe = closed_case(site) if closed else rich_case(site)
    site.sign_in(ke())
    slugs = [a.slug for a in actions_for(ke(), site.ledger.reads.cases.case(ke(), probe.case_id).data)]
    assert len(slugs) >= (7 if closed else 35)
    for number, slug in enumerate(slugs):
        # A case of its own for each form: what one form records may take another's choices away.
        fx = closed_case(site, individual=200 + 5 * number) if closed else rich_case(site, individual=200 + 5 * number)
        site.ledger.reads.cases.issue_report(ke(), fx.case_id, "json")
        if slug == "slett":
            file_in_archive(site.ledger, fx.case_id)  # INV-12: erased only once the archive holds it
        view = site.ledger.reads.cases.case(ke(), fx.case_id).data
        page = site.form_page(fx.case_id, slug)
        assert page.status_code == 200, slug
        action = next(a for a in actions_for(ke(), view, reports=[{"sha256": "0" * 64}]) if a.slug == slug)
        data = {f.name: value for f in action.form.walk() if (value := sample(f, action)) is not None}
        if slug == "oversend-klage":
            del data["report_sha256"]  # the one report issued, chosen on the page
            data["report_sha256"] = re.findall(r'name="report_sha256" value="([0-9a-f]{64})"', page.text)[0]
        before = len(site.events(fx.case_id))
        answer = site.post_form(page.text, slug, data)
        if slug in REFUSED_WITH_SAMPLES:
            assert answer.status_code == 409 and len(site.events(fx.case_id)) == before, slug
            continue
        assert answer.status_code == 303, (slug, summary_of(answer.text) or answer.text[:300])
        assert len(site.events(fx.case_id)) > before, slug
