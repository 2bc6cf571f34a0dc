"""Who lives the worked cases of SCENARIOS.md when the tests tell them: fixed,
invented actors whose ids the tests can name. The scenarios themselves (steps,
dates, expected outcomes) are told once, in demo/scenarios.py."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from demo.people import DemoPerson
from demo.scenarios import SCENARIO_1, SCENARIO_2, SCENARIO_3, Cast, Member, OnOneCase, Scenario, Told
from ledger.national_id import synthesize
from ledger.values import Role
from tests.support.cases import actor, coordinator, file_in_archive, ke
from tests.support.memory import MemoryApp
from tests.support.story import FATHER, MOTHER


def _provider(municipality: str, id: str, name: str, service: str) -> Any:
    return actor(Role.SERVICE_PROVIDER, municipality, id=id, name=name, service=service)


def _born(year: int, month: int, day: int, individual: int) -> tuple[date, str]:
    birth = date(year, month, day)
    return birth, synthesize(birth, individual)


def _cast_1() -> Cast:
    m = SCENARIO_1.municipality
    birth, nid = _born(1979, 4, 2, 7)
    return Cast(
        subject=DemoPerson("Per Testesen", False, birth, nid),
        ke=ke(m),
        unit="Psykisk helse og rus",
        unit_leader=actor(Role.UNIT_LEADER, m, id="leder-1", name="Lise Leder"),
        coordinator=coordinator(m),
        team=(
            Member(_provider(m, "nav-1", "Nina NAV", "NAV"), "veileder"),
            Member(_provider(m, "gp-1", "Dr. Berg", "fastlege"), "fastlege"),
            Member(_provider(m, "psyk-1", "Pål Psykiatrisk", "psykisk helse"), "miljøterapeut"),
        ),
    )


def _cast_2() -> Cast:
    m = SCENARIO_2.municipality
    birth, nid = _born(2021, 5, 10, 9)
    return Cast(
        subject=DemoPerson("Ella Skårdal", True, birth, nid, (MOTHER, FATHER)),
        ke=ke(m),
        unit="Helsestasjonen",
        unit_leader=actor(Role.UNIT_LEADER, m, id="leder-1", name="Lise Leder"),
        coordinator=actor(Role.COORDINATOR, m, id="hs-1", name="Hanne Helsesykepleier", service="helsestasjon"),
        team=(
            Member(_provider(m, "barnehage-1", "Bente Barnehage", "barnehage"), "pedagogisk leder"),
            Member(_provider(m, "helsestasjon-1", "Hanne H", "helsestasjon"), "helsesykepleier"),
            Member(_provider(m, "fysioterapi-1", "Frode Fysio", "fysioterapi"), "fysioterapeut"),
            Member(_provider(m, "PPT-1", "Petra PPT", "PPT"), "PP-rådgiver"),
        ),
        relay_unit="Barnehagen",
        relay_holder=actor(Role.COORDINATOR, m, id="bhg-1", name="Stine Stafett", service="barnehage"),
    )


def _cast_3() -> Cast:
    m = SCENARIO_3.municipality
    birth, nid = _born(1990, 12, 1, 11)
    return Cast(
        subject=DemoPerson("Siri Sunnfjord", True, birth, nid),
        ke=ke(m),
        unit="Heimetenesta",
        unit_leader=actor(Role.UNIT_LEADER, m, id="leder-1", name="Lise Leder"),
        coordinator=actor(Role.COORDINATOR, m, id="koord-1", name="Kari Koordinator", service="heimetenesta"),
        team=(
            Member(_provider(m, "heimetenesta-1", "Hege Heim", "heimetenesta"), "primærkontakt"),
            Member(_provider(m, "fastlege-1", "Dr. Dahl", "fastlege"), "fastlege"),
            Member(_provider(m, "NAV-1", "Nils NAV", "NAV"), "rettleiar"),
        ),
    )


CASTS = {SCENARIO_1.title: _cast_1(), SCENARIO_2.title: _cast_2(), SCENARIO_3.title: _cast_3()}


def tell(to: Any, scenario: Scenario, **options: Any) -> Told:
    """The scenario told by the tests' cast to a ledger (through its application, with a simulated
    archive to file the case in before erasure) or to `MemoryApp`."""
    if isinstance(to, MemoryApp):
        return scenario.tell(OnOneCase(to.handle), CASTS[scenario.title], uuid4(), **options)
    step = OnOneCase(to.app.handle, archive=lambda case_id, when: file_in_archive(to, case_id, when))
    return scenario.tell(step, CASTS[scenario.title], uuid4(), **options)
