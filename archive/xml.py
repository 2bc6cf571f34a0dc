"""Small helpers for writing archive XML with lxml: no element without a value
(Noark 5 requirement 6.4.5: empty elements are left out), dates as the
schemas type them, and the few facts every message and extract repeats."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from audit.compliance.timeline import local_date

XSI = "http://www.w3.org/2001/XMLSchema-instance"


class Writer:
    """Elements in one target namespace (the default namespace of the document)."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def root(
        self, name: str, *, schema_location: str = "", prefixes: dict[str | None, str] | None = None, **attributes: str
    ) -> etree._Element:
        nsmap: dict[str | None, str] = {None: self.namespace, **(prefixes or {}), "xsi": XSI}
        element = etree.Element(self.q(name), nsmap=nsmap, **attributes)
        if schema_location:
            element.set(f"{{{XSI}}}schemaLocation", f"{self.namespace} {schema_location}")
        return element

    def q(self, name: str) -> str:
        return f"{{{self.namespace}}}{name}"

    def node(self, parent: etree._Element, name: str, *, xsi_type: str = "") -> etree._Element:
        element = etree.SubElement(parent, self.q(name))
        if xsi_type:
            element.set(f"{{{XSI}}}type", xsi_type)
        return element

    def add(self, parent: etree._Element, name: str, value: Any) -> None:
        """A leaf element, left out when it has no value."""
        if value is None or value == "":
            return
        if isinstance(value, bool):
            value = "true" if value else "false"
        etree.SubElement(parent, self.q(name)).text = str(value)


def serialize(root: etree._Element) -> bytes:
    """UTF-8 with an XML declaration (requirements 6.4.3, 6.4.4)."""
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def moment(value: datetime | str) -> str:
    """xs:dateTime in UTC, to the second."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.astimezone(UTC).isoformat(timespec="seconds")


def day(value: datetime | str) -> str:
    """xs:date: the Norwegian calendar day of a moment."""
    return local_date(datetime.fromisoformat(value) if isinstance(value, str) else value).isoformat()


def checkpoint_text(checkpoint: Mapping[str, Any] | None) -> str:
    """The ledger checkpoint that covers the events a document or extract was made from (issue #12, item 4)."""
    if not checkpoint:
        return ""
    return (
        f"Laget fra hendelsene i koordineringsprotokollen. Kontrollpunkt: treets størrelse {checkpoint['tree_size']}, "
        f"rot {checkpoint['root']}, signatur {checkpoint['signature']}"
        + (f", nøkkel {checkpoint['key_id']}" if checkpoint.get("key_id") else "")
        + "."
    )


def case_responsible(view: Mapping[str, Any], fallback: str) -> str:
    """Saksansvarlig: the coordinator (the current one, else the last one named), else the responsible unit.
    A coordinator is an employee; after erasure the name reads None and the person id stands instead."""
    current = view.get("coordinator")
    named = [h for h in view.get("coordinator_history") or [] if h.get("person_id")]
    person = current or (named[-1] if named else None)
    if person is None:
        return fallback
    return str(person.get("name") or person["person_id"])


def coordinator_unit(view: Mapping[str, Any]) -> str:
    named = [h for h in view.get("coordinator_history") or [] if h.get("unit")]
    return named[-1]["unit"] if named else ""


def subject_name(view: Mapping[str, Any]) -> str | None:
    return (view.get("subject") or {}).get("name")
