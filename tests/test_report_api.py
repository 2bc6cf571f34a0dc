"""GET /v1/cases/{id}/report?format=json|html|pdf: who may read it, what it
answers in each format, that the read is logged, and that it still renders
after erasure."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from ledger.values import Role
from tests.support.http import Api, HttpCase, assert_problem, created, running_case

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
    assert list(body["headings"]) == [
        "case",
        "checks",
        "decisions",
        "coordinators",
        "consents",
        "team",
        "meetings",
        "goals",
        "complaints",
        "archive",
        "access_log",
        "integrity",
        "timeline",
    ]
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


def test_reading_the_report_writes_the_access_log_with_the_digest_of_what_was_handed_out(api: Api):
    """The report summarises the access log as it stood when it was made; handing it out is logged right
    after, with its sha256 (so the entry cannot be part of the document it names)."""
    case = running_case(api)
    api.get(case.path, Role.KE_CASEWORKER)
    before = api.access_log(case.case_id)  # read beside the API: not logged
    response = report(api, case)
    body = response.json()
    after = api.access_log(case.case_id)
    assert len(after) == len(before) + 1
    issuing = after[-1]
    assert (issuing["who"], issuing["role"], issuing["parts"]) == ("ke-1", "ke_caseworker", ["report"])
    assert issuing["issued"] == {"format": "json", "sha256": response.headers["Digest"].removeprefix("sha-256=")}
    assert body["access_log"]["reads"] == len(before)
    assert body["access_log"]["last_read"] == before[-1]["at"]


def test_a_complaint_is_forwarded_with_the_digest_of_the_report_sent(api: Api):
    """The report's Digest header is the sha256 of its body; forwarding the complaint records it, and the
    report made afterwards shows the forwarding with that digest (CHK-20's evidence)."""
    import hashlib

    case = running_case(api)
    complaint = created(api.post(f"{case.path}/complaints", Role.KE_CASEWORKER, {"concerns": ["coordinator"]}))
    sent = report(api, case, fmt="pdf")
    digest = hashlib.sha256(sent.content).hexdigest()
    assert sent.headers["Digest"] == f"sha-256={digest}"
    created(
        api.post(
            f"{case.path}/complaints/{complaint['complaint_id']}/forwarding",
            Role.KE_CASEWORKER,
            {"report_sha256": digest},
        )
    )
    history = api.get(f"{case.path}/history", Role.KE_CASEWORKER).json()["events"]
    forwarded = [e for e in history if e["type"] == "ComplaintForwarded"]
    assert [e["data"]["report_sha256"] for e in forwarded] == [digest]
    assert digest in report(api, case, fmt="json").text
    # The access log holds the read that handed the report out, with its digest.
    log = api.get(f"{case.path}/access-log", Role.KE_CASEWORKER).json()["entries"]
    assert [e["issued"] for e in log if (e["issued"] or {}).get("sha256") == digest] == [
        {"format": "pdf", "sha256": digest}
    ]


def forwarding(api: Api, case: HttpCase, digest: str):
    complaint = created(api.post(f"{case.path}/complaints", Role.KE_CASEWORKER, {"concerns": ["coordinator"]}))
    return api.post(
        f"{case.path}/complaints/{complaint['complaint_id']}/forwarding", Role.KE_CASEWORKER, {"report_sha256": digest}
    )


def forwarded_digests(api: Api, case: HttpCase) -> list[str]:
    history = api.get(f"{case.path}/history", Role.KE_CASEWORKER).json()["events"]
    return [e["data"]["report_sha256"] for e in history if e["type"] == "ComplaintForwarded"]


def test_forwarding_with_a_digest_the_ledger_never_issued_is_refused(api: Api):
    """A mistyped or invented digest would leave a record no copy can be matched to: 422, nothing written."""
    case = running_case(api)
    report(api, case, fmt="pdf")  # a report was issued, just not this one
    body = assert_problem(forwarding(api, case, "ab" * 32), 422)
    assert "sha256" in body["detail"] and "Digest" in body["detail"]
    assert forwarded_digests(api, case) == []


def test_forwarding_with_the_digest_of_another_cases_report_is_refused(api: Api):
    mine, other = running_case(api), running_case(api, individual=7)
    theirs = report(api, other, fmt="pdf").headers["Digest"].removeprefix("sha-256=")
    assert_problem(forwarding(api, mine, theirs), 422)
    assert forwarded_digests(api, mine) == []
    ours = report(api, mine, fmt="html").headers["Digest"].removeprefix("sha-256=")
    created(forwarding(api, mine, ours))
    assert forwarded_digests(api, mine) == [ours]
