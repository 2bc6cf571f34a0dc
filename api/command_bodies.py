"""Request bodies derived from the commands: one pydantic model per body name,
built from the command's dataclass fields, so a body cannot disagree with the
command it carries.

A body holds the command's own arguments less those the request gives another
way (path parameters, the caller's token, the raw request): `body_model()` is
told which. Types and limits translate as api/schemas.py says. Where the JSON
shape groups fields the command keeps flat (`referred_by {kind, name}` for
`referrer_kind`, `referrer_name`), a `Nested` says so, in the route's row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, create_model

from api.schemas import CommandBody, command_value, pydantic_type
from commands.base import CaseCommand, Command

_BASE_FIELDS = frozenset(f.name for f in dataclasses.fields(Command))


@dataclass(frozen=True)
class Nested:
    """Command fields received together as one JSON object."""

    field: str  # the object's name in the body, e.g. "referred_by"
    model: str  # its schema name, e.g. "Referrer"
    keys: Mapping[str, str]  # key in the object -> command field, e.g. {"kind": "referrer_kind"}


def arguments_of(command: type[Command]) -> dict[str, dataclasses.Field[Any]]:
    """The command's own fields: what the intention says (not who, when or with which expectations)."""
    target = {"case_id"} if issubclass(command, CaseCommand) else set()
    return {f.name: f for f in dataclasses.fields(command) if f.name not in _BASE_FIELDS | target}


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return ...


_MODELS: dict[str, type[CommandBody]] = {}


def body_model(
    command: type[Command],
    name: str,
    *,
    exclude: frozenset[str] = frozenset(),
    nested: Nested | None = None,
    example: dict[str, Any] | None = None,
) -> type[CommandBody]:
    """The request body of `command` (schema name `name`): its arguments less `exclude`.

    Commands whose bodies have the same shape share one schema name (a reason
    alone, nothing at all); a second, different body under a taken name is a
    programming error, refused when the routes are built."""
    hints = get_type_hints(command, include_extras=True)
    grouped = set(nested.keys.values()) if nested else set()
    definitions: dict[str, Any] = {}
    for field_name, field in arguments_of(command).items():
        if field_name in exclude or field_name in grouped:
            continue
        definitions[field_name] = (pydantic_type(hints[field_name]), _default(field))
    if nested is not None:
        fields = arguments_of(command)
        inner: dict[str, Any] = {
            key: (pydantic_type(hints[target]), _default(fields[target])) for key, target in nested.keys.items()
        }
        if all(default is not ... for _, default in inner.values()):
            raise TypeError(f"{nested.field} of {command.__name__} needs at least one required key")
        group = create_model(nested.model, __config__=ConfigDict(extra="forbid"), __module__=__name__, **inner)
        definitions[nested.field] = (group, ...)
    model: type[CommandBody] = create_model(
        name,
        __base__=CommandBody,
        __module__=__name__,
        __cls_kwargs__={"json_schema_extra": {"examples": [example]}} if example else None,
        **definitions,
    )
    known = _MODELS.get(name)
    if known is None:
        _MODELS[name] = model
        return model
    if _shape(known) != _shape(model):
        raise TypeError(f"two different request bodies are named {name} (the second for {command.__name__})")
    return known


def _shape(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema.pop("examples", None)
    return schema


def command_fields(body: CommandBody, nested: Nested | None = None) -> dict[str, Any]:
    """The body's values as the command's fields (value objects, tuples, flat fields)."""
    values = {name: command_value(getattr(body, name)) for name in type(body).model_fields}
    if nested is not None:
        group = values.pop(nested.field)
        values.update({target: command_value(getattr(group, key)) for key, target in nested.keys.items()})
    return values
