"""Who reads what over HTTP (DOMAIN §2, INV-01, INV-05, INV-06, INV-07):
the case, its history and its access log, per role."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ledger.national_id import synthesize
from ledger.values import Role
from tests.support.clock import FakeClock
from tests.support.http import (
    Api,
    HttpCase,
    add_participant,
    assert_problem,
    consent_for,
    created,
    open_case,
    running_case,
    set_goal,
)


def consented_case(api: Api, categories: tuple[str, ...] = ("work",)) -> HttpCase:
    """A running case with a plan, a work goal and a health goal, and the subject's consent for NAV."""
    case = running_case(api)
    created(api.post(f"{case.path}/plan", Role.COORDINATOR, {"tool": "individual_plan"}))
    set_goal(api, case, "education_work", "Jeg vil ha en fast jobb")
    set_goal(api, case, "health", "Jeg vil sove bedre", service="fastlege")
    consent_for(api, case, [case.participants["nav"]], list(categories))
    return case


# ---------------------------------------------------------------- the case
def test_the_ke_caseworker_reads_the_whole_case(api: Api) -> None:
    """KE reads every case of its municipality, national id included."""
    case = consented_case(api)
    response = api.get(case.path, Role.KE_CASEWORKER)
    assert response.status_code == 200
    assert response.json()["subject"]["national_id"] == case.national_id
    assert len(response.json()["goals"]) == 2


def test_the_cases_coordinator_reads_the_whole_case(api: Api) -> None:
    """The appointed coordinator reads everything, consents included."""
    case = consented_case(api)
    body = api.get(case.path, Role.COORDINATOR).json()
    assert body["subject"]["national_id"] == case.national_id
    assert len(body["goals"]) == 2 and body["consents"]


def test_another_coordinator_is_refused(api: Api) -> None:
    """A coordinator of other cases, not in this team, reads nothing."""
    case = consented_case(api)
    assert_problem(api.get(case.path, Role.COORDINATOR, sub="koord-2"), 403)


def test_a_service_provider_without_consent_is_refused_with_inv_05(api: Api) -> None:
    """INV-06: the team participant appointed without consent sees nothing."""
    case = running_case(api)
    assert_problem(api.get(case.path, Role.SERVICE_PROVIDER), 403, "INV-05")


def test_a_service_provider_with_consent_reads_only_the_consented_parts(api: Api) -> None:
    """With consent for `work`: no national id anywhere, only the work goal, no consents or decisions."""
    case = consented_case(api, ("work",))
    response = api.get(case.path, Role.SERVICE_PROVIDER)
    assert response.status_code == 200, response.text
    body = response.json()
    assert case.national_id not in response.text
    assert [g["life_area"] for g in body["goals"].values()] == ["education_work"]
    assert body["readable_categories"] == ["work"]
    for hidden in ("consents", "decisions", "complaints", "startup_conversation", "guardians"):
        assert hidden not in body


def test_a_service_provider_with_health_consent_sees_the_health_goal_only(api: Api) -> None:
    """The categories decide which life areas' goals are shown."""
    case = consented_case(api, ("health",))
    body = api.get(case.path, Role.SERVICE_PROVIDER).json()
    assert [g["life_area"] for g in body["goals"].values()] == ["health"]


def test_a_service_provider_outside_the_team_is_refused_even_with_the_right_service(api: Api) -> None:
    """Consent names participants; another NAV employee not in the team reads nothing."""
    case = consented_case(api)
    assert_problem(api.get(case.path, Role.SERVICE_PROVIDER, sub="nav-2"), 403, "INV-05")


def test_a_withdrawal_of_the_whole_consent_refuses_the_next_read(api: Api) -> None:
    """INV-05: withdrawn (scope all) means refused from the moment it is recorded."""
    case = consented_case(api)
    assert api.get(case.path, Role.SERVICE_PROVIDER).status_code == 200
    created(
        api.post(
            f"{case.path}/consents/{case.consents['main']}/withdrawals",
            Role.CITIZEN,
            {"scope": "all"},
            pid=case.national_id,
        )
    )
    assert_problem(api.get(case.path, Role.SERVICE_PROVIDER), 403, "INV-05")


def test_a_withdrawal_for_one_participant_refuses_that_participant(api: Api) -> None:
    """Withdrawn for NAV only: NAV is refused, a participant still named reads on."""
    case = running_case(api)
    created(api.post(f"{case.path}/plan", Role.COORDINATOR, {"tool": "individual_plan"}))
    gp = add_participant(api, case, "gp", "lege-1", "fastlege")
    consent_for(api, case, [case.participants["nav"], gp], ["work", "health"])
    created(
        api.post(
            f"{case.path}/consents/{case.consents['main']}/withdrawals",
            Role.COORDINATOR,
            {"scope": "participants", "participants": [case.participants["nav"]]},
        )
    )
    assert_problem(api.get(case.path, Role.SERVICE_PROVIDER), 403, "INV-05")
    gp_read = api.get(case.path, Role.SERVICE_PROVIDER, sub="lege-1", service="fastlege")
    assert gp_read.status_code == 200, gp_read.text


def test_the_citizen_reads_their_own_case(api: Api) -> None:
    """A citizen whose `pid` is the subject's national id reads the case."""
    case = consented_case(api)
    response = api.get(case.path, Role.CITIZEN, pid=case.national_id)
    assert response.status_code == 200
    assert response.json()["case_id"] == case.case_id


def test_a_citizen_with_another_pid_finds_no_case(api: Api) -> None:
    """Someone else's case does not exist for a citizen: 404."""
    case = consented_case(api)
    other = synthesize(date(1985, 6, 1))
    assert_problem(api.get(case.path, Role.CITIZEN, pid=other), 404)


def test_a_citizen_without_pid_finds_no_case(api: Api) -> None:
    """A citizen token lacking `pid` is nobody's subject."""
    case = consented_case(api)
    assert_problem(api.get(case.path, Role.CITIZEN), 404)


def test_a_recorded_guardian_reads_the_childs_case(api: Api) -> None:
    """A guardian whose `pid` is recorded on the case reads it."""
    mother = synthesize(date(1990, 3, 3))
    case = open_case(
        api,
        birth=date(2021, 5, 10),
        requested=("child_coordinator",),
        guardians=[{"national_id": mother, "name": "Mor Hansen"}],
    )
    assert api.get(case.path, Role.GUARDIAN, pid=mother).status_code == 200


def test_an_unrecorded_guardian_finds_no_case(api: Api) -> None:
    """A guardian not recorded on the case is told it does not exist."""
    case = open_case(
        api,
        birth=date(2021, 5, 10),
        requested=("child_coordinator",),
        guardians=[{"national_id": synthesize(date(1990, 3, 3)), "name": "Mor Hansen"}],
    )
    assert_problem(api.get(case.path, Role.GUARDIAN, pid=synthesize(date(1988, 8, 8))), 404)


def test_the_supervisor_reads_only_after_a_complaint(api: Api) -> None:
    """Statsforvalteren: 403 until a complaint on the case is recorded, then 200."""
    case = consented_case(api)
    assert_problem(api.get(case.path, Role.SUPERVISOR), 403)
    created(api.post(f"{case.path}/complaints", Role.KE_CASEWORKER, {"concerns": ["individual_plan"]}))
    assert api.get(case.path, Role.SUPERVISOR).status_code == 200


def test_the_admin_reads_no_case_content(api: Api) -> None:
    """The system administrator is refused every case read."""
    case = consented_case(api)
    for path in (case.path, f"{case.path}/history", f"{case.path}/access-log"):
        assert_problem(api.get(path, Role.ADMIN), 403)


@pytest.mark.parametrize("role", [Role.KE_CASEWORKER, Role.COORDINATOR, Role.SUPERVISOR])
def test_a_case_of_another_municipality_is_absent(api: Api, role: Role) -> None:
    """INV-01: a reader of another municipality gets 404, as if the case did not exist."""
    case = consented_case(api)
    created(api.post(f"{case.path}/complaints", Role.KE_CASEWORKER, {"concerns": ["coordinator"]}))
    for path in (case.path, f"{case.path}/history", f"{case.path}/access-log"):
        assert_problem(api.get(path, role, municipality="4647"), 404)


def test_a_refused_read_leaves_no_content_in_the_answer(api: Api) -> None:
    """A 403 names no personal data of the case."""
    case = consented_case(api)
    response = api.get(case.path, Role.SERVICE_PROVIDER, sub="nav-2")
    assert case.national_id not in response.text and "Ola" not in response.text


# ------------------------------------------------------------- the history
@pytest.mark.parametrize("role", [Role.KE_CASEWORKER, Role.COORDINATOR])
def test_the_history_is_read_by_ke_and_the_coordinator(api: Api, role: Role) -> None:
    """Every event with version, log index, type, times, recorder, data and hash."""
    case = consented_case(api)
    response = api.get(f"{case.path}/history", role)
    assert response.status_code == 200
    events = response.json()["events"]
    assert [e["version"] for e in events] == list(range(1, len(events) + 1))
    for e in events:
        assert {"version", "log_index", "type", "occurred_at", "recorded_at", "recorded_by", "data", "hash"} <= e.keys()
        assert len(e["hash"]) == 64
    assert response.headers["etag"] == f'"{events[-1]["version"]}"'


def test_the_history_is_read_by_the_citizen(api: Api) -> None:
    """The subject reads the history of their own case."""
    case = consented_case(api)
    assert api.get(f"{case.path}/history", Role.CITIZEN, pid=case.national_id).status_code == 200


def test_the_history_is_read_by_the_supervisor_after_a_complaint(api: Api) -> None:
    """Statsforvalteren reads the audit trail of a case with a complaint."""
    case = consented_case(api)
    assert_problem(api.get(f"{case.path}/history", Role.SUPERVISOR), 403)
    created(api.post(f"{case.path}/complaints", Role.KE_CASEWORKER, {"concerns": ["coordinator"]}))
    assert api.get(f"{case.path}/history", Role.SUPERVISOR).status_code == 200


def test_the_history_is_refused_to_a_consented_service_provider(api: Api) -> None:
    """Consent shares plan content, not the audit trail (INV-07)."""
    case = consented_case(api)
    assert_problem(api.get(f"{case.path}/history", Role.SERVICE_PROVIDER), 403, "INV-07")


# ----------------------------------------------------------- the access log
@pytest.mark.parametrize("role", [Role.KE_CASEWORKER, Role.CITIZEN])
def test_the_access_log_is_read_by_ke_and_the_citizen(api: Api, role: Role) -> None:
    """KE and the subject see who read the case."""
    case = consented_case(api)
    assert api.get(f"{case.path}/access-log", role, pid=case.national_id).status_code == 200


def test_the_access_log_is_read_by_the_supervisor_after_a_complaint(api: Api) -> None:
    """Statsforvalteren reads the access log of a case with a complaint."""
    case = consented_case(api)
    created(api.post(f"{case.path}/complaints", Role.KE_CASEWORKER, {"concerns": ["coordinator"]}))
    assert api.get(f"{case.path}/access-log", Role.SUPERVISOR).status_code == 200


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.SERVICE_PROVIDER])
def test_the_access_log_is_refused_to_the_team(api: Api, role: Role) -> None:
    """The contract gives the access log to KE, the citizen and Statsforvalteren only."""
    case = consented_case(api)
    assert_problem(api.get(f"{case.path}/access-log", role), 403)


# -------------------------------------------------- scenario 2: two parents
def test_scenario_2_the_physiotherapist_reads_only_after_the_second_parent_signs(api: Api, clock: FakeClock) -> None:
    """Vestre Toten: refused (403, INV-05) between the mother's signature and the father's, allowed after."""
    clock.set(datetime(2025, 9, 1, 9, tzinfo=UTC))
    mother, father = synthesize(date(1990, 3, 3)), synthesize(date(1988, 8, 8))
    case = open_case(
        api,
        birth=date(2021, 5, 10),
        requested=("relay_log", "child_coordinator"),
        municipality="3443",
        name="Emma Berg",
        guardians=[{"national_id": mother, "name": "Mor Berg"}, {"national_id": father, "name": "Far Berg"}],
    )
    created(
        api.post(
            f"{case.path}/coordinators",
            Role.KE_CASEWORKER,
            {
                "person": {"id": "koord-1", "name": "Helse Stasjon"},
                "unit": "Helsestasjonen",
                "kind": "child_coordinator",
                "subject_wish_heard": True,
            },
            municipality="3443",
        )
    )
    physio = add_participant(api, case, "physio", "fysio-1", "fysioterapi", municipality="3443")
    physio_token = {"sub": "fysio-1", "service": "fysioterapi", "municipality": "3443"}

    clock.set(datetime(2026, 2, 5, 10, tzinfo=UTC))
    consent = created(
        api.post(
            f"{case.path}/consents",
            Role.GUARDIAN,
            {
                "given_by": {"role": "guardian", "name": "Mor Berg", "national_id": mother},
                "participants": [physio],
                "categories": ["health", "kindergarten"],
            },
            pid=mother,
            municipality="3443",
        )
    )
    clock.set(datetime(2026, 2, 6, 10, tzinfo=UTC))
    assert_problem(api.get(case.path, Role.SERVICE_PROVIDER, **physio_token), 403, "INV-05")

    clock.set(datetime(2026, 2, 7, 10, tzinfo=UTC))
    created(
        api.post(
            f"{case.path}/consents/{consent['consent_id']}/signatures",
            Role.GUARDIAN,
            {"signer": {"role": "guardian", "name": "Far Berg", "national_id": father}},
            pid=father,
            municipality="3443",
        )
    )
    response = api.get(case.path, Role.SERVICE_PROVIDER, **physio_token)
    assert response.status_code == 200, response.text
    assert mother not in response.text and father not in response.text and case.national_id not in response.text


def test_a_parent_cannot_sign_as_the_other_parent(api: Api) -> None:
    """The mother's token does not add the father's signature (INV-04)."""
    mother, father = synthesize(date(1990, 3, 3)), synthesize(date(1988, 8, 8))
    case = open_case(
        api,
        birth=date(2021, 5, 10),
        requested=("child_coordinator",),
        guardians=[{"national_id": mother, "name": "Mor Berg"}, {"national_id": father, "name": "Far Berg"}],
    )
    response = api.post(
        f"{case.path}/consents",
        Role.GUARDIAN,
        {
            "given_by": {"role": "guardian", "name": "Far Berg", "national_id": father},
            "services": ["fysioterapi"],
            "categories": ["health"],
        },
        pid=mother,
    )
    assert_problem(response, 403, "INV-04")
