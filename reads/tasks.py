"""Worklists (issue #11): the signed-in person's duties, and KE's view of everyone's in the
municipality, each with the check (CHK-xx) it protects and what to do in Norwegian.

Both read the duties projection's rows (`store.duty_rows`), paged in the database, after a
catch-up, so a list answers what was just recorded and what time has just made due. The rows name
cases, rules, deadlines and units, nothing of the person, so reading them is not a read of a case's
content and is not access-logged (as KE's other overviews); the case's own reads explain each row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from audit.compliance import RULE_TITLES
from audit.compliance.result import Task
from audit.duties import TASK_LABELS
from ledger.values import Actor
from projections.runner import ProjectionRunner
from reads.overviews import instant
from reads.policy import own_tasks, require_coordinating_unit
from store import duty_rows

# Without `due_before`, KE's list shows every duty due within this (and every overdue one).
SOON = timedelta(days=60)


class TaskReads:
    def __init__(
        self, projections: ProjectionRunner, person_ref: Callable[[str, str], str], clock: Callable[[], datetime]
    ) -> None:
        self._projections = projections
        self._person_ref = person_ref
        self._clock = clock

    def mine(
        self, actor: Actor, *, due_before: date | datetime | None = None, limit: int | None = None, offset: int = 0
    ) -> dict[str, Any]:
        """The actor's own duties, soonest deadline first: a coordinator's or unit leader's by their
        id, KE's (complaints to forward) for its municipality, a citizen's or guardian's consents
        about to run out. Every role may ask; a role with no duties gets an empty list."""
        own = own_tasks(actor)
        return self._list(
            actor,
            kinds=own.kinds,
            assignee_id=actor.id if own.by_id else None,
            person_ref=self._person_ref(actor.municipality, actor.pid) if own.by_person and actor.pid else None,
            due_before=due_before,
            limit=limit,
            offset=offset,
        )

    def everyone(
        self,
        actor: Actor,
        *,
        unit: str | None = None,
        assignee: str | None = None,
        kind: str | None = None,
        due_before: date | datetime | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> dict[str, Any]:
        """Every duty in KE's municipality, soonest first, optionally of one unit, one person (by the
        id the events name them by) or one kind of assignee; without `due_before`, those overdue or
        due within SOON."""
        require_coordinating_unit(actor)
        return self._list(
            actor,
            kinds=None if kind is None else {kind},
            assignee_id=assignee,
            unit=unit,
            due_before=due_before if due_before is not None else self._clock() + SOON,
            limit=limit,
            offset=offset,
        )

    def _list(
        self,
        actor: Actor,
        *,
        kinds: Any,
        assignee_id: str | None = None,
        person_ref: str | None = None,
        unit: str | None = None,
        due_before: date | datetime | None,
        limit: int | None,
        offset: int,
    ) -> dict[str, Any]:
        now = self._clock()
        until = None if due_before is None else instant(due_before)
        self._projections.catch_up(["duties"])
        page = self._projections.store.read(
            duty_rows.tasks,
            now,
            municipality=actor.municipality,
            kinds=kinds,
            assignee_id=assignee_id,
            person_ref=person_ref,
            unit=unit,
            due_before=until,
            limit=limit,
            offset=offset,
        )
        for item in page.items:
            item["title"] = RULE_TITLES[item["rule"]]
            item["label"] = TASK_LABELS[Task(item["task"])]
        return {
            "municipality": actor.municipality,
            "evaluated_at": now.isoformat(),
            "due_before": None if until is None else until.isoformat(),
            "total": page.total,
            "overdue": page.overdue,
            "items": page.items,
        }
