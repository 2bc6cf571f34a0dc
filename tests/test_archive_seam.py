"""The archive seam over HTTP (issue #12): a local archive collects every
message of a closed case with its documents, checks them against the Fiks
Arkiv schema and their checksums, files them and posts receipts; the
receipts are recorded on the case, shown on it and in its report, and the
case may then be erased (INV-12), not before."""

from __future__ import annotations

import base64
from typing import Any

from commands.plan_commands import ExportPlan
from ledger.events_plan import ArchiveReceiptRecorded
from ledger.values import Role
from tests.support.archive import LocalArchive, closed_case
from tests.support.cases import ke
from tests.support.http import Api, assert_problem
from tests.support.story import SELBU

KE_SELBU = {"municipality": SELBU}


def closed(api: Api) -> Any:
    story, _ = closed_case(api.ledger)
    return story


def receipts(api: Api, story: Any) -> list[ArchiveReceiptRecorded]:
    return [e for e in story.events() if isinstance(e, ArchiveReceiptRecorded)]


def test_a_local_archive_collects_checks_and_files_every_step_of_a_closed_case(api):
    """Five messages (decision, minutes, plan at 30 June and at closing, closing letter), each valid against
    the KS schema with its PDF/A document as stated; every receipt recorded; the outbox is empty after."""
    story = closed(api)
    archive = LocalArchive(api)
    assert archive.run() == 5
    kinds = sorted(m["kind"] for m in archive.received)
    assert kinds == ["avslutningsbrev", "plan", "plan", "referat", "vedtak"]
    assert all(m["case_id"] == str(story.case_id) for m in archive.received)
    assert len(archive.folders) == 1  # every message files into the one case folder, by the ledger's key
    recorded = receipts(api, story)
    assert {r.step for r in recorded} == {m["step"] for m in archive.received}
    assert all(r.accepted and r.case_year == 2026 and r.case_sequence == 100 for r in recorded)
    assert {r.record_system_id for r in recorded} == {r["system_id"] for r in archive.records}
    assert archive.collect() == []
    outbox = api.get("/v1/archive/messages", Role.KE_CASEWORKER, **KE_SELBU).json()
    assert outbox["counts"] == {"pending": 0, "rejected": 0, "archived": 5}


def test_the_case_and_its_report_say_where_in_the_archive_each_step_is(api):
    """ "Where in the archive is this?": the archive's case number and record on the case view and in the report."""
    story = closed(api)
    archive = LocalArchive(api)
    archive.run()
    view = api.get(f"/v1/cases/{story.case_id}", Role.KE_CASEWORKER, **KE_SELBU).json()
    filed = view["archive"]
    assert len(filed) == 5 and all(item["accepted"] and item["case_number"] == "2026/100" for item in filed.values())
    report = api.get(f"/v1/cases/{story.case_id}/report", Role.KE_CASEWORKER, **KE_SELBU).json()
    section = report["archive"]
    assert (section["archived"], section["total"]) == (5, 5)
    assert report["headings"]["archive"].startswith("Arkivering")
    assert {i["record_system_id"] for i in section["items"]} == {r["system_id"] for r in archive.records}
    html = api.get(f"/v1/cases/{story.case_id}/report", Role.KE_CASEWORKER, params={"format": "html"}, **KE_SELBU)
    assert "5 av 5 arkivverdige dokumenter er arkivert" in html.text and "2026/100" in html.text


def test_erasure_waits_for_every_receipt_and_names_what_is_missing(api):
    """409 INV-12 in Norwegian naming the documents not yet filed; once the archive has answered, 201."""
    story = closed(api)
    story.do(ExportPlan, "2026-09-02", format="json")
    archive = LocalArchive(api)
    first = archive.collect(limit=2)
    for message in first:
        assert archive.answer(message).status_code == 201
    refused = assert_problem(
        api.post(f"/v1/cases/{story.case_id}/erasure", Role.KE_CASEWORKER, **KE_SELBU), 409, "INV-12"
    )
    assert "Mangler kvittering for" in refused["detail"]
    assert "Avslutningsbrev" in refused["detail"] and "Individuell plan per 30.06.2026" in refused["detail"]
    assert all(m["title"] not in refused["detail"] for m in first)
    archive.run()
    assert api.post(f"/v1/cases/{story.case_id}/erasure", Role.KE_CASEWORKER, **KE_SELBU).status_code == 201


def test_a_refusal_is_recorded_and_the_message_is_offered_again_after_a_wait(api, clock):
    """The archive's error id is on the case; the message comes back once the retry time has passed."""
    story = closed(api)
    archive = LocalArchive(api)
    messages = archive.collect(limit=10)
    decision = next(m for m in messages if m["kind"] == "vedtak")
    archive.refuse.add(decision["step"])
    assert archive.answer(decision).status_code == 201
    (refusal,) = receipts(api, story)
    assert not refusal.accepted and refusal.error_id == "F-17" and "Ukjent klasse" in refusal.error_message
    listed = api.get("/v1/archive/messages", Role.ARCHIVE_INTEGRATION, params={"status": "rejected"}, **KE_SELBU)
    (item,) = listed.json()["items"]
    assert item["message_id"] == decision["message_id"] and item["error"] == "feilId F-17"
    clock.advance(minutes=10)  # the lease of the others has run out; the refused one waits 15 minutes
    assert decision["message_id"] not in {m["message_id"] for m in archive.collect(limit=10)}
    clock.advance(minutes=10)
    again = archive.collect(limit=10)
    assert decision["message_id"] in {m["message_id"] for m in again}
    retried = next(m for m in again if m["message_id"] == decision["message_id"])
    assert retried["attempts"] == 2 and retried["arkivmelding"] == decision["arkivmelding"]


def test_two_workers_never_hold_the_same_message_and_an_unanswered_one_comes_back(api, clock):
    story = closed(api)
    first, second = LocalArchive(api), LocalArchive(api)
    a = {m["message_id"] for m in first.collect(limit=3)}
    b = {m["message_id"] for m in second.collect(limit=10)}
    assert len(a) == 3 and len(b) == 2 and not a & b
    assert second.collect() == []
    clock.advance(minutes=6)  # the default lease is five minutes
    assert {m["message_id"] for m in first.collect(limit=10)} == a | b
    assert story.case_id  # every message was of this case


def test_the_same_receipt_again_records_nothing_and_answers_200(api):
    story = closed(api)
    archive = LocalArchive(api)
    message = archive.collect(limit=1)[0]
    body = archive.receipt_for(message)
    first, again = archive.post_receipt(message, body), archive.post_receipt(message, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json() and again.json()["status"] == "archived"
    assert len(receipts(api, story)) == 1


def test_a_receipt_that_breaks_the_schema_is_refused_with_422_and_nothing_is_recorded(api):
    story = closed(api)
    message = LocalArchive(api).collect(limit=1)[0]
    headers = {**api.auth(Role.ARCHIVE_INTEGRATION, **KE_SELBU), "Content-Type": "application/xml"}
    path = f"/v1/archive/messages/{message['message_id']}/receipt"
    for body in (b"<not xml", b"<arkivmeldingKvittering/>", _receipt_without_record()):
        assert_problem(api.client.post(path, content=body, headers=headers), 422)
    assert receipts(api, story) == []


def _receipt_without_record() -> bytes:
    from archive.receipt import NAMESPACE

    return f'<?xml version="1.0"?><arkivmeldingKvittering xmlns="{NAMESPACE}"/>'.encode()


def test_only_the_integration_collects_and_it_reads_nothing_else_of_a_case(api):
    """KE may follow the outbox but not take messages; the service account reads no case, history or report."""
    story = closed(api)
    assert_problem(api.post("/v1/archive/messages/claims", Role.KE_CASEWORKER, {}, **KE_SELBU), 403, "INV-07")
    for role in (Role.COORDINATOR, Role.SUPERVISOR, Role.ADMIN):
        assert_problem(api.get("/v1/archive/messages", role, **KE_SELBU), 403, "INV-07")
    for part in ("", "/history", "/report", "/compliance", "/access-log"):
        response = api.get(f"/v1/cases/{story.case_id}{part}", Role.ARCHIVE_INTEGRATION, **KE_SELBU)
        assert response.status_code == 403, (part, response.text)
    assert_problem(
        api.post(f"/v1/cases/{story.case_id}/reviews", Role.ARCHIVE_INTEGRATION, {"continued_need": True}, **KE_SELBU),
        403,
    )


def test_another_municipalitys_messages_are_absent(api):
    closed(api)
    message = LocalArchive(api).collect(limit=1)[0]
    other = {"municipality": "3447"}
    assert LocalArchive(api, municipality="3447").collect() == []
    assert_problem(api.get(f"/v1/archive/messages/{message['message_id']}", Role.ARCHIVE_INTEGRATION, **other), 404)
    assert api.get("/v1/archive/messages", Role.ARCHIVE_INTEGRATION, **other).json()["items"] == []


def test_collecting_a_message_is_a_read_in_the_cases_access_log_and_gives_the_same_bytes_again(api):
    story = closed(api)
    message = LocalArchive(api).collect(limit=1)[0]
    entries = api.access_log(story.case_id)
    assert entries[-1]["role"] == "archive_integration" and entries[-1]["parts"] == ["archive"]
    assert message["step"] in entries[-1]["why"]
    again = api.get(f"/v1/archive/messages/{message['message_id']}", Role.ARCHIVE_INTEGRATION, **KE_SELBU).json()
    assert again["arkivmelding"] == message["arkivmelding"] and again["documents"] == message["documents"]
    assert base64.b64decode(again["documents"][0]["content"]).startswith(b"%PDF-1.7")


def test_a_message_names_the_signed_checkpoint_that_covers_its_events(api):
    story = closed(api)
    message = LocalArchive(api).collect(limit=1)[0]
    checkpoints = api.get("/v1/ledger/checkpoints", Role.KE_CASEWORKER, **KE_SELBU).json()["checkpoints"]
    xml = base64.b64decode(message["arkivmelding"]).decode()
    covering = [c for c in checkpoints if f"treets størrelse {c['tree_size']}, rot {c['root']}" in xml]
    assert len(covering) == 1 and covering[0]["tree_size"] >= len(story.events())


def test_without_the_schemas_a_receipt_is_answered_503(api, monkeypatch, tmp_path):
    closed(api)
    message = LocalArchive(api).collect(limit=1)[0]
    monkeypatch.setattr(api.ledger.reads.archive, "_schema_dir", tmp_path)
    response = api.client.post(
        f"/v1/archive/messages/{message['message_id']}/receipt",
        content=b"<x/>",
        headers={**api.auth(Role.ARCHIVE_INTEGRATION, **KE_SELBU), "Content-Type": "application/xml"},
    )
    assert "LEDGER_SCHEMA_DIR" in assert_problem(response, 503)["detail"]


def test_the_receipt_command_is_the_integrations_alone(api):
    """Below HTTP too: KE cannot record an archive's receipt."""
    from uuid import uuid4

    import pytest

    from commands.archive_commands import RecordArchiveReceipt
    from ledger.errors import Forbidden

    story = closed(api)
    with pytest.raises(Forbidden):
        api.ledger.app.handle(
            RecordArchiveReceipt(
                actor=ke(SELBU),
                case_id=story.case_id,
                message_id=uuid4(),
                step="vedtak:x",
                title="Vedtak",
                accepted=True,
                record_system_id=str(uuid4()),
                receipt_sha256="ab" * 32,
            )
        )
