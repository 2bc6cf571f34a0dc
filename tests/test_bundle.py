"""The provable JSON bundle: verifies offline, names every kind of tampering,
and is reproduced byte for byte from the checkpoint its PlanExported names."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any
from uuid import UUID

import orjson
import pytest

from audit.integrity.bundle import json_bundle
from audit.integrity.bundle_verify import BundleMalformed, BundleReport
from audit.integrity.bundle_verify import verify_bundle as verify_with
from audit.integrity.chain import event_hash
from audit.integrity.checkpoint import CheckpointSigner, generate_private_key
from commands.plan_commands import CloseCase, EraseCase
from ledger.events_plan import PlanExported
from ledger.values import Role
from store.transcoder import OrjsonTranscoder
from tests.support.cases import file_in_archive, ke
from tests.support.http import Api, HttpCase, created, running_case


def verify_bundle(document: bytes, pinned_key: bytes | None = None) -> BundleReport:
    """Offline, as `ledger verify-bundle` does: with the store's decoder of stored state."""
    return verify_with(document, pinned_key, decode=OrjsonTranscoder().decode)


Tamper = Callable[[dict[str, Any]], None]


def export(api: Api, case: HttpCase) -> tuple[dict[str, Any], bytes]:
    """Export the case as JSON (KE); the recorded answer and the document as GET serves it."""
    out = created(api.post(f"{case.path}/exports", Role.KE_CASEWORKER, {"format": "json"}))
    response = api.get(f"{case.path}/exports/{out['export_id']}", Role.KE_CASEWORKER)
    assert response.status_code == 200, response.text
    return out, response.content


@pytest.fixture
def exported(api: Api) -> tuple[HttpCase, dict[str, Any], bytes]:
    case = running_case(api)
    out, document = export(api, case)
    return case, out, document


def edited(document: bytes, change: Tamper) -> bytes:
    bundle = orjson.loads(document)
    change(bundle)
    return orjson.dumps(bundle)


def flip(hex_text: str) -> str:
    return ("0" if hex_text[0] != "0" else "1") + hex_text[1:]


# ----------------------------------------------------------- what it holds
def test_a_bundle_verifies_offline_against_the_ledgers_own_key(api, exported):
    """Every event before the export, its stored record, hash and proof; checked with the ledger's public key pinned."""
    case, out, document = exported
    report = verify_bundle(document, api.ledger.integrity.signer.public_key_raw)
    bundle = orjson.loads(document)

    assert report.ok, report.summary()
    assert hashlib.sha256(document).hexdigest() == out["sha256"]
    assert [e["version"] for e in bundle["events"]] == list(range(1, api.event_count(case.case_id)))
    assert bundle["events"][0]["data"]["subject"]["national_id"] == case.national_id  # the decrypted view
    assert bundle["public_key"] == api.ledger.integrity.signer.public_key_hex
    assert report.summary().startswith(f"intact: case {case.case_id} of municipality 3447, 4 events")


def test_a_bundle_carries_the_sealed_records_but_no_key(api, exported):
    """Personal fields are sealed in the stored bytes; neither the case's data key nor the master key is in it."""
    case, _, document = exported
    case_id = UUID(case.case_id)
    with api.ledger.app.keyring.scope([case_id]):
        data_keys = [
            api.ledger.app.keyring.read_key(case_id, kid)
            for kid, _ in api.ledger.app.recorder.fetch_case_keys([case_id])[case_id]
        ]
    stored = b"".join(base64.b64decode(e["stored"]["state"]) for e in orjson.loads(document)["events"])

    assert case.national_id.encode() not in stored and b"_sealed" in stored
    for secret in [*data_keys, api.ledger.settings.master_key]:
        assert secret.hex().encode() not in document and base64.b64encode(secret) not in document


def test_an_export_reuses_a_checkpoint_that_covers_the_case_and_seals_one_when_none_does(api):
    """A seal after the case's last event serves the bundle; without one the export seals."""
    case = running_case(api)
    sealed = api.ledger.integrity.seal()
    _, first = export(api, case)
    count = len(api.ledger.integrity.checkpoints())
    _, second = export(api, case)  # the first export's PlanExported is not covered yet

    assert orjson.loads(first)["checkpoint"]["tree_size"] == sealed.tree_size
    assert len(api.ledger.integrity.checkpoints()) == count + 1
    assert orjson.loads(second)["checkpoint"]["tree_size"] > sealed.tree_size


# ------------------------------------------------------------- tampering
def _stored_rewritten(bundle: dict[str, Any], *, rechain: bool) -> None:
    """Change a public field in event 2's stored bytes (and, if asked, recompute every hash from there)."""
    events = bundle["events"]
    state = base64.b64decode(events[1]["stored"]["state"]).replace(b'"koord-1"', b'"koord-9"')
    events[1]["stored"]["state"] = base64.b64encode(state).decode()
    if rechain:
        previous = bytes.fromhex(events[0]["hash"])
        for e in events[1:]:
            digest = event_hash(
                previous,
                UUID(bundle["case_id"]),
                e["version"],
                e["stored"]["topic"],
                base64.b64decode(e["stored"]["state"]),
            )
            e["hash"], previous = digest.hex(), digest


def _swap(items: list[Any], i: int, j: int) -> None:
    items[i], items[j] = items[j], items[i]


TAMPERING: dict[str, tuple[Tamper, str, int | None]] = {
    "changed stored event data": (lambda b: _stored_rewritten(b, rechain=False), "chain", 2),
    "event rewritten with its hashes": (lambda b: _stored_rewritten(b, rechain=True), "inclusion", 2),
    "changed public field in the view": (lambda b: b["events"][1]["data"].update(person_id="koord-9"), "view", 2),
    "changed municipality": (lambda b: b.update(municipality="0301"), "view", 1),
    "changed chain hash": (lambda b: b["events"][2].update(hash=flip(b["events"][2]["hash"])), "chain", 3),
    "removed event": (lambda b: b["events"].pop(2), "sequence", 4),
    "reordered events": (lambda b: _swap(b["events"], 1, 2), "sequence", 3),
    "wrong proof node": (
        lambda b: b["events"][1]["inclusion_proof"].__setitem__(0, flip(b["events"][1]["inclusion_proof"][0])),
        "inclusion",
        2,
    ),
    "missing proof node": (lambda b: b["events"][3]["inclusion_proof"].pop(), "inclusion", 4),
    "wrong root": (lambda b: b["checkpoint"].update(root=flip(b["checkpoint"]["root"])), "root", None),
    "bad signature": (
        lambda b: b["checkpoint"].update(signature=flip(b["checkpoint"]["signature"])),
        "signature",
        None,
    ),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_each_kind_of_tampering_is_detected_and_named(exported, name):
    """The report names the check that failed and the event version it failed at."""
    change, check, version = TAMPERING[name]
    report = verify_bundle(edited(exported[2], change))

    assert not report.ok
    assert (report.problems[0].check, report.problems[0].version) == (check, version), report.summary()
    assert report.summary().startswith("NOT intact: " + (f"event {version}: " if version else "") + check)


def test_a_bundle_re_signed_with_another_key_holds_only_until_the_ledgers_key_is_pinned(api, exported):
    """Anyone can sign a self-consistent bundle with a key of their own: pinning the source's key refuses it."""
    forger = CheckpointSigner(generate_private_key())

    def re_sign(bundle: dict[str, Any]) -> None:
        cp = bundle["checkpoint"]
        forged = forger.sign(cp["tree_size"], bytes.fromhex(cp["root"]))
        bundle["checkpoint"], bundle["public_key"] = forged.to_dict(), forger.public_key_hex

    forged = edited(exported[2], re_sign)
    pinned = verify_bundle(forged, api.ledger.integrity.signer.public_key_raw)

    assert verify_bundle(forged).ok
    assert pinned.problems[0].check == "public_key"
    assert api.ledger.integrity.signer.public_key_hex in pinned.summary()


@pytest.mark.parametrize(
    "document, where",
    [
        (b"not json", None),
        (b"[]", "$"),
        (b'{"format": "something else"}', "format"),
    ],
)
def test_a_file_that_is_not_a_bundle_is_malformed_not_tampered(document, where):
    """Not JSON, not an object, another format: BundleMalformed naming the field."""
    with pytest.raises(BundleMalformed) as raised:
        verify_bundle(document)
    assert raised.value.where == where


def test_a_field_of_the_wrong_shape_is_named_by_its_path(exported):
    """E.g. a hash that is not 64 hex digits: malformed, at events[1].hash."""
    with pytest.raises(BundleMalformed, match=r"events\[1\]\.hash"):
        verify_bundle(edited(exported[2], lambda b: b["events"][1].update(hash="abc")))


# ------------------------------------------------------------ reproducing
def test_the_export_is_reproduced_after_more_events_and_a_new_seal(api, exported):
    """GET …/exports/{id} renders the same bytes from the checkpoint PlanExported names, not the newest one."""
    case, out, document = exported
    created(
        api.post(
            f"{case.path}/participants",
            Role.COORDINATOR,
            {"person": {"id": "skole-1", "name": "Siv Skole"}, "service": "skole", "role": "kontaktlærer"},
        )
    )
    newer = api.ledger.integrity.seal()
    again = api.get(f"{case.path}/exports/{out['export_id']}", Role.KE_CASEWORKER)
    recorded = [e for e in api.ledger.app.case_events(UUID(case.case_id)) if isinstance(e, PlanExported)][-1]

    assert again.content == document
    assert orjson.loads(document)["checkpoint"]["tree_size"] == recorded.checkpoint_size < newer.tree_size


def test_after_erasure_a_bundle_export_is_gone(api, exported):
    """410 INV-12: the decrypted view reads as erased now, so the digest no longer matches."""
    case, out, _ = exported
    api.ledger.app.handle(
        CloseCase(
            actor=ke(), case_id=UUID(case.case_id), reason="ferdig", assessment="mål nådd", agreed_by_subject=True
        )
    )
    file_in_archive(api.ledger, UUID(case.case_id))
    api.ledger.app.handle(EraseCase(actor=ke(), case_id=UUID(case.case_id)))
    response = api.get(f"{case.path}/exports/{out['export_id']}", Role.KE_CASEWORKER)

    assert response.status_code == 410 and response.json()["rule"] == "INV-12"
    assert case.national_id not in response.text


def test_an_export_recorded_before_bundles_existed_is_still_reproduced(api):
    """A PlanExported stored without checkpoint_size reads it as None and renders the events-only document."""
    case = running_case(api)
    case_id = UUID(case.case_id)
    app = api.ledger.app
    events = app.case_events(case_id)
    document = json_bundle("3447", case_id, events)
    old = PlanExported(
        originator_id=case_id,
        originator_version=len(events) + 1,
        timestamp=events[-1].timestamp,
        occurred_at=events[-1].timestamp,
        recorded_by=events[0].recorded_by,
        recorded_by_name="Kari Saksbehandler",
        export_id=case_id,
        format="json",
        sha256=hashlib.sha256(document).hexdigest(),
        filed_in="",
    )
    del vars(old)["checkpoint_size"]  # as the ledger stored it before the field existed
    assert app.keyring.prepare_write(case_id) is None
    try:
        app.recorder.insert_events([app.mapper.to_stored_event(old)])
    finally:
        app.keyring.finish_write(case_id)

    response = api.get(f"{case.path}/exports/{case_id}", Role.KE_CASEWORKER)

    assert response.status_code == 200 and response.content == document
    assert app.case_events(case_id)[-1].checkpoint_size is None
