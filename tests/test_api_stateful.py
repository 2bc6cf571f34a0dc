"""Schemathesis, stateful (issue #10, item 6): sequences of calls that follow the OpenAPI links
(api/links.py: a case's answer to its commands and reads, a goal's to its revisions, …),
seeded with the ids of real cases walked to every state (tests/support/walked.py), each call
made by a role that may make it. No 5xx, every answer as documented; the operations and links
reached are printed and held to a floor. Bounded for CI (a fixed number of scenarios, each from
a fixed seed, of a fixed number of steps); LEDGER_FUZZ_SCENARIOS and LEDGER_FUZZ_STEPS for a
deeper local run."""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import initialize
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput

from api.command_routes import ROUTES
from api.commanding import PREFIX
from ledger.national_id import synthesize
from ledger.values import Role
from tests.support.fuzz import CHECKS
from tests.support.http import Api
from tests.support.walked import walked_cases

SCENARIOS = int(os.environ.get("LEDGER_FUZZ_SCENARIOS", "60"))
# One scenario per run, each from its own seed: the ledger's state outlives a scenario, so
# Hypothesis could not replay one (it would see other answers and call it flaky).
ONE_SCENARIO = settings(
    max_examples=1,
    stateful_step_count=int(os.environ.get("LEDGER_FUZZ_STEPS", "12")),
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
OPEN_CASE = {"requested": ["coordinator", "individual_plan"], "referred_by": {"kind": "gp", "name": "Dr. Lege"}}
# Who makes each command: KE where KE may, else the coordinator the walked cases have (koord-1).
COMMAND_ROLE = {
    (route.method, PREFIX + route.path): Role.KE_CASEWORKER if Role.KE_CASEWORKER in route.roles else Role.COORDINATOR
    for route in ROUTES
}


def role_for(method: str, path: str) -> Role:
    if path.startswith("/v1/archive"):
        return Role.ARCHIVE_INTEGRATION
    return COMMAND_ROLE.get((method.upper(), path), Role.KE_CASEWORKER)


@pytest.fixture(params=["sqlite"])  # the seam fuzz and the per-operation fuzz cover PostgreSQL
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_stateful_sequences_following_the_links_reach_every_operation(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:

    seeds = walked_cases(api)
    known: dict[str, set[str]] = {name: set(values) for name, values in seeds.items()}
    tokens = {role: api.auth(role) for role in Role}
    reached: Counter[str] = Counter()
    succeeded: set[str] = set()
    links: set[str] = set()
    failures: list[str] = []
    subjects = iter(range(1, 100_000))

    def next_subject() -> str:
        return synthesize(date(1960, 1, 1) + timedelta(days=next(subjects)), 0)

    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)

    chooser = random.Random(2026)  # one sequence for the run, as the scenarios' seeds are fixed
    opening = schema["/v1/cases"]["POST"]
    Machine = schema.as_state_machine()

    class Workflow(Machine):  # type: ignore[misc,valid-type]
        @initialize(target=Machine.bundles["POST /v1/cases -> 201"])
        def open_a_case(self) -> StepOutput:
            """Each scenario starts from a case it opened itself, whatever the generated referrals do."""
            case = opening.Case(body={**OPEN_CASE, "subject": {"national_id": next_subject()}})
            self.recorder.record_case(case=case)  # so the links that follow find their parent
            output = self.step(StepInput.initial(case))
            assert output.response.status_code == 201, output.response.text
            return output

        def step(self, input: Any) -> Any:
            if input.transition is not None:
                links.add(input.transition.id)  # the link's name: source -> status -> target
            return super().step(input)

        def before_call(self, case: Any) -> None:
            for name, value in (case.path_parameters or {}).items():
                # A guessed id is mostly replaced by a real one, and a followed one at times by one of
                # a case in another state (closed, erased, …): both meet the ledger's rules, not a 404.
                unknown = str(value) not in known.get(name, set())
                if name in seeds and chooser.random() < (0.8 if unknown else 0.3):
                    case.path_parameters[name] = chooser.choice(seeds[name])
            subject = case.body.get("subject") if isinstance(case.body, dict) else None
            if case.operation.path == PREFIX and isinstance(subject, dict) and chooser.random() < 0.7:
                subject["national_id"] = next_subject()

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": tokens[role_for(case.method, case.operation.path)]}

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            reached[case.operation.label] += 1
            if response.status_code < 300:
                succeeded.add(case.operation.label)
                try:
                    body = response.json()
                except ValueError:
                    return
                for name, value in body.items() if isinstance(body, dict) else ():
                    if name.endswith("_id") and isinstance(value, str):
                        known.setdefault(name, set()).add(value)

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            # Collected, not raised: the sequences depend on the store's state, which Hypothesis could
            # not replay; every failure is reported with its request below.
            try:
                case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None)
            except Exception as failure:
                failures.append(f"{case.operation.label} {case.path_parameters} -> {response.status_code}: {failure}")

    for number in range(SCENARIOS):
        Workflow._hypothesis_internal_use_seed = number  # what hypothesis.seed() sets: reproducible
        Workflow.run(settings=ONE_SCENARIO)
    operations = [r.ok().label for r in schema.get_all_operations()]
    with capsys.disabled():
        print(
            "\nschemathesis stateful: "
            + json.dumps(
                {
                    "operations": len(operations),
                    "reached": len(reached),
                    "answered_2xx": len(succeeded),
                    "links_followed": len(links),
                    "explicit_links_followed": sum(1 for link in links if "_v1_" in link),
                    "calls": sum(reached.values()),
                    "not_reached": sorted(set(operations) - set(reached)),
                },
                ensure_ascii=False,
            )
        )
    assert not failures, "\n\n".join(failures[:10])
    assert len(reached) >= 40 and len(links) >= 30  # measured: 44 operations, 57 links (37 of api/links.py)
