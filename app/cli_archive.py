"""The archive integration's commands: `ledger archive-next`, `archive-receipt`,
`archive-extract` and `verify-extract` (README: Archive)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from app.cli_base import CLI_READER, UsageFailure, app, hex_key, open_ledger
from ledger.values import Role, is_municipality_number

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

    pinned = hex_key(public_key) if public_key is not None else None
    try:
        report = check(directory, pinned)
    except ExtractMalformed as e:
        raise UsageFailure(f"{directory} is not a readable archive extract: {e}") from None
    typer.echo(report.summary())
    for problem in report.problems[1:20]:
        typer.echo(f"  also: {problem}")
    if not report.ok:
        sys.exit(1)
