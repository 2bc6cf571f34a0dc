"""The read service without HTTP: what a second entrance (the CLI, the demo,
the web app) gets by calling it, with the same policy and access log as the
API (whose routes are tested in tests/test_api_*.py)."""

from __future__ import annotations

import pytest

from ledger.errors import Forbidden, NotFound
from ledger.values import Role
from tests.support.cases import actor, coordinator, ke, running_case

NAV = actor(Role.SERVICE_PROVIDER, id="nav-1", name="Nina NAV", service="NAV")


def test_a_case_read_is_logged_with_its_part_and_answers_the_version(ledger):
    """KE reads the case: the whole view, the version an entrance sends as its ETag, and one access record."""
    fx = running_case(ledger)
    read = ledger.reads.cases.case(ke(), fx.case_id)
    assert read.version == read.data["version"] == len(ledger.app.case_events(fx.case_id))
    assert read.data["subject"]["national_id"] == fx.subject_id
    [entry] = ledger.access_log.entries(fx.case_id)
    assert (entry["who"], entry["role"], entry["parts"]) == ("ke-1", "ke_caseworker", ["case"])


def test_a_read_the_policy_refuses_returns_nothing_and_is_not_logged(ledger):
    """A service provider with no consent in force is refused (INV-05); the access log stays empty."""
    fx = running_case(ledger)
    with pytest.raises(Forbidden) as refused:
        ledger.reads.cases.case(NAV, fx.case_id)
    assert refused.value.rule == "INV-05"
    with pytest.raises(NotFound):
        ledger.reads.cases.history(ke("5032"), fx.case_id)  # another municipality's KE: as if absent
    assert ledger.access_log.entries(fx.case_id) == []


def test_an_issued_report_is_logged_with_its_digest(ledger):
    """The report handed out is recorded with its format and sha256, so a complaint can name it."""
    fx = running_case(ledger)
    issued = ledger.reads.cases.issue_report(ke(), fx.case_id, "json", why="klage")
    assert issued.media_type == "application/json" and issued.filename.endswith(".json")
    [entry] = ledger.access_log.entries(fx.case_id)
    assert entry["issued"] == {"format": "json", "sha256": issued.sha256} and entry["why"] == "klage"


@pytest.mark.parametrize("read", ["coordinators", "teams", "breaches"])
def test_the_municipality_overviews_are_for_the_coordinating_unit_only(ledger, read):
    """KE gets its own municipality's overview; a coordinator is refused (INV-07)."""
    running_case(ledger)
    overview = getattr(ledger.reads.overviews, read)
    assert overview(ke())["municipality"] == "3447"
    with pytest.raises(Forbidden):
        overview(coordinator())


def test_the_integrity_reads_are_for_ke_the_supervisor_and_the_administrator(ledger):
    """An administrator reads checkpoints and proofs (no case content); a coordinator is refused."""
    running_case(ledger)
    ledger.integrity.seal()
    admin = actor(Role.ADMIN, id="admin-1")
    assert len(ledger.reads.integrity.checkpoints(admin)["checkpoints"]) == 1
    assert ledger.reads.integrity.inclusion_proof(admin, 0, 3)["tree_size"] == 3
    assert ledger.reads.integrity.verify(admin)["ok"] is True
    with pytest.raises(Forbidden):
        ledger.reads.integrity.checkpoints(coordinator())
