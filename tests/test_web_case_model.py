"""The case page's view model (web/case_model.py): pure functions from the read service's answer to
what the templates show. Norwegian words and dates; a team member's smaller view shows less and
does not fail; the timeline paged, with each check's evidence linked to the page that holds it."""

from __future__ import annotations

from typing import Any

from web import case_model as M


def event(version: int, late: bool = False) -> dict[str, Any]:
    return {
        "version": version,
        "type_text": "Møte holdt",
        "occurred_at": "2026-03-16T10:00:00+00:00",
        "recorded_at": "2026-03-30T10:00:00+00:00",
        "recorded_by": {
            "id": "koord-1",
            "role": "coordinator",
            "role_text": "koordinator",
            "name": "Kåre",
            "service": None,
        },
        "late": late,
        "days_late": 14 if late else 0,
    }


def data(events: int, evidence: tuple[int, ...] = ()) -> dict[str, Any]:
    items = [event(v, late=v % 2 == 0) for v in range(1, events + 1)]
    check = {
        "rule": "CHK-01",
        "status": "breach",
        "detail": "For sent.",
        "deadline": "2026-01-29",
        "evidence": evidence,
    }
    return {
        "timeline": {
            "events": items,
            "late_versions": [i["version"] for i in items if i["late"]],
            "late_after_days": 7,
        },
        "compliance": {"items": [check], "counts": {"breach": 1}},
    }


def test_a_short_timeline_is_one_page_and_evidence_links_stay_on_it() -> None:
    d = data(17, evidence=(3, 4))
    pages = M.timeline_pages(d, None, "")
    assert (pages.page, pages.count) == (1, 1)
    rows = M.timeline(d, pages)
    assert [r["anchor"] for r in rows][:2] == ["hendelse-1", "hendelse-2"] and len(rows) == 17
    assert rows[0]["occurred"] == "16.03.2026 kl. 11:00" and rows[0]["who"] == "Kåre, koordinator"
    [check] = M.checks(d, pages)
    assert [e["href"] for e in check["evidence"]] == ["#hendelse-3", "#hendelse-4"]
    assert check["evidence"][0]["text"] == "Hendelse 3: Møte holdt"
    assert check["status_text"] == "Brudd" and check["deadline"] == "29.01.2026"
    assert M.late_count(d) == 8


def test_a_long_timeline_opens_on_its_newest_page_and_evidence_leads_to_its_own_page() -> None:
    d = data(1000, evidence=(3, 950))
    pages = M.timeline_pages(d, None, "as_of=2026-05-01")
    assert (pages.page, pages.count) == (10, 10)
    assert [r["version"] for r in M.timeline(d, pages)][0] == 901
    [check] = M.checks(d, pages)
    assert [e["href"] for e in check["evidence"]] == ["?as_of=2026-05-01&tidslinje=1#hendelse-3", "#hendelse-950"]
    # A page out of range is the newest page, not an error.
    assert M.timeline_pages(d, 11, "").page == 10 and M.timeline_pages(d, 2, "").page == 2
    assert M.timeline_pages(d, 2, "").href(3) == "?tidslinje=3#tidslinje"


def test_the_summary_shows_what_the_view_holds_in_norwegian() -> None:
    full = {
        "subject": {"name": "Per Testesen", "national_id": "02047900770", "birth_date": None},
        "status": "open",
        "requested": ["coordinator", "individual_plan"],
        "coordinator": {"name": "Kåre Koordinator", "kind": "coordinator", "unit": "Psykisk helse og rus"},
        "opened_at": "2026-01-06T10:00:00+00:00",
        "version": 17,
    }
    rows = dict(M.summary(full))
    assert rows["Status"] == "Åpen" and rows["Ønsket"] == "koordinator, individuell plan"
    assert rows["Koordinator"] == "Kåre Koordinator (koordinator)" and rows["Opprettet"] == "06.01.2026"
    # A team member's view: no national id, nothing about the person beyond the name; nothing fails.
    member = {"subject": {"name": "Per Testesen"}, "status": "open", "coordinator": None, "version": 17}
    assert dict(M.summary(member)).keys() == {"Navn", "Status", "Versjon"}
    assert M.consents(member) == [] and M.goals_by_area(member) == [] and M.meetings(member) == []


def test_meetings_say_how_long_before_the_agenda_and_after_the_minutes_went_out() -> None:
    view = {
        "meetings": {
            "m1": {
                "meeting_id": "m1",
                "scheduled_for": "2026-03-16T10:00:00+00:00",
                "agenda": {"at": "2026-03-09T10:00:00+00:00", "items": ["Mål"]},
                "held": {"at": "2026-03-16T10:00:00+00:00", "subject_voice": "Han snakket først."},
                "minutes": {"at": "2026-03-20T10:00:00+00:00"},
                "cancelled": None,
            },
            # A team member's view of a meeting: when, and whether it was held.
            "m2": {"meeting_id": "m2", "scheduled_for": "2026-12-10T09:00:00+00:00", "held": False},
        }
    }
    first, second = M.meetings(view)
    assert first["agenda"] == "sendt 09.03.2026 (7 dager før møtet)"
    assert first["minutes"] == "sendt 20.03.2026 (4 dager etter møtet)"
    assert second["agenda"] == "ikke sendt" and second["held"] == "" and second["minutes"] == ""


def test_consents_goals_and_notifications_read_in_norwegian() -> None:
    view = {
        "participants": {"p1": {"participant_id": "p1", "name": "Nina NAV", "service": "NAV"}},
        "consents": {
            "c1": {
                "consent_id": "c1",
                "status": "withdrawn",
                "given_by_role": "subject",
                "signers": [{"name": "Per"}],
                "participants": ["p1"],
                "services": [],
                "categories": ["work"],
                "granted_at": "2026-02-20T10:00:00+00:00",
                "valid_until": None,
                "withdrawals": [
                    {"scope": "all", "participants": [], "categories": [], "at": "2026-05-01T10:00:00+00:00"}
                ],
            }
        },
        "goals": {
            "g1": {
                "goal_id": "g1",
                "text": "Fast jobb",
                "life_area": "education_work",
                "evaluations": [],
                "activities": {},
            }
        },
    }
    [consent] = M.consents(view)
    assert consent["status_text"] == "trukket tilbake" and consent["covers"] == "Nina NAV"
    assert consent["categories"] == "arbeid" and consent["withdrawals"][0].startswith("01.05.2026: ")
    [area] = M.goals_by_area(view)
    assert area["area"] == "barnehage/skole/arbeid/dagtilbud" and area["goals"][0]["anchor"] == "mal-g1"
    note = {"decided_at": "2026-09-17T06:00:00+00:00", "rule": "CHK-08", "stage": "overdue", "deliveries": []}
    [row] = M.notifications([{**note, "content": {"task": "review_team", "deadline": "2026-09-16"}}])
    assert row["what"] == "Evaluere teamets arbeid" and row["stage"] == "fristen er passert"
    assert M.stage_text("before:1") == "1 dag før fristen" and M.stage_text("before:7") == "7 dager før fristen"
