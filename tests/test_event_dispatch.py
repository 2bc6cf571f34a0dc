"""Every place that handles events by type knows every event class: each one
has a handler there or is named in that place's set of events it ignores on
purpose. A new event class fails here until someone decides, in each place,
what it means."""

from __future__ import annotations

import pytest

import ledger.events
import ledger.events_plan
from audit.report import origins
from ledger import vocabulary
from ledger.event_base import CaseEvent
from projections import case_view, register


def event_classes() -> set[type[CaseEvent]]:
    """Every concrete case event of the domain: the whole subclass tree, in
    whichever ledger module it is defined (tests define events of their own)."""
    found: set[type[CaseEvent]] = set()
    pending = list(CaseEvent.__subclasses__())
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("ledger."):
            found.add(cls)
        pending.extend(cls.__subclasses__())
    return found


DISPATCHERS = {
    "case view fold (projections.case_view.HANDLERS)": (set(case_view.HANDLERS), case_view.IGNORED),
    "register projection (projections.register)": (set(register.HANDLED), register.VERSION_ONLY),
    "report items by creating event (audit.report.origins.CREATES)": (set(origins.CREATES), origins.CREATES_NOTHING),
    "event type labels (ledger.vocabulary.EVENT_TYPES)": (set(vocabulary.EVENT_TYPES), frozenset()),
}


def test_the_walk_finds_the_event_classes():
    """The walk sees the events of both modules (guards the other tests against an empty set)."""
    classes = event_classes()
    assert len(classes) >= 46
    assert ledger.events.CaseOpened in classes and ledger.events_plan.KeyDestroyed in classes


@pytest.mark.parametrize("name", DISPATCHERS)
def test_every_event_class_is_handled_or_deliberately_ignored(name):
    """No event class is forgotten: handled, or listed as ignored on purpose."""
    handled, ignored = DISPATCHERS[name]
    forgotten = event_classes() - handled - ignored
    assert sorted(cls.__name__ for cls in forgotten) == []


@pytest.mark.parametrize("name", DISPATCHERS)
def test_no_event_class_is_both_handled_and_ignored(name):
    """A class in both sets would leave a reader unsure which was meant."""
    handled, ignored = DISPATCHERS[name]
    assert sorted(cls.__name__ for cls in handled & ignored) == []


def test_every_event_type_label_is_found_by_the_name_the_data_carries():
    """The history and the case view name an event by its class name; each name finds its words."""
    assert set(vocabulary.EVENT_TYPES_BY_NAME) == {cls.__name__ for cls in event_classes()}
