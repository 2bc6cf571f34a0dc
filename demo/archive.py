"""The municipality's archive as the demo pretends it (issue #12): before the
demo erases a case, every archive message of the case is answered with the
receipt a Noark 5 archive would give (one case folder per case, numbered per
year; one record per message), through the same archive seam and command
path an integration uses, so the erasure's rule (INV-12: every archivable
step filed first) holds as it would in a municipality.

The simulated archive answers from the outbox listing without fetching the
documents (it files nothing, and rendering each PDF/A document would only
slow the demo down) and hands its answers over already read, so the demo
needs no schemas to validate receipts against. Ids are derived from the
ledger's, so the same data set gets the same receipts."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from archive.receipt import Receipt
from ledger.values import Actor, Role

_ROOT = uuid5(NAMESPACE_URL, "urn:coordination-ledger:demo-archive")


def archive_account(municipality: str) -> Actor:
    """The municipality's archive integration, as its service account acts."""
    return Actor(id=f"arkiv-{municipality}", role=Role.ARCHIVE_INTEGRATION, municipality=municipality, name="Arkivet")


class SimulatedArchive:
    def __init__(self, desk: Any) -> None:
        self._desk = desk  # the read service's archive seam (reads.archive.ArchiveDesk)
        self._folders: dict[UUID, tuple[int, int]] = {}  # case -> (saksaar, sakssekvensnummer)
        self._cases: Counter[tuple[str, int]] = Counter()  # (municipality, year) -> cases numbered
        self._records: Counter[tuple[str, int]] = Counter()  # (municipality, year) -> records numbered
        self._in_folder: Counter[UUID] = Counter()

    def file_case(self, case_id: UUID, municipality: str, when: datetime) -> int:
        """Answer every message of the case not yet filed, as received at `when`; returns how many."""
        actor = archive_account(municipality)
        answered = 0
        after = 0
        while True:
            page = self._desk.messages(actor, case_id=case_id, after=after, limit=100)
            for item in page["items"]:
                if item["status"] != "archived":
                    receipt = self._receipt(case_id, municipality, item["message_id"], when)
                    self._desk.record_answer(actor, UUID(item["message_id"]), receipt, occurred_at=when)
                    answered += 1
            if page["next"] is None:
                return answered
            after = page["next"]

    def _receipt(self, case_id: UUID, municipality: str, message_id: str, when: datetime) -> Receipt:
        year = when.year
        created = case_id not in self._folders
        if created:
            self._cases[(municipality, year)] += 1
            self._folders[case_id] = (year, self._cases[(municipality, year)])
        self._records[(municipality, year)] += 1
        self._in_folder[case_id] += 1
        case_year, case_sequence = self._folders[case_id]
        return Receipt(
            folder_system_id=str(uuid5(_ROOT, f"saksmappe/{case_id}")),
            folder_created=created,
            case_year=case_year,
            case_sequence=case_sequence,
            record_system_id=str(uuid5(_ROOT, f"journalpost/{message_id}")),
            record_year=year,
            record_sequence=self._records[(municipality, year)],
            record_number=self._in_folder[case_id],
            document_system_ids=(str(uuid5(_ROOT, f"dokument/{message_id}")),),
        )
