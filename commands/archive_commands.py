"""The archive's receipt recorded on the case (issue #12). The integration's
service account posts the receipt (XML) to the archive seam, which reads it
and issues this command; it is not offered as a JSON command of its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from commands.base import CaseCommand
from commands.constraints import PRINTABLE, Constraint, Line, Short
from ledger.case import Case
from ledger.values import Role

STEP_PATTERN = r"^[a-z]+:[A-Za-z0-9-]{1,100}$"

StepId = Annotated[str, Constraint(min_length=3, max_length=120, pattern=STEP_PATTERN)]
"""An archivable step's id within its case, e.g. `vedtak:<decision id>`, `plan:2026-06-30`."""
ArchiveId = Annotated[str, Constraint(min_length=1, max_length=200, pattern=PRINTABLE)]
"""An id the archive gave (a systemID, usually a UUID)."""
Number = Annotated[int, Constraint(ge=0, le=999_999_999)]
Sha256 = Annotated[str, Constraint(pattern="^[0-9a-f]{64}$")]


@dataclass(frozen=True, kw_only=True)
class RecordArchiveReceipt(CaseCommand):
    message_id: UUID
    step: StepId
    title: Short
    accepted: bool
    folder_system_id: ArchiveId | None = None
    case_year: Number | None = None
    case_sequence: Number | None = None
    record_system_id: ArchiveId | None = None
    record_year: Number | None = None
    record_sequence: Number | None = None
    record_number: Number | None = None
    error_id: Line | None = None
    error_message: Annotated[str, Constraint(max_length=4000)] | None = None
    receipt_sha256: Sha256
    case_method = Case.record_archive_receipt
    roles = frozenset({Role.ARCHIVE_INTEGRATION})
    on_closed_case = True
