"""Each intention is told once: the command, its Case method, its request body
and its route agree.

The command dataclass describes an intention's input; the Case method carries
it out; the HTTP body is derived from the command and the route is a row of
api/command_routes.py. These tests walk every command and every row and fail
on any disagreement in names, fields, types, defaults or roles.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import operator
import pkgutil
import re
import types
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

import pytest
from fastapi.routing import APIRoute

import commands
from api import command_routes
from api.command_bodies import arguments_of
from api.commanding import PREFIX, CommandRoute
from commands.base import CaseCommand, Command
from commands.constraints import Constraint
from commands.handlers import SPECIAL_HANDLERS, handler_for
from ledger.values import Role

# Commands deliberately not offered over HTTP, with the reason.
NOT_OVER_HTTP: dict[str, str] = {
    "RecordArchiveReceipt": "the archive integration posts the archive's own receipt (XML) to "
    "POST /v1/archive/messages/{message_id}/receipt, which validates it and issues the command",
}

# Case method parameters a command's handler supplies itself, with the reason.
SUPPLIED_BY_HANDLER: dict[str, dict[str, str]] = {
    "AddParticipant": {"team_name": "the team's name comes from the municipality's profile"},
}


def _all_commands() -> list[type[Command]]:
    for module in pkgutil.iter_modules(commands.__path__):
        importlib.import_module(f"commands.{module.name}")
    found: list[type[Command]] = []
    pending = list(Command.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls is not CaseCommand:
            found.append(cls)
    return sorted(found, key=lambda cls: cls.__name__)


COMMANDS = _all_commands()
ROUTES = command_routes.ROUTES
ROUTE_OF = {route.command: route for route in ROUTES}


def _plain(tp: Any) -> Any:
    """The type without its constraints: what the Case method is annotated with."""
    if get_origin(tp) is Annotated:
        return _plain(get_args(tp)[0])
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType):
        return functools.reduce(operator.or_, (_plain(a) for a in args))
    if origin is not None and args:
        return origin[tuple(a if a is Ellipsis else _plain(a) for a in args)]
    return tp


def _constraints(tp: Any) -> list[Constraint]:
    if get_origin(tp) is Annotated:
        return [m for m in get_args(tp)[1:] if isinstance(m, Constraint)]
    return []


def _is_required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _by_name(items: list[Any]) -> list[Any]:
    return [pytest.param(item, id=getattr(item, "__name__", None) or item.command.__name__) for item in items]


def test_commands_are_found() -> None:
    """The walk sees the commands of every module (a sanity check on the walk itself)."""
    names = {cls.__name__ for cls in COMMANDS}
    assert {"OpenCase", "SetGoal", "TransferIn", "DecideComplaint"} <= names
    assert len(COMMANDS) >= 45


@pytest.mark.parametrize("command", _by_name(COMMANDS))
def test_every_command_is_carried_out_by_its_case_method_or_a_handler(command: type[Command]) -> None:
    """Found by the command's type: a handler registered for it, or the Case method it names."""
    assert handler_for(command) is not None
    if command not in SPECIAL_HANDLERS:
        assert issubclass(command, CaseCommand) and command.case_method is not None


@pytest.mark.parametrize("command", _by_name([c for c in COMMANDS if c.case_method is not None]))
def test_the_case_method_takes_exactly_the_commands_arguments(command: type[Command]) -> None:
    """Same keyword names, same types (less the limits); every parameter the method requires is a field."""
    method = command.case_method
    assert method is not None
    parameters = {
        name: p for name, p in inspect.signature(method).parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    supplied = SUPPLIED_BY_HANDLER.get(command.__name__, {})
    assert not supplied or command in SPECIAL_HANDLERS, "only a handler can supply a parameter"
    fields = arguments_of(command)
    assert set(parameters) - set(supplied) == set(fields), f"{method.__qualname__} and {command.__name__} disagree"
    method_types = get_type_hints(method)
    command_types = get_type_hints(command, include_extras=True)
    for name in fields:
        assert _plain(command_types[name]) == method_types[name], f"{command.__name__}.{name}"
        if parameters[name].default is inspect.Parameter.empty:
            continue  # the command may default what the method requires: it always passes it
        if not _is_required(fields[name]):
            assert fields[name].default == parameters[name].default, f"{command.__name__}.{name}: defaults differ"


def test_every_route_row_names_a_real_command_once() -> None:
    """No row for a base class or a stray class, and no command offered twice."""
    assert all(route.command in COMMANDS for route in ROUTES)
    assert len(ROUTE_OF) == len(ROUTES)


def test_every_command_has_a_route_unless_deliberately_not_offered() -> None:
    """A new command is offered over HTTP, or listed in NOT_OVER_HTTP with the reason."""
    names = {cls.__name__ for cls in COMMANDS}
    assert set(NOT_OVER_HTTP) <= names, "NOT_OVER_HTTP names a command that does not exist"
    missing = [cls.__name__ for cls in COMMANDS if cls not in ROUTE_OF and cls.__name__ not in NOT_OVER_HTTP]
    assert not missing, f"commands without a route: {missing}"
    assert not [name for name in NOT_OVER_HTTP if any(r.command.__name__ == name for r in ROUTES)]


def _body_fields(route: CommandRoute) -> set[str]:
    model = route.body_model()
    if model is None:
        return set()
    names = set(model.model_fields) - {"occurred_at"}
    if route.nested is not None:
        names = (names - {route.nested.field}) | set(route.nested.keys.values())
    return names


@pytest.mark.parametrize("route", _by_name(list(ROUTES)))
def test_a_route_gives_each_command_field_exactly_one_way(route: CommandRoute) -> None:
    """Path, dependency, body or not at all (keeping its default): each field once, none forgotten."""
    fields = arguments_of(route.command)
    if issubclass(route.command, CaseCommand):
        assert route.path_fields[:1] == ("case_id",), "a command on a case is routed under /{case_id}"
    path = set(route.path_fields) - ({"case_id"} if issubclass(route.command, CaseCommand) else set())
    ways = [path, set(route.from_request), set(route.omit), _body_fields(route)]
    assert sum(len(way) for way in ways) == len(set().union(*ways)), "a field is given two ways"
    assert set().union(*ways) == set(fields), f"{route.command.__name__}: fields and route disagree"
    assert all(not _is_required(fields[name]) for name in route.omit), "an omitted field must have a default"
    if route.method == "DELETE":
        assert route.body is None, "a DELETE carries no body"


@pytest.mark.parametrize("route", _by_name([r for r in ROUTES if r.body is not None]))
def test_a_body_has_the_commands_fields_required_and_defaulted_alike(route: CommandRoute) -> None:
    """The derived body requires what the command requires and defaults the rest to the same value."""
    model = route.body_model()
    assert model is not None and model.__name__ == route.body
    fields = arguments_of(route.command)
    body = dict(model.model_fields)
    assert not body.pop("occurred_at").is_required()
    if route.nested is not None:
        group = body.pop(route.nested.field).annotation
        assert isinstance(group, type) and group.__name__ == route.nested.model
        body |= {target: group.model_fields[key] for key, target in route.nested.keys.items()}  # type: ignore[attr-defined]
    for name, info in body.items():
        assert info.is_required() == _is_required(fields[name]), f"{route.command.__name__}.{name}"
        if not info.is_required():
            assert info.default == fields[name].default, f"{route.command.__name__}.{name}"


def _limited(tp: Any) -> bool:
    """Every str the caller sends has a bound: a maximum length, or a pattern without repetition."""
    if get_origin(tp) in (Union, types.UnionType):
        return all(_limited(arg) for arg in get_args(tp) if arg is not type(None))
    if get_origin(tp) is Annotated:
        inner, limits = get_args(tp)[0], _constraints(tp)
        if inner is str:
            return any(
                c.max_length is not None or (c.pattern is not None and not {"*", "+"} & set(c.pattern)) for c in limits
            )
        if get_origin(inner) is tuple:
            return any(c.max_length is not None for c in limits) and _limited(get_args(inner)[0])
        return _limited(inner)
    if get_origin(tp) is tuple:
        return False  # a sequence without a maximum length
    return tp is not str


@pytest.mark.parametrize("route", _by_name([r for r in ROUTES if r.body is not None]))
def test_every_text_and_list_in_a_body_has_a_limit(route: CommandRoute) -> None:
    """Limits live on the command's fields; a field offered over HTTP without one is refused here."""
    hints = get_type_hints(route.command, include_extras=True)
    unlimited = [name for name in _body_fields(route) if not _limited(hints[name])]
    assert not unlimited, f"{route.command.__name__}: {unlimited} have no limit"


def _live_route(route: CommandRoute) -> APIRoute:
    matches = [
        r
        for r in command_routes.router.routes
        if isinstance(r, APIRoute) and r.path == PREFIX + route.path and route.method in r.methods
    ]
    assert len(matches) == 1, f"{route.method} {route.path}"
    return matches[0]


@pytest.mark.parametrize("route", _by_name(list(ROUTES)))
def test_the_served_route_is_its_row(route: CommandRoute) -> None:
    """Path parameters named and typed as the command's fields, the derived body, and the roles from the command."""
    live = _live_route(route)
    hints = get_type_hints(route.command)
    assert [p.name for p in live.dependant.path_params] == list(route.path_fields)
    assert all(p.field_info.annotation == hints[p.name] for p in live.dependant.path_params)
    if route.body is None:
        assert live.body_field is None or route.openapi_extra is not None
    else:
        assert live.body_field is not None and live.body_field.field_info.annotation is route.body_model()
    assert live.name == route.operation and live.tags == [route.tag]
    assert live.description is not None
    listed = live.description.rsplit("Roles: ", 1)[1].rstrip(".").split(", ")
    assert set(listed) == {role.value for role in route.command.roles}


@pytest.mark.parametrize("route", _by_name(list(ROUTES)))
def test_a_rows_description_leaves_the_roles_to_the_command(route: CommandRoute) -> None:
    """Who may do it is told once, in the command's `roles`; the row says only what it does."""
    roles = {role.value for role in Role}
    # "(coordinator)" or "(unit_leader, ke_caseworker)" is a role list; "name a coordinator" is not.
    lists = [group for group in re.findall(r"\(([^)]*)\)", route.description) if set(re.split(r",\s*", group)) <= roles]
    assert not lists
    assert not [role for role in roles if "_" in role and role in route.description]


@pytest.mark.parametrize("route", _by_name([r for r in ROUTES if r.example is not None]))
def test_a_rows_example_is_a_valid_body(route: CommandRoute) -> None:
    """The example shown in /docs is accepted by the body it illustrates."""
    model = route.body_model()
    assert model is not None
    model.model_validate(route.example)
