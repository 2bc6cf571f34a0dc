"""Exported documents of a case.

An export is rendered deterministically from the case's events before its
`PlanExported`, whose sha256 it records. Nothing else is stored: fetching an
export renders it again and checks the digest, so erasure needs no second
copy of the person's data chased down; after erasure an export can no
longer be reproduced (its digest stays in the record).

Every exporter is `(municipality, case_id, events) -> bytes`. A provable
format (the "json" bundle, audit/integrity/bundle.py) also has `anchor(case_id, events)`,
which picks the signed checkpoint the document proves its events against, and
takes that checkpoint's tree size as `checkpoint_size`; `PlanExported` records
it so the same bytes are rendered again later.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from ledger.errors import Gone, NotFound
from ledger.events_plan import KeyDestroyed, PlanExported

MEDIA_TYPES = {"json": "application/json", "pdf": "application/pdf"}


def anchor_for(exporter: Any, case_id: UUID, events: Sequence[Any]) -> int | None:
    """The tree size of the checkpoint a provable format anchors a new export to; None for other formats."""
    anchor = getattr(exporter, "anchor", None)
    return None if anchor is None else anchor(case_id, events)


def render(
    exporter: Any, municipality: str, case_id: UUID, events: Sequence[Any], checkpoint_size: int | None
) -> bytes:
    if checkpoint_size is None:
        return exporter(municipality, case_id, events)
    return exporter(municipality, case_id, events, checkpoint_size=checkpoint_size)


def reproduce(
    exporters: dict[str, Any], municipality: str, events: Sequence[Any], export_id: UUID
) -> tuple[bytes, str]:
    """The document of an earlier export, byte for byte, and its format."""
    recorded = next((e for e in events if isinstance(e, PlanExported) and e.export_id == export_id), None)
    if recorded is None:
        raise NotFound(None, "Ingen slik eksport i saken.")
    before = [e for e in events if e.originator_version < recorded.originator_version]
    # Exports recorded before `checkpoint_size` existed read it as None (the field's default).
    document = render(
        exporters[recorded.format], municipality, recorded.originator_id, before, recorded.checkpoint_size
    )
    if hashlib.sha256(document).hexdigest() != recorded.sha256:
        if any(isinstance(e, KeyDestroyed) for e in events):
            # Erasure changes what the events read as; the record keeps the digest.
            raise Gone(
                "INV-12",
                "Eksporten kan ikke gjenskapes: personopplysningene i saken er slettet. "
                f"Sjekksummen (sha256 {recorded.sha256}) står i saken.",
            )
        # Not erased: the renderer itself changed (fpdf2 and the fonts are pinned for this reason).
        raise Gone(
            None,
            "Eksporten kan ikke gjenskapes byte for byte av denne versjonen av løsningen. "
            f"Sjekksummen (sha256 {recorded.sha256}) står i saken.",
        )
    return document, recorded.format
