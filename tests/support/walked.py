"""Cases walked over HTTP to every state a case can be in (opened, running, populated with an
item behind every kind of id, closed, erased, transferred in from another municipality), with the
municipality's set-up beside them (a contact, a webhook, archive messages), for tests that need
real ids to aim at. Every answer the
walk got is kept too: tests/test_api_stateful.py gives schemathesis the answers that created
something as the sources of the links that follow (a goal's answer to its revisions, …)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import httpx

from ledger.values import Role
from tests.support.cases import MUNICIPALITY
from tests.support.http import Api, HttpCase, created, file_in_archive, open_case, populated_case, running_case

CLOSURE = {
    "reason": "Flyttet",
    "assessment": "Ingen behov",
    "agreed_by_subject": False,
    "termination_letter_sent": True,
}
CONTACT = ("person", "koord-1")
FORMER = "0301"  # the municipality the transferred case comes from


@dataclass
class Walked:
    """Every id of the walk by path parameter name (`case_id`, `goal_id`, …), and the answers it got."""

    ids: dict[str, list[str]]
    answers: list[httpx.Response] = field(default_factory=list)


def close(api: Api, case: HttpCase) -> None:
    created(api.post(f"{case.path}/closure", Role.KE_CASEWORKER, CLOSURE))


def transferred_in(api: Api) -> str:
    """A case moved here from another municipality (POST /v1/cases/transfers-in with its bundle)."""
    former = running_case(api, individual=15, municipality=FORMER)
    move = {"to_municipality": MUNICIPALITY, "transferred": ["individuell plan"]}
    created(api.post(f"{former.path}/transfers", Role.KE_CASEWORKER, move, municipality=FORMER))
    export = created(api.post(f"{former.path}/exports", Role.KE_CASEWORKER, {"format": "json"}, municipality=FORMER))
    bundle = api.get(f"{former.path}/exports/{export['export_id']}", Role.KE_CASEWORKER, municipality=FORMER)
    headers = {**api.auth(Role.KE_CASEWORKER), "Content-Type": "application/json"}
    return str(created(api.client.post("/v1/cases/transfers-in", content=bundle.content, headers=headers))["case_id"])


def walked_cases(api: Api) -> Walked:
    """Cases in every state and the municipality's set-up, walked over HTTP."""
    walked = Walked(defaultdict(list))

    def keep(response: httpx.Response) -> None:
        response.read()
        walked.answers.append(response)

    api.client.event_hooks["response"].append(keep)
    try:
        _walk(api, walked.ids)
    finally:
        api.client.event_hooks["response"].remove(keep)
    walked.ids = dict(walked.ids)
    return walked


def _walk(api: Api, ids: dict[str, list[str]]) -> None:
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
    ids["case_id"].append(transferred_in(api))
    kind, key = CONTACT
    response = api.client.put(
        f"/v1/contacts/{kind}/{key}", json={"email": "koordinator@kommune.no"}, headers=api.auth(Role.KE_CASEWORKER)
    )
    created(response)
    ids["kind"].append(kind)
    ids["key"].append(key)
    webhook = created(
        api.post("/v1/webhooks", Role.KE_CASEWORKER, {"url": "https://fagsystem.kommune.no/hooks/ledger"})
    )
    ids["webhook_id"].append(webhook["id"])
    # The erased case's messages are archived (the message itself is gone), the closed case's are waiting.
    for case in (erased, closed):
        listing = api.get("/v1/archive/messages", Role.ARCHIVE_INTEGRATION, params={"case_id": case.case_id})
        ids["message_id"].extend(item["message_id"] for item in created(listing, 200)["items"])
