"""The OpenAPI document stays the same for its consumers.

The live `/openapi.json` is compared with the committed baseline
(tests/fixtures/openapi-baseline.json) on everything a client is generated
from: paths, methods, operation ids, tags, security, parameters, request bodies
and responses (status codes, media types, headers, schemas). `$ref`s are
resolved before comparing, so a renamed or restructured component cannot hide
a change in shape. Only prose is ignored: descriptions, summaries, titles and
examples may improve freely.

A deliberate change of the contract updates the baseline on purpose:
`.venv/bin/python -m tests.test_openapi_stable` rewrites it from the code.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.bootstrap import Ledger, build
from app.server import create_app
from app.settings import Settings

BASELINE = Path(__file__).parent / "fixtures" / "openapi-baseline.json"

# Prose: free to change without a consumer noticing.
PROSE = frozenset({"description", "summary", "title", "examples", "example"})
# Mappings whose keys are names (properties, paths, status codes, media types,
# headers, components), not keywords: a property called "title" is kept.
NAME_MAPS = frozenset(
    {"properties", "patternProperties", "$defs", "paths", "responses", "content", "headers", "schemas",
     "securitySchemes", "encoding", "callbacks", "links", "scopes"}
)  # fmt: skip
# Lists whose order carries no meaning.
UNORDERED = frozenset({"required", "tags"})


def normalised(document: dict[str, Any]) -> dict[str, Any]:
    """What consumers build on: the paths and the security schemes, refs inlined, prose dropped."""
    return {
        "paths": _walk(document.get("paths", {}), document, names=True, stack=()),
        "securitySchemes": _walk(
            document.get("components", {}).get("securitySchemes", {}), document, names=True, stack=()
        ),
    }


def _walk(node: Any, document: dict[str, Any], *, names: bool, stack: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_walk(item, document, names=False, stack=stack) for item in node]
    if not isinstance(node, dict):
        return node
    if not names and "$ref" in node:
        ref = node["$ref"]
        if ref in stack:  # a recursive schema: compared by its position, not unrolled forever
            return {"$recursive": stack.index(ref)}
        target = _resolve(document, ref)
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        return _walk({**target, **siblings}, document, names=False, stack=(*stack, ref))
    out: dict[str, Any] = {}
    for key, value in node.items():
        if not names and key in PROSE:
            continue
        if not names and key in UNORDERED and isinstance(value, list):
            out[key] = sorted(value, key=json.dumps)
            continue
        out[key] = _walk(value, document, names=not names and key in NAME_MAPS, stack=stack)
    return out


def _resolve(document: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $refs are expected, got {ref}")
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def differences(expected: Any, actual: Any, where: str = "") -> Iterator[str]:
    """Each place the two normalised documents differ, as a readable line."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected.keys() - actual.keys():
            yield f"{where}/{key}: removed"
        for key in actual.keys() - expected.keys():
            yield f"{where}/{key}: added"
        for key in expected.keys() & actual.keys():
            yield from differences(expected[key], actual[key], f"{where}/{key}")
    elif isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            yield from differences(e, a, f"{where}[{i}]")
    elif expected != actual:
        yield f"{where}: {json.dumps(expected, sort_keys=True)} -> {json.dumps(actual, sort_keys=True)}"


def live_document(ledger: Ledger) -> dict[str, Any]:
    with TestClient(create_app(ledger, run_projections=False)) as client:
        response = client.get("/openapi.json")
        assert response.status_code == 200
        return response.json()


@pytest.fixture
def backend() -> str:
    """The document does not depend on the store: built once, on SQLite."""
    return "sqlite"


def test_the_openapi_document_matches_the_committed_baseline(ledger: Ledger) -> None:
    """Paths, methods, parameters, bodies and responses are what consumers were given."""
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    changes = sorted(differences(normalised(baseline), normalised(live_document(ledger))))
    assert not changes, "The OpenAPI contract changed:\n" + "\n".join(changes[:60])


def test_the_comparison_sees_a_changed_field_behind_a_ref() -> None:
    """A constraint changed inside a referenced component is a difference; its description is not."""
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    changed = json.loads(json.dumps(baseline))
    goal = changed["components"]["schemas"]["GoalCreate"]
    goal["properties"]["text"]["maxLength"] = 5000
    goal["description"] = "Prose may change."
    assert any("/text/maxLength" in line for line in differences(normalised(baseline), normalised(changed)))
    goal["properties"]["text"]["maxLength"] = baseline["components"]["schemas"]["GoalCreate"]["properties"]["text"][
        "maxLength"
    ]
    assert not list(differences(normalised(baseline), normalised(changed)))


def test_the_comparison_sees_through_a_renamed_component() -> None:
    """The same shape under another component name is no difference."""
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    renamed = json.loads(json.dumps(baseline).replace('"#/components/schemas/GoalCreate"', '"#/components/schemas/G"'))
    renamed["components"]["schemas"]["G"] = renamed["components"]["schemas"].pop("GoalCreate")
    assert not list(differences(normalised(baseline), normalised(renamed)))


def _write_baseline() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(
            {
                "LEDGER_DATABASE_URL": f"sqlite:///{tmp}/ledger.db",
                "LEDGER_MASTER_KEY": "11" * 32,
                "LEDGER_SIGNING_KEY": "22" * 32,
                "LEDGER_JWT_SECRET": "baseline-" + "x" * 40,
            }
        )
        ledger = build(settings)
        try:
            document = live_document(ledger)
        finally:
            ledger.close()
    BASELINE.parent.mkdir(parents=True, exist_ok=True)
    BASELINE.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {BASELINE}", file=sys.stderr)


if __name__ == "__main__":
    _write_baseline()
