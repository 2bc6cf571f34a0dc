"""What the schemathesis tests hold every answer to (tests/test_api_schemathesis.py, per operation;
tests/test_api_stateful.py, following the links), and the real answers the stateful test starts from."""

from __future__ import annotations

import json
import re
from collections.abc import Collection

import httpx
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.transport import Response
from schemathesis.generation.stateful.state_machine import StepOutput
from schemathesis.specs.openapi.schemas import OpenApiSchema

# Schema-valid data may still be refused by a rule (a national id's check digits, INV-xx),
# so "positive data is accepted" is not a check here; every other conformance check is.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def path_parameters(template: str, path: str) -> dict[str, str]:
    """The values of a path template's parameters in a path (`/v1/cases/{case_id}`, `/v1/cases/1` -> 1)."""
    pattern = re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", template)
    match = re.fullmatch(pattern, path)
    assert match is not None, (template, path)
    return match.groupdict()


def seeded_outputs(schema: OpenApiSchema, bundles: Collection[str], answers: list[httpx.Response]) -> list[StepOutput]:
    """The answers that feed a bundle of the state machine (`POST /v1/cases/{case_id}/goals -> 201`, …), as
    if the machine had made the calls itself: the links out of them can be followed from the first step."""
    outputs = []
    for answer in answers:
        request = answer.request
        operation = schema.find_operation_by_path(request.method, request.url.path)
        if operation is None or f"{operation.label} -> {answer.status_code}" not in bundles:
            continue
        body = json.loads(request.content) if request.content else None
        case = operation.Case(
            path_parameters=path_parameters(operation.path, request.url.path),
            **({} if body is None else {"body": body}),
        )
        outputs.append(StepOutput(Response.from_any(answer), case))
    return outputs
