"""OpenAPI links (issue #10): which operation's answer gives the ids another operation takes,
derived from the command table (api/command_routes.py), so it is told once.

Every command answers with `case_id`, and a command that creates an item (`Command.creates`,
e.g. `goal_id`) with that id too. So the 201 answer of

* a command that opens a case (no `case_id` in its path: `open_case`, `transfer_in`) links to
  every operation whose only path parameter is `case_id` (the case's commands and reads);
* a command that creates an item links to every operation that takes that item's id (with the
  case's), e.g. `set_goal` to revising, closing and evaluating the goal and planning activities.

Clients and stateful testers (schemathesis) follow them; the contract gains the links only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from api.commanding import PREFIX, CommandRoute

_PARAMETER = re.compile(r"{(\w+)}")


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "operationId" in operation:
                yield path, method, operation


def _links_of(route: CommandRoute, schema: dict[str, Any]) -> dict[str, Any]:
    opens = "case_id" not in route.path_fields
    created = route.command.creates
    if not opens and created is None:
        return {}
    links: dict[str, Any] = {}
    for path, _, target in _operations(schema):
        needs = set(_PARAMETER.findall(path))
        if opens and needs == {"case_id"} or created is not None and needs == {"case_id", created}:
            links[target["operationId"]] = {
                "operationId": target["operationId"],
                "parameters": {name: f"$response.body#/{name}" for name in sorted(needs)},
                "description": f"The {' and '.join(sorted(needs))} this answer gives",
            }
    return links


def add_links(schema: dict[str, Any], routes: Sequence[CommandRoute]) -> None:
    """Put the links of every command row into its 201 answer in `schema` (in place)."""
    for route in routes:
        links = _links_of(route, schema)
        if links:
            operation = schema["paths"][PREFIX + route.path][route.method.lower()]
            operation["responses"].setdefault("201", {})["links"] = links
