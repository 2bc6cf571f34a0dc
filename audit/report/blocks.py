"""What a document is laid out of: headings, label/value pairs, paragraphs
and tables of finished Norwegian text. The layouts (report, plan) make the
blocks once; the HTML and PDF renderers only draw them, so both formats say
exactly the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from audit.report import labels as L


@dataclass(frozen=True)
class Heading:
    kind: ClassVar[str] = "heading"
    text: str
    level: int = 1
    tone: str = ""  # a check's status, for the reader's eye (HTML colour)


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    text: str
    tone: str = ""


@dataclass(frozen=True)
class Pairs:
    kind: ClassVar[str] = "pairs"
    rows: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    """`widths` in millimetres on A4 (180 mm in all); `fixed`: one line a row, for very long tables."""

    kind: ClassVar[str] = "table"
    headings: Sequence[str]
    widths: Sequence[float]
    rows: Sequence[Sequence[str]]
    fixed: bool = False
    marked: Sequence[bool] = field(default_factory=tuple)  # rows to highlight (late recording)


Block = Heading | Paragraph | Pairs | Table

D, M = L.date_text, L.moment_text


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return L.yes_no(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(text(v) for v in value)
    return str(value)


def none(what: str) -> Paragraph:
    return Paragraph(f"Ingen {what} er registrert.")


# ----------------------------------------------- parts shared with the plan
def coordinator_blocks(c: dict[str, Any]) -> list[Block]:
    now = c["current"]
    out: list[Block] = [
        Pairs(
            [
                (
                    "Koordinator nå",
                    f"{text(now['name'])} ({now['kind_text']}), {now['unit']}, fra {D(now['since'])}"
                    if now
                    else "ingen",
                )
            ]
        )
    ]
    if c["substitute"]:
        s = c["substitute"]
        out.append(
            Pairs(
                [
                    (
                        "Vikar",
                        f"{text(s['person_name'])}, {s['unit']}, fra {D(s['since'])}"
                        + (f" til {D(s['until'])}" if s.get("until") else ""),
                    )
                ]
            )
        )
    if c["history"]:
        out.append(
            Table(
                ["Dato", "Hendelse", "Navn", "Enhet", "Type"],
                [22, 42, 42, 43, 31],
                [[D(h["at"]), h["event_text"], text(h["name"]), text(h["unit"]), h["kind_text"]] for h in c["history"]],
            )
        )
    return out


def team_blocks(t: dict[str, Any]) -> list[Block]:
    rows = [
        [text(p["name"]), p["service"], p["role"], L.yes_no(p["mandatory"]), D(p["added_at"]), D(p["removed_at"])]
        for p in t["participants"]
    ]
    head: list[Block] = [Pairs([("Navn på teamet", t["name"]), ("Etablert", D(t["established_at"]))])]
    if not rows:
        return [*head, none("deltakere")]
    return [*head, Table(["Navn", "Tjeneste", "Rolle", "Fast", "Lagt til", "Fjernet"], [44, 38, 38, 12, 24, 24], rows)]


def consent_blocks(consents: Sequence[dict[str, Any]]) -> list[Block]:
    if not consents:
        return [none("samtykker")]
    rows = []
    for c in consents:
        withdrawn = [
            f"{D(w['at'])}: " + (w["categories_text"] or ", ".join(w["participants"]) or "alt")
            for w in c["withdrawals"]
        ]
        valid = f"til {D(c['valid_until'])}" if c["valid_until"] else "uten sluttdato"
        rows.append(
            [
                D(c["granted_at"]),
                f"{c['given_by_text']}: {text(c['signers'])}",
                ", ".join([*c["participants"], *c["services"]]),
                c["categories_text"],
                f"{c['status_text']} ({valid})",
                "; ".join(withdrawn),
            ]
        )
    return [
        Table(["Gitt", "Gitt av", "Gjelder", "Kategorier", "Status", "Trukket tilbake"], [20, 36, 36, 32, 28, 28], rows)
    ]


def meeting_blocks(meetings: Sequence[dict[str, Any]]) -> list[Block]:
    if not meetings:
        return [none("møter")]
    rows = []
    for m in meetings:
        a, h, r = m["agenda"], m["held"], m["minutes"]
        agenda = (
            "ikke sendt"
            if a is None
            else (
                f"sendt {D(a['sent_at'])}, {a['days_before']} dager før; "
                f"{'avtalt' if a['agreed_with_subject'] else 'ikke avtalt'} med bruker"
            )
        )
        minutes = (
            "ikke sendt"
            if r is None
            else (
                f"sendt {D(r['sent_at'])}" + (f", {r['days_after']} dager etter" if r["days_after"] is not None else "")
            )
        )
        voice = text(h["subject_voice"]) if h else (text(m["cancelled"]["reason"]) if m["cancelled"] else "")
        rows.append([M(m["scheduled_for"]), m["status_text"], agenda, minutes if h else "", voice])
    return [
        Table(["Tidspunkt", "Status", "Saksliste", "Referat", "Brukerens stemme / grunn"], [28, 16, 46, 34, 56], rows)
    ]


def goal_blocks(g: dict[str, Any]) -> list[Block]:
    out: list[Block] = []
    if g["life_areas"]:
        out += [
            Heading("Livsområder: situasjon og behov", 2),
            Table(
                ["Livsområde", "Situasjon", "Vurdert"],
                [40, 116, 24],
                [[a["life_area_text"], text(a["situation"]), D(a["at"])] for a in g["life_areas"]],
            ),
        ]
    if not g["goals"]:
        return [*out, none("mål")]
    for goal in g["goals"]:
        out += [
            Heading(f"Mål: {text(goal['text'])}", 2),
            Pairs(
                [
                    ("Livsområde", goal["life_area_text"]),
                    ("Ansvarlig tjeneste", goal["responsible_service"]),
                    ("Satt", D(goal["set_at"])),
                    ("Evalueres innen", D(goal["evaluate_by"])),
                    ("Avsluttet", "ja" if goal["closed"] else ""),
                ]
            ),
        ]
        if goal["activities"]:
            out.append(
                Table(
                    ["Tiltak", "Ansvarlig", "Frist", "Fullført"],
                    [96, 40, 22, 22],
                    [
                        [text(a["what"]), a["responsible_service"], D(a["due"]), D(a["completed_at"])]
                        for a in goal["activities"]
                    ],
                )
            )
        out.append(
            Table(
                ["Evaluert", "Resultat", "Av", "I tide", "Merknad"],
                [22, 26, 30, 14, 88],
                [
                    [D(e["at"]), e["status_text"], e["by_text"], L.yes_no(e["in_time"]), text(e["note"])]
                    for e in goal["evaluations"]
                ],
            )
            if goal["evaluations"]
            else Paragraph("Ikke evaluert.")
        )
    return out


def review_blocks(g: dict[str, Any]) -> list[Block]:
    out: list[Block] = []
    if g["reviews"]:
        out += [
            Heading("Evaluering av teamets arbeid", 2),
            Table(
                ["Dato", "Fortsatt behov", "Sammensetning i orden", "Merknad"],
                [22, 30, 40, 88],
                [
                    [D(r["at"]), L.yes_no(r["continued_need"]), L.yes_no(r["composition_ok"]), text(r["note"])]
                    for r in g["reviews"]
                ],
            ),
        ]
    if g["status_reports"]:
        out += [
            Heading("Status rapportert til koordinerende enhet", 2),
            Table(
                ["Dato", "Fortsatt aktiv", "Koordinator"],
                [30, 40, 110],
                [[D(s["at"]), L.yes_no(s["still_active"]), text(s["coordinator_id"])] for s in g["status_reports"]],
            ),
        ]
    return out


def subject_rows(case: dict[str, Any]) -> list[tuple[str, str]]:
    person = case["subject"]
    born = "Termin" if person["expected_child"] else "Født"
    birth = person["birth_date"]
    return [("Bruker", text(person["name"])), (born, D(birth) if birth != L.ERASED_TEXT else birth)]
