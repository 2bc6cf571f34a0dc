"""Request bodies shared by the routers. Fields are snake_case; every
command body may carry `occurred_at` (default: now)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ledger.values import ConsentGiverRole, Guardian, GuardianKind, Person, Signer, Subject

# No text needs a NUL (PostgreSQL cannot store one in a text column, and a
# projection would stop on it), and no name, id or label needs any control
# character: both are malformed input (422) here, at the edge.
NO_NUL = r"^[^\x00]*$"
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"

Text = Annotated[str, Field(max_length=4000, pattern=NO_NUL)]
Prose = Annotated[str, Field(min_length=1, max_length=4000, pattern=NO_NUL)]
Short = Annotated[str, Field(min_length=1, max_length=200, pattern=PRINTABLE)]
Line = Annotated[str, Field(max_length=200, pattern=PRINTABLE)]
NationalId = Annotated[
    str,
    Field(min_length=1, max_length=20, description="Fødselsnummer or D-nummer (11 digits)", examples=["02047900185"]),
]


class CommandBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occurred_at: AwareDatetime | None = Field(
        None, description="When it happened (never in the future, never before the case was opened); default now."
    )

    def to_command_fields(self) -> dict[str, Any]:
        """Field values as the command expects them (value objects, tuples)."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            out[name] = _convert(value)
        return out


def _convert(value: Any) -> Any:
    if isinstance(value, ValueModel):
        return value.to_value()
    if isinstance(value, list):
        return tuple(_convert(v) for v in value)
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
