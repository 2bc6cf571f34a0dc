"""PostgreSQL whose every wait is bounded, so a lost database is a fast, honest answer.

The library's PostgreSQL datastore, with:

* a **connect time-out** (libpq's `connect_timeout`; psycopg's floor is 2 s) and TCP keepalives;
* a **pool time-out** (`LEDGER_DB_POOL_TIMEOUT`): how long a caller waits for a connection;
* a **statement time-out** on the server (`statement_timeout`, and `lock_timeout` for locks) and
  a **client deadline** a little after it (`BoundedConnection`): a server that answers cancels a
  slow statement itself; one that has gone silent (packets dropped, a hung host) cannot, so the
  client closes the connection at the deadline instead of waiting for TCP to give up;
* a **pool check** (`ConnectionPool.check_connection`, `BoundedPool`) before a connection is
  handed out, so one that died while idle (a database restart) is replaced at once instead of
  failing the next request;
* a short **reconnect budget**, so the pool does not back off for minutes after an outage: once
  its slots give up, the next caller's demand opens a connection at once;
* a **breaker** (`Breaker`): once the database failed to answer, callers are told so at once
  (`DatabaseUnavailable`) instead of each waiting out the time-outs, while a probe thread asks
  the database every `PROBE_INTERVAL`; its first success closes the breaker. Worker threads are
  never all parked on a dead database, and service returns within moments of the database.

Configured by `store.config.Timeouts` (the environment's `LEDGER_DB_*`), written into the
library's environment by `store.config.parse_database_url`; the library constructs this module's
`Factory` (`PERSISTENCE_MODULE`).
"""

from __future__ import annotations

import threading
import time
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
# The pool's check (an empty query) answers in well under a millisecond from a live server.
CHECK_DEADLINE = 0.5
# While the database is down: how often the probe asks, and how long it waits for a connection.
PROBE_INTERVAL = 0.2
PROBE_TIMEOUT = 0.5
RECONNECT_BUDGET = 0.25


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

    Closed (normal) until a caller meets a lost or silent database; then open, and every caller
    gets DatabaseUnavailable at once, while the datastore's probe asks the database a few times
    a second. The probe's first success closes it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self.last_error = ""

    @property
    def open(self) -> bool:
        return self._down_since is not None

    def admit(self) -> None:
        """Return if the database may be used now; raise DatabaseUnavailable if it is known to be down."""
        down_since = self._down_since
        if down_since is not None:
            raise DatabaseUnavailable(
                f"the database did not answer ({self.last_error}) {monotonic() - down_since:.1f} s ago"
            )

    def trip(self, error: BaseException) -> bool:
        """The database failed to answer; True if that opens the breaker (the caller starts the probe)."""
        with self._lock:
            self.last_error = type(error).__name__
            if self._down_since is not None:
                return False
            self._down_since = monotonic()
        log.warning("database.unavailable", error=self.last_error)
        return True

    def close(self) -> None:
        with self._lock:
            down_since, self._down_since = self._down_since, None
        if down_since is not None:
            log.warning("database.available", after_s=round(monotonic() - down_since, 2))


class BoundedPool(ConnectionPool[Any]):
    """The library's pool, whose connection check uses a short deadline and does not back off.

    psycopg_pool's own check loop sleeps after a failed check (up to the caller's whole time-out),
    so after a database restart the first caller would meet a dead connection, wait, and fail. Here
    a caller checks the idle connections it is given (`check_connection`) one after another, each
    dead one discarded and replaced by the pool, until one answers or the time-out passes."""

    def getconn(self, timeout: float | None = None) -> Any:
        deadline = monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            conn = super().getconn(timeout=max(deadline - monotonic(), 0.001))
            try:
                self.check_connection(conn)
            except Exception:
                self.putconn(conn)  # a broken connection is discarded and a new one made
                if monotonic() >= deadline:
                    raise PoolTimeout(f"no working connection within {self.timeout:g} s") from None
                continue
            return conn

    @staticmethod
    def check_connection(conn: Any) -> None:
        """ConnectionPool.check_connection (an empty query), within CHECK_DEADLINE: a live server
        answers in well under a millisecond; a silent one must not cost the statement deadline."""
        saved = getattr(conn, "deadline", None)
        conn.deadline = CHECK_DEADLINE if saved is None else min(saved, CHECK_DEADLINE)
        try:
            ConnectionPool.check_connection(conn)
        finally:
            conn.deadline = saved


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
        self._closed = False
        deadline = statement_timeout + DEADLINE_GRACE if statement_timeout else None
        after_connect = self.after_connect_func()

        def configure(conn: Any) -> None:
            conn.deadline = deadline
            after_connect(conn)

        server_limits = (
            f"-c statement_timeout={int(statement_timeout * 1000)} -c lock_timeout={int(lock_timeout * 1000)}"
        )
        # The library's pool (not yet opened) is replaced by one with every wait bounded.
        self.pool = BoundedPool(
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
            timeout=pool_timeout,
            max_lifetime=conn_max_age,
            # Give a failed slot up quickly (one retry): demand (the probe, a caller) then reconnects
            # at once, where the pool's own backoff (doubling from 1 s) could leave it idle for a
            # minute after the database came back.
            reconnect_timeout=RECONNECT_BUDGET,
        )

    @contextmanager
    def get_connection(self) -> Iterator[Any]:
        self.breaker.admit()
        conn: Any = None
        try:
            with super().get_connection() as conn:
                yield conn
        except (OperationalError, InterfaceError) as e:
            cause = e.__cause__ or e
            if _lost(cause, conn) and self.breaker.trip(cause):
                threading.Thread(target=self._probe, name="database-probe", daemon=True).start()
            raise

    def _probe(self) -> None:
        """While the breaker is open: drop the pool's dead connections and ask the database, a few
        times a second, until it answers; then close the breaker."""
        while not self._closed:
            time.sleep(PROBE_INTERVAL)
            try:
                self.pool.check()  # idle connections that died are discarded and replaced
                with self.pool.connection(timeout=PROBE_TIMEOUT) as conn:
                    conn.execute("SELECT 1")
            except Exception:
                continue
            self.breaker.close()
            return

    def close(self) -> None:
        self._closed = True
        super().close()


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
