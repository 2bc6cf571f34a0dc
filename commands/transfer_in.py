"""Receiving a person who moved: `TransferIn`, with the case bundle of the
municipality they moved from (the "json" export, audit/integrity/bundle.py).

The bundle is verified first and refused (422, naming the failed check) if it
does not hold. The new case is opened for the same subject, guardians and
requested provisions, and records `TransferredIn` with the bundle's sha256 and
the source case id. The source's events are not replayed into it: decisions
and plans are the receiving municipality's to make again; the digest ties the
new case to the document it was based on (the source recorded the same digest
in its `PlanExported`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import orjson

from audit.integrity.bundle_verify import Bundle, BundleMalformed, Decode, verify_bundle
from commands.base import Command
from ledger.errors import InvalidInput
from ledger.events import CaseOpened, ProvisionRequested
from ledger.events_plan import TransferredOut
from ledger.values import Guardian, GuardianKind, Provision, ReferrerKind, Subject

# What a failed check means, for the caseworker who sent the bundle.
_CHECKS = {
    "public_key": "den er signert med en annen nøkkel enn den oppgitte",
    "signature": "signaturen på kontrollpunktet stemmer ikke",
    "root": "kontrollpunktets rot stemmer ikke med hendelsene",
    "sequence": "en hendelse mangler eller er flyttet",
    "chain": "hashkjeden er brutt (hendelsen er endret)",
    "inclusion": "inklusjonsbeviset fører ikke til kontrollpunktets rot",
    "record": "den lagrede hendelsen kan ikke leses",
    "view": "den lesbare hendelsen stemmer ikke med den lagrede",
}


@dataclass(frozen=True, kw_only=True)
class TransferIn(Command):
    """Open a case for a person who moved here, from the bundle of their former municipality."""

    bundle: bytes
    public_key: bytes | None = None  # the source ledger's key, if the caller pins it

    def canonical(self) -> bytes:
        # The bundle's digest stands for the bundle: fingerprinting megabytes of it adds nothing.
        return orjson.dumps(
            {
                "type": "TransferIn",
                "bundle": hashlib.sha256(self.bundle).hexdigest(),
                "public_key": self.public_key.hex() if self.public_key else None,
                "occurred_at": self.occurred_at,
            },
            default=str,
        )


@dataclass(frozen=True)
class Incoming:
    """What the receiving case is opened with, taken from a verified bundle."""

    from_municipality: str
    source_case_id: UUID
    bundle_sha256: str
    subject: Subject
    guardians: tuple[Guardian, ...]
    requested: tuple[Provision, ...]

    def opening(self) -> dict[str, Any]:
        """Arguments of Case.open besides the municipality."""
        return {
            "subject": self.subject,
            "guardians": self.guardians,
            "requested": self.requested,
            "referrer_kind": ReferrerKind.OTHER,
            "referrer_name": f"Overført fra kommune {self.from_municipality}",
        }

    def transfer(self) -> dict[str, Any]:
        """Arguments of Case.record_transfer_in."""
        return {
            "from_municipality": self.from_municipality,
            "bundle_sha256": self.bundle_sha256,
            "source_case_id": self.source_case_id,
        }


def accept_bundle(command: TransferIn, trusted_keys: frozenset[bytes], decode: Decode) -> Incoming:
    """Verify the bundle and read the opening of the case from it; InvalidInput (422) if it does not hold
    or if it is signed with a key this ledger does not trust (its own, or LEDGER_TRUSTED_BUNDLE_KEYS).
    `decode` reads stored event state (the store's transcoder: the source ledger writes the same format)."""
    try:
        report = verify_bundle(command.bundle, command.public_key, decode=decode)
    except BundleMalformed as e:
        raise InvalidInput(
            None,
            "Eksportpakken er ikke gyldig JSON."
            if e.where is None
            else f"Eksportpakken kan ikke leses: feltet {e.where} mangler eller har feil form.",
        ) from None
    if not report.ok:
        problem = report.problems[0]
        where = f"hendelse {problem.version}: " if problem.version is not None else ""
        raise InvalidInput(
            None,
            f"Eksportpakken er ikke intakt ({problem.check}): {where}"
            f"{_CHECKS.get(problem.check, problem.check)}. Ingen sak er opprettet.",
        )
    bundle = report.bundle
    if bundle.public_key not in trusted_keys:
        # A bundle that agrees with itself proves nothing: anyone can sign made-up events with a new key.
        raise InvalidInput(
            None,
            f"Eksportpakken er signert med en nøkkel denne løsningen ikke stoler på "
            f"({bundle.public_key.hex()}). Legg kildens offentlige nøkkel i "
            "LEDGER_TRUSTED_BUNDLE_KEYS. Ingen sak er opprettet.",
        )
    receiver = command.actor.municipality
    if bundle.municipality == receiver:
        raise InvalidInput(None, "Eksportpakken er fra din egen kommune; en overføring kommer fra en annen kommune.")
    _require_transfer_to(bundle, receiver)
    try:
        return Incoming(
            bundle.municipality, bundle.case_id, hashlib.sha256(command.bundle).hexdigest(), *_opening(bundle)
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        # Personal fields are not covered by the hashes; malformed ones are refused, not trusted.
        raise InvalidInput(None, "Eksportpakken har ikke en lesbar person (subject) i CaseOpened.") from None


def _require_transfer_to(bundle: Bundle, receiver: str) -> None:
    """The source must have recorded the move to this municipality (TransferredOut)."""
    moves = [
        _data(e.view).get("to_municipality") for e in bundle.events if e.view.get("type") == TransferredOut.__name__
    ]
    if not moves:
        raise InvalidInput(
            None,
            "Eksportpakken viser ingen overføring (TransferredOut); kommunen personen flytter "
            "fra må registrere overføringen før saken eksporteres.",
        )
    if moves[-1] != receiver:
        raise InvalidInput(None, f"Saken ble overført til kommune {moves[-1]}, ikke til din kommune.")


def _opening(bundle: Bundle) -> tuple[Subject, tuple[Guardian, ...], tuple[Provision, ...]]:
    opened = bundle.events[0].view
    if opened.get("type") != CaseOpened.__name__:
        raise ValueError("the first event is not CaseOpened")
    data = _data(opened)
    s = data["subject"]
    subject = Subject(
        birth_date=_date(s.get("birth_date")),
        name=_text(s.get("name")),
        national_id=_text(s.get("national_id")),
        expected=s.get("expected") is True,
    )
    guardians = tuple(
        Guardian(
            name=_required(g["name"]),
            national_id=_text(g.get("national_id")),
            kind=GuardianKind(g.get("kind", GuardianKind.PARENT.value)),
        )
        for g in data.get("guardians") or []
    )
    requested = [Provision(p) for p in data["requested"]]
    for e in bundle.events:
        if e.view.get("type") == ProvisionRequested.__name__:
            requested += [Provision(p) for p in _data(e.view)["requested"]]
    return subject, guardians, tuple(dict.fromkeys(requested))


def _data(view: dict[str, Any]) -> dict[str, Any]:
    data = view.get("data")
    return data if isinstance(data, dict) else {}


def _date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(_required(value))


def _text(value: Any) -> str | None:
    return None if value is None else _required(value)


def _required(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value
