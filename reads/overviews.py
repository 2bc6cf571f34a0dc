"""The coordinating unit's overviews of its municipality: the register
(coordinators, teams) and the breached or soon-due checks (DOMAIN §7).

They name cases, units and coordinators, nothing of the person, so they are
not case reads and are not access-logged; a case's own reads explain each row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from audit.compliance import RULE_TITLES
from audit.compliance.timeline import due_instant
from ledger.values import Actor
from projections.runner import ProjectionRunner
from reads.policy import require_coordinating_unit
from store import compliance_rows, projection_failures, register_pages, register_rows
from store.tables import Dialect

# Without `due_before`, pending checks due within this are listed with the breaches.
SOON = timedelta(days=14)


class MunicipalityOverviews:
    def __init__(self, projections: ProjectionRunner, clock: Callable[[], datetime]) -> None:
        self._projections = projections
        self._clock = clock

    def coordinators(self, actor: Actor) -> dict[str, Any]:
        """Coordinators with their cases and units, load per unit, and open cases without a coordinator."""
        return self._register(actor, register_rows.coordinators)

    def teams(self, actor: Actor) -> dict[str, Any]:
        """Every active team (ansvarsgruppe/oppfølgingsteam) with its coordinator and size."""
        return self._register(actor, register_rows.teams)

    def breaches(
        self,
        actor: Actor,
        *,
        rule: str | None = None,
        unit: str | None = None,
        due_before: date | datetime | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> dict[str, Any]:
        """Every breached check in the actor's municipality, and every pending check due before
        `due_before` (a date means the end of that day in Norway; default SOON from now), soonest
        deadline first, a page at a time; the counts cover every item matched."""
        require_coordinating_unit(actor)
        now = self._clock()
        until = now + SOON if due_before is None else instant(due_before)
        # Catch up first, so the overview includes what was just recorded and
        # judgements that lapsed with time are made again.
        self._projections.catch_up(["compliance"])
        found = self._projections.store.read(
            compliance_rows.overview,
            actor.municipality,
            now,
            due_before=until,
            rule=rule,
            unit=unit,
            limit=limit,
            offset=offset,
        )
        for item in found.items:
            item["title"] = RULE_TITLES[item["rule"]]
        return {
            "municipality": actor.municipality,
            "evaluated_at": now.isoformat(),
            "due_before": until.isoformat(),
            "total": found.total,
            "breaches_per_rule": found.breaches_per_rule,
            "items": found.items,
            # Cases that could not be judged have no rows: say so, rather than let them pass as fine.
            "not_computed": self._not_computed("compliance", actor.municipality),
        }

    def register(
        self,
        actor: Actor,
        *,
        status: str | None = None,
        unit: str | None = None,
        coordinator: str | None = None,
        breached_rule: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> dict[str, Any]:
        """The municipality's cases (status, unit, coordinator, team size, breached rules), newest
        first, a page at a time, filtered by status, unit, coordinator (the id the events name them
        by) and a rule the case breaches; `total` counts every case matched, `choices` lists the
        units and coordinators to filter by."""
        require_coordinating_unit(actor)
        now = self._clock()
        self._projections.catch_up(["register", "compliance"])
        store = self._projections.store
        found = store.read(
            register_pages.cases,
            actor.municipality,
            now,
            status=status,
            unit=unit,
            coordinator_id=coordinator,
            breached_rule=breached_rule,
            limit=limit,
            offset=offset,
        )
        return {
            "municipality": actor.municipality,
            "evaluated_at": now.isoformat(),
            "total": found.total,
            "limit": limit,
            "offset": offset,
            "items": found.items,
            "choices": store.read(register_pages.choices, actor.municipality),
            "not_computed": self._not_computed("register", actor.municipality),
        }

    def per_rule(self, actor: Actor, *, due_before: date | datetime | None = None) -> dict[str, Any]:
        """Per rule (CHK-xx, with its title): the checks breached now and the pending ones due before
        `due_before` (default SOON from now), in the actor's municipality."""
        require_coordinating_unit(actor)
        now = self._clock()
        until = now + SOON if due_before is None else instant(due_before)
        self._projections.catch_up(["compliance"])
        counts = self._projections.store.read(register_pages.rule_counts, actor.municipality, now, until)
        return {
            "municipality": actor.municipality,
            "evaluated_at": now.isoformat(),
            "due_before": until.isoformat(),
            "rules": [{"rule": rule, "title": RULE_TITLES[rule], **n} for rule, n in counts.items()],
        }

    def _register(self, actor: Actor, query: Callable[[Any, Dialect, str], dict[str, Any]]) -> dict[str, Any]:
        require_coordinating_unit(actor)
        # Catch up first, so a read after a command's response sees that command
        # even when the background runner (or another process) is behind.
        self._projections.catch_up(["register"])
        return {
            "municipality": actor.municipality,
            **self._projections.store.read(query, actor.municipality),
            "not_computed": self._not_computed("register", actor.municipality),
        }

    def _not_computed(self, projection: str, municipality: str) -> list[str]:
        """The municipality's cases the projection could not compute (usually none)."""
        return self._projections.store.read(projection_failures.failed_in, projection, municipality)


def instant(value: date | datetime) -> datetime:
    """A moment as given; a date means the end of that day in Norway."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return due_instant(value)
