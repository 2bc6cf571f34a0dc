"""The whole OpenAPI schema, fuzzed with schemathesis for a valid token of
each role: no input gets a 5xx, and every answer (status, content type,
headers, body) is one the schema documents.

Runs on both stores (the HTTP layer meets PostgreSQL's own limits, e.g. NUL
in text). Bounded for CI: a few examples per operation and role, derandomized,
no shrinking; set LEDGER_FUZZ_EXAMPLES for a deeper local run.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from ledger.values import Role
from tests.support.archive import closed_case
from tests.support.fuzz import CHECKS
from tests.support.http import Api, populated_case
from tests.support.story import SELBU

EXAMPLES = int(os.environ.get("LEDGER_FUZZ_EXAMPLES", "4"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
ROLES = [Role.KE_CASEWORKER, Role.COORDINATOR, Role.SERVICE_PROVIDER, Role.CITIZEN, Role.SUPERVISOR, Role.ADMIN]


def strategy(operation: Any, ids: dict[str, str]) -> Any:
    """Valid and invalid requests, half of them aimed at ids that exist."""
    known = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    return st.one_of(
        *[operation.as_strategy(m, path_parameters=known) for m in modes], *[operation.as_strategy(m) for m in modes]
    )


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_no_request_gets_a_server_error_and_every_answer_matches_the_schema(api: Api, role: Role) -> None:
    """Every operation, fuzzed for one role: no 5xx, and status, content type, headers and body as documented."""
    case, ids = populated_case(api)
    headers = api.auth(role, pid=case.national_id) if role is Role.CITIZEN else api.auth(role)
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @FUZZ
        @given(request=strategy(operation, ids))
        def fuzz(request: Any) -> None:
            request.call_and_validate(headers=headers, checks=CHECKS)

        try:
            fuzz()
        except Exception as failure:  # collect every operation's failure, not just the first
            failures.append(f"{operation.label}: {failure}")
    assert operations >= 40, "the schema lost operations"
    assert not failures, "\n\n".join(failures)


def test_the_archive_seam_fuzzed_for_the_integrations_service_account(api: Api) -> None:
    """The archive operations, fuzzed with the role that reaches their logic (the other roles meet 403 in the
    test above): no 5xx, every answer as documented, with real messages of a closed case to aim at."""
    story, _ = closed_case(api.ledger)
    headers = api.auth(Role.ARCHIVE_INTEGRATION, municipality=SELBU)
    listed = api.client.get("/v1/archive/messages", headers=headers).json()["items"]
    ids = {"message_id": listed[0]["message_id"], "case_id": str(story.case_id)}
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/v1/archive"):
            continue
        operations += 1

        @FUZZ
        @given(request=strategy(operation, ids))
        def fuzz(request: Any) -> None:
            request.call_and_validate(headers=headers, checks=CHECKS)

        try:
            fuzz()
        except Exception as failure:
            failures.append(f"{operation.label}: {failure}")
    assert operations == 4
    assert not failures, "\n\n".join(failures)
