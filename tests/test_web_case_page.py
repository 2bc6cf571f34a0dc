"""The case page (issue #9, screens 2, 5 and 7): `/saker/{case_id}` shows what the read service
answers the signed-in person, section by section, on the worked case of Søndre Land (scenario 1)
and on cases built here; the case as it stood (`as_of`) and as it was known (`known_at`); bad
dates as a Norwegian message; a team member before consent, with it and after its withdrawal;
another municipality; the supervisor after a complaint; the downloads; and every read of the
page and its downloads in the case's access log. Storage matters (the read, the access log), so
the page runs on both stores."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from commands.case_commands import GrantConsent, WithdrawConsent
from commands.plan_commands import EstablishPlan, ExportPlan, ReceiveComplaint, SetGoal
from demo.scenarios import SCENARIO_1, Told
from ledger.values import InfoCategory, LifeArea, PlanTool, Provision, Role, WithdrawalScope
from tests.support.cases import Fixture, actor, coordinator, ke, running_case, subject_consent
from tests.support.clock import FakeClock
from tests.support.forms import Site, form_site
from tests.support.scenarios import CASTS, tell
from tests.support.stores import database_url

NAV = actor(Role.SERVICE_PROVIDER, id="nav-1", name="Nina NAV", service="NAV")
SUPERVISOR = actor(Role.SUPERVISOR, id="sf-1", name="Siv Statsforvalter")
AUDITOR = actor(Role.KE_CASEWORKER, id="ke-revisjon", name="Rita Revisjon")
CAST = CASTS[SCENARIO_1.title]


@pytest.fixture
def site(db_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Site]:
    with form_site(db_url, tmp_path, clock) as s:
        yield s


@pytest.fixture
def sqlite_site(tmp_path: Path, clock: FakeClock, request: pytest.FixtureRequest) -> Iterator[Site]:
    with form_site(database_url("sqlite", tmp_path, request), tmp_path, clock) as s:
        yield s


def section(page: str, heading_id: str) -> str:
    """The text of the section a heading id names (up to the next section)."""
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', page, re.S)
    assert match, f"the page has no section {heading_id}"
    return text(match.group(0))


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").split())


def scenario(site: Site) -> Told:
    return tell(site.ledger, SCENARIO_1)


def access_parts(site: Site, case_id: object, who: str) -> list[list[str]]:
    """The parts of each read by `who`, as another caseworker of the municipality reads the log."""
    entries = site.ledger.reads.cases.access_log(AUDITOR, case_id)  # type: ignore[arg-type]
    return [e["parts"] for e in entries if e["who"] == who]


# ----------------------------------------------------------- every section
def test_the_coordinating_unit_sees_every_section_of_the_worked_case(site: Site) -> None:
    told = scenario(site)
    site.sign_in(CAST.ke)
    page = site.page(f"/saker/{told.case_id}")
    assert page.status_code == 200, page.text
    html = page.text
    assert html.count("<h1") == 1 and "Sak for Per Testesen" in html
    assert (
        page.headers["cache-control"] == "no-store" and "script-src 'self'" in page.headers["content-security-policy"]
    )

    summary = section(html, "oversikt")
    assert "Per Testesen" in summary and "Fødselsnummer" in summary and "Åpen" in summary
    assert "Kåre Koordinator (koordinator)" in summary and "Psykisk helse og rus" in summary
    assert "Opprettet 06.01.2026" in summary and "Innvilget" in summary

    checks = section(html, "kontroller")
    assert "Brudd: 2" in checks and checks.count("CHK-") == 20
    chk01 = re.search(r'<li class="app-check" id="kontroll-chk-01" data-status="breach">(.*?)</li>', html, re.S)
    assert chk01, "CHK-01 is a breach in Søndre Land (28 days; the profile allows 14)"
    assert "28 dager etter forespørselen" in text(chk01.group(1)) and "Frist: 29.01.2026" in text(chk01.group(1))
    evidence = re.findall(r'href="#(hendelse-\d+)"', chk01.group(1))
    assert evidence == ["hendelse-3", "hendelse-4"]
    for anchor in set(re.findall(r'href="#(hendelse-\d+)"', html)):
        assert f'id="{anchor}"' in html, f"evidence link #{anchor} leads nowhere"

    timeline = section(html, "tidslinje")
    events = site.ledger.app.case_events(told.case_id)
    assert html.count('<tr id="hendelse-') == len(events) == 17
    # Told today about what happened since January: every event is a late recording, and says so.
    assert (
        f"{len(events)} av dem registrert mer enn 7 dager" in timeline
        and "Etterregistrert, 320 dager senere" in timeline
    )
    assert "Sak opprettet (henvisning mottatt) 06.01.2026 kl. 11:00 22.11.2026" in timeline
    assert "Lise Leder, enhetsleder" in timeline

    people = section(html, "personer")
    assert "Kåre Koordinator Psykisk helse og rus koordinator 12.02.2026" in people
    assert "Nina NAV NAV veileder 20.02.2026" in people and "Dr. Berg fastlege" in people
    assert "I kraft" in people and "Gitt av brukeren selv (Per Testesen) 20.02.2026" in people

    plan = section(html, "plan")
    assert "Planen føres som referat, etablert 16.03.2026" in plan
    assert "Barnehage/skole/arbeid/dagtilbud Jeg vil ha en fast jobb innen ett år" in plan
    assert "Evaluert 25.08.2026: delvis nådd" in plan

    meetings = section(html, "moter")
    assert "sendt 09.03.2026 (7 dager før møtet)" in meetings and "sendt 20.03.2026 (4 dager etter møtet)" in meetings

    documents = section(html, "dokumenter")
    assert "Last ned rapporten som PDF" in documents and "Hvor i kommunens arkiv" in documents
    assert f'href="/saker/{told.case_id}/rapport.pdf"' in html
    assert "Varsler" in section(html, "varsler")
    assert "Kari Saksbehandler" in section(html, "tilgangslogg")
    assert 'id="handlinger"' in html  # the forms block


def test_every_read_of_the_page_is_in_the_access_log_with_the_parts_it_showed(site: Site) -> None:
    told = scenario(site)
    site.sign_in(CAST.ke)
    assert site.page(f"/saker/{told.case_id}").status_code == 200
    every = ["case", "history", "compliance", "access_log", "notifications", "archive_steps"]
    assert access_parts(site, told.case_id, CAST.ke.id) == [every]

    site.sign_in(CAST.coordinator)
    assert site.page(f"/saker/{told.case_id}?as_of=2026-03-01").status_code == 200
    assert access_parts(site, told.case_id, CAST.coordinator.id) == [
        ["case", "history", "compliance", "notifications", "archive_steps"]
    ]
    # The coordinator's page shows no access log (the policy gives it to KE, the person and Statsforvalteren).
    page = site.page(f"/saker/{told.case_id}").text
    assert 'id="tilgangslogg"' not in page and 'id="varsler"' in page and 'id="kontroller"' in page


def test_the_person_sees_who_has_read_their_case_and_no_checks(site: Site) -> None:
    told = scenario(site)
    site.sign_in(CAST.ke)
    site.page(f"/saker/{told.case_id}")
    person = actor(Role.CITIZEN, id="innbygger-1", name="Per Testesen", pid=CAST.subject.national_id)
    site.sign_in(person)
    page = site.page(f"/saker/{told.case_id}")
    assert page.status_code == 200
    log = section(page.text, "tilgangslogg")
    assert "Kari Saksbehandler saksbehandler i koordinerende enhet" in log
    assert 'id="kontroller"' not in page.text and 'id="varsler"' not in page.text and "rapport.pdf" not in page.text
    assert 'id="tidslinje"' in page.text


# --------------------------------------------------------- the case in time
def test_as_it_stood_shows_only_what_had_happened_with_a_banner_and_no_forms(sqlite_site: Site) -> None:
    site = sqlite_site
    told = scenario(site)
    site.sign_in(CAST.ke)
    page = site.page(f"/saker/{told.case_id}?as_of=2026-02-01")
    assert page.status_code == 200
    html = page.text
    assert "Du ser saken slik den sto 01.02.2026 kl. 23:59" in text(html)
    assert html.count('<tr id="hendelse-') == 3  # opened, decided, a coordinator requested
    assert "Kåre Koordinator" not in section(html, "oversikt") and "Samtykker" not in section(html, "personer")
    assert 'id="handlinger"' not in html and "Skjemaene vises bare" in html
    # The checks are judged on that day: CHK-01's deadline (29.01) had passed with no coordinator.
    chk01 = re.search(r'id="kontroll-chk-01" data-status="(\w+)"', html)
    assert chk01 and chk01.group(1) == "breach"
    assert 'value="2026-02-01"' in html and f'href="/saker/{told.case_id}"' in html


def test_as_it_was_known_shows_only_what_had_been_recorded(sqlite_site: Site, clock: FakeClock) -> None:
    site = sqlite_site
    clock.set(datetime(2026, 11, 1, 12, tzinfo=UTC))
    fx = running_case(site.ledger, occurred_at=datetime(2026, 10, 1, 9, tzinfo=UTC))
    clock.set(datetime(2026, 11, 20, 12, tzinfo=UTC))
    run = {"actor": coordinator(), "case_id": fx.case_id}
    site.ledger.app.handle(
        EstablishPlan(**run, tool=PlanTool.INDIVIDUAL_PLAN, occurred_at=clock.now - timedelta(days=25))
    )
    clock.set(datetime(2026, 11, 22, 12, tzinfo=UTC))
    site.sign_in(ke())
    known = site.page(f"/saker/{fx.case_id}?known_at=2026-11-10").text
    assert "Du ser saken slik den var kjent 10.11.2026" in text(known)
    recorded = len(site.ledger.app.case_events(fx.case_id))
    assert "Ingen plan er etablert" in known and known.count('<tr id="hendelse-') == recorded - 1
    stood = site.page(f"/saker/{fx.case_id}?as_of=2026-11-10").text
    # Recorded late, it happened before the 10th: the case as it stood then has the plan.
    assert "Planen føres som individuell plan" in stood and stood.count('<tr id="hendelse-') == recorded


@pytest.mark.parametrize(
    "query", ["as_of=2026-13-45", "as_of=i+går", "known_at=01.05.2026", "as_of=2026-05-01&known_at=0000-00-00"]
)
def test_a_date_that_is_no_date_is_a_norwegian_message_next_to_the_field(sqlite_site: Site, query: str) -> None:
    site = sqlite_site
    fx = running_case(site.ledger)
    site.sign_in(ke())
    page = site.page(f"/saker/{fx.case_id}?{query}")
    assert page.status_code == 400
    assert "Datoen kunne ikke leses" in page.text and "Skriv en gyldig dato" in page.text
    assert 'aria-invalid="true"' in page.text and page.text.count("<h1") == 1
    assert 'id="fortid"' not in page.text  # shown as it is now, not as a half-read past


def test_an_overlong_date_is_refused_as_a_page(sqlite_site: Site) -> None:
    site = sqlite_site
    fx = running_case(site.ledger)
    site.sign_in(ke())
    page = site.page(f"/saker/{fx.case_id}?as_of={'9' * 80}")
    assert page.status_code == 400 and "Skjemaet var ikke fullstendig" in page.text


# ------------------------------------------------------- who may see what
def nav_case(site: Site) -> Fixture:
    fx = running_case(site.ledger)
    run = {"actor": coordinator(), "case_id": fx.case_id}
    site.ledger.app.handle(EstablishPlan(**run, tool=PlanTool.INDIVIDUAL_PLAN))
    for text_, area in (("Fast jobb", LifeArea.EDUCATION_WORK), ("Bedre søvn", LifeArea.HEALTH)):
        site.ledger.app.handle(
            SetGoal(**run, text=text_, life_area=area, responsible_service="NAV", evaluate_by=date(2027, 3, 1))
        )
    return fx


def test_a_team_member_sees_only_what_a_consent_in_force_covers_and_is_told_when_it_ends(
    site: Site, clock: FakeClock
) -> None:
    fx = nav_case(site)
    site.sign_in(NAV)
    before = site.page(f"/saker/{fx.case_id}")
    assert before.status_code == 403 and "Ingen samtykke i kraft gir deg tilgang" in before.text

    consent: GrantConsent = subject_consent(fx, (InfoCategory.WORK,))
    consent_id = site.ledger.app.handle(consent).created["consent_id"]
    page = site.page(f"/saker/{fx.case_id}")
    assert page.status_code == 200
    html = page.text
    assert "Fast jobb" in html and "Bedre søvn" not in html
    assert "Du ser bare det samtykket i kraft gir deg tilgang til: arbeid" in text(html)
    assert "Fødselsnummer" not in html and fx.subject_id not in html  # type: ignore[operator]
    for part in ('id="tidslinje"', 'id="kontroller"', 'id="tilgangslogg"', 'id="varsler"', "rapport.pdf"):
        assert part not in html
    assert access_parts(site, fx.case_id, NAV.id) == [["case"]]
    assert site.page(f"/saker/{fx.case_id}/rapport.pdf").status_code == 403

    clock.advance(days=3)
    site.ledger.app.handle(
        WithdrawConsent(actor=coordinator(), case_id=fx.case_id, consent_id=consent_id, scope=WithdrawalScope.ALL)
    )
    site.sign_in(NAV)  # a new session: three days is past the idle time-out
    after = site.page(f"/saker/{fx.case_id}")
    assert after.status_code == 403
    assert "Tilgangen din til saken er avsluttet" in after.text and "trukket tilbake" in after.text
    assert "Fast jobb" not in after.text


def test_another_municipality_finds_no_such_case(sqlite_site: Site) -> None:
    site = sqlite_site
    fx = running_case(site.ledger)
    site.sign_in(ke("5032"))
    page = site.page(f"/saker/{fx.case_id}")
    assert page.status_code == 404 and "Ingen slik sak i din kommune" in page.text and "Ola Nordmann" not in page.text
    assert site.page(f"/saker/{fx.case_id}/rapport.html").status_code == 404


def test_the_supervisor_reads_the_case_after_a_complaint(site: Site) -> None:
    fx = running_case(site.ledger)
    site.sign_in(SUPERVISOR)
    refused = site.page(f"/saker/{fx.case_id}")
    assert refused.status_code == 403 and "klage er registrert" in refused.text
    site.ledger.app.handle(ReceiveComplaint(actor=ke(), case_id=fx.case_id, concerns=(Provision.INDIVIDUAL_PLAN,)))
    page = site.page(f"/saker/{fx.case_id}")
    assert page.status_code == 200
    complaints = section(page.text, "klager")
    assert "Klage på individuell plan, mottatt 22.11.2026" in complaints and "Ikke oversendt" in complaints
    for part in ('id="kontroller"', 'id="tidslinje"', 'id="tilgangslogg"', "rapport.pdf"):
        assert part in page.text
    assert 'id="varsler"' not in page.text


# ---------------------------------------------------------------- downloads
def test_the_report_and_the_plan_export_are_downloads_logged_with_their_digest(site: Site) -> None:
    fx = running_case(site.ledger)
    export_id = site.ledger.app.handle(ExportPlan(actor=coordinator(), case_id=fx.case_id, format="json")).created[
        "export_id"
    ]
    site.sign_in(ke())
    page = site.page(f"/saker/{fx.case_id}").text
    assert f'href="/saker/{fx.case_id}/eksporter/{export_id}"' in page

    pdf = site.page(f"/saker/{fx.case_id}/rapport.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == f'attachment; filename="samsvarsrapport-{fx.case_id}.pdf"'
    report = site.page(f"/saker/{fx.case_id}/rapport.html")
    assert report.status_code == 200 and "Samsvarsrapport til Statsforvalteren" in report.text
    assert report.headers["content-disposition"].startswith("attachment;")
    assert report.headers["content-security-policy"].endswith("; sandbox")
    plan = site.page(f"/saker/{fx.case_id}/eksporter/{export_id}")
    assert plan.status_code == 200 and plan.headers["content-type"] == "application/json"
    assert json.loads(plan.content) and plan.headers["content-disposition"].endswith('.json"')
    assert site.page(f"/saker/{fx.case_id}/rapport.docx").status_code == 404

    entries = site.ledger.reads.cases.access_log(AUDITOR, fx.case_id)
    issued = [e["issued"] for e in entries if "issued" in e]
    assert issued == [
        {"format": "pdf", "sha256": hashlib.sha256(pdf.content).hexdigest()},
        {"format": "html", "sha256": hashlib.sha256(report.content).hexdigest()},
    ]
    assert ["exports"] in [e["parts"] for e in entries]
