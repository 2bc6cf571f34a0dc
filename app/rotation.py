"""Rotating keys while the ledger serves: the master key (`ledger rotate-master-key`) and the
checkpoint signing key (`ledger rotate-signing-key`, at the end).

Two ways, as the key is kept:

* **Key file** (development, or a host whose secret store writes the file): the new key is written
  into the file *before* the old one (`<new>\\n<old>`), so every process, which reads the file
  again within a second of a change, unwraps with either and wraps new case keys with the new one.
  Every stored key is then re-wrapped; after a grace period (for a process that chose its key
  just before the file changed) the rows are swept again until none is left under the old key;
  only then is the old key removed from the file. A crash anywhere leaves a file holding both
  keys: every case stays readable, and running the command again finishes the rotation.
* **Environment** (`LEDGER_MASTER_KEY`, production): set `LEDGER_NEW_MASTER_KEY` on every process
  first (they then wrap with the new key and read with either), run the command with both, then
  make the new key `LEDGER_MASTER_KEY` and drop `LEDGER_NEW_MASTER_KEY`.

Either way the case keys themselves, and so every event's ciphertext, stay as they are.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from app.bootstrap import build
from app.settings import Settings
from audit.integrity.checkpoint import Checkpoint, CheckpointSigner, generate_private_key
from audit.integrity.keys import SigningKey
from store.config import ConfigError
from store.key_rotation import not_opened_by, rewrap_all
from store.keyring import master_key_id, read_key_file, write_key_file

# Longer than a process takes to notice the key file changed (MasterKeys.RECHECK) plus a command's save.
GRACE = 3.0
MAX_SWEEPS = 10


@dataclass(frozen=True)
class Rotated:
    rewrapped: int  # stored keys re-wrapped (every pass)
    rows: int  # stored keys now under the new key
    resumed: bool  # an unfinished rotation was finished
    key_file: Path | None
    new_key_id: str  # store.keyring.master_key_id: a name for the new key, not the key


def rotate_master_key(
    environ: dict[str, str], *, grace: float = GRACE, say: Callable[[str], None] = lambda _: None
) -> Rotated:
    settings = Settings.from_env(environ)
    if settings.master_key_file is None:
        if settings.new_master_key is None:
            raise ConfigError(
                "LEDGER_MASTER_KEY comes from the environment: set LEDGER_NEW_MASTER_KEY (the new key, 64 hex "
                "characters) on every ledger process first, then run this command with both"
            )
        return _rotate(settings, settings.new_master_key, grace, say, resumed=False)
    path = settings.master_key_file
    keys = read_key_file(path)
    resumed = len(keys) > 1
    if resumed:
        new = keys[0]
        say(f"finishing the rotation recorded in {path} (it holds {len(keys)} keys)")
    else:
        new = settings.new_master_key or bytes.fromhex(secrets.token_hex(32))
        if new == keys[0]:
            raise ConfigError("LEDGER_NEW_MASTER_KEY is the current master key")
        # First the file: from here on every process can read rows wrapped by either key.
        write_key_file(path, [new, *keys])
        say(f"wrote the new master key into {path}, the old one kept beside it until the rotation is done")
    rotated = _rotate(Settings.from_env(environ), new, grace, say, resumed=resumed)
    write_key_file(path, [new])
    say(f"removed the old master key from {path}")
    return rotated


@dataclass(frozen=True)
class SignerRotated:
    introduced: SigningKey  # the new key's entry in the history
    checkpoint: Checkpoint  # the first checkpoint it signed
    key_file: Path | None
    resumed: bool


def rotate_signing_key(environ: dict[str, str], *, say: Callable[[str], None] = lambda _: None) -> SignerRotated:
    """Make a new key the ledger's signing key, introduced by the current one, and seal with it.

    Key file: the new key is written before the old one (`<new>\n<old>`), the history records the
    introduction (signed by the old key), then the old key is dropped from the file; a crash in
    between is finished by running the command again. Environment: LEDGER_NEW_SIGNING_KEY beside
    LEDGER_SIGNING_KEY; afterwards make the new key LEDGER_SIGNING_KEY. Every checkpoint signed
    before stays verifiable: `verify` and bundles follow the history."""
    settings = Settings.from_env(environ)
    path = settings.signing_key_file
    resumed = False
    if path is None:
        if settings.new_signing_key is None:
            raise ConfigError(
                "LEDGER_SIGNING_KEY comes from the environment: run this command with LEDGER_NEW_SIGNING_KEY (the "
                "new key, 64 hex characters) beside it, then make the new key LEDGER_SIGNING_KEY everywhere"
            )
        new, old = settings.new_signing_key, settings.signing_key
    else:
        keys = read_key_file(path)
        resumed = len(keys) > 1
        if resumed:
            new, old = keys[0], keys[1]
            say(f"finishing the signing key rotation recorded in {path}")
        else:
            old = keys[0]
            new = settings.new_signing_key or generate_private_key()
            if new == old:
                raise ConfigError("LEDGER_NEW_SIGNING_KEY is the current signing key")
            write_key_file(path, [new, old])
    ledger = build(replace(settings, signing_key=old))
    try:
        introduced = ledger.integrity.rotate_signer(CheckpointSigner(new))
        checkpoint = ledger.integrity.seal()
    finally:
        ledger.close()
    if path is not None:
        write_key_file(path, [new])
    return SignerRotated(introduced, checkpoint, path, resumed)


def _rotate(settings: Settings, new: bytes, grace: float, say: Callable[[str], None], *, resumed: bool) -> Rotated:
    ledger = build(settings)
    try:
        recorder = ledger.app.recorder
        keyring = ledger.app.keyring
        done = rewrap_all(recorder, keyring, new)
        total = done.case_keys + done.ledger_keys
        say(f"re-wrapped {total} of {done.rows} stored keys")
        for _ in range(MAX_SWEEPS):
            # A process may have chosen its wrapping key just before the file changed: wait, then sweep.
            time.sleep(grace)
            sweep = rewrap_all(recorder, keyring, new)
            total += sweep.case_keys + sweep.ledger_keys
            if sweep.case_keys + sweep.ledger_keys == 0:
                break
            say(f"re-wrapped {sweep.case_keys + sweep.ledger_keys} keys written meanwhile")
        left = not_opened_by(recorder, new)
        if left:
            raise ConfigError(
                f"{left} stored key(s) are still not wrapped by the new master key (a process still writes "
                "with the old one?); the old key is kept: run the command again"
            )
        return Rotated(total, sweep.rows, resumed, settings.master_key_file, master_key_id(new))
    finally:
        ledger.close()
