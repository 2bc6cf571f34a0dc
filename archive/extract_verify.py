"""An archive extract checked offline, with no database: `ledger verify-extract DIR`.

An extract directory holds the package (`avleveringspakke/`, the Noark 5
deposit, `extract.py`) and beside it `kontrollpunkt.json`, the ledger's
statement about it: the signed checkpoint that covers the events the
extract was made from, the public key, every file of the package with its
SHA-256, and a signature over both (`audit.integrity.checkpoint.
extract_message`). The package's own arkivstruktur.xml names the same
checkpoint in its description, for a reader who has only the package.

Checked, in this order, each problem named (in Norwegian, as the package's
own check words them): the package's checksums, counts and documents
(`check_extract`); every file against the signed file list, none missing,
none added; the checkpoint named in arkivstruktur.xml against the signed
one; the checkpoint's signature; the extract's signature.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from lxml import etree

from archive.extract import ARKIVSTRUKTUR, PACKAGE, check_extract
from audit.integrity.checkpoint import (
    Checkpoint,
    CheckpointError,
    key_id,
    verify_checkpoint,
    verify_extract_signature,
)

STATEMENT = "kontrollpunkt.json"
FORMAT = "ledger-archive-extract-v1"


class ExtractMalformed(ValueError):
    """The directory holds no extract statement the check can read."""


@dataclass
class ExtractReport:
    checkpoint: Checkpoint
    key: str  # the key id the statement is checked with
    counts: Mapping[str, int]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if not self.ok:
            more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
            return f"NOT intact: {self.problems[0]}{more}"
        cp = self.checkpoint
        counts = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        return (
            f"intact: {counts}; every checksum and count holds, and the files are those signed with "
            f"checkpoint of tree size {cp.tree_size} (root {cp.root.hex()}) by key {cp.key_id}"
        )


def statement(
    checkpoint: Checkpoint,
    public_key: bytes,
    files: Mapping[str, str],
    signature: bytes,
    *,
    municipality: str,
    period: tuple[str, str],
    counts: Mapping[str, int],
) -> bytes:
    """The statement written beside the package."""
    return orjson.dumps(
        {
            "format": FORMAT,
            "municipality": municipality,
            "period": {"from": period[0], "to": period[1]},
            "package": PACKAGE,
            "checkpoint": checkpoint.to_dict(),
            "public_key": public_key.hex(),
            "counts": dict(counts),
            "files": dict(sorted(files.items())),
            "signature": signature.hex(),
        },
        option=orjson.OPT_INDENT_2,
    )


def _read_statement(directory: Path) -> dict[str, Any]:
    path = directory / STATEMENT
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as e:
        raise ExtractMalformed(f"{path} cannot be read: {e.strerror or e}") from None
    except orjson.JSONDecodeError as e:
        raise ExtractMalformed(f"{path} is not JSON: {e}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ExtractMalformed(f"{path} is not an extract statement ({FORMAT})")
    for name, kind in (("checkpoint", dict), ("files", dict), ("public_key", str), ("signature", str)):
        if not isinstance(data.get(name), kind):
            raise ExtractMalformed(f"{path} has no valid {name!r}")
    return data


def _hex(text: str, what: str) -> bytes:
    if not re.fullmatch(r"(?:[0-9a-f]{2})+", text):
        raise ExtractMalformed(f"{STATEMENT}: {what} is not lowercase hex")
    return bytes.fromhex(text)


def _described(package: Path) -> dict[str, str]:
    """The checkpoint named in arkivstruktur.xml's description (archive/xml.py `checkpoint_text`)."""
    try:
        tree = etree.parse(str(package / "arkivstruktur.xml"))
    except (OSError, etree.XMLSyntaxError):
        return {}
    text = tree.findtext(f"{{{ARKIVSTRUKTUR}}}beskrivelse") or ""
    found = re.search(r"treets størrelse (\d+), rot ([0-9a-f]+), signatur ([0-9a-f]+)(?:, nøkkel ([0-9a-f]+))?", text)
    if found is None:
        return {}
    size, root, signature, key = found.groups()
    return {"tree_size": size, "root": root, "signature": signature, "key_id": key or ""}


def verify_extract(directory: Path, pinned_key: bytes | None = None) -> ExtractReport:
    """Check the extract in `directory` (ExtractMalformed if it holds no readable statement)."""
    data = _read_statement(directory)
    try:
        checkpoint = Checkpoint.from_dict(data["checkpoint"])
    except CheckpointError as e:
        raise ExtractMalformed(f"{STATEMENT}: {e}") from None
    public_key = _hex(data["public_key"], "public_key")
    signature = _hex(data["signature"], "signature")
    files = {str(k): str(v) for k, v in data["files"].items()}
    package = directory / str(data.get("package") or PACKAGE)
    key = pinned_key if pinned_key is not None else public_key
    report = ExtractReport(checkpoint, key_id(key) if len(key) == 32 else "?", data.get("counts") or {})
    problems = report.problems

    problems.extend(check_extract(package))
    present = {p.relative_to(package).as_posix(): p for p in package.rglob("*") if p.is_file()}
    for name, digest in files.items():
        path = present.get(name)
        if path is None:
            problems.append(f"{name} mangler")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            problems.append(f"{name}: filen er ikke den som ble signert")
    for name in sorted(set(present) - set(files)):
        problems.append(f"{name} er ikke blant de signerte filene")
    named = _described(package)
    stated = {
        "tree_size": str(checkpoint.tree_size),
        "root": checkpoint.root.hex(),
        "signature": checkpoint.signature.hex(),
        "key_id": checkpoint.key_id,
    }
    if named != stated:
        problems.append("arkivstruktur.xml navngir ikke kontrollpunktet i kontrollpunkt.json")
    if pinned_key is not None and pinned_key != public_key:
        problems.append(f"uttrekket er signert med nøkkel {key_id(public_key)}, ikke den oppgitte {report.key}")
    try:
        verify_checkpoint(checkpoint, key)
    except CheckpointError as e:
        problems.append(f"kontrollpunktets signatur holder ikke: {e}")
    else:
        try:
            verify_extract_signature(checkpoint, files, signature, key)
        except CheckpointError:
            problems.append("uttrekkets signatur holder ikke: filene er ikke de som ble signert")
    return report
