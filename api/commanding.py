"""Turns an HTTP request into a command and its result into a response:
one place for If-Match (412), Idempotency-Key (200 on replay) and ETag, and
the route function every command is offered by (`command_router`)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, get_type_hints

from fastapi import APIRouter, Depends, Header, Request, Response

from api.command_bodies import Nested, body_model, command_fields
from api.deps import PROBLEMS, CommandAccepted, CommandsDep, CurrentActor
from api.errors import Problem
from api.schemas import CommandBody
from commands.application import LedgerApplication
from commands.base import Command
from ledger.values import Actor, Role

_ETAG = re.compile(r'^(?:W/)?"([0-9]{1,12})"$')
MAX_IDEMPOTENCY_KEY = 200


def expected_version(request: Request) -> int | None:
    header = request.headers.get("if-match")
    if header is None:
        return None
    match = _ETAG.match(header.strip())
    if match is None:
        raise Problem(412, 'If-Match må være en versjon i anførselstegn, f.eks. "3".')
    return int(match.group(1))


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise Problem(422, f"Idempotency-Key må være 1-{MAX_IDEMPOTENCY_KEY} skrivbare tegn.")
    return key


def command_headers(
    request: Request,
    _: CurrentActor,  # authenticate first: no header check answers a caller without a token
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="Optimistic concurrency: the version the command expects, as the case's "
            'ETag gave it (`"3"`). If the case has moved on, or the value is not a quoted version: 412, '
            "nothing written.",
            examples=['"3"'],
        ),
    ] = None,
    idempotency_key_header: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="The same key again (same caller, same request) answers 200 with the "
            f"first answer and writes nothing; 1-{MAX_IDEMPOTENCY_KEY} printable characters, else 422.",
            examples=["henvisning-2026-0142"],
        ),
    ] = None,
) -> None:
    """Declares the command headers (so the schema names them) and refuses malformed ones early."""
    expected_version(request)
    idempotency_key(request)


# Given to every command router: the headers above, and every answer a command may give.
COMMAND_DEPENDENCIES = [Depends(command_headers)]
ETAG_HEADER = {"ETag": {"description": 'The case\'s version, `"<version>"`', "schema": {"type": "string"}}}
COMMAND_RESPONSES: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    201: {"headers": ETAG_HEADER},
    200: {
        "model": CommandAccepted,
        "headers": ETAG_HEADER,
        "description": "A replay for an Idempotency-Key already used: the first answer; nothing written",
    },
}


def run(
    commands: LedgerApplication,
    command_class: type[Command],
    actor: Actor,
    request: Request,
    response: Response,
    values: dict[str, Any],
) -> dict[str, Any]:
    """Issue the command with the request's expectations; answer 201 (200 on a replay) with the case's ETag."""
    command = command_class(
        actor=actor, expected_version=expected_version(request), idempotency_key=idempotency_key(request), **values
    )
    result = commands.handle(command)
    response.status_code = 200 if result.replayed else 201
    response.headers["ETag"] = f'"{result.version}"'
    return result.to_json()


@dataclass(frozen=True)
class CommandRoute:
    """One intention offered over HTTP: a row of the table in api/command_routes.py.

    Every command field reaches the command one way: from the path (by name), from a
    dependency in `from_request`, from the body (derived from the command), or not at
    all (`omit`: it keeps its default)."""

    method: str
    path: str  # under /v1/cases; each {name} is the command field of that name
    command: type[Command]
    body: str | None  # the request body's schema name; None: the request has no body
    description: str  # what it does; who may do it is added from the command's roles
    name: str = ""  # the operation's name (operationId, summary); default: the command's, snake_case
    tag: str = ""
    from_request: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    omit: frozenset[str] = frozenset()
    nested: Nested | None = None
    example: dict[str, Any] | None = None
    responses: dict[int | str, dict[str, Any]] = field(default_factory=dict)
    openapi_extra: dict[str, Any] | None = None

    @property
    def path_fields(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.path))

    @property
    def operation(self) -> str:
        return self.name or re.sub(r"(?<!^)(?=[A-Z])", "_", self.command.__name__).lower()

    @property
    def roles(self) -> tuple[Role, ...]:
        return tuple(role for role in Role if role in self.command.roles)

    def body_model(self) -> type[CommandBody] | None:
        if self.body is None:
            return None
        given = {*self.path_fields, *self.from_request, *self.omit}
        return body_model(self.command, self.body, exclude=frozenset(given), nested=self.nested, example=self.example)


def tagged(tag: str, *routes: CommandRoute) -> tuple[CommandRoute, ...]:
    return tuple(replace(route, tag=tag) for route in routes)


PREFIX = "/v1/cases"
_ENDPOINT_PARAMETERS = frozenset({"actor", "commands", "request", "response", "body"})


def command_router(routes: Sequence[CommandRoute]) -> APIRouter:
    """One route per row, each answering as every command does: If-Match, Idempotency-Key,
    ETag, `CommandAccepted` and the problems a command may give."""
    router = APIRouter(prefix=PREFIX, responses=COMMAND_RESPONSES, dependencies=COMMAND_DEPENDENCIES)
    for route in routes:
        roles = ", ".join(role.value for role in route.roles)
        router.add_api_route(
            route.path,
            _endpoint(route),
            methods=[route.method],
            name=route.operation,
            description=f"{route.description}\n\nRoles: {roles}.",
            tags=[route.tag] if route.tag else None,
            status_code=201,
            response_model=CommandAccepted,
            response_model_exclude_none=True,
            responses=route.responses or None,
            openapi_extra=route.openapi_extra,
        )
    return router


def _endpoint(route: CommandRoute) -> Callable[..., dict[str, Any]]:
    """A route function for the row, its parameters declared by signature as FastAPI reads them."""
    nested, model = route.nested, route.body_model()
    hints = get_type_hints(route.command)
    given = (*route.path_fields, *route.from_request)
    if clash := _ENDPOINT_PARAMETERS & set(given):
        raise TypeError(f"{route.command.__name__}: {sorted(clash)} cannot be taken from the path or a dependency")

    def endpoint(
        *,
        actor: Actor,
        commands: LedgerApplication,
        request: Request,
        response: Response,
        body: CommandBody | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        values = command_fields(body, nested) if body is not None else {}
        return run(commands, route.command, actor, request, response, {**values, **fields})

    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [inspect.Parameter(name, keyword, annotation=hints[name]) for name in route.path_fields]
    if model is not None:
        parameters.append(inspect.Parameter("body", keyword, annotation=model))
    parameters += [
        inspect.Parameter(name, keyword, annotation=Annotated[Any, Depends(dependency)])
        for name, dependency in route.from_request.items()
    ]
    parameters += [
        inspect.Parameter("actor", keyword, annotation=CurrentActor),
        inspect.Parameter("commands", keyword, annotation=CommandsDep),
        inspect.Parameter("request", keyword, annotation=Request),
        inspect.Parameter("response", keyword, annotation=Response),
    ]
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = endpoint.__qualname__ = route.operation
    return endpoint
