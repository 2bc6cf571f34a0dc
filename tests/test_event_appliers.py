"""Applying an event never fails: every event class the case can record has an applier."""

from __future__ import annotations

import inspect

import ledger.events
import ledger.events_plan
from ledger.case import Case  # noqa: F401 - importing the case registers its appliers
from ledger.event_base import CaseEvent, applier_for


def event_classes() -> list[type]:
    return [
        cls
        for module in (ledger.events, ledger.events_plan)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, CaseEvent) and cls is not CaseEvent and cls.__module__ == module.__name__
    ]


def test_every_case_event_has_an_applier():
    """A recorded event without an applier would make its case unloadable."""
    classes = event_classes()
    assert len(classes) >= 45
    assert [cls.__name__ for cls in classes if applier_for(cls) is None] == []


def test_every_public_field_names_a_field_of_its_event():
    """A misspelt PUBLIC entry would silently encrypt the field it meant (or keep nothing readable)."""
    import dataclasses

    for cls in event_classes():
        names = {f.name for f in dataclasses.fields(cls)}
        assert cls.PUBLIC <= names, (cls.__name__, cls.PUBLIC - names)
