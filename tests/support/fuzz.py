"""What the schemathesis tests hold every answer to (tests/test_api_schemathesis.py, per operation;
tests/test_api_stateful.py, following the links)."""

from __future__ import annotations

from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Schema-valid data may still be refused by a rule (a national id's check digits, INV-xx),
# so "positive data is accepted" is not a check here; every other conformance check is.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
