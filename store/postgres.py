"""PostgreSQL whose every wait is bounded, so a lost database is a fast, honest answer.

The library's PostgreSQL datastore, with:

* a **connect time-out** (libpq's `connect_timeout`; psycopg's floor is 2 s) and TCP keepalives;
* a **pool time-out** (`LEDGER_DB_POOL_TIMEOUT`): how long a caller waits for a connection;
* a **statement time-out** on the server (`statement_timeout`, and `lock_timeout` for locks) and
  a **client deadline** a little after it (`BoundedConnection`): a server that answers cancels a
  slow statement itself; one that has gone silent (packets dropped, a hung host) cannot, so the
  client closes the connection at the deadline instead of waiting for TCP to give up;
* a **pool check** (`ConnectionPool.check_connection`) before a connection is handed out, so one
  that died while idle (a database restart) is replaced instead of failing the next request;
* a short **reconnect budget**, so the pool does not back off for minutes after an outage: once
  its slots give up, the next caller's demand opens a connection at once;
* a **breaker** (`Breaker`): once the database failed to answer, callers are told so at once
  (`DatabaseUnavailable`) instead of each waiting out the time-outs, and one caller per
  `cooldown` tries the database again; the first success closes it. Worker threads are never
  all parked on a dead database, and service returns within moments of the database.

Configured by `store.config.Timeouts` (the environment's `LEDGER_DB_*`), written into the
library's environment by `store.config.parse_database_url`; the library constructs this module's
`Factory` (`PERSISTENCE_MODULE`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from time import monotonic
from typing import Any

import psycopg
import structlog
from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import ConnectionPool, PostgresDatastore, PostgresFactory
from eventsourcing.utils import Environment, EnvType
from psycopg.rows import DictRow
from psycopg_pool import PoolTimeout

from store.availability import DatabaseUnavailable

log = structlog.get_logger("ledger.store")

# Keys of the library environment this module reads (written by store.config).
POOL_TIMEOUT = "LEDGER_PG_POOL_TIMEOUT"
CONNECT_TIMEOUT = "LEDGER_PG_CONNECT_TIMEOUT"
STATEMENT_TIMEOUT = "LEDGER_PG_STATEMENT_TIMEOUT"  # seconds; 0: none
LOCK_TIMEOUT = "LEDGER_PG_LOCK_TIMEOUT"
# How long past the server's statement time-out the client waits before it calls the server silent.
DEADLINE_GRACE = 0.5


class DatabaseSilent(psycopg.OperationalError):
    """The server did not answer within the client's deadline; the connection was closed."""


class BoundedConnection(psycopg.Connection[DictRow]):
    """A connection whose every exchange with the server ends within `deadline` seconds (None:
    unbounded), else the connection is closed and DatabaseSilent raised. The pool sets the
    deadline on each connection it makes."""

    deadline: float | None = None

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        limit = timeout if timeout is not None else self.deadline
        started = monotonic()
        try:
            return super().wait(gen, interval, limit)
        except psycopg.OperationalError:
            if limit is None or monotonic() - started < limit or self.closed:
                raise
            # Whatever the server says later would be out of step with the protocol: close.
            self.pgconn.finish()
            raise DatabaseSilent(f"no answer from the database within {limit:g} s") from None


class Breaker:
    """Remembers that the database failed to answer, so callers fail fast while it is down.

    Closed (normal) until a caller meets a lost or silent database. Then open: callers get
    DatabaseUnavailable at once, except one per `cooldown`, who tries the database. A success
    (any caller's) closes it again."""

    def __init__(self, cooldown: float = 0.25) -> None:
        self.cooldown = cooldown
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._next_try = 0.0
        self.last_error = ""

    @property
    def open(self) -> bool:
        return self._down_since is not None

    def admit(self) -> None:
        """Return if the caller may use the database now; raise DatabaseUnavailable if not."""
        with self._lock:
            if self._down_since is None:
                return
            now = monotonic()
            if now >= self._next_try:
                self._next_try = now + self.cooldown  # this caller tries; the others wait for the next slot
                return
            down_for = now - self._down_since
        raise DatabaseUnavailable(f"the database did not answer ({self.last_error}) {down_for:.1f} s ago")

    def failed(self, error: BaseException) -> None:
        with self._lock:
            self.last_error = type(error).__name__
            now = monotonic()
            self._next_try = now + self.cooldown
            if self._down_since is None:
                self._down_since = now
                log.warning("database.unavailable", error=self.last_error)

    def succeeded(self) -> None:
        if self._down_since is None:  # the common case, without the lock
            return
        with self._lock:
            if self._down_since is not None:
                log.warning("database.available", after_s=round(monotonic() - self._down_since, 2))
                self._down_since = None


class LedgerPostgresDatastore(PostgresDatastore):
    def __init__(
        self,
        *,
        dbname: str,
        host: str,
        port: str | int,
        user: str,
        password: str,
        schema: str,
        pool_size: int,
        max_overflow: int,
        pool_timeout: float,
        connect_timeout: float,
        statement_timeout: float,
        lock_timeout: float,
        idle_in_transaction_session_timeout: float,
        conn_max_age: float,
    ) -> None:
        super().__init__(
            dbname,
            host,
            port,
            user,
            password,
            connect_timeout=pool_timeout,
            idle_in_transaction_session_timeout=idle_in_transaction_session_timeout,
            pool_size=pool_size,
            max_overflow=max_overflow,
            conn_max_age=conn_max_age,
            pre_ping=True,
            # The library's own `SET LOCAL lock_timeout` (whole seconds) on inserting events.
            lock_timeout=max(1, round(lock_timeout)) if lock_timeout else 0,
            schema=schema,
        )
        self.breaker = Breaker()
        deadline = statement_timeout + DEADLINE_GRACE if statement_timeout else None
        after_connect = self.after_connect_func()

        def configure(conn: Any) -> None:
            conn.deadline = deadline
            after_connect(conn)

        server_limits = (
            f"-c statement_timeout={int(statement_timeout * 1000)} -c lock_timeout={int(lock_timeout * 1000)}"
        )
        # The library's pool (not yet opened) is replaced by one with every wait bounded.
        self.pool = ConnectionPool(
            connection_class=BoundedConnection,
            kwargs={
                "dbname": dbname,
                "host": host,
                "port": port,
                "user": user,
                "password": password,
                "row_factory": psycopg.rows.dict_row,
                "connect_timeout": max(2, round(connect_timeout)),
                "options": server_limits,
                # A peer that vanished (host down, network cut) is noticed by TCP too.
                "keepalives": 1,
                "keepalives_idle": 5,
                "keepalives_interval": 2,
                "keepalives_count": 3,
            },
            min_size=pool_size,
            max_size=pool_size + max_overflow,
            open=False,
            configure=configure,
            check=ConnectionPool.check_connection,
            timeout=pool_timeout,
            max_lifetime=conn_max_age,
            # Give a failed slot up quickly: the next caller's demand reconnects at once, where
            # the pool's own backoff (doubling from 1 s) could leave it idle for a minute.
            reconnect_timeout=max(connect_timeout, 1.0),
        )

    @contextmanager
    def get_connection(self) -> Iterator[Any]:
        self.breaker.admit()
        conn: Any = None
        try:
            with super().get_connection() as conn:
                yield conn
        except (OperationalError, InterfaceError) as e:
            if _lost(e.__cause__ or e, conn):
                self.breaker.failed(e.__cause__ or e)
            raise
        self.breaker.succeeded()


def _lost(error: BaseException, conn: Any) -> bool:
    """Did the database fail to answer at all (as opposed to answering with an error)?"""
    if isinstance(error, (PoolTimeout, DatabaseSilent, psycopg.errors.ConnectionTimeout, DatabaseUnavailable)):
        return True
    if isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError)):
        return conn is None or conn.closed or conn.broken
    return False


class Factory(PostgresFactory):
    """The library's PostgreSQL factory, with `LedgerPostgresDatastore` as its datastore."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        base = self.datastore
        kwargs = base.pool.kwargs or {}
        self.datastore = LedgerPostgresDatastore(
            dbname=kwargs["dbname"],
            host=kwargs["host"],
            port=kwargs["port"],
            user=kwargs["user"],
            password=kwargs["password"],
            schema=base.schema,
            pool_size=base.pool.min_size,
            max_overflow=base.pool.max_size - base.pool.min_size,
            pool_timeout=float(self.env.get(POOL_TIMEOUT) or 5),
            connect_timeout=float(self.env.get(CONNECT_TIMEOUT) or 5),
            statement_timeout=float(self.env.get(STATEMENT_TIMEOUT) or 0),
            lock_timeout=float(self.env.get(LOCK_TIMEOUT) or 0),
            idle_in_transaction_session_timeout=base.idle_in_transaction_session_timeout,
            conn_max_age=base.pool.max_lifetime,
        )
        base.close()
