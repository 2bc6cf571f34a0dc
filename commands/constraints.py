"""What a command's fields accept, said once, on the field.

A command field's type carries its limits as a `Constraint` in `typing.Annotated`
(`text: Prose`). The marker is plain data, so the command layer knows no web
framework: each entrance reads it and enforces it its own way (the HTTP API
derives its request bodies from the commands and answers 422 past a limit; a
web form can show the same limits). The domain still checks its own rules; these
are the edge's limits on size and characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from ledger.values import ConsentGiverRole, Guardian, GuardianKind, Person, Provision, Signer, Subject

# No text needs a NUL (PostgreSQL cannot store one in a text column, and a
# projection would stop on it), and no name, id or label needs any control
# character: both are malformed input, refused at the edge.
NO_NUL = r"^[^\x00]*$"
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"


@dataclass(frozen=True)
class Constraint:
    """Limits on a value (lengths count characters, or items of a sequence) and,
    optionally, what the field means to the one filling it in."""

    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    ge: int | None = None
    le: int | None = None
    description: str | None = None


def described(text: str) -> Constraint:
    """A field with no limits beyond its type, but with something to say about it."""
    return Constraint(description=text)


Text = Annotated[str, Constraint(max_length=4000, pattern=NO_NUL)]
"""Free text that may be empty."""
Prose = Annotated[str, Constraint(min_length=1, max_length=4000, pattern=NO_NUL)]
"""Free text that must say something."""
Short = Annotated[str, Constraint(min_length=1, max_length=200, pattern=PRINTABLE)]
"""A required name, id or label: one printable line."""
Line = Annotated[str, Constraint(max_length=200, pattern=PRINTABLE)]
"""An optional name or label: one printable line, may be empty."""
Entry = Annotated[str, Constraint(max_length=1000, pattern=NO_NUL)]
"""One item of a list (a decision taken in a meeting)."""
Ids = Annotated[tuple[UUID, ...], Constraint(max_length=200)]
"""Ids of items in the case (participants, invitees)."""
Provisions = Annotated[tuple[Provision, ...], Constraint(min_length=1, max_length=4)]
"""What a referral, decision or complaint concerns: at least one provision."""
NationalId = Annotated[
    str, Constraint(min_length=1, max_length=20, description="Fødselsnummer or D-nummer (11 digits)")
]
"""A national identity number as typed (the domain validates it: INV-11)."""

# What the fields of the value objects commands carry accept. The domain's value
# objects (ledger/values.py) have plain types: limits are the edge's, as above.
# The HTTP API's models of them (api/schemas.py) state the same limits; a test
# checks that they agree. Listed in the order a person fills them in.
VALUE_FIELDS: dict[tuple[type, str], Any] = {
    (Person, "id"): Short,
    (Person, "name"): Short,
    (Subject, "national_id"): NationalId | None,
    (Subject, "name"): Line | None,
    (Subject, "birth_date"): date | None,
    (Subject, "expected"): bool,
    (Guardian, "name"): Short,
    (Guardian, "national_id"): NationalId | None,
    (Guardian, "kind"): GuardianKind,
    (Signer, "role"): ConsentGiverRole,
    (Signer, "name"): Short,
    (Signer, "national_id"): NationalId | None,
}
