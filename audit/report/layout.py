"""The compliance report laid out as blocks, section by section in the
report's reading order (`model.HEADINGS`)."""

from __future__ import annotations

from typing import Any

from audit.report import labels as L
from audit.report.blocks import (
    Block,
    D,
    Heading,
    M,
    Pairs,
    Paragraph,
    Table,
    consent_blocks,
    coordinator_blocks,
    goal_blocks,
    meeting_blocks,
    none,
    review_blocks,
    subject_rows,
    team_blocks,
    text,
)


def intro_lines(report: dict[str, Any]) -> list[str]:
    case = report["case"]
    return [
        f"Sak {report['case_id']}",
        f"{case['municipality_name']} kommune ({case['municipality']}), rutiner: {case['profile_name']}",
        f"Laget {M(report['generated_at'])}, fra {case['version']} hendelser i protokollen",
    ]


def report_blocks(report: dict[str, Any]) -> list[tuple[str, list[Block]]]:
    """(heading, blocks) for each section, in the report's order."""
    build = {
        "case": _case,
        "checks": _checks,
        "decisions": _decisions,
        "complaints": _complaints,
        "archive": _archive,
        "access_log": _access,
        "integrity": _integrity,
        "timeline": _timeline,
        "coordinators": lambda r: coordinator_blocks(r["coordinators"]) + _requests(r["coordinators"]),
        "consents": lambda r: consent_blocks(r["consents"]),
        "team": lambda r: team_blocks(r["team"]),
        "meetings": lambda r: meeting_blocks(r["meetings"]),
        "goals": lambda r: goal_blocks(r["goals"]) + review_blocks(r["goals"]),
    }
    return [(heading, build[key](report)) for key, heading in report["headings"].items()]


def _case(r: dict[str, Any]) -> list[Block]:
    c = r["case"]
    closure = c["closure"] or {}
    rows = [
        *subject_rows(c),
        ("Status", c["status_text"]),
        ("Opprettet", D(c["opened_at"])),
        ("Henvist av", c["referred_by_text"]),
        ("Etterspurt", c["requested_text"]),
        ("Avsluttet", D(closure.get("at"))),
        ("Grunn", text(closure.get("reason"))),
        ("Vurdering", text(closure.get("assessment"))),
        ("Eksportert", "; ".join(f"{D(e['at'])} ({e['format']}, sha256 {e['sha256']})" for e in c["exports"])),
    ]
    out: list[Block] = [Pairs(rows)]
    if c["erased"]:
        out.append(
            Paragraph(
                "Personopplysningene i saken er slettet (nøkkelen er destruert). Felt merket "
                f"{L.ERASED_TEXT} kan ikke lenger leses; hendelsene og bevisene står.",
                "breach",
            )
        )
    return out


def _checks(r: dict[str, Any]) -> list[Block]:
    counts = r["checks"]["counts"]
    out: list[Block] = [Paragraph(", ".join(f"{L.CHECK_STATUS[s]}: {n}" for s, n in counts.items()))]
    for c in r["checks"]["items"]:
        rows = [("Frist", D(c["deadline"])), ("Bevis (hendelse nr.)", ", ".join(str(v) for v in c["evidence"]))]
        if c["status"] in ("breach", "pending") or c["reminders"]:
            rows.append(("Påminnet", c["reminded_text"]))
        out += [
            Heading(f"{c['rule']} {c['title']}: {c['status_text']}", 2, c["status"]),
            Paragraph(c["detail"]),
            Pairs(rows),
        ]
    return out


def _decisions(r: dict[str, Any]) -> list[Block]:
    if not r["decisions"]:
        return [none("vedtak")]
    rows = []
    for d in r["decisions"]:
        law = d["complaint_deadline_weeks_by_law"]
        stated = f"{d['complaint_deadline_weeks']} uker" if d["complaint_deadline_weeks"] else "ikke oppgitt"
        deadline = f"{stated}; loven gir {' eller '.join(map(str, law))} uker" if law else stated
        if d["complaint_deadline"]:
            deadline += f"; frist {D(d['complaint_deadline'])}"
        rows.append(
            [
                D(d["decided_at"]),
                d["outcome_text"],
                d["concerns_text"],
                d["legal_basis"],
                text(d["reasons"]),
                f"{deadline}; klagerett opplyst: {L.yes_no(d['complaint_information_given'])}",
            ]
        )
    return [
        Table(["Dato", "Utfall", "Gjelder", "Hjemmel", "Begrunnelse", "Klagefrist"], [20, 20, 28, 30, 42, 40], rows)
    ]


def _requests(c: dict[str, Any]) -> list[Block]:
    out: list[Block] = []
    if c["requests"]:
        out.append(
            Table(
                ["Forespurt", "Enhet", "Enhetsleder"],
                [30, 90, 60],
                [[D(q["requested_at"]), q["unit"], q["unit_leader_id"]] for q in c["requests"]],
            )
        )
    if c["training"]:
        out.append(
            Table(
                ["Opplæring fullført", "Kurs", "Koordinator"],
                [34, 96, 50],
                [[D(t["at"]), t["course"], t["person_id"]] for t in c["training"]],
            )
        )
    return out


def _complaints(r: dict[str, Any]) -> list[Block]:
    if not r["complaints"]:
        return [none("klager")]
    return [
        Table(
            ["Mottatt", "Gjelder", "Oversendt Statsforvalteren (rapportens sha256)", "Avgjørelser"],
            [24, 40, 56, 60],
            [
                [
                    D(c["received_at"]),
                    c["concerns_text"],
                    f"{D(c['forwarded_at'])} ({c['report_sha256']})" if c["forwarded_at"] else "nei",
                    "; ".join(f"{d['decided_by_text']}: {d['outcome_text']} ({D(d['at'])})" for d in c["decisions"]),
                ]
                for c in r["complaints"]
            ],
        )
    ]


def _archive(r: dict[str, Any]) -> list[Block]:
    a = r["archive"]
    if not a["items"]:
        return [Paragraph("Saken har ingen arkivverdige dokumenter ennå.")]
    return [
        Paragraph(f"{a['archived']} av {a['total']} arkivverdige dokumenter er arkivert i kommunens arkiv."),
        Table(
            ["Dokument", "Datert", "Status", "Saksnr.", "Journalpost", "Journalpostens systemID"],
            [46, 18, 30, 18, 22, 46],
            [
                [
                    i["title"],
                    D(i["made_at"]),
                    i["status_text"] + (f" ({i['error_id']})" if i["error_id"] else ""),
                    text(i["case_number"]),
                    _record_number(i),
                    text(i["record_system_id"]),
                ]
                for i in a["items"]
            ],
        ),
    ]


def _record_number(item: dict[str, Any]) -> str:
    """Journalpostnummer in the folder, and the year's sequence number as archives write it (2026/501)."""
    parts = []
    if item["record_number"] is not None:
        parts.append(f"nr. {item['record_number']}")
    if item["record_year"] and item["record_sequence"]:
        parts.append(f"{item['record_year']}/{item['record_sequence']}")
    return ", ".join(parts)


def _access(r: dict[str, Any]) -> list[Block]:
    a = r["access_log"]
    return [
        Pairs(
            [
                ("Antall lesinger", str(a["reads"])),
                ("Første lesing", M(a["first_read"])),
                ("Siste lesing", M(a["last_read"])),
                ("Loggens siste hash", text(a["chain_head"])),
            ]
        ),
        Table(
            ["Rolle", "Lesinger", "Ulike lesere"],
            [110, 35, 35],
            [[x["role_text"], str(x["reads"]), str(x["readers"])] for x in a["by_role"]],
        ),
        Table(["Del av saken", "Lesinger"], [110, 35], [[p["part_text"], str(p["reads"])] for p in a["parts"]]),
    ]


def _integrity(r: dict[str, Any]) -> list[Block]:
    i = r["integrity"]
    rows = [
        ("Hendelser kontrollert", str(i["events"])),
        ("Sakens siste hash", text(i["chain_head"])),
        ("Merkle-treets størrelse", str(i["tree_size"])),
        ("Merkle-rot nå", i["root"]),
    ]
    cp = i["checkpoint"]
    if cp and "tree_size" in cp:
        proof = cp.get("inclusion") or {}
        rows += [
            ("Kontrollpunkt", f"nr. {cp['id']}, signert {M(cp['time'])}, treets størrelse {cp['tree_size']}"),
            ("Kontrollpunktets rot", cp["root"]),
            ("Signatur (Ed25519)", cp["signature"]),
            ("Offentlig nøkkel", f"{cp['public_key']} (id {cp['key_id']})"),
            ("Signaturen er gyldig", L.yes_no(cp["signature_ok"])),
            ("Dekker hendelser", f"{cp['events_covered']} av {i['events']}"),
            (
                "Inklusjonsbevis",
                f"hendelse {proof['version']} (indeks {proof['log_index']}): {'gyldig' if proof['ok'] else 'UGYLDIG'}"
                if proof
                else "",
            ),
        ]
    return [Paragraph(i["summary"], "" if i["ok"] else "breach"), Pairs(rows), Paragraph(i["scope"])]


def _timeline(r: dict[str, Any]) -> list[Block]:
    t = r["timeline"]
    events = t["events"]
    rows = [
        [
            str(e["version"]),
            e["type_text"],
            M(e["occurred_at"]),
            M(e["recorded_at"]),
            f"{e['recorded_by']['id']} ({e['recorded_by']['role_text']})",
            f"{e['days_late']} d sent" if e["late"] else "",
        ]
        for e in events
    ]
    note = (
        f"Hendelser registrert mer enn {t['late_after_days']} dager etter at de skjedde er merket «sent»: "
        f"{len(t['late_versions'])} av {len(events)}."
    )
    return [
        Paragraph(note),
        Table(
            ["Nr.", "Hendelse", "Skjedde", "Registrert", "Registrert av", "Merknad"],
            [9, 48, 30, 30, 47, 16],
            rows,
            fixed=True,
            marked=[e["late"] for e in events],
        ),
    ]
