"""The web app's screens on the demo data set, on both stores: KE's overview (`/oversikt`), the
worklist (`/mine-saker`), "Min plan", and where `/` leads each role. Each test asserts what a role
sees and what it may not: KE sees its own municipality only, a coordinator only the cases they
coordinate, a person only their own case; the read service's refusals are Norwegian pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from app.bootstrap import Ledger, build
from demo.dataset import DemoReport, demo_staff, run_demo
from demo.sign_in import demo_persons
from ledger.values import Actor, Role
from tests.support.clock import FakeClock
from tests.support.stores import BACKENDS, database_url, settings_for
from tests.support.web import csrf_of, sign_in_actor, web_app

CASES = 60
CASE_LINK = re.compile(r'href="/saker/([0-9a-f-]{36})"')


@dataclass
class Demo:
    ledger: Ledger
    report: DemoReport
    client: TestClient

    def as_(self, actor: Actor) -> TestClient:
        self.client.cookies.clear()
        sign_in_actor(self.client, actor)
        return self.client

    def cases_of(self, municipality: str) -> set[str]:
        return {str(c.case_id) for c in self.report.cases if c.municipality == municipality}


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    tmp: Path = tmp_path_factory.mktemp(f"screens-{request.param}")
    ledger = build(settings_for(database_url(request.param, tmp, request), tmp / "secrets"), clock=FakeClock())
    report = run_demo(ledger, cases=CASES)
    try:
        with TestClient(web_app(ledger), follow_redirects=False) as client:
            yield Demo(ledger, report, client)
    finally:
        ledger.close()


STAFF = {a.id: a for a in demo_staff()}
PERSONS = demo_persons()


def staff(municipality: str, role: Role) -> Actor:
    return next(a for a in STAFF.values() if a.municipality == municipality and a.role is role)


def person(role: Role) -> tuple[Actor, UUID]:
    return next((a, case_id) for a, case_id in PERSONS.items() if a.role is role)


def linked(html: str) -> set[str]:
    return set(CASE_LINK.findall(html))


def in_register(html: str) -> set[str]:
    """The cases the register's results link to (the overview's other sections link to cases too)."""
    return linked(html.split('id="register-resultat"')[1].split("</table>")[0])


def register(demo: Demo, actor: Actor, **filters: Any) -> dict[str, Any]:
    return demo.ledger.reads.overviews.register(actor, limit=1000, **filters)


# ------------------------------------------------------------------ start
@pytest.mark.parametrize(
    ("role", "home"),
    [
        (Role.KE_CASEWORKER, "/oversikt"),
        (Role.COORDINATOR, "/mine-saker"),
        (Role.UNIT_LEADER, "/mine-saker"),
        (Role.SERVICE_PROVIDER, "/mine-saker"),
    ],
)
def test_the_start_sends_each_role_to_its_own_screen(demo: Demo, role: Role, home: str) -> None:
    client = demo.as_(staff("4647", role))
    answer = client.get("/")
    assert answer.status_code == 303 and answer.headers["location"] == home
    page = client.get(home)
    assert page.status_code == 200
    assert f'href="{home}" aria-current="page"' in page.text, "the navigation marks the page shown"
    assert page.text.count("<h1") == 1


def test_a_person_and_a_guardian_are_sent_to_min_plan(demo: Demo) -> None:
    for role in (Role.CITIZEN, Role.GUARDIAN):
        answer = demo.as_(person(role)[0]).get("/")
        assert answer.status_code == 303 and answer.headers["location"] == "/min-plan"


def test_the_development_sign_in_lists_the_demo_persons_and_takes_a_guardian_to_their_case(demo: Demo) -> None:
    demo.client.cookies.clear()
    page = demo.client.get("/logg-inn/utvikling")
    guardian, case_id = person(Role.GUARDIAN)
    assert f'value="{guardian.id}"' in page.text and f"sak {str(case_id)[:8]}" in page.text
    answer = demo.client.post("/logg-inn/utvikling", data={"person": guardian.id, "csrf_token": csrf_of(page.text)})
    assert answer.status_code == 303 and answer.headers["location"] == f"/min-plan?sak={case_id}"


# --------------------------------------------------------------- overview
@pytest.mark.parametrize("municipality", ["4647", "3443"])
def test_ke_sees_every_case_of_its_municipality_and_none_of_another(demo: Demo, municipality: str) -> None:
    ke = staff(municipality, Role.KE_CASEWORKER)
    found = register(demo, ke)
    assert found["total"] == len(demo.cases_of(municipality))
    assert {c["case_id"] for c in found["items"]} == demo.cases_of(municipality)
    page = demo.as_(ke).get("/oversikt")
    assert page.status_code == 200
    shown = linked(page.text)
    assert shown and shown <= demo.cases_of(municipality), "every linked case is the municipality's own"
    others = set().union(*(demo.cases_of(m) for m in ("3447", "4647", "5032", "3443") if m != municipality))
    assert not shown & others
    assert f"av {found['total']}" in page.text


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.UNIT_LEADER, Role.SERVICE_PROVIDER])
def test_only_ke_may_see_the_overview(demo: Demo, role: Role) -> None:
    page = demo.as_(staff("4647", role)).get("/oversikt")
    assert page.status_code == 403
    assert "Oversikten er for koordinerende enhet." in page.text and not linked(page.text)


def test_a_person_may_not_see_the_overview(demo: Demo) -> None:
    page = demo.as_(person(Role.CITIZEN)[0]).get("/oversikt")
    assert page.status_code == 403 and not linked(page.text)


def test_the_filters_narrow_the_register(demo: Demo) -> None:
    ke = staff("4647", Role.KE_CASEWORKER)
    client = demo.as_(ke)
    everything = register(demo, ke)["items"]
    closed = {c["case_id"] for c in everything if c["status"] == "closed"}
    assert closed and len(closed) < len(everything)
    assert in_register(client.get("/oversikt?status=closed").text) == closed

    unit = next(c["unit"] for c in everything if c["unit"])
    assert in_register(client.get("/oversikt", params={"enhet": unit}).text) == {
        c["case_id"] for c in everything if c["unit"] == unit
    }
    coordinator = next(c["coordinator"]["person_id"] for c in everything if c["coordinator"])
    assert in_register(client.get("/oversikt", params={"koordinator": coordinator, "status": ""}).text) == {
        c["case_id"] for c in everything if c["coordinator"] and c["coordinator"]["person_id"] == coordinator
    }


def test_the_breached_rule_filter_shows_the_cases_that_breach_it(demo: Demo) -> None:
    ke = staff("4647", Role.KE_CASEWORKER)
    counts = demo.ledger.reads.overviews.per_rule(ke)["rules"]
    rule = next(r for r in counts if r["breach"])
    breaches = demo.ledger.reads.overviews.breaches(ke, rule=rule["rule"])["items"]
    breaching = {b["case_id"] for b in breaches if b["status"] == "breach"}
    found = register(demo, ke, breached_rule=rule["rule"])
    assert {c["case_id"] for c in found["items"]} == breaching
    assert all(rule["rule"] in c["breaches"] for c in found["items"])
    page = demo.as_(ke).get("/oversikt", params={"regel": rule["rule"]})
    assert in_register(page.text) == breaching


def test_a_filter_the_overview_does_not_know_is_refused(demo: Demo) -> None:
    client = demo.as_(staff("4647", Role.KE_CASEWORKER))
    assert client.get("/oversikt?status=slettet").status_code == 400
    assert client.get("/oversikt?regel=CHK-99").status_code == 400
    assert client.get("/oversikt?side=0").status_code == 400


def test_the_register_pages_with_previous_and_next(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.overview_page.PAGE_SIZE", 4)
    ke = staff("4647", Role.KE_CASEWORKER)
    client = demo.as_(ke)
    total = register(demo, ke)["total"]
    assert total > 8
    seen: list[str] = []
    page_number = 1
    while True:
        page = client.get("/oversikt", params={"side": page_number}).text
        part = page.split('id="register-resultat"')[1].split("</nav>")[0]
        seen.extend(CASE_LINK.findall(part))
        assert ("Forrige" in part) == (page_number > 1)
        if "Neste" not in part:
            break
        assert f'href="/oversikt?side={page_number + 1}#register"' in part
        page_number += 1
    assert page_number == -(-total // 4)
    assert len(seen) == len(set(seen)) == total, "the pages together show every case once"


def test_htmx_gets_the_register_results_alone(demo: Demo) -> None:
    client = demo.as_(staff("4647", Role.KE_CASEWORKER))
    answer = client.get("/oversikt?status=open", headers={"HX-Request": "true", "HX-Target": "register-resultat"})
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<div id="register-resultat"') and "<h1" not in answer.text
    assert answer.headers["Cache-Control"] == "no-store"


def test_the_overview_shows_counts_per_rule_and_everyones_tasks_soonest_first(demo: Demo) -> None:
    ke = staff("4647", Role.KE_CASEWORKER)
    page = demo.as_(ke).get("/oversikt").text
    for r in demo.ledger.reads.overviews.per_rule(ke)["rules"]:
        row = page.split(f'id="regel-{r["rule"]}"')[1].split("</tr>")[0]
        assert re.findall(r'class="app-number">(\d+)<', row) == [str(r["breach"]), str(r["soon"])]
        assert re.search(r"app-bar--breach app-w\d+", row)
    tasks = demo.ledger.reads.tasks.everyone(ke, limit=20)
    assert tasks["items"], "the demo has tasks in Sunnfjord"
    section = page.split('id="oppgaver"')[1]
    assert CASE_LINK.findall(section)[: len(tasks["items"])] == [t["case_id"] for t in tasks["items"]]
    assert section.count(">Forfalt<") == sum(t["status"] == "overdue" for t in tasks["items"])
    assert "Opprett sak fra en henvisning" in page, "the referral form"


# --------------------------------------------------------------- worklist
def test_a_coordinator_sees_only_the_cases_they_coordinate_with_their_next_deadline(demo: Demo) -> None:
    ke = staff("4647", Role.KE_CASEWORKER)
    entries = [c for c in register(demo, ke, status="open")["items"] if c["coordinator"]]
    coordinator = STAFF[entries[0]["coordinator"]["person_id"]]
    own = {c["case_id"] for c in entries if c["coordinator"]["person_id"] == coordinator.id}
    page = demo.as_(coordinator).get("/mine-saker")
    assert page.status_code == 200
    table = page.text.split('id="mine-saker"')[1].split("</table>")[0]
    assert linked(table) == own
    assert not linked(page.text) & (demo.cases_of("4647") - own - _task_cases(demo, coordinator))
    tasks = demo.ledger.reads.tasks.mine(coordinator)["items"]
    for task in tasks:
        if task["case_id"] in own:
            first = next(t for t in tasks if t["case_id"] == task["case_id"])
            assert first["what"] in table
    assert f"Du er koordinator i {len(own)} " in page.text


def _task_cases(demo: Demo, actor: Actor) -> set[str]:
    return {t["case_id"] for t in demo.ledger.reads.tasks.mine(actor)["items"]}


def test_a_unit_leader_sees_their_own_tasks_per_case(demo: Demo) -> None:
    leader = staff("3447", Role.UNIT_LEADER)
    tasks = demo.ledger.reads.tasks.mine(leader)["items"]
    page = demo.as_(leader).get("/mine-saker").text
    assert "<h1" in page and "Mine oppgaver" in page
    assert linked(page) == {t["case_id"] for t in tasks}
    assert not linked(page) - demo.cases_of("3447")


def test_a_service_provider_is_told_where_their_cases_are(demo: Demo) -> None:
    page = demo.as_(staff("4647", Role.SERVICE_PROVIDER)).get("/mine-saker").text
    assert "Tjenesteytere har ingen frister i protokollen" in page and not linked(page)


# ---------------------------------------------------------------- min plan
def test_a_person_sees_their_plan_consents_and_who_has_read_their_case(demo: Demo) -> None:
    citizen, case_id = person(Role.CITIZEN)
    ke = staff(citizen.municipality, Role.KE_CASEWORKER)
    demo.ledger.reads.cases.case(ke, case_id)  # KE reads the case: the person sees that it did
    page = demo.as_(citizen).get(f"/min-plan?sak={case_id}")
    assert page.status_code == 200
    assert f"Sak {str(case_id)[:8]} for {citizen.name}" in page.text
    for heading in ("Planen", "Møter", "Samtykker", "I kraft (", "Hvem har lest saken din"):
        assert heading in page.text
    log = page.text.split('id="tilgangslogg"')[1]
    assert ke.name in log and "Personen selv" in log
    assert 'handling-trekk-samtykke"' in page.text, "the form to withdraw consent"


def test_a_person_may_not_see_another_persons_case(demo: Demo) -> None:
    citizen, own = person(Role.CITIZEN)
    other = next(c.case_id for c in demo.report.cases if c.municipality == citizen.municipality and c.case_id != own)
    page = demo.as_(citizen).get(f"/min-plan?sak={other}")
    assert page.status_code == 404 and "Saken kan ikke vises" in page.text
    assert str(other) not in page.text.replace(f"sak={other}", "")


def test_a_guardian_sees_the_childs_plan_and_a_staff_member_may_not_open_min_plan(demo: Demo) -> None:
    guardian, case_id = person(Role.GUARDIAN)
    page = demo.as_(guardian).get(f"/min-plan?sak={case_id}").text
    assert "Samtykker" in page and "Hvem har lest saken din" in page
    assert demo.as_(staff("4647", Role.KE_CASEWORKER)).get("/min-plan").status_code == 403


def test_without_a_link_a_guardian_is_asked_for_the_case_number(demo: Demo) -> None:
    page = demo.as_(person(Role.GUARDIAN)[0]).get("/min-plan")
    assert page.status_code == 200 and 'id="saksnummer"' in page.text
    assert demo.client.get("/min-plan?sak=ikke-et-nummer").status_code == 400
