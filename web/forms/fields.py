"""Forms derived from the commands: one `Form` per command class, its fields
read from the dataclass (names, types, defaults) and the `Constraint` markers
on them (lengths, patterns, bounds), as the HTTP API derives its bodies.

A field's type decides its widget: text, a text area for long text, a date or
a date and time, a number, a check box for a flag with a default, yes/no for a
flag that must be answered, radio buttons or a list for an enumeration (its
members' words from ledger/vocabulary.py), check boxes for a list of members
or of ids in the case, one line per item for a list of texts, and a group of
fields (a fieldset) for a value object such as a `Person`. Only the Norwegian
texts and a few exceptions are written down (web/forms/labels.py).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import types
from collections.abc import Iterator
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints
from uuid import UUID

from commands.base import CaseCommand, Command
from commands.constraints import NO_NUL, PRINTABLE, VALUE_FIELDS, Constraint
from commands.plan_commands import EraseCase, ExportPlan, ForwardComplaint
from ledger.vocabulary import word
from web.forms.labels import (
    COMMAND_FIELDS,
    COMMANDS,
    EXPORT_FORMATS,
    FIELDS,
    NOT_ASKED,
    REPEATS,
    VALUE_TEXTS,
    CommandText,
    FieldText,
)

# Fields every command has that say who acts and with which expectations: never typed in.
_BASE = frozenset(f.name for f in dataclasses.fields(Command)) - {"occurred_at"}
# Patterns that only keep control characters out: the server checks them; a browser's
# message for them would puzzle anyone who could not have typed such a character anyway.
_HYGIENE = frozenset({NO_NUL, PRINTABLE})
# A text longer than this gets a text area.
_LINE = 200


class Widget:
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    CHECKBOX = "checkbox"  # a flag with a default
    YES_NO = "yes_no"  # a flag to answer
    CHOICE = "choice"  # one of (an enumeration, or an item of the case)
    CHOICES = "choices"  # some of
    LINES = "lines"  # a list of texts, one per line
    GROUP = "group"  # a value object
    REPEAT = "repeat"  # a list of value objects
    CONFIRM = "confirm"  # a check box that must be ticked (a form's own, not the command's)


@dataclasses.dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclasses.dataclass(frozen=True)
class Field:
    """One input of a form. `name` is the posted name (dotted inside groups:
    `subject.national_id`, `guardians.0.name`)."""

    name: str
    widget: str
    label: str
    hint: str = ""
    required: bool = False
    # `required` and inside a group that may be left blank: the browser cannot know, the server checks.
    enforce_in_browser: bool = True
    nullable: bool = False  # `X | None`: blank is None
    default: Any = None
    kind: Any = str  # what the value becomes: str, int, date, datetime, bool, UUID, an enum, a value class
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None  # checked by the server
    ge: int | None = None
    le: int | None = None
    options: tuple[Option, ...] = ()  # an enumeration's members
    source: str | None = None  # items of the case offered as choices (web/actions.py fills them)
    item: Field | None = None  # a list's items: their own limits
    children: tuple[Field, ...] = ()

    @property
    def id(self) -> str:
        return self.name.replace(".", "-").replace("_", "-")

    @property
    def html_pattern(self) -> str | None:
        return None if self.pattern in _HYGIENE else self.pattern

    @property
    def html_required(self) -> bool:
        return self.required and self.enforce_in_browser

    def walk(self) -> Iterator[Field]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclasses.dataclass(frozen=True)
class Form:
    command: type[Command]
    text: CommandText
    fields: tuple[Field, ...]

    @property
    def slug(self) -> str:
        return self.text.slug

    @property
    def on_case(self) -> bool:
        return issubclass(self.command, CaseCommand)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.walk() if f.name == name), None)

    def walk(self) -> Iterator[Field]:
        for f in self.fields:
            yield from f.walk()


# ------------------------------------------------------------- derivation
_FORMS: dict[type[Command], Form] = {}


def form_for(command: type[Command]) -> Form:
    """The form of a command (KeyError if the command has no Norwegian texts yet: a test walks them)."""
    if command not in _FORMS:
        _FORMS[command] = _derive(command)
    return _FORMS[command]


def _derive(command: type[Command]) -> Form:
    text = COMMANDS[command]
    hints = get_type_hints(command, include_extras=True)
    skipped = {"case_id"} if issubclass(command, CaseCommand) else set()
    fields = []
    for f in dataclasses.fields(command):
        if f.name in _BASE or f.name in skipped or (command, f.name) in NOT_ASKED or f.name == "occurred_at":
            continue
        fields.append(_field(f.name, hints[f.name], _default(f), _text(command, f.name), command))
    if command is EraseCase:
        # Erasure cannot be undone: the form asks for a confirmation the command itself does not carry.
        fields.append(Field("confirm", Widget.CONFIRM, FIELDS["confirm"].label, required=True, kind=bool))
    when = FIELDS["occurred_at"]
    fields.append(Field("occurred_at", Widget.DATETIME, when.label, when.hint, nullable=True, kind=datetime))
    return Form(command, text, tuple(fields))


def forms() -> list[Form]:
    return [form_for(command) for command in COMMANDS]


def form_by_slug(slug: str) -> Form | None:
    return _by_slug().get(slug)


@functools.cache
def _by_slug() -> dict[str, Form]:
    return {form.slug: form for form in forms()}


_MISSING = object()


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return _MISSING


def _text(command: type[Command], name: str) -> FieldText:
    return COMMAND_FIELDS.get((command, name)) or FIELDS.get(name) or FieldText(name)


def _unwrap(tp: Any) -> tuple[Any, list[Constraint], bool]:
    """The type without `Annotated` and `None`: (type, its constraints, nullable)."""
    constraints: list[Constraint] = []
    nullable = False
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            inner, *meta = get_args(tp)
            constraints += [m for m in meta if isinstance(m, Constraint)]
            tp = inner
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            nullable = nullable or len(args) < len(get_args(tp))
            if len(args) != 1:
                raise TypeError(f"a form cannot offer a field of type {tp}")
            tp = args[0]
        else:
            return tp, constraints, nullable


def _limits(constraints: list[Constraint]) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    for c in constraints:
        for name in ("min_length", "max_length", "pattern", "ge", "le"):
            if getattr(c, name) is not None:
                limits[name] = getattr(c, name)
    return limits


def _field(name: str, tp: Any, default: Any, text: FieldText, command: type[Command] | None) -> Field:
    base, constraints, nullable = _unwrap(tp)
    limits = _limits(constraints)
    required = default is _MISSING
    if required and (base is str or get_origin(base) is tuple):
        # A text or a list the command needs may still be empty, unless its limits refuse that.
        pattern = limits.get("pattern")
        required = limits.get("min_length", 0) >= 1 or (pattern is not None and re.search(pattern, "") is None)
        default = "" if base is str else ()
    common: dict[str, Any] = {
        "name": name,
        "label": text.label,
        "hint": text.hint,
        "required": required,
        "nullable": nullable,
        "default": None if default is _MISSING else default,
        **limits,
    }
    if command is ExportPlan and name == "format":
        options = tuple(Option(v, label) for v, label in EXPORT_FORMATS.items())
        return Field(widget=Widget.CHOICE, kind=str, options=options, **common)
    if command is ForwardComplaint and name == "report_sha256":
        # The digests of the reports the ledger issued for the case: only one of them is accepted.
        return Field(widget=Widget.CHOICE, kind=str, source="reports", **common)
    if get_origin(base) is tuple:
        item_type = get_args(base)[0]
        inner, _, _ = _unwrap(item_type)
        if isinstance(inner, type) and issubclass(inner, StrEnum):
            return Field(widget=Widget.CHOICES, kind=inner, options=_options(inner), **common)
        if inner is UUID:
            return Field(widget=Widget.CHOICES, kind=UUID, source="participants", **common)
        if isinstance(inner, type) and dataclasses.is_dataclass(inner):
            repeat = tuple(
                _group(
                    f"{name}.{i}",
                    inner,
                    FieldText(f"{text.label} {i + 1}" if REPEATS.get(name, 1) > 1 else text.label),
                    optional=True,
                )
                for i in range(REPEATS.get(name, 1))
            )
            return Field(widget=Widget.REPEAT, kind=inner, children=repeat, **common)
        item = _field(f"{name}.item", item_type, _MISSING, FieldText(text.label), None)
        return Field(widget=Widget.LINES, kind=str, item=item, **common)
    if dataclasses.is_dataclass(base) and isinstance(base, type):
        group = _group(name, base, text, optional=not required)
        return dataclasses.replace(group, required=required, nullable=nullable)
    if isinstance(base, type) and issubclass(base, StrEnum):
        return Field(widget=Widget.CHOICE, kind=base, options=_options(base), **common)
    if base is UUID:
        return Field(widget=Widget.CHOICE, kind=UUID, source=name, **common)
    if base is bool:
        # A flag without a default is a question to answer; with one, a box to tick.
        widget = Widget.YES_NO if required or default is None else Widget.CHECKBOX
        return Field(widget=widget, kind=bool, **common)
    if base is int:
        return Field(widget=Widget.NUMBER, kind=int, **common)
    if base is datetime:
        return Field(widget=Widget.DATETIME, kind=datetime, **common)
    if base is date:
        return Field(widget=Widget.DATE, kind=date, **common)
    if base is str:
        long = limits.get("max_length") is None or limits["max_length"] > _LINE
        meaningful_pattern = limits.get("pattern") not in _HYGIENE and "pattern" in limits
        widget = Widget.TEXTAREA if long and not meaningful_pattern else Widget.TEXT
        return Field(widget=widget, kind=str, **common)
    raise TypeError(f"a form cannot offer {name} of type {tp}")


def _group(name: str, value_class: type, text: FieldText, *, optional: bool) -> Field:
    """A value object's fields as a fieldset; in a group that may be left blank, nothing is required of the browser."""
    hints = get_type_hints(value_class, include_extras=True)
    # In the order the value's limits are listed (the order a person fills them in), then the rest.
    order = [name for (cls, name) in VALUE_FIELDS if cls is value_class]
    fields = sorted(dataclasses.fields(value_class), key=lambda f: order.index(f.name) if f.name in order else 99)
    children = []
    for f in fields:
        child_text = VALUE_TEXTS.get((value_class, f.name)) or FieldText(f.name)
        tp = VALUE_FIELDS.get((value_class, f.name), hints[f.name])
        child = _field(f"{name}.{f.name}", tp, _default(f), child_text, None)
        if optional:
            child = dataclasses.replace(child, enforce_in_browser=False)
        children.append(child)
    return Field(
        name, Widget.GROUP, text.label, text.hint, required=not optional, kind=value_class, children=tuple(children)
    )


def _options(enum: type[StrEnum]) -> tuple[Option, ...]:
    return tuple(Option(member.value, word(member)) for member in enum)
