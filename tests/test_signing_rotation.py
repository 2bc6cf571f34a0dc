"""Rotating the checkpoint signing key keeps every old checkpoint verifiable: the new key is
introduced by the old one (the key history), `verify` checks each checkpoint against the key of
its time, exports made before re-render byte for byte, and a bundle signed after the rotation
verifies offline against the ledger's first key too. On both stores."""

from __future__ import annotations

import hashlib
from pathlib import Path
from uuid import UUID

import orjson
import pytest

from app.bootstrap import Ledger, build
from app.rotation import rotate_signing_key
from app.settings import Settings
from audit.integrity.bundle_verify import verify_bundle
from audit.integrity.checkpoint import CheckpointSigner, generate_private_key
from audit.integrity.log import SignerRetired
from commands.plan_commands import ExportPlan
from store.config import ConfigError
from store.keyring import read_key_file
from store.transcoder import OrjsonTranscoder
from tests.support.cases import ke, running_case


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No LEDGER_SIGNING_KEY: the signing key lives in its key file."""
    monkeypatch.chdir(tmp_path)
    return {"LEDGER_DATABASE_URL": db_url, "LEDGER_MASTER_KEY": "11" * 32, "LEDGER_JWT_SECRET": "j" * 40}


def export(ledger: Ledger, case_id: UUID) -> tuple[UUID, str, bytes]:
    """A JSON export (a bundle): its id, recorded sha256, and the document rendered now."""
    result = ledger.app.handle(ExportPlan(actor=ke(), case_id=case_id, format="json"))
    export_id = result.created["export_id"]
    document = ledger.reads.cases.export(ke(), case_id, export_id).document
    return export_id, result.created["sha256"], document


def verified(document: bytes, pinned: bytes) -> bool:
    return verify_bundle(document, pinned, decode=OrjsonTranscoder().decode).ok


def test_old_checkpoints_and_exports_still_verify_after_a_signing_key_rotation(env) -> None:
    """Before: a checkpoint and an export under key A. Rotate to B. Then verify holds every
    checkpoint, the old export renders the same bytes, a new bundle carries the introduction of B
    and verifies pinned to A or to B, and a process still holding A seals nothing more."""
    before = build(Settings.from_env(env))
    try:
        old_key = before.settings.signing_key
        old_public = before.integrity.signer.public_key_raw
        case_id = running_case(before).case_id
        before.integrity.seal()
        old_export, old_digest, _ = export(before, case_id)

        done = rotate_signing_key(env)
        assert not done.resumed and done.key_file is not None
        [new_key] = read_key_file(done.key_file)
        assert new_key != old_key and done.checkpoint.key_id == done.introduced.key_id

        with pytest.raises(SignerRetired):  # this process still holds the old key
            before.integrity.seal()
    finally:
        before.close()

    after = build(Settings.from_env(env))
    try:
        new_public = after.integrity.signer.public_key_raw
        assert new_public != old_public
        history = after.integrity.key_history()
        assert [k.public_key for k in history] == [old_public, new_public]
        report = after.integrity.verify()
        assert report.ok and report.checkpoints == 2, report.summary()  # A's, and B's first

        again = after.reads.cases.export(ke(), case_id, old_export).document
        assert hashlib.sha256(again).hexdigest() == old_digest  # rendered as it was, with A's checkpoint

        after.integrity.seal()
        _, _, document = export(after, case_id)
        bundle = orjson.loads(document)
        assert bundle["public_key"] == new_public.hex() and len(bundle["key_history"]) == 2
        assert verified(document, new_public) and verified(document, old_public)
        stranger = CheckpointSigner(generate_private_key()).public_key_raw
        assert not verified(document, stranger)

        listed = after.reads.integrity.checkpoints(ke())
        assert [k["public_key"] for k in listed["key_history"]] == [old_public.hex(), new_public.hex()]
    finally:
        after.close()


def test_a_forged_key_introduction_is_named_by_verify(env) -> None:
    """A key slipped into the history without the old key's signature is a problem verify names."""
    ledger = build(Settings.from_env(env))
    try:
        running_case(ledger)
        ledger.integrity.seal()
        intruder = CheckpointSigner(generate_private_key())
        ledger.integrity.store.add_signing_key(1, intruder.public_key_hex, "2026-11-22T12:00:00.000000Z", "00" * 64)
        report = ledger.integrity.verify()
        assert not report.ok
        assert any(p.kind == "keys" and "does not verify" in p.message for p in report.problems)
    finally:
        ledger.close()


def test_with_the_key_from_the_environment_the_new_key_comes_beside_it(env) -> None:
    """LEDGER_SIGNING_KEY alone is refused; with LEDGER_NEW_SIGNING_KEY the history records B, and a
    ledger configured with B then verifies everything."""
    a, b = "55" * 32, "66" * 32
    with_a = {**env, "LEDGER_SIGNING_KEY": a}
    ledger = build(Settings.from_env(with_a))
    try:
        running_case(ledger)
        ledger.integrity.seal()
    finally:
        ledger.close()
    with pytest.raises(ConfigError, match="LEDGER_NEW_SIGNING_KEY"):
        rotate_signing_key(with_a)
    done = rotate_signing_key({**with_a, "LEDGER_NEW_SIGNING_KEY": b})
    assert done.key_file is None
    with_b = build(Settings.from_env({**env, "LEDGER_SIGNING_KEY": b}))
    try:
        report = with_b.integrity.verify()
        assert report.ok and report.checkpoints == 2, report.summary()
    finally:
        with_b.close()
