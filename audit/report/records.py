"""The case's records for the municipality's archive, as PDF/A documents in
bokmål: the decision letter (vedtaksbrev), the minutes of a team meeting
(møtereferat) and the closing letter (avslutningsbrev, or opphørsbrev when KE
ends the coordination without the subject's agreement).

Each renderer is pure and deterministic: it reads the case-view fold
(`projections.case_view.fold`, given by the caller so that audit does not
import projections) and is dated by the event it records, never the clock,
so the archive's copy can be rendered again and compared by sha256.
The national identity number stays out of every document, as in the report
and the plan export: the case id ties a document to the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from audit.report import labels as L
from audit.report import sections as S
from audit.report.blocks import Block, D, M, Pairs, Paragraph, Table, none, text
from audit.report.pdf import render_document
from ledger import vocabulary as V
from ledger.events_plan import MeetingHeld
from ledger.profiles import MUNICIPALITY_NAMES

KE_NAME = "koordinerende enhet"


def _municipality(view: dict[str, Any]) -> str:
    number = view.get("municipality", "")
    return f"{MUNICIPALITY_NAMES.get(number, number)} kommune"


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _people(view: dict[str, Any], ids: Sequence[str] | None, erased: bool) -> list[list[str]]:
    """Team members named by participant id: name, service and role (an unknown id is shown as it is)."""
    members = view.get("participants", {})
    rows = []
    for pid in ids or ():
        p = members.get(str(pid))
        if p is None:
            rows.append([str(pid), "", ""])
        else:
            rows.append([text(S.personal(p["name"], erased)), p["service"], p["role"]])
    return rows


def _people_table(rows: list[list[str]], what: str) -> Block:
    return Table(["Navn", "Tjeneste", "Rolle"], [70, 60, 50], rows) if rows else none(what)


# ------------------------------------------------------------ decision
def decision_title(decision: dict[str, Any]) -> str:
    """ "Vedtak om koordinator, individuell plan": what was decided, without personal data."""
    return f"Vedtak om {L.words(V.PROVISIONS, decision['concerns']) or 'koordinering'}"


def render_decision_pdf(view: dict[str, Any], decision_id: str) -> bytes:
    """The decision letter to the subject (an outgoing letter in the archive), dated by the decision."""
    erased = bool(view.get("erased"))
    found = next((d for d in view.get("decisions", []) if d["decision_id"] == str(decision_id)), None)
    if found is None:
        raise KeyError(f"no decision {decision_id} in the case")
    decision = next(d for d in S.decisions(view, {}, erased) if d["decision_id"] == str(decision_id))
    title = decision_title(found)
    person = S.subject(view, erased)
    weeks = decision["complaint_deadline_weeks"] or (decision["complaint_deadline_weeks_by_law"] or [None])[0]
    complaint = (
        f"Du kan klage på vedtaket. Klagefristen er {weeks} uker fra du fikk melding om vedtaket. "
        "Send klagen til kommunen; blir vedtaket ikke endret, sender kommunen klagen til Statsforvalteren."
        if weeks
        else "Du kan klage på vedtaket til kommunen, som sender klagen videre til Statsforvalteren."
    )
    sections: list[tuple[str, list[Block]]] = [
        (
            "Vedtak",
            [
                Pairs(
                    [
                        ("Til", text(person["name"])),
                        ("Utfall", decision["outcome_text"]),
                        ("Gjelder", decision["concerns_text"]),
                        ("Hjemmel", decision["legal_basis"]),
                        ("Vedtaksdato", D(decision["decided_at"])),
                    ]
                )
            ],
        ),
        ("Begrunnelse", [Paragraph(text(decision["reasons"]) or "Ingen begrunnelse er registrert.")]),
        ("Klagerett", [Paragraph(complaint)]),
    ]
    return _render(view, title, sections, _moment(found["decided_at"]), f"fra {KE_NAME}")


# ------------------------------------------------------------- minutes
def minutes_title(meeting: dict[str, Any], team_name: str = "ansvarsgruppe") -> str:
    held = meeting["held"] or {}
    return f"Referat fra møte i {team_name} {D(held.get('at') or meeting['scheduled_for'])}"


def render_minutes_pdf(
    view: dict[str, Any], events: Sequence[Any], meeting_id: str, *, team_name: str = "ansvarsgruppe"
) -> bytes:
    """The minutes of a held meeting: time, attendees, absences, the subject's voice, decisions, the
    next meeting, and to whom and when they were distributed. Dated by the distribution (or by the
    meeting while the minutes are not yet sent)."""
    erased = bool(view.get("erased"))
    meeting = view.get("meetings", {}).get(str(meeting_id))
    if meeting is None or meeting["held"] is None:
        raise KeyError(f"no held meeting {meeting_id} in the case")
    held, agenda, minutes = meeting["held"], meeting["agenda"], meeting["minutes"]
    # The minute-taker is in the event, not in the fold.
    taker = next(
        (e.minute_taker for e in events if isinstance(e, MeetingHeld) and str(e.meeting_id) == str(meeting_id)), None
    )
    name = (view.get("team") or {}).get("local_name") or team_name
    items = S.personal(agenda["items"], erased) if agenda else None
    decisions = S.personal(held["decisions"], erased)
    sections: list[tuple[str, list[Block]]] = [
        (
            "Møtet",
            [
                Pairs(
                    [
                        ("Berammet til", M(meeting["scheduled_for"])),
                        ("Holdt", M(held["at"])),
                        ("Referent", text(S.personal(taker, erased))),
                        ("Tolk bestilt", L.yes_no(meeting["interpreter_booked"])),
                        (
                            "Saksliste",
                            "ikke sendt"
                            if agenda is None
                            else f"sendt {D(agenda['at'])}, "
                            + ("avtalt med bruker" if agenda["agreed_with_subject"] else "ikke avtalt med bruker"),
                        ),
                        ("Opplyst om rett til IP", L.yes_no(held["informed_of_right_to_ip"])),
                    ]
                )
            ],
        ),
        ("Til stede", [_people_table(_people(view, held["attendees"], erased), "deltakere")]),
        ("Fravær", [_people_table(_people(view, held["absences"], erased), "fravær")]),
    ]
    if isinstance(items, list) and items:
        sections.append(("Saksliste", [Paragraph(f"{n}. {text(item)}") for n, item in enumerate(items, 1)]))
    sections += [
        ("Brukerens stemme", [Paragraph(text(S.personal(held["subject_voice"], erased)) or "Ikke registrert.")]),
        (
            "Beslutninger",
            [Paragraph(f"{n}. {text(d)}") for n, d in enumerate(decisions, 1)]
            if isinstance(decisions, list) and decisions
            else [Paragraph(text(decisions) if decisions else "Ingen beslutninger er registrert.")],
        ),
        ("Neste møte", [Paragraph(D(held["next_meeting"]) if held["next_meeting"] else "Ikke avtalt.")]),
        (
            "Referatet sendt",
            [Paragraph("Referatet er ikke sendt ennå.")]
            if minutes is None
            else [
                Paragraph(f"Sendt {D(minutes['at'])} til:"),
                _people_table(_people(view, minutes["recipients"], erased), "mottakere"),
            ],
        ),
    ]
    made_at = _moment(minutes["at"] if minutes else held["at"])
    return _render(view, minutes_title(meeting, name), sections, made_at, "")


# ------------------------------------------------------- closing letter
def closing_title(closure: dict[str, Any]) -> str:
    if closure["agreed_by_subject"]:
        return "Avslutningsbrev: koordineringen avsluttes"
    return "Opphørsbrev: koordineringen avsluttes"


def render_closing_letter_pdf(view: dict[str, Any]) -> bytes:
    """The closing letter: the reason and the assessment behind it, and either the subject's
    agreement (avslutningsbrev) or KE's notice that coordination ends without it (opphørsbrev).
    Dated by the closing."""
    erased = bool(view.get("erased"))
    closed = S.closing(view, erased)
    closure = closed["closure"]
    if closure is None:
        raise KeyError("the case is not closed")
    person = S.subject(view, erased)
    provisions = L.words(V.PROVISIONS, view.get("requested")) or "koordinering"
    if closure["agreed_by_subject"]:
        opening = (
            f"Koordineringen i saken din ({provisions}) ble avsluttet {D(closure['at'])} etter avtale med deg. "
            "Dette brevet bekrefter avslutningen."
        )
    else:
        opening = (
            f"Koordinerende enhet har avsluttet koordineringen i saken din ({provisions}) fra {D(closure['at'])}. "
            "Avslutningen skjer uten at du har sagt deg enig i den; dette brevet er kommunens melding om opphør."
        )
    coordinator = (view.get("coordinator_history") or [{}])[-1]
    exports = closed["exports"]
    sections: list[tuple[str, list[Block]]] = [
        ("Avslutning", [Paragraph(opening)]),
        (
            "Grunnlaget for avslutningen",
            [
                Pairs(
                    [
                        ("Til", text(person["name"])),
                        ("Saken åpnet", D(view.get("opened_at"))),
                        ("Avsluttet", D(closure["at"])),
                        ("Grunn", text(closure["reason"])),
                        ("Enig i avslutningen", L.yes_no(closure["agreed_by_subject"])),
                        ("Opphørsbrev sendt", L.yes_no(closure["termination_letter_sent"])),
                        ("Siste koordinator", text(S.personal(coordinator.get("name"), erased))),
                        ("Enhet", text(coordinator.get("unit"))),
                    ]
                ),
                Paragraph("Vurdering:", "bold"),
                Paragraph(text(closure["assessment"])),
            ],
        ),
        (
            "Planen",
            [
                Paragraph(
                    "Hele planen er tatt ut og arkivert: "
                    + "; ".join(f"{D(e['at'])} ({e['format']}, sha256 {e['sha256']})" for e in exports)
                    + "."
                    if exports
                    else "Planen er ikke tatt ut ennå."
                )
            ],
        ),
        (
            "Spørsmål",
            [
                Paragraph(
                    "Ta kontakt med koordinerende enhet dersom du har spørsmål, "
                    "eller dersom behovet for koordinering endrer seg."
                )
            ],
        ),
    ]
    return _render(view, closing_title(closure), sections, _moment(closure["at"]), f"fra {KE_NAME}")


def _render(
    view: dict[str, Any], title: str, sections: list[tuple[str, list[Block]]], made_at: datetime, sender: str
) -> bytes:
    municipality = _municipality(view)
    intro = [
        f"{municipality} ({view.get('municipality', '')}){', ' + sender if sender else ''}",
        f"Sak {view.get('case_id', '')}",
        f"Dato {D(made_at.isoformat())}",
    ]
    footer = f"{title}, sak {view.get('case_id', '')}"
    return render_document(title, intro, sections, made_at, footer, author=municipality)
