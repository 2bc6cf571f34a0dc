"""Into the municipality's archive (issue #12): pure builders of what the
archive receives.

- `steps`: which steps of a case are archivable (the decision, a plan
  snapshot twice a year and at closing, the minutes of each meeting, the
  closing letter) and their PDF/A documents, rendered by `audit.report`.
- `arkivmelding`: the KS Fiks Arkiv `arkivmelding.opprett` message for one
  archivable step (one message holds one record, so a case is several
  messages that all name the same case folder), and the archive's receipt.
- `extract`: a Noark 5 v5.0 archive extract (arkivuttrekk) of closed cases,
  and its offline check.

A pure room like `audit/`: it imports `ledger`, `audit` and lxml only; no
SQL, no store, no web framework. `FIELDS.md` lists which Noark 5 fields are
filled from which events.
"""

from archive.arkivmelding import build_arkivmelding, build_arkivmeldinger
from archive.receipt import ArchiveRejected, Receipt, parse_receipt
from archive.settings import ArchiveSettings
from archive.steps import ArchiveDocument, Step, StepKind, archivable_steps, render_step

__all__ = [
    "ArchiveDocument",
    "ArchiveRejected",
    "ArchiveSettings",
    "Receipt",
    "Step",
    "StepKind",
    "archivable_steps",
    "build_arkivmelding",
    "build_arkivmeldinger",
    "parse_receipt",
    "render_step",
]
