"""Whom the development sign-in offers: the demo data set's staff (`demo_staff`) and, so that
"Min plan" can be tried, the people of its worked scenarios who sign in themselves (the adult of
Søndre Land, the parents of the child in Vestre Toten), each with the case they can open.

They are drawn as `run_demo` draws them (the generator's first draws after the staff: the
scenarios' case ids, then their people), so with the same seed they are the people of the data set
`ledger demo` writes; they act with the same ids as in the scenarios' events.
"""

from __future__ import annotations

from uuid import UUID

from demo.dataset import DEFAULT_SEED, _case_id, _start, demo_staff
from demo.scenarios import SCENARIO_1, SCENARIO_2, SCENARIOS, scenario_people
from ledger.values import Actor, Role


def demo_people(seed: int = DEFAULT_SEED) -> list[Actor]:
    """Everyone the development sign-in lists: the staff, then the persons and guardians."""
    return [*demo_staff(seed), *demo_persons(seed)]


def demo_persons(seed: int = DEFAULT_SEED) -> dict[Actor, UUID]:
    """The scenarios' people who sign in themselves, each with their case's id."""
    rng, people, _ = _start(seed)
    case_ids = [_case_id(rng) for _ in SCENARIOS]
    adult, child, _erased = scenario_people(people)
    sondre_land, vestre_toten = case_ids[0], case_ids[1]
    mother, father = child.guardians
    return {
        Actor(
            id=f"idporten-{sondre_land.hex[:8]}-citizen",
            role=Role.CITIZEN,
            municipality=SCENARIO_1.municipality,
            name=adult.name or "",
            pid=adult.national_id,
        ): sondre_land,
        Actor(
            id=f"idporten-{vestre_toten.hex[:8]}-guardian",
            role=Role.GUARDIAN,
            municipality=SCENARIO_2.municipality,
            name=mother.name,
            pid=mother.national_id,
        ): vestre_toten,
        Actor(
            id=f"idporten-{vestre_toten.hex[:8]}-father",
            role=Role.GUARDIAN,
            municipality=SCENARIO_2.municipality,
            name=father.name,
            pid=father.national_id,
        ): vestre_toten,
    }


def demo_person_cases(seed: int = DEFAULT_SEED) -> dict[str, UUID]:
    """The case each signing-in person of the demo opens "Min plan" on, by their id."""
    return {actor.id: case_id for actor, case_id in demo_persons(seed).items()}
