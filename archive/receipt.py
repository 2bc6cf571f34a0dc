"""The archive's receipt (`no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering`):
where the archive put the case folder and the record, so the ledger can
always answer "where in the archive is this?"."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from archive import xml as X

NAMESPACE = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1"
ERROR_NAMESPACE = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1"
MESSAGE_TYPE = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering"
SCHEMA = "fiks-arkiv-v1/no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering.xsd"


class ArchiveRejected(Exception):
    """The archive refused the folder or the record; its error id and message are kept."""

    def __init__(self, part: str, error_id: str, message: str) -> None:
        super().__init__(f"{part}: {message} (feilId {error_id})")
        self.part, self.error_id, self.message = part, error_id, message


class InvalidReceipt(ValueError):
    """The receipt is not XML, or not valid against the receipt schema."""


@dataclass(frozen=True)
class Receipt:
    folder_system_id: str | None
    folder_created: bool | None  # False: the folder existed (an earlier message created it)
    case_year: int | None
    case_sequence: int | None
    record_system_id: str | None
    record_year: int | None
    record_sequence: int | None
    record_number: int | None  # journalpostnummer: the record's number in the case folder
    document_system_ids: tuple[str, ...] = ()

    @property
    def case_number(self) -> str | None:
        """Saksnummer as archives write it: 2026/123."""
        return f"{self.case_year}/{self.case_sequence}" if self.case_year and self.case_sequence else None


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _text(parent: etree._Element | None, name: str) -> str | None:
    if parent is None:
        return None
    found = parent.find(_q(name))
    return found.text.strip() if found is not None and found.text else None


def _int(parent: etree._Element | None, name: str) -> int | None:
    value = _text(parent, name)
    return int(value) if value is not None else None


def load_schema(schema_dir: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema_dir / SCHEMA)))


def parse_receipt(document: bytes, schema_dir: Path | None = None) -> Receipt:
    """The archive's ids from a receipt; validated against the receipt schema when `schema_dir` is
    given. A folder or record the archive refused raises ArchiveRejected."""
    try:
        tree = etree.fromstring(document, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as e:
        raise InvalidReceipt(f"kvitteringen er ikke gyldig XML: {e}") from None
    if schema_dir is not None:
        schema = load_schema(schema_dir)
        if not schema.validate(tree):
            raise InvalidReceipt(f"kvitteringen følger ikke skjemaet: {schema.error_log}")
    if tree.tag != _q("arkivmeldingKvittering"):
        raise InvalidReceipt(f"ukjent rotelement {tree.tag}")
    for part in ("mappeFeilet", "registreringFeilet"):
        failed = tree.find(_q(part))
        if failed is not None:
            error_id = failed.findtext("{*}feilId") or ""
            raise ArchiveRejected(part, error_id, failed.findtext("{*}feilmelding") or "")
    folder = tree.find(_q("mappeKvittering"))
    record = tree.find(_q("registreringKvittering"))
    created = _text(folder, "opprettetEllerEksisterende")
    return Receipt(
        folder_system_id=_text(folder, "systemID"),
        folder_created=None if created is None else created == "Opprettet",
        case_year=_int(folder, "saksaar"),
        case_sequence=_int(folder, "sakssekvensnummer"),
        record_system_id=_text(record, "systemID"),
        record_year=_int(record, "journalaar"),
        record_sequence=_int(record, "journalsekvensnummer"),
        record_number=_int(record, "journalpostnummer"),
        document_system_ids=tuple(
            d.findtext(_q("systemID")) or ""
            for d in (record.findall(_q("dokumentbeskrivelseKvittering")) if record is not None else [])
        ),
    )


# ------------------------------------------------------- what an archive answers
# The ledger never writes a receipt; an archive does. These build one as an archive would, for
# the demo's simulated archive and the tests' local one.
_K = X.Writer(NAMESPACE)
_F = X.Writer(ERROR_NAMESPACE)


def build_receipt(receipt: Receipt, *, record_created: bool = True) -> bytes:
    """A receipt filing the folder and the record where `receipt` says."""
    root = _K.root("arkivmeldingKvittering")
    folder = _K.node(root, "mappeKvittering", xsi_type="saksmappeKvittering")
    _K.add(folder, "systemID", receipt.folder_system_id)
    _K.add(folder, "opprettetEllerEksisterende", "Opprettet" if receipt.folder_created else "Eksisterende")
    _K.add(folder, "saksaar", receipt.case_year)
    _K.add(folder, "sakssekvensnummer", receipt.case_sequence)
    record = _K.node(root, "registreringKvittering", xsi_type="journalpostKvittering")
    _K.add(record, "systemID", receipt.record_system_id)
    for number, system_id in enumerate(receipt.document_system_ids, 1):
        description = _K.node(record, "dokumentbeskrivelseKvittering")
        _K.add(description, "systemID", system_id)
        _K.add(description, "dokumentnummer", number)
    _K.add(record, "opprettetEllerEksisterende", "Opprettet" if record_created else "Eksisterende")
    _K.add(record, "journalaar", receipt.record_year)
    _K.add(record, "journalsekvensnummer", receipt.record_sequence)
    _K.add(record, "journalpostnummer", receipt.record_number)
    return X.serialize(root)


def build_refusal(error_id: str, message: str, *, part: str = "registreringFeilet") -> bytes:
    """A receipt refusing the folder (`mappeFeilet`) or the record (`registreringFeilet`)."""
    root = _K.root("arkivmeldingKvittering", prefixes={"feil": ERROR_NAMESPACE})
    failed = _K.node(root, part)
    _F.add(failed, "feilId", error_id)
    _F.add(failed, "feilmelding", message)
    return X.serialize(root)
