"""Exported documents of a case.

An export is rendered deterministically from the case's events before its
`PlanExported`, whose sha256 it records. Nothing else is stored: fetching an
export renders it again and checks the digest, so erasure needs no second
copy of the person's data chased down; after erasure an export can no
longer be reproduced (its digest stays in the record).
The PDF and the signed, provable bundle build on this (issue: compliance and audit).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import orjson

from ledger.errors import Gone, NotFound
from projections.history import event_to_dict


def json_bundle(municipality: str, case_id: UUID, events: Sequence[Any]) -> bytes:
    return orjson.dumps({"case_id": str(case_id), "municipality": municipality,
                         "events": [event_to_dict(e) for e in events]}, option=orjson.OPT_INDENT_2)


MEDIA_TYPES = {"json": "application/json"}


def reproduce(exporters: dict[str, Any], municipality: str, events: Sequence[Any], export_id: UUID) -> tuple[bytes, str]:
    """The document of an earlier export, byte for byte, and its format."""
    recorded = next((e for e in events if type(e).__name__ == "PlanExported" and e.export_id == export_id), None)
    if recorded is None:
        raise NotFound(None, "Ingen slik eksport i saken.")
    before = [e for e in events if e.originator_version < recorded.originator_version]
    document = exporters[recorded.format](municipality, recorded.originator_id, before)
    if hashlib.sha256(document).hexdigest() != recorded.sha256:
        # Only erasure changes what the events read as; the record keeps the digest.
        raise Gone("INV-12", "Eksporten kan ikke gjenskapes: personopplysningene i saken er slettet. "
                             f"Sjekksummen (sha256 {recorded.sha256}) står i saken.")
    return document, recorded.format
