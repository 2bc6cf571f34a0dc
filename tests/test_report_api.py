"""GET /v1/cases/{id}/report?format=json|html|pdf: who may read it, what it
answers in each format, that the read is logged, and that it still renders
after erasure."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from ledger.values import Role
from tests.api_support import (  # noqa: F401
    Api,
    HttpCase,
    api,
    assert_problem,
    created,
    running_case,
)

MEDIA = {"json": "application/json", "html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def report(api: Api, case: HttpCase, role: Role = Role.KE_CASEWORKER, fmt: str | None = None, **claims):
    return api.get(f"{case.path}/report", role, params={"format": fmt} if fmt else None, **claims)


@pytest.mark.parametrize("fmt", ["json", "html", "pdf"])
def test_each_format_has_its_media_type_and_a_file_name(api: Api, fmt: str):
    case = running_case(api)
    response = report(api, case, fmt=fmt)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA[fmt]
    assert response.headers["content-disposition"] == f'inline; filename="samsvarsrapport-{case.case_id}.{fmt}"'
    assert response.content.startswith({"json": b"{", "html": b"<!DOCTYPE html>", "pdf": b"%PDF-"}[fmt])


def test_json_is_the_default_and_holds_every_section(api: Api):
    case = running_case(api)
    response = report(api, case)
    body = response.json()
    assert response.headers["content-type"] == "application/json"
    assert list(body["headings"]) == ["case", "checks", "decisions", "coordinators", "consents", "team", "meetings",
                                      "goals", "complaints", "access_log", "integrity", "timeline"]
    assert body["case_id"] == case.case_id and len(body["checks"]["items"]) == 20


def test_ke_reads_it_a_coordinator_does_not(api: Api):
    """The case's own coordinator runs the case but does not receive the report (INV-07)."""
    case = running_case(api)
    assert report(api, case).status_code == 200
    assert_problem(report(api, case, Role.COORDINATOR), 403, "INV-07")
    assert_problem(report(api, case, Role.SERVICE_PROVIDER), 403)


def test_statsforvalteren_reads_it_only_once_a_complaint_is_recorded(api: Api):
    case = running_case(api)
    assert_problem(report(api, case, Role.SUPERVISOR), 403, "INV-07")
    created(api.post(f"{case.path}/complaints", Role.KE_CASEWORKER, {"concerns": ["coordinator"]}))
    response = report(api, case, Role.SUPERVISOR, "pdf")
    assert response.status_code == 200
    assert "Klage mottatt" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def test_a_case_of_another_municipality_is_absent(api: Api):
    case = running_case(api)
    assert_problem(report(api, case, municipality="4647"), 404)
    assert_problem(report(api, case, Role.SUPERVISOR, municipality="4647"), 404)


def test_reading_the_report_writes_the_access_log_and_the_report_counts_itself(api: Api):
    case = running_case(api)
    before = len(api.access_log(case.case_id))
    body = report(api, case).json()
    after = api.access_log(case.case_id)
    assert len(after) == before + 1
    assert (after[-1]["who"], after[-1]["role"], after[-1]["parts"]) == ("ke-1", "ke_caseworker", ["report"])
    assert body["access_log"]["reads"] == before + 1
    assert body["access_log"]["last_read"] == after[-1]["at"]


@pytest.mark.parametrize("fmt", ["docx", "PDF", ""])
def test_an_unknown_format_is_422_problem_json(api: Api, fmt: str):
    case = running_case(api)
    before = len(api.access_log(case.case_id))
    assert_problem(report(api, case, fmt=fmt) if fmt else api.get(f"{case.path}/report?format=",
                                                                    Role.KE_CASEWORKER), 422)
    assert len(api.access_log(case.case_id)) == before  # refused before anything was read


def test_after_erasure_the_report_still_renders_without_the_persons_name(api: Api):
    """Closed, exported, erased: every format answers 200, personal fields read "[slettet]"."""
    case = running_case(api, name="Åsmund Ørnulf Testesen")
    path = case.path
    created(api.post(f"{path}/closure", Role.KE_CASEWORKER, {"reason": "Målene er nådd",
                                                             "assessment": "Enige", "agreed_by_subject": True}))
    created(api.post(f"{path}/exports", Role.KE_CASEWORKER, {"format": "pdf"}))
    created(api.post(f"{path}/erasure", Role.KE_CASEWORKER))
    body = report(api, case).json()
    assert body["case"]["erased"] is True and body["case"]["subject"]["name"] == "[slettet]"
    for fmt in ("html", "pdf"):
        response = report(api, case, fmt=fmt)
        assert response.status_code == 200
        text = response.text if fmt == "html" else "".join(
            p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
        assert "Ørnulf" not in text and case.national_id not in text and "[slettet]" in text


def test_the_route_is_documented_with_its_media_types(api: Api):
    operation = api.client.app.openapi()["paths"]["/v1/cases/{case_id}/report"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/html", "application/pdf"}
    assert "Content-Disposition" in operation["responses"]["200"]["headers"]
    (param,) = [p for p in operation["parameters"] if p["name"] == "format"]
    assert param["required"] is False


def test_a_complaint_is_forwarded_with_the_digest_of_the_report_sent(api: Api):
    """The report's Digest header is the sha256 of its body; forwarding the complaint records it, and the
    report made afterwards shows the forwarding with that digest (CHK-20's evidence)."""
    import hashlib

    case = running_case(api)
    complaint = created(api.post(f"{case.path}/complaints", Role.KE_CASEWORKER, {"concerns": ["coordinator"]}))
    sent = report(api, case, fmt="pdf")
    digest = hashlib.sha256(sent.content).hexdigest()
    assert sent.headers["Digest"] == f"sha-256={digest}"
    created(api.post(f"{case.path}/complaints/{complaint['complaint_id']}/forwarding", Role.KE_CASEWORKER,
                     {"report_sha256": digest}))
    history = api.get(f"{case.path}/history", Role.KE_CASEWORKER).json()["events"]
    forwarded = [e for e in history if e["type"] == "ComplaintForwarded"]
    assert [e["data"]["report_sha256"] for e in forwarded] == [digest]
    assert digest in report(api, case, fmt="json").text
