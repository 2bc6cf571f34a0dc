"""The `ledger` command line (CONTRACT: Command line).

Every expected failure (a refused command, bad configuration, a database
that cannot be reached, a bad argument) ends as one line on stderr,
"ledger: error: …", and exit status 2; `ledger verify` exits 1 when the
ledger is not intact. Tracebacks are for bugs only.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import sqlite3
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import orjson
import psycopg
import typer
from eventsourcing.persistence import PersistenceError
from psycopg_pool import PoolTimeout
from rich.console import Console
from typer.core import TyperGroup

from app.bootstrap import Ledger, build
from app.logging import configure_logging, quieted
from app.settings import DEFAULT_DATABASE_URL, Settings
from ledger.errors import DomainError
from ledger.national_id import validate_national_id
from ledger.values import Role, is_municipality_number
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


def _fail(message: str, code: int = EXIT_EXPECTED) -> NoReturn:
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
            _fail("aborted", 130)
        except typer.TyperException as e:  # usage errors: a missing option, a value out of range
            if type(e).__name__ == "NoArgsIsHelpError":
                e.show()  # type: ignore[attr-defined]
                sys.exit(EXIT_EXPECTED)
            _fail(_describe(e), getattr(e, "exit_code", EXIT_EXPECTED))
        except EXPECTED as e:
            _fail(_describe(e))
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


def _print_json(data: Any) -> None:
    typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


def _api_available() -> bool:
    return importlib.util.find_spec("api") is not None and importlib.util.find_spec("api.main") is not None


# ---------------------------------------------------------------- commands
@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the HTTP API and the web app."""
    if not _api_available():
        _fail("the HTTP API is not built yet (no module api.main)", 1)
    settings = Settings.from_env()  # a configuration error is one line here, not a failed worker
    import uvicorn

    # log_config=None: uvicorn's records go through the ledger's handler and redaction. No `server`
    # banner. h11 reads a header block of up to HEADER_BUFFER bytes, so one past the ledger's own
    # limit (LEDGER_MAX_HEADER_BYTES) gets a 431 answer instead of a closed connection.
    uvicorn.run(
        "app.server:create_app",
        factory=True,
        host=host,
        port=port,
        log_config=None,
        server_header=False,
        h11_max_incomplete_event_size=max(HEADER_BUFFER, 2 * settings.edge.max_header_bytes),
    )


# How much of a request's header block the server reads before it gives up (README: Limits).
HEADER_BUFFER = 1024 * 1024 + 64 * 1024


@app.command()
def demo(
    cases: Annotated[int, typer.Option(min=3, help="How many cases to write (the 3 worked scenarios included).")] = 200,
    seed: Annotated[int | None, typer.Option(help="Seed of the generator (default 2026).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Write even if the store already has events.")] = False,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing (exit 0) if the store has events.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="Log every command.")] = False,
) -> None:
    """Fill the configured store with a realistic data set and print what it made."""
    from demo.dataset import DEFAULT_SEED, render, run_demo

    with open_ledger() as ledger:
        existing = ledger.reads.log_head()
        if existing and if_empty:
            typer.echo(f"the store already has {existing} events; no demo data written")
            return
        if existing and not force:
            _fail(f"the store already has {existing} events; use --force to add the demo data anyway")
        # A second demo in the same store needs other people than the first.
        with quieted("ledger.commands", logging.NOTSET if verbose else logging.WARNING):
            report = run_demo(ledger, cases=cases, seed=seed if seed is not None else DEFAULT_SEED + existing)
        checkpoint = ledger.integrity.seal()
    console = Console(soft_wrap=True)
    render(report, console)
    console.print(f"Sealed: tree size {checkpoint.tree_size}, root {checkpoint.root.hex()}")


@app.command()
def token(
    role: Annotated[str, typer.Option(help="One of: " + ", ".join(r.value for r in Role))],
    sub: Annotated[str, typer.Option(help="The user's id (token subject).")],
    municipality: Annotated[str, typer.Option(help="Four-digit municipality number.")],
    name: Annotated[str | None, typer.Option(help="Display name (default: the subject).")] = None,
    service: Annotated[str | None, typer.Option(help="Service of a provider or coordinator.")] = None,
    pid: Annotated[str | None, typer.Option(help="National id of a citizen or guardian.")] = None,
    ttl_minutes: Annotated[int, typer.Option(min=1, help="Lifetime in minutes.")] = 480,
) -> None:
    """Print a signed bearer token (development and tests)."""
    if role not in {r.value for r in Role}:
        raise UsageFailure(f"unknown role {role!r}; choose one of {', '.join(r.value for r in Role)}")
    if not is_municipality_number(municipality):
        raise UsageFailure(f"municipality must be a four-digit municipality number, not {municipality!r}")
    if not sub.strip():
        raise UsageFailure("--sub must not be empty")
    from api.auth import issue_token

    settings = Settings.from_env()
    typer.echo(
        issue_token(
            settings.jwt_secret,
            role=Role(role),
            sub=sub,
            municipality=municipality,
            name=name or sub,
            service=service,
            pid=validate_national_id(pid) if pid else None,
            ttl_seconds=ttl_minutes * 60,
        )
    )


@app.command()
def verify(as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")] = False) -> None:
    """Recompute the whole chain; exit 0 when intact, 1 naming the first event that does not match."""
    with open_ledger() as ledger:
        report = ledger.reads.integrity.verify_chain()
        failures = ledger.projections.failures()
    if as_json:
        _print_json({**report.to_dict(), "projection_failures": [f.to_dict() for f in failures]})
    elif report.ok:
        typer.echo(report.summary())
    else:
        typer.echo(report.summary())
        for problem in report.problems[1:20]:
            typer.echo(f"  also: {problem.message}")
        if len(report.problems) > 20:
            typer.echo(f"  … and {len(report.problems) - 20} more")
    if failures and not as_json:
        # The events are intact (exit 0 says so); what could not be computed from them is a defect to fix.
        typer.echo(_failures_line(failures))
    if not report.ok:
        sys.exit(1)


@app.command()
def seal(as_json: Annotated[bool, typer.Option("--json", help="Print the checkpoint as JSON.")] = False) -> None:
    """Record and print a signed checkpoint of the whole ledger."""
    with open_ledger() as ledger:
        checkpoint = ledger.integrity.seal()
        public_key = ledger.integrity.signer.public_key_hex
    data = {**checkpoint.to_dict(), "public_key": public_key}
    if as_json:
        _print_json(data)
        return
    width = max(len(k) for k in data)
    for key, value in data.items():
        typer.echo(f"{key.replace('_', ' '):<{width}}  {value}")


@app.command("verify-bundle")
def verify_bundle(
    file: Annotated[
        Path, typer.Argument(help="A case bundle: the JSON export of POST /v1/cases/{id}/exports.", show_default=False)
    ],
    public_key: Annotated[
        str | None,
        typer.Option(
            "--public-key",
            help="The source ledger's public key (64 hex digits, from `ledger seal` or "
            "/v1/ledger/checkpoints) the bundle must be signed with. Pin it: the key inside a bundle proves only "
            "that the bundle agrees with itself.",
        ),
    ] = None,
) -> None:
    """Check an exported case bundle offline: chain, inclusion proofs, checkpoint signature (no database)."""
    from audit.integrity.bundle_verify import BundleMalformed
    from audit.integrity.bundle_verify import verify_bundle as check
    from store.transcoder import OrjsonTranscoder

    pinned = _hex_key(public_key) if public_key is not None else None
    data = file.read_bytes()
    try:
        report = check(data, pinned, decode=OrjsonTranscoder().decode)
    except BundleMalformed as e:
        raise UsageFailure(f"{file} is not a readable case bundle: {e}") from None
    typer.echo(report.summary())
    if not report.ok:
        sys.exit(1)


def _hex_key(text: str) -> bytes:
    value = text.strip().lower()
    if len(value) != 64 or any(ch not in "0123456789abcdef" for ch in value):
        raise UsageFailure("--public-key must be 64 hex digits (a raw Ed25519 public key)")
    return bytes.fromhex(value)


@app.command()
def rebuild(name: Annotated[str | None, typer.Argument(help="One projection (default: all).")] = None) -> None:
    """Rebuild projections from the event log, with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with open_ledger() as ledger:
        if name is not None and name not in ledger.projections.projections:
            raise UsageFailure(
                f"unknown projection {name!r}; known: {', '.join(sorted(ledger.projections.projections))}"
            )
        total = ledger.reads.log_head()
        tasks: dict[str, Any] = {}
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()) as bar:

            def progress(projection: str, position: int, head: int) -> None:
                if projection not in tasks:
                    tasks[projection] = bar.add_task(projection, total=max(head, 1))
                bar.update(tasks[projection], completed=position, total=max(head, 1))

            applied = ledger.projections.rebuild([name] if name else None, progress)
        failures = ledger.projections.failures([name] if name else None)
    typer.echo(f"rebuilt {name or 'all projections'}: {applied} events applied (log head {total})")
    if failures:
        typer.echo(_failures_line(failures), err=True)
        sys.exit(1)


def _failures_line(failures: Sequence[Any]) -> str:
    """One line naming the cases projections could not compute, the first one in full."""
    first = failures[0]
    more = f" (and {len(failures) - 1} more: `ledger verify --json` lists them)" if len(failures) > 1 else ""
    return f"projections: {len(failures)} case(s) could not be computed; first: {first.line()}{more}"


def _stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT: the process finishes what it is doing, then stops."""
    import signal

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return stop


@app.command()
def project(
    interval: Annotated[float, typer.Option(min=0.01, help="Seconds between polls of the log.")] = 0.25,
    with_notify: Annotated[
        bool, typer.Option("--notify", help="Also deliver notifications (as `ledger notify`), in this process.")
    ] = False,
) -> None:
    """Run the projections as a separate process (set LEDGER_PROJECTIONS=external for the API).

    Keeping the projections also decides the reminders the duties call for and records
    ConsentExpired for each consent whose period ran out."""
    from app.notifier import dispatching, run_dispatcher

    stop = _stop_on_signals()
    with open_ledger(service=True) as ledger, ExitStack() as stack:
        typer.echo(f"projecting {', '.join(ledger.projections.projections)}; stop with Ctrl-C")
        if with_notify:
            dispatcher = stack.enter_context(dispatching(ledger))
            idle = ledger.settings.notify.dispatch.idle
            threading.Thread(target=run_dispatcher, args=(dispatcher, stop, idle), name="notify", daemon=True).start()
        ledger.projections.run_forever(stop, interval)


@app.command()
def backup(
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.", show_default=False)],
) -> None:
    """Write a consistent copy of the store while the ledger runs (SQLite backup API, or pg_dump)."""
    from store.backup import backup as make_backup

    settings = Settings.from_env()
    made = make_backup(settings.store, output)
    typer.echo(f"wrote {made.path} ({made.kind}, {made.bytes} bytes)")
    # The copy is useless without the master key and dangerous with it beside: say where the keys are.
    where = settings.master_key_file or "LEDGER_MASTER_KEY"
    typer.echo(f"the copy holds no key: back up the master key ({where}) and the signing key apart from it")


@app.command("rotate-master-key")
def rotate_master_key(
    grace: Annotated[
        float, typer.Option(min=0.0, help="Seconds to wait for running processes before the last sweep.")
    ] = 3.0,
) -> None:
    """Re-wrap every case key under a new master key while the API serves (README: Rotating keys)."""
    from app.rotation import rotate_master_key as rotate

    with quieted("ledger.store", logging.ERROR):
        done = rotate(dict(os.environ), grace=grace, say=typer.echo)
    typer.echo(
        f"rotated: {done.rows} stored keys wrapped by the new master key {done.new_key_id} "
        f"({done.rewrapped} re-wrapped{', an unfinished rotation finished' if done.resumed else ''})"
    )
    if done.key_file is None:
        typer.echo(
            "now make the new key LEDGER_MASTER_KEY on every process and remove LEDGER_NEW_MASTER_KEY; "
            "the old key opens no case key any more"
        )


@app.command("rotate-signing-key")
def rotate_signing_key() -> None:
    """Make a new key sign checkpoints, introduced by the current one; old checkpoints stay verifiable."""
    from app.rotation import rotate_signing_key as rotate

    with quieted("ledger.store", logging.ERROR):
        done = rotate(dict(os.environ), say=typer.echo)
    cp = done.checkpoint
    typer.echo(
        f"signing key {done.introduced.key_id} (public key {done.introduced.public_key.hex()}) signs from "
        f"{cp.to_dict()['time'] if done.introduced.valid_from is None else done.introduced.to_dict()['valid_from']}; "
        f"first checkpoint: tree size {cp.tree_size}, root {cp.root.hex()}"
    )
    if done.key_file is None:
        typer.echo("now make the new key LEDGER_SIGNING_KEY on every process and restart them")
    else:
        typer.echo("restart running ledger processes: one holding the old key seals nothing more with it")


@app.command()
def notify(
    once: Annotated[bool, typer.Option("--once", help="Deliver what is due now, then stop.")] = False,
) -> None:
    """Deliver notifications from the outbox (e-mail over SMTP, signed webhooks) until stopped.

    Run it beside the API (or `ledger project`); several may run at once. What is delivered was
    decided by the process that keeps the projections."""
    from app.notifier import dispatching, run_dispatcher

    stop = _stop_on_signals()
    with open_ledger(service=True) as ledger, dispatching(ledger) as dispatcher:
        settings = ledger.settings.notify
        if once:
            typer.echo(f"{dispatcher.run_once()} delivery attempts made")
            return
        channels = "e-mail and webhooks" if settings.smtp is not None else "webhooks (no LEDGER_SMTP_HOST: no e-mail)"
        typer.echo(f"delivering notifications by {channels}; stop with Ctrl-C", err=True)
        run_dispatcher(dispatcher, stop, settings.dispatch.idle)


# Who `ledger report` reads as: the coordinating unit's own system. The read
# is a read of case content like any other, so it is in the case's access log.
CLI_READER = "ledger-cli"


@app.command()
def report(
    case_id: Annotated[str, typer.Argument(help="The case's id (UUID).", show_default=False)],
    output: Annotated[str, typer.Option("--output", "-o", help="The file to write.", show_default=False)],
    fmt: Annotated[str, typer.Option("--format", help="pdf, html or json.")] = "pdf",
) -> None:
    """Write the compliance report for a case (as KE; the read is recorded in the case's access log)."""
    from uuid import UUID

    from audit.report import FORMATS
    from ledger.errors import NotFound
    from ledger.values import Actor

    if fmt not in FORMATS:
        raise UsageFailure(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if not os.path.isdir(os.path.dirname(os.path.abspath(output))):
        raise UsageFailure(f"cannot write {output}: no such folder")  # before the read is logged
    try:
        case_uuid = UUID(case_id)
    except ValueError:
        raise UsageFailure(f"{case_id!r} is not a case id (a UUID)") from None
    with open_ledger() as ledger:
        try:
            municipality = ledger.reads.cases.municipality_of(case_uuid)
        except NotFound:
            raise UsageFailure(f"no case {case_uuid} in this ledger") from None
        reader = Actor(
            id=CLI_READER, role=Role.KE_CASEWORKER, municipality=municipality, name="kommandolinjen (ledger report)"
        )
        issued = ledger.reads.cases.issue_report(reader, case_uuid, fmt, why="ledger report")
    with open(output, "wb") as out:
        out.write(issued.document)
    # The digest is what forwarding a complaint with this report must carry.
    typer.echo(f"wrote {output} ({fmt}, {len(issued.document)} bytes, sha-256={issued.sha256})")


# ------------------------------------------------------------------ archive
ARCHIVE_READER = "ledger-cli"


def _municipality(value: str) -> str:
    if not is_municipality_number(value):
        raise UsageFailure(f"--municipality must be a four-digit municipality number, not {value!r}")
    return value


def _day(value: str, option: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageFailure(f"{option} must be a date (YYYY-MM-DD), not {value!r}") from None


def _uuid(value: str, what: str) -> Any:
    from uuid import UUID

    try:
        return UUID(value)
    except ValueError:
        raise UsageFailure(f"{value!r} is not {what} (a UUID)") from None


def _archive_account(municipality: str, command: str) -> Any:
    """The archive integration's service account, as this operator's tool acts for it."""
    from ledger.values import Actor

    return Actor(
        id=ARCHIVE_READER,
        role=Role.ARCHIVE_INTEGRATION,
        municipality=municipality,
        name=f"kommandolinjen (ledger {command})",
    )


@app.command("archive-next")
def archive_next(
    municipality: Annotated[str, typer.Option(help="Four-digit municipality number.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="The folder to write the messages into.")],
    limit: Annotated[int, typer.Option(min=1, max=50, help="At most this many messages.")] = 10,
    lease_minutes: Annotated[int, typer.Option(min=1, max=60, help="How long no one else gets them.")] = 5,
) -> None:
    """Take the next archive messages (Fiks Arkiv arkivmelding.opprett) with their documents, as the archive
    integration: one folder per message under -o, with arkivmelding.xml, the PDF/A document and melding.json."""
    from datetime import timedelta

    _municipality(municipality)
    output.mkdir(parents=True, exist_ok=True)
    with open_ledger() as ledger:
        claimed = ledger.reads.archive.claim(
            _archive_account(municipality, "archive-next"), limit=limit, lease=timedelta(minutes=lease_minutes)
        )
    for message in claimed.messages:
        folder = output / str(message.row.message_id)
        folder.mkdir(exist_ok=True)
        (folder / "arkivmelding.xml").write_bytes(message.arkivmelding)
        for document in message.documents:
            (folder / document.file_name).write_bytes(document.content)
        described = {
            **message.to_dict(),
            "documents": [{"file_name": d.file_name, "sha256": d.sha256, "size": d.size} for d in message.documents],
        }
        (folder / "melding.json").write_bytes(orjson.dumps(described, option=orjson.OPT_INDENT_2))
        typer.echo(f"{message.row.message_id}  {message.row.step}  {message.title}")
    typer.echo(f"{len(claimed.messages)} messages in {output}, leased until {claimed.lease_until.isoformat()}")


@app.command("archive-receipt")
def archive_receipt(
    message_id: Annotated[str, typer.Argument(help="The message the receipt answers.", show_default=False)],
    file: Annotated[Path, typer.Argument(help="The archive's receipt (kvittering XML).", show_default=False)],
) -> None:
    """Record the archive's receipt for a message on its case, as the archive integration (validated against
    the Fiks Arkiv receipt schema; a refusal is recorded too, and the message is offered again later)."""
    message = _uuid(message_id, "a message id")
    document = file.read_bytes()
    with open_ledger() as ledger:
        municipality = ledger.reads.archive.municipality_of_message(message)
        recorded = ledger.reads.archive.record_receipt(
            _archive_account(municipality, "archive-receipt"), message, document
        )
    again = " (recorded before; nothing written)" if recorded.replayed else ""
    typer.echo(f"{recorded.status}: {recorded.step} of case {recorded.case_id}, version {recorded.version}{again}")


@app.command("archive-extract")
def archive_extract(
    municipality: Annotated[str, typer.Option(help="Four-digit municipality number.", show_default=False)],
    start: Annotated[str, typer.Option("--from", help="First day of the period (YYYY-MM-DD).", show_default=False)],
    end: Annotated[str, typer.Option("--to", help="Last day of the period (YYYY-MM-DD).", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="An empty or new folder.", show_default=False)],
) -> None:
    """Write a Noark 5 v5.0 archive extract of the cases closed in the period (as the coordinating unit;
    each case read is access-logged), with the signed statement `ledger verify-extract` checks."""
    from ledger.values import Actor

    _municipality(municipality)
    first, last = _day(start, "--from"), _day(end, "--to")
    if output.exists() and any(output.iterdir()):
        raise UsageFailure(f"{output} is not empty; an extract is written into a new or empty folder")
    output.mkdir(parents=True, exist_ok=True)
    reader = Actor(
        id=CLI_READER,
        role=Role.KE_CASEWORKER,
        municipality=municipality,
        name="kommandolinjen (ledger archive-extract)",
    )
    with open_ledger() as ledger:
        made = ledger.reads.archive.extract(reader, first, last, output)
    counts = made.manifest.counts
    typer.echo(
        f"wrote {made.manifest.directory}: {counts['mappe']} case folders, {counts['registrering']} records, "
        f"{counts['dokumentfiler']} documents, {counts['endring']} changes"
        + (f"; {made.erased_left_out} erased cases left out" if made.erased_left_out else "")
    )
    cp = made.checkpoint
    typer.echo(
        f"checkpoint: tree size {cp.tree_size}, root {cp.root.hex()}, key {cp.key_id}; statement {made.statement}"
    )


@app.command("verify-extract")
def verify_extract(
    directory: Annotated[Path, typer.Argument(help="The folder `ledger archive-extract` wrote.", show_default=False)],
    public_key: Annotated[
        str | None,
        typer.Option(
            "--public-key",
            help="The ledger's public key (64 hex digits, from `ledger seal`) the extract must be signed with. Pin "
            "it: the key inside the extract proves only that the extract agrees with itself.",
        ),
    ] = None,
) -> None:
    """Check an archive extract offline: every checksum and count, every document, the files against the signed
    list, and the checkpoint's signature (no database). Exit 1 naming the first problem."""
    from archive.extract_verify import ExtractMalformed
    from archive.extract_verify import verify_extract as check

    pinned = _hex_key(public_key) if public_key is not None else None
    try:
        report = check(directory, pinned)
    except ExtractMalformed as e:
        raise UsageFailure(f"{directory} is not a readable archive extract: {e}") from None
    typer.echo(report.summary())
    for problem in report.problems[1:20]:
        typer.echo(f"  also: {problem}")
    if not report.ok:
        sys.exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
