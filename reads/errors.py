"""Errors of the read service that are not refusals of the reader."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

import structlog

from ledger.errors import DomainError
from projections.runner import describe
from store.availability import is_unavailable

log = structlog.get_logger("ledger.reads")


class NotComputed(Exception):
    """A view of a case could not be computed from its events: a defect (an event
    the code cannot handle), logged and reported to operators. The events are
    unchanged; the reader is told so instead of meeting an internal error."""

    def __init__(self, case_id: UUID, part: str) -> None:
        super().__init__(f"{part} of case {case_id} could not be computed")
        self.case_id = case_id
        self.part = part
        self.message = (
            "Denne visningen av saken kunne ikke beregnes fra hendelsene. Feilen er registrert og meldt "
            "til driften; hendelsene i saken er uendret."
        )


@contextmanager
def computing(case_id: UUID, part: str) -> Iterator[None]:
    """Work out a view of a case; a failure that is neither a refusal nor a lost
    database becomes NotComputed (and a log line naming the error's type and line)."""
    try:
        yield
    except (DomainError, NotComputed):
        raise
    except Exception as e:
        if is_unavailable(e):
            raise
        log.error("read.not_computed", case_id=str(case_id), part=part, error=describe(e))
        raise NotComputed(case_id, part) from e
