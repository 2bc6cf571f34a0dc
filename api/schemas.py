"""Request schemas: the commands' field types as pydantic types, and the models
of the value objects commands carry (`Person` → `PersonIn`, …).

Limits are not stated here: they come from the `Constraint` markers on the
command fields (commands/constraints.py) and become pydantic `Field`s, so the
HTTP edge refuses (422) and documents exactly what the command layer declares.
Fields are snake_case; every command body may carry `occurred_at` (default: now).
"""

from __future__ import annotations

import types
from datetime import date, datetime
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo

from commands import constraints
from commands.constraints import Constraint
from ledger.values import ConsentGiverRole, Guardian, GuardianKind, Person, Signer, Subject

# The value objects a command field may hold, and the model each is received as (filled below).
VALUE_MODELS: dict[type, type[ValueModel]] = {}


def field_for(constraint: Constraint) -> FieldInfo:
    """The pydantic `Field` that enforces and documents a constraint."""
    given = {name: value for name, value in vars(constraint).items() if value is not None}
    return Field(**given)  # type: ignore[no-any-return]


def pydantic_type(tp: Any) -> Any:
    """A command field's type as the HTTP edge validates it: constraints become
    `Field`s, tuples JSON arrays, value objects their `…In` models, and a
    datetime must carry its offset."""
    origin = get_origin(tp)
    if origin is Annotated:
        inner, *metadata = get_args(tp)
        translated = [field_for(m) if isinstance(m, Constraint) else m for m in metadata]
        return Annotated[(pydantic_type(inner), *translated)]
    if origin is tuple:
        args = get_args(tp)
        if len(args) != 2 or args[1] is not Ellipsis:
            raise TypeError(f"only tuple[X, ...] fields are offered over HTTP, not {tp}")
        return list[pydantic_type(args[0])]  # type: ignore[misc]
    if origin in (Union, types.UnionType):
        return reduce(or_, (pydantic_type(arg) for arg in get_args(tp)))
    if tp is datetime:
        return AwareDatetime
    if isinstance(tp, type) and tp in VALUE_MODELS:
        return VALUE_MODELS[tp]
    return tp


if TYPE_CHECKING:  # to a type checker, the commands' own aliases: a str with a marker
    from commands.constraints import Line, Short
else:  # to pydantic, the same limits as Fields
    Short, Line = pydantic_type(constraints.Short), pydantic_type(constraints.Line)

NationalId = Annotated[
    str,
    Field(min_length=1, max_length=20, description="Fødselsnummer or D-nummer (11 digits)", examples=["02047900185"]),
]


class CommandBody(BaseModel):
    """Base of every request body derived from a command (api/command_bodies.py)."""

    model_config = ConfigDict(extra="forbid")

    occurred_at: AwareDatetime | None = Field(
        None, description="When it happened (never in the future, never before the case was opened); default now."
    )


def command_value(value: Any) -> Any:
    """A validated body value as the command expects it (value objects, tuples)."""
    if isinstance(value, ValueModel):
        return value.to_value()
    if isinstance(value, list | tuple):
        return tuple(command_value(v) for v in value)
    return value


class ValueModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def to_value(self) -> Any:
        raise TypeError(f"{type(self).__name__} does not convert to a value")


class PersonIn(ValueModel):
    """A person by their id in the municipality's systems and their name."""

    id: Short
    name: Short

    def to_value(self) -> Person:
        return Person(id=self.id, name=self.name)


class SubjectIn(ValueModel):
    """The person the case is about: a national id, or a name and birth date."""

    national_id: NationalId | None = None
    name: Line | None = None
    birth_date: date | None = None
    expected: bool = Field(False, description="An expected child (birth_date is the due date)")

    def to_value(self) -> Subject:
        return Subject(birth_date=self.birth_date, name=self.name, national_id=self.national_id, expected=self.expected)


class GuardianIn(ValueModel):
    national_id: NationalId | None = None
    name: Short
    kind: GuardianKind = GuardianKind.PARENT

    def to_value(self) -> Guardian:
        return Guardian(name=self.name, national_id=self.national_id, kind=self.kind)


class SignerIn(ValueModel):
    role: ConsentGiverRole = Field(description="subject, guardian or verge")
    name: Short
    national_id: NationalId | None = None

    def to_value(self) -> Signer:
        return Signer(role=self.role, name=self.name, national_id=self.national_id)


VALUE_MODELS.update({Person: PersonIn, Subject: SubjectIn, Guardian: GuardianIn, Signer: SignerIn})
