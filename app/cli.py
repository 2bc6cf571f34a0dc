"""The `ledger` command line (CONTRACT: Command line).

Every expected failure (a refused command, bad configuration, a database
that cannot be reached, a bad argument) ends as one line on stderr,
"ledger: error: …", and exit status 2; `ledger verify` exits 1 when the
ledger is not intact. Tracebacks are for bugs only.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
import threading
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from app.cli_base import (
    CLI_READER,
    UsageFailure,
    app,
    fail,
    hex_key,
    open_ledger,
    print_json,
)
from app.logging import quieted
from app.settings import Settings
from ledger.national_id import validate_national_id
from ledger.values import Role, is_municipality_number


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
        fail("the HTTP API is not built yet (no module api.main)", 1)
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
            fail(f"the store already has {existing} events; use --force to add the demo data anyway")
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
        print_json({**report.to_dict(), "projection_failures": [f.to_dict() for f in failures]})
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
        print_json(data)
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

    pinned = hex_key(public_key) if public_key is not None else None
    data = file.read_bytes()
    try:
        report = check(data, pinned, decode=OrjsonTranscoder().decode)
    except BundleMalformed as e:
        raise UsageFailure(f"{file} is not a readable case bundle: {e}") from None
    typer.echo(report.summary())
    if not report.ok:
        sys.exit(1)


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


# The archive's and the keys' commands join `app` when imported, listed after these.
from app import cli_archive, cli_keys  # noqa: E402, F401


def main() -> None:
    app()


if __name__ == "__main__":
    main()
