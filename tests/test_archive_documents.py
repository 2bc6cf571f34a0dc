"""Documents fit for the municipality's archive: the compliance report, the
plan export, the decision letter, the minutes of a meeting and the closing
letter are PDF/A-2 (checked in the file's structure and with qpdf), in
bokmål with æ, ø and å extractable, and the same events give the same bytes."""

from __future__ import annotations

import hashlib

import pytest

from audit.report import render_plan_pdf
from audit.report.labels import REPORT_TITLE
from audit.report.pdfa import SRGB_PROFILE_SHA256, srgb_profile
from audit.report.records import (
    closing_title,
    decision_title,
    minutes_title,
    render_closing_letter_pdf,
    render_decision_pdf,
    render_minutes_pdf,
)
from projections.case_view import fold
from tests.support.archive import (
    CLOSING_ASSESSMENT,
    CLOSING_REASON,
    DECISION_OF_MEETING,
    assert_pdfa,
    closed_case,
    text_of,
    view_of,
)
from tests.support.cases import ke
from tests.support.story import SELBU


def test_the_srgb_profile_is_the_same_bytes_on_every_run():
    """The output intent's profile is generated at run time; a library that writes another one fails here
    (every archived document's digest would change) instead of passing unnoticed."""
    assert hashlib.sha256(srgb_profile()).hexdigest() == SRGB_PROFILE_SHA256


def test_the_decision_letter_is_pdfa_in_bokmal(ledger):
    """Outcome, what it concerns, legal basis, reasons and the right to complain, with æøå."""
    story, _ = closed_case(ledger)
    view = view_of(story)
    decision = view["decisions"][0]
    document = render_decision_pdf(view, decision["decision_id"])
    assert_pdfa(document, decision_title(decision))
    text = text_of(document)
    for expected in (
        "Vedtak om koordinator, individuell plan",
        "Innvilget",
        "hol. §§ 7-1, 7-2",
        "Åse Ødegård",
        "Klagerett",
        "Statsforvalteren",
        "Selbu kommune",
    ):
        assert expected in text, expected
    assert story.national_id not in text  # the case id ties the letter to the record, not the person's number


def test_the_minutes_of_a_meeting_are_pdfa_in_bokmal(ledger):
    """Time, attendees, absences, the subject's voice, decisions, next meeting, recipients and when sent."""
    story, meeting_id = closed_case(ledger)
    view = view_of(story)
    document = render_minutes_pdf(view, story.events(), str(meeting_id))
    assert_pdfa(document, minutes_title(view["meetings"][str(meeting_id)]))
    text = text_of(document)
    for expected in (
        "Referat fra møte i ansvarsgruppe 10.02.2026",
        "Til stede",
        "NAV Ansatt",
        "fastlege Ansatt",
        "Fravær",
        "skole Ansatt",
        "Referent",
        "Kåre Koordinator",
        "Åse fortalte først om uka",
        DECISION_OF_MEETING,
        "12.05.2026",
        "Sendt 12.02.2026 til:",
        "Hvordan går det på skolen?",
    ):
        assert expected in text, expected
    assert {"æ", "ø", "å"} <= set(text)


def test_a_closing_letter_with_the_subjects_agreement_is_an_avslutningsbrev(ledger):
    """Reason, assessment and the agreement; dated by the closing."""
    story, _ = closed_case(ledger)
    view = view_of(story)
    document = render_closing_letter_pdf(view)
    assert_pdfa(document, closing_title(view["closure"]))
    text = text_of(document)
    assert "Avslutningsbrev" in text and "etter avtale med deg" in text
    for expected in (CLOSING_REASON, CLOSING_ASSESSMENT.split(";")[0], "01.09.2026"):
        assert expected in " ".join(text.split()), expected


def test_a_closing_without_agreement_is_kes_termination_letter(ledger):
    """Opphørsbrev: KE ends the coordination without the subject's agreement."""
    story, _ = closed_case(ledger, agreed=False)
    view = view_of(story)
    document = render_closing_letter_pdf(view)
    assert_pdfa(document, "Opphørsbrev: koordineringen avsluttes")
    assert "uten at du har sagt deg enig" in " ".join(text_of(document).split())


def test_the_plan_export_is_pdfa(ledger):
    story, _ = closed_case(ledger)
    events = story.events()
    document = render_plan_pdf(fold(events), "5032", story.case_id, events)
    assert_pdfa(document, "Individuell plan")
    assert "Åse Ødegård" in text_of(document)


def test_the_compliance_report_is_pdfa(ledger):
    story, _ = closed_case(ledger)
    document = ledger.reads.cases.issue_report(ke(SELBU), story.case_id, "pdf").document
    assert_pdfa(document, REPORT_TITLE)
    assert {"æ", "ø", "å"} <= set(text_of(document))


def test_the_same_events_give_the_same_documents(ledger, clock):
    """Dated by the events they record, never the clock: the archive's copy can be rendered again."""
    story, meeting_id = closed_case(ledger)
    view, events = view_of(story), story.events()
    first = (render_minutes_pdf(view, events, str(meeting_id)), render_closing_letter_pdf(view))
    clock.advance(days=30)
    assert (render_minutes_pdf(view, events, str(meeting_id)), render_closing_letter_pdf(view)) == first


def test_an_unknown_meeting_or_an_open_case_has_no_such_document(ledger):
    story, _ = closed_case(ledger)
    view = view_of(story)
    with pytest.raises(KeyError):
        render_minutes_pdf(view, story.events(), "00000000-0000-0000-0000-000000000000")
    with pytest.raises(KeyError):
        render_closing_letter_pdf({**view, "closure": None})
