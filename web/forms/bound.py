"""A form as rendered: an action with what the person typed (or what it
starts with), the errors next to its fields, the refusals at its top and,
when the case changed meanwhile, the notice that nothing was written.

Element ids are the form's address and the field's name (`vedtak--legal-basis`),
unique on a page that shows many forms; each message is linked to its input
by `aria-describedby`, and the error summary links to the inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from audit.compliance.timeline import NORWAY
from ledger.errors import VersionMismatch
from web.actions import Action
from web.forms.fields import Field, Option, Widget
from web.forms.parse import NO, YES, Posted

# More choices than this are a list box, fewer radio buttons or check boxes.
RADIO_LIMIT = 6
YES_NO = (Option(YES, "Ja"), Option(NO, "Nei"))


@dataclass(frozen=True)
class Problem:
    """A refusal shown at the top of the form: the rule (INV-xx) when one applies, and its Norwegian message."""

    message: str
    rule: str | None = None


@dataclass
class Bound:
    action: Action
    csrf_token: str
    origin: str = "sak"  # where the person returns to after success: sak, min-plan, oversikt
    posted: Posted | None = None
    errors: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    stale: VersionMismatch | None = None
    idempotency_key: str = ""
    version: int | None = None
    reload_url: str = ""
    about: str | None = None  # whom the case is about, on the form's own page
    # Put before every element id: a page with the same form for several cases (a guardian's
    # children on "Min plan") keeps its ids unique.
    scope: str = ""

    def __post_init__(self) -> None:
        self.idempotency_key = self.idempotency_key or self.action.idempotency_key
        if self.version is None:
            self.version = self.action.version

    # ---------------------------------------------------------- the form
    @property
    def slug(self) -> str:
        return self.action.slug

    @property
    def form_id(self) -> str:
        return f"skjema-{self.scope}{self.slug}"

    @property
    def text(self) -> Any:
        return self.action.form.text

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.action.form.fields

    @property
    def invalid(self) -> bool:
        return bool(self.errors or self.problems or self.stale)

    # -------------------------------------------------------- the fields
    def id(self, f: Field, option: int | None = None) -> str:
        base = f"{self.scope}{self.slug}--{f.id}"
        return base if option is None else f"{base}-{option}"

    def options(self, f: Field) -> tuple[Option, ...]:
        if f.widget == Widget.YES_NO:
            return YES_NO
        if f.name in self.action.choices:
            return self.action.choices[f.name]
        return f.options

    def as_list_box(self, f: Field) -> bool:
        return f.widget == Widget.CHOICE and len(self.options(f)) > RADIO_LIMIT

    def value(self, f: Field) -> str:
        if self.posted is not None:
            raw = self.posted.get(f.name)
            return raw if isinstance(raw, str) else ""
        return _text(self._default(f))

    def lines(self, f: Field) -> str:
        if self.posted is not None:
            return self.value(f)
        default = self._default(f)
        return "\n".join(str(v) for v in default) if isinstance(default, list | tuple) else ""

    def chosen(self, f: Field, option: Option) -> bool:
        if self.posted is not None:
            return option.value in [v for v in self.posted.getlist(f.name) if isinstance(v, str)]
        default = self._default(f)
        if isinstance(default, list | tuple | set | frozenset):
            return option.value in {_text(v) for v in default}
        if f.widget == Widget.YES_NO and isinstance(default, bool):
            return option.value == (YES if default else NO)
        if default is None and f.required and f.widget == Widget.CHOICE and len(self.options(f)) == 1:
            return True  # the one item there is to choose
        return _text(default) == option.value

    def checked(self, f: Field) -> bool:
        if self.posted is not None:
            return self.posted.get(f.name) == YES
        return bool(self._default(f))

    def _default(self, f: Field) -> Any:
        if f.name in self.action.prefill:
            return self.action.prefill[f.name]
        return f.default

    # -------------------------------------------------------- the errors
    def error(self, f: Field) -> str | None:
        return self.errors.get(f.name)

    def hint_id(self, f: Field) -> str:
        return self.id(f) + "-hint"

    def error_id(self, f: Field) -> str:
        return self.id(f) + "-feil"

    def described_by(self, f: Field) -> str | None:
        ids = ([self.hint_id(f)] if f.hint else []) + ([self.error_id(f)] if self.error(f) else [])
        return " ".join(ids) or None

    def target(self, f: Field) -> str:
        """The id of the input the error summary leads to (the first of a group)."""
        if f.widget in (Widget.GROUP, Widget.REPEAT):
            return self.target(f.children[0])
        if f.widget in (Widget.YES_NO, Widget.CHOICES) or (f.widget == Widget.CHOICE and not self.as_list_box(f)):
            return self.id(f, 0) if self.options(f) else self.id(f)
        return self.id(f)

    def summary(self) -> list[tuple[str | None, str]]:
        """(link target or None, text) for each error, in the form's order; refusals of the case first."""
        items: list[tuple[str | None, str]] = [
            (None, f"{p.message} ({p.rule})" if p.rule else p.message) for p in self.problems
        ]
        for f in self.action.form.walk():
            message = self.errors.get(f.name)
            if message:
                items.append((self.target(f), f"{f.label}: {message}"))
        return items


def _text(value: Any) -> str:
    """A default as an input's value."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, datetime):
        return value.astimezone(NORWAY).strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
