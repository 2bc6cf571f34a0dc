"""What every `ledger` command shares: the Typer application whose group turns
expected errors into one line and an exit status, opening the ledger, and the
parsing of arguments several commands take. The commands are in app/cli.py
(the ledger itself), app/cli_keys.py (backup and key rotation) and
app/cli_archive.py (the archive integration and extracts)."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import orjson
import psycopg
import typer
from eventsourcing.persistence import PersistenceError
from psycopg_pool import PoolTimeout
from typer.core import TyperGroup

from app.bootstrap import Ledger, build
from app.logging import configure_logging, quieted
from app.settings import DEFAULT_DATABASE_URL, Settings
from ledger.errors import DomainError
from store.config import ConfigError, parse_database_url

TOKEN_ISSUER = "coordination-ledger"
TOKEN_AUDIENCE = "coordination-ledger"
EXIT_EXPECTED = 2  # an error a person can fix; 1 is kept for "the ledger is not intact"


class UsageFailure(Exception):
    """An argument the command cannot use; the message says why."""


def _describe(error: BaseException) -> str:
    """One readable line for an expected error."""
    if isinstance(error, DomainError):
        return str(error)
    if isinstance(error, (ConfigError, UsageFailure)):
        return str(error)
    if isinstance(error, (PersistenceError, psycopg.Error, PoolTimeout, sqlite3.Error)):
        url = _database_url()
        where = f" {url}" if url else ""
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"cannot use the database{where}: {detail}"
    if isinstance(error, OSError):
        target = f" {error.filename}" if error.filename else ""
        return f"cannot use{target}: {error.strerror or error}"
    if isinstance(error, typer.TyperException) and hasattr(error, "format_message"):
        return " ".join(error.format_message().split())
    return str(error)


EXPECTED = (
    DomainError,
    ConfigError,
    UsageFailure,
    PersistenceError,
    psycopg.Error,
    PoolTimeout,
    sqlite3.Error,
    OSError,
)


def fail(message: str, code: int = EXIT_EXPECTED) -> NoReturn:
    typer.echo(f"ledger: error: {message}", err=True)
    sys.exit(code)


class LedgerGroup(TyperGroup):
    """Turns expected errors and usage errors into one line and an exit status."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.Abort:
            fail("aborted", 130)
        except typer.TyperException as e:  # usage errors: a missing option, a value out of range
            if type(e).__name__ == "NoArgsIsHelpError":
                e.show()  # type: ignore[attr-defined]
                sys.exit(EXIT_EXPECTED)
            fail(_describe(e), getattr(e, "exit_code", EXIT_EXPECTED))
        except EXPECTED as e:
            fail(_describe(e))
        code = result if isinstance(result, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def _database_url() -> str | None:
    """The configured database, without its password, for error messages."""
    try:
        return parse_database_url(os.environ.get("LEDGER_DATABASE_URL") or DEFAULT_DATABASE_URL).redacted_url
    except ConfigError:
        return None


app = typer.Typer(
    cls=LedgerGroup,
    name="ledger",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Coordination ledger: a tamper-evident record of coordinated services (koordinator, IP).",
)


@app.callback()
def _startup(
    log_level: Annotated[
        str | None, typer.Option("--log-level", envvar="LEDGER_LOG_LEVEL", help="debug, info, warning or error.")
    ] = None,
) -> None:
    configure_logging(level=log_level)


@contextmanager
def open_ledger(*, service: bool = False) -> Iterator[Ledger]:
    """`service`: a long-running process that others rely on (short database waits, and its
    database's comings and goings logged). A one-off command says what failed in its one line."""
    with contextlib.ExitStack() as stack:
        if not service:
            stack.enter_context(quieted("ledger.store", logging.ERROR))
        ledger = build(Settings.from_env(service=service))
        try:
            yield ledger
        finally:
            ledger.close()


def print_json(data: Any) -> None:
    typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


def hex_key(text: str) -> bytes:
    value = text.strip().lower()
    if len(value) != 64 or any(ch not in "0123456789abcdef" for ch in value):
        raise UsageFailure("--public-key must be 64 hex digits (a raw Ed25519 public key)")
    return bytes.fromhex(value)


CLI_READER = "ledger-cli"
