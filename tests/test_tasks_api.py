"""The worklists over HTTP (issue #11): `GET /v1/me/tasks` for every role, each seeing only their
own duties (a citizen or guardian only the consents of their own case), and `GET /v1/tasks` for the
coordinating unit only."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ledger.national_id import synthesize
from ledger.values import Role
from tests.support.http import Api, HttpCase, assert_problem, created, open_case, running_case, set_goal

PARENT_NID = synthesize(date(1984, 6, 1), 41)


def consent_until(api: Api, case: HttpCase, valid_until: date, given_by: dict[str, Any]) -> str:
    return created(
        api.post(
            f"{case.path}/consents",
            Role.COORDINATOR,
            {
                "given_by": given_by,
                "participants": list(case.participants.values()),
                "categories": ["work"],
                "valid_until": valid_until.isoformat(),
            },
        )
    )["consent_id"]


@pytest.fixture
def cases(api: Api) -> dict[str, HttpCase]:
    """An adult's case and a child's, each with a consent running out in 20 days and a goal to evaluate,
    and a third case (someone else's) with a complaint for KE to forward."""
    soon = api.ledger.clock().date() + timedelta(days=20)
    adult = running_case(api)
    consent_until(api, adult, soon, {"role": "subject", "name": "Ola Nordmann", "national_id": adult.national_id})
    created(api.post(f"{adult.path}/plan", Role.COORDINATOR, {"tool": "individual_plan"}))
    set_goal(api, adult, "education_work")
    child = running_case(
        api, birth=date(2016, 3, 3), individual=5, guardians=[{"national_id": PARENT_NID, "name": "Mor Hansen"}]
    )
    consent_until(api, child, soon, {"role": "guardian", "name": "Mor Hansen", "national_id": PARENT_NID})
    other = open_case(api, individual=9, name="Kari Annen")
    created(api.post(f"{other.path}/complaints", Role.KE_CASEWORKER, {"concerns": ["coordinator"]}))
    return {"adult": adult, "child": child, "other": other}


def my_tasks(api: Api, role: Role, **claims: Any) -> list[dict[str, Any]]:
    response = api.get("/v1/me/tasks", role, **claims)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_a_citizen_sees_only_the_consent_of_their_own_case_running_out(api: Api, cases) -> None:
    adult = cases["adult"]
    (task,) = my_tasks(api, Role.CITIZEN, pid=adult.national_id)
    assert (task["case_id"], task["rule"], task["task"], task["assignee"]["kind"]) == (
        adult.case_id,
        "CHK-03",
        "renew_consent",
        "subject",
    )
    assert "fornyes" in task["what"]
    assert my_tasks(api, Role.CITIZEN, pid=synthesize(date(1990, 1, 1), 77)) == []  # someone else
    assert my_tasks(api, Role.CITIZEN) == []  # a token without a national id
    assert my_tasks(api, Role.CITIZEN, pid=adult.national_id, municipality="5032") == []


def test_a_guardian_sees_the_consent_they_gave_for_their_child(api: Api, cases) -> None:
    (task,) = my_tasks(api, Role.GUARDIAN, pid=PARENT_NID)
    assert (task["case_id"], task["task"], task["assignee"]) == (
        cases["child"].case_id,
        "renew_consent",
        {"kind": "guardian", "id": None, "unit": None, "guardian": 0},
    )


def test_a_coordinator_sees_their_duties_and_ke_its_complaints_to_forward(api: Api, cases) -> None:
    mine = my_tasks(api, Role.COORDINATOR)  # koord-1 coordinates every case here
    assert {(t["case_id"], t["task"]) for t in mine} == {(cases["adult"].case_id, "evaluate_goal")}
    assert my_tasks(api, Role.COORDINATOR, sub="koord-2") == []
    (ke_task,) = my_tasks(api, Role.KE_CASEWORKER)
    assert (ke_task["case_id"], ke_task["rule"], ke_task["task"]) == (
        cases["other"].case_id,
        "CHK-20",
        "forward_complaint",
    )


@pytest.mark.parametrize("role", [Role.SERVICE_PROVIDER, Role.SUPERVISOR, Role.ADMIN, Role.UNIT_LEADER])
def test_roles_without_duties_here_get_an_empty_list(api: Api, cases, role: Role) -> None:
    assert my_tasks(api, role) == []


def test_ke_lists_everyones_duties_with_filters(api: Api, cases) -> None:
    far = {"due_before": "2100-01-01"}
    response = api.get("/v1/tasks", Role.KE_CASEWORKER, params=far)
    assert response.status_code == 200, response.text
    body = response.json()
    kinds = {(t["case_id"], t["task"]) for t in body["items"]}
    assert kinds >= {
        (cases["adult"].case_id, "renew_consent"),
        (cases["child"].case_id, "renew_consent"),
        (cases["adult"].case_id, "evaluate_goal"),
        (cases["other"].case_id, "forward_complaint"),
    }
    assert body["total"] == len(body["items"])
    soon = api.get("/v1/tasks", Role.KE_CASEWORKER).json()["items"]  # 60 days ahead by default
    assert (cases["adult"].case_id, "evaluate_goal") not in {(t["case_id"], t["task"]) for t in soon}
    assert [t["due_at"] for t in body["items"]] == sorted(t["due_at"] for t in body["items"])
    by_coordinator = api.get("/v1/tasks", Role.KE_CASEWORKER, params={**far, "assignee": "koord-1"}).json()["items"]
    assert {t["task"] for t in by_coordinator} == {"evaluate_goal"}
    by_unit = api.get("/v1/tasks", Role.KE_CASEWORKER, params={**far, "unit": "Psykisk helse og rus"}).json()["items"]
    assert {t["task"] for t in by_unit} == {"evaluate_goal"}
    guardians = api.get("/v1/tasks", Role.KE_CASEWORKER, params={"kind": "guardian"}).json()["items"]
    assert [t["case_id"] for t in guardians] == [cases["child"].case_id]
    elsewhere = api.get("/v1/tasks", Role.KE_CASEWORKER, municipality="5032").json()
    assert elsewhere["items"] == [] and elsewhere["municipality"] == "5032"


@pytest.mark.parametrize(
    "role",
    [
        Role.COORDINATOR,
        Role.UNIT_LEADER,
        Role.SERVICE_PROVIDER,
        Role.CITIZEN,
        Role.GUARDIAN,
        Role.SUPERVISOR,
        Role.ADMIN,
    ],
)
def test_only_the_coordinating_unit_lists_everyones_duties(api: Api, role: Role) -> None:
    assert_problem(api.get("/v1/tasks", role), 403, "INV-07")


def test_the_lists_need_a_token(api: Api) -> None:
    assert_problem(api.client.get("/v1/me/tasks"), 401)
    assert_problem(api.client.get("/v1/tasks"), 401)
