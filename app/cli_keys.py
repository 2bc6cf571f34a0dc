"""`ledger backup`, `ledger rotate-master-key` and `ledger rotate-signing-key`: keeping
the store and its keys (README: Backup and restore, Rotating keys)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer

from app.cli_base import app
from app.logging import quieted
from app.settings import Settings


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
