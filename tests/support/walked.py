"""Cases walked over HTTP to every state a case can be in (opened, running, populated with an
item behind every kind of id, closed, erased), for tests that need real ids to aim at
(tests/test_api_stateful.py seeds schemathesis with them)."""

from __future__ import annotations

from collections import defaultdict

from ledger.values import Role
from tests.support.http import Api, HttpCase, created, file_in_archive, open_case, populated_case, running_case

CLOSURE = {
    "reason": "Flyttet",
    "assessment": "Ingen behov",
    "agreed_by_subject": False,
    "termination_letter_sent": True,
}


def close(api: Api, case: HttpCase) -> None:
    created(api.post(f"{case.path}/closure", Role.KE_CASEWORKER, CLOSURE))


def walked_cases(api: Api) -> dict[str, list[str]]:
    """Every id of cases in every state, by path parameter name (`case_id`, `goal_id`, …)."""
    ids: dict[str, list[str]] = defaultdict(list)
    opened = open_case(api, individual=11)
    running = running_case(api, individual=12)
    populated, items = populated_case(api)  # individual 0: the subject of the other helpers' cases
    for name, value in items.items():
        ids[name].append(value)
    closed = running_case(api, individual=13)
    close(api, closed)
    erased = running_case(api, individual=14)
    close(api, erased)
    created(api.post(f"{erased.path}/exports", Role.KE_CASEWORKER, {"format": "json"}))
    file_in_archive(api, erased)
    created(api.post(f"{erased.path}/erasure", Role.KE_CASEWORKER))
    for case in (opened, running, closed, erased):
        ids["case_id"].append(case.case_id)
    return dict(ids)
