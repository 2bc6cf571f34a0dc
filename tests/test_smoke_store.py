"""The store round-trips a case on every backend."""

from ledger.values import Provision
from tests.support.cases import ke, open_case


def test_an_opened_case_is_loaded_back_with_its_subject_in_clear(ledger):
    """Personal fields are encrypted at rest and decrypted on load with the case key."""
    fx = open_case(ledger)
    case = ledger.app.load_case(fx.case_id, ke())
    assert case.subject.national_id == fx.subject_id
    assert case.subject.name == "Ola Nordmann"
    assert case.requested == [Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN]
    assert case.version == 1
