"""Exports: recorded by digest, reproduced byte for byte, unreproducible after erasure."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient

from api.auth import issue_token
from app.server import create_app
from commands.plan_commands import CloseCase, EraseCase, ExportPlan
from ledger.values import Role
from tests.support.cases import file_in_archive, ke, running_case, subject_consent


@pytest.fixture
def client(ledger):
    return TestClient(create_app(ledger, run_projections=False))


def headers(ledger, role=Role.KE_CASEWORKER, sub="ke-1", **claims):
    token = issue_token(ledger.settings.jwt_secret, role=role, sub=sub, municipality="3447", **claims)
    return {"Authorization": f"Bearer {token}"}


def exported(ledger):
    fx = running_case(ledger, individual=21)
    ledger.app.handle(subject_consent(fx))
    result = ledger.app.handle(ExportPlan(actor=ke(), case_id=fx.case_id, format="json"))
    return fx, result.created["export_id"], result.created["sha256"]


def test_an_export_is_served_byte_for_byte_as_its_recorded_digest(ledger, client):
    """GET …/exports/{id} returns the document whose sha256 PlanExported recorded."""
    fx, export_id, digest = exported(ledger)
    response = client.get(f"/v1/cases/{fx.case_id}/exports/{export_id}", headers=headers(ledger))
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == digest
    assert response.json()["events"][0]["data"]["subject"]["national_id"] == fx.subject_id
    assert response.headers["digest"] == f"sha-256={digest}"


def test_later_events_do_not_change_an_earlier_export(ledger, client):
    """The export is rendered from the events before it, so commands after it leave it identical."""
    fx, export_id, digest = exported(ledger)
    ledger.app.handle(
        CloseCase(actor=ke(), case_id=fx.case_id, reason="ferdig", assessment="mål nådd", agreed_by_subject=True)
    )
    response = client.get(f"/v1/cases/{fx.case_id}/exports/{export_id}", headers=headers(ledger))
    assert hashlib.sha256(response.content).hexdigest() == digest


def test_an_unknown_export_is_404_and_a_service_provider_may_not_fetch_exports(ledger, client):
    """Only KE and the case's coordinator fetch exports; an unknown id is absent."""
    fx, export_id, _ = exported(ledger)
    unknown = client.get(f"/v1/cases/{fx.case_id}/exports/{fx.case_id}", headers=headers(ledger))
    nav = client.get(
        f"/v1/cases/{fx.case_id}/exports/{export_id}",
        headers=headers(ledger, Role.SERVICE_PROVIDER, "nav-1", service="NAV"),
    )
    assert unknown.status_code == 404
    assert nav.status_code == 403


def test_after_erasure_an_export_is_gone_and_says_why(ledger, client):
    """410 with rule INV-12: the events now read as erased, so the digest no longer matches."""
    fx, export_id, digest = exported(ledger)
    ledger.app.handle(
        CloseCase(actor=ke(), case_id=fx.case_id, reason="ferdig", assessment="mål nådd", agreed_by_subject=True)
    )
    file_in_archive(ledger, fx.case_id)
    ledger.app.handle(EraseCase(actor=ke(), case_id=fx.case_id))
    response = client.get(f"/v1/cases/{fx.case_id}/exports/{export_id}", headers=headers(ledger))
    assert response.status_code == 410
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["rule"] == "INV-12" and digest in response.json()["detail"]
    assert fx.subject_id not in response.text


def test_an_export_the_current_renderer_cannot_reproduce_is_gone_without_blaming_erasure(ledger, client):
    """Not erased, but rendered differently now (say, another PDF library): 410 that says so, no INV-12."""
    fx = running_case(ledger, individual=22)
    result = ledger.app.handle(ExportPlan(actor=ke(), case_id=fx.case_id, format="pdf"))
    ledger.app.exporters["pdf"] = lambda municipality, case_id, events: b"%PDF-1.7 another renderer"
    response = client.get(f"/v1/cases/{fx.case_id}/exports/{result.created['export_id']}", headers=headers(ledger))
    body = response.json()
    assert response.status_code == 410
    assert "rule" not in body or body["rule"] is None
    assert "denne versjonen" in body["detail"] and "slettet" not in body["detail"]
