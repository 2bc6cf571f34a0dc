"""Telling "the database is not there" from "the database refused this".

A lost connection, a time-out, a lock not granted in time or a pool with no
connection to give are conditions of the moment: the same work succeeds
later, so the caller answers 503 with Retry-After (HTTP) or tries again from
its tracked position (projections). A statement the database refuses (a value
it cannot hold, a constraint) is a fact about the data: retrying changes
nothing.
"""

from __future__ import annotations

import sqlite3

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError

# The library translates driver errors at the edge of its transactions; code
# running inside one (a projection's statements) meets the driver's own.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    sqlite3.OperationalError,
    sqlite3.InterfaceError,
)


class DatabaseUnavailable(OperationalError):
    """The database cannot be used now (unreachable, silent, or known to be down a moment ago)."""


def is_unavailable(error: BaseException) -> bool:
    """True when the error says the database could not be used now, not that it refused the work."""
    return isinstance(error, UNAVAILABLE)
