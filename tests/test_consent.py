"""Consent: who may give it at which age (INV-04) and what it lets each
participant read, from when (INV-05). Ages come from the national id.
Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from commands.case_commands import AddParticipant, GrantConsent, OpenCase, SignConsent, WithdrawConsent
from ledger.errors import Forbidden, InvalidInput, InvariantViolation, NotFound
from ledger.national_id import synthesize
from ledger.values import (
    ConsentGiverRole,
    Guardian,
    GuardianKind,
    InfoCategory,
    Person,
    Provision,
    ReferrerKind,
    Role,
    Signer,
    Subject,
    WithdrawalScope,
)
from tests.support.cases import actor, born, coordinator, ke, running_case, subject_consent
from tests.support.clock import TODAY
from tests.support.refusals import assert_refused, store_state

MOTHER = Guardian("Kari Nordmann", synthesize(date(1985, 3, 14), 10))
FATHER = Guardian("Per Nordmann", synthesize(date(1983, 8, 30), 20))
VERGE = Guardian("Vera Verge", synthesize(date(1960, 1, 5), 30), kind=GuardianKind.VERGE)
CATEGORIES = (InfoCategory.HEALTH, InfoCategory.SCHOOL)


def child_case(ledger: Any, *, years: int, days: int = 0, guardians: tuple[Guardian, ...] = (MOTHER,)) -> Any:
    """A running case for someone `years` and `days` old today, with a NAV participant."""
    return running_case(
        ledger, birth=born(TODAY.date(), years, days), guardians=guardians, requested=(Provision.COORDINATOR,)
    )


def signer(guardian: Guardian, role: ConsentGiverRole = ConsentGiverRole.GUARDIAN) -> Signer:
    return Signer(role, guardian.name, guardian.national_id)


def consent_by(fx: Any, given_by: Signer, *also: Signer) -> GrantConsent:
    return GrantConsent(
        actor=coordinator(),
        case_id=fx.case_id,
        given_by=given_by,
        also_given_by=also,
        participants=tuple(fx.participants.values()),
        categories=CATEGORIES,
    )


def own_consent(fx: Any) -> GrantConsent:
    return consent_by(fx, Signer(ConsentGiverRole.SUBJECT, "Ola Nordmann", fx.subject_id))


def consent_of(ledger: Any, fx: Any, consent_id: UUID) -> Any:
    return ledger.app.load_case(fx.case_id, ke()).consents[consent_id]


def nav_reads(ledger: Any, fx: Any, at: Any = TODAY) -> set[InfoCategory]:
    return ledger.app.load_case(fx.case_id, ke()).readable_categories("nav-1", "NAV", at)


# ------------------------------------------------------------ INV-04: age


def test_the_subjects_own_consent_at_fifteen_years_and_364_days_is_refused(ledger):
    """INV-04: under 16 the subject does not consent alone; the day before the birthday counts."""
    fx = child_case(ledger, years=15, days=364)
    assert_refused(ledger, own_consent(fx), InvariantViolation, "INV-04")


def test_the_subjects_own_consent_on_the_sixteenth_birthday_is_in_force(ledger):
    """INV-04: from the day the subject turns 16 they consent themselves."""
    fx = child_case(ledger, years=16)
    consent_id = ledger.app.handle(own_consent(fx)).created["consent_id"]
    assert consent_of(ledger, fx, consent_id).in_force(TODAY)


def test_the_subjects_own_consent_at_seventeen_is_in_force(ledger):
    """INV-04: a 17-year-old consents for themselves."""
    fx = child_case(ledger, years=17)
    consent_id = ledger.app.handle(own_consent(fx)).created["consent_id"]
    assert consent_of(ledger, fx, consent_id).in_force(TODAY)


def test_a_parents_consent_for_a_seventeen_year_old_is_refused(ledger):
    """INV-04: from 16 the parents no longer consent for the child."""
    fx = child_case(ledger, years=17)
    assert_refused(ledger, consent_by(fx, signer(MOTHER)), InvariantViolation, "INV-04")


def test_a_parents_consent_for_a_fifteen_year_old_is_in_force(ledger):
    """INV-04: under 16, the one recorded parent consents."""
    fx = child_case(ledger, years=15, days=364)
    consent_id = ledger.app.handle(consent_by(fx, signer(MOTHER))).created["consent_id"]
    assert consent_of(ledger, fx, consent_id).in_force(TODAY)


def test_a_parents_consent_for_an_adult_is_refused(ledger):
    """INV-04: from 18 a parent does not consent."""
    fx = child_case(ledger, years=18, guardians=(MOTHER, VERGE))
    assert_refused(ledger, consent_by(fx, signer(MOTHER)), InvariantViolation, "INV-04")


def test_a_registered_verges_consent_for_an_adult_is_in_force(ledger):
    """INV-04: from 18 only an appointed verge consents on the subject's behalf."""
    fx = child_case(ledger, years=18, guardians=(MOTHER, VERGE))
    consent_id = ledger.app.handle(consent_by(fx, signer(VERGE, ConsentGiverRole.VERGE))).created["consent_id"]
    assert consent_of(ledger, fx, consent_id).in_force(TODAY)


def test_a_verge_who_is_not_recorded_on_the_case_is_refused(ledger):
    """INV-04: a verge consents only when registered as verge on the case."""
    fx = child_case(ledger, years=18, guardians=(MOTHER,))
    stranger = Signer(ConsentGiverRole.VERGE, "Viggo Verge", synthesize(date(1961, 2, 2), 40))
    assert_refused(ledger, consent_by(fx, stranger), InvariantViolation, "INV-04")


def test_a_parent_cannot_consent_as_verge(ledger):
    """INV-04: a parent is not a verge unless recorded as one."""
    fx = child_case(ledger, years=18, guardians=(MOTHER,))
    assert_refused(ledger, consent_by(fx, signer(MOTHER, ConsentGiverRole.VERGE)), InvariantViolation, "INV-04")


def expected_child_case(ledger: Any, guardians: tuple[Guardian, ...]) -> tuple[UUID, UUID]:
    """A family expecting a child in 90 days, with a health-station participant."""
    opened = ledger.app.handle(
        OpenCase(
            actor=ke(),
            municipality="3447",
            subject=Subject(expected=True, birth_date=TODAY.date() + timedelta(days=90), name="Barn av Kari Nordmann"),
            guardians=guardians,
            requested=(Provision.CHILD_COORDINATOR,),
            referrer_kind=ReferrerKind.HEALTH_STATION,
        )
    )
    participant = ledger.app.handle(
        AddParticipant(
            actor=ke(),
            case_id=opened.case_id,
            person=Person("hs-1", "Hilde Helsesykepleier"),
            service="helsestasjon",
            role="helsesykepleier",
        )
    )
    return opened.case_id, participant.created["participant_id"]


def test_the_parents_of_an_expected_child_consent(ledger):
    """INV-04: for an expected child the parents consent; both signing at once puts it in force."""
    case_id, participant_id = expected_child_case(ledger, (MOTHER, FATHER))
    result = ledger.app.handle(
        GrantConsent(
            actor=ke(),
            case_id=case_id,
            given_by=signer(MOTHER),
            also_given_by=(signer(FATHER),),
            participants=(participant_id,),
            categories=(InfoCategory.HEALTH,),
        )
    )
    consent = ledger.app.load_case(case_id, ke()).consents[result.created["consent_id"]]
    assert consent.in_force(TODAY)


def test_the_subject_cannot_consent_for_an_expected_child(ledger):
    """INV-04: an unborn child has no consent of its own."""
    case_id, participant_id = expected_child_case(ledger, (MOTHER,))
    command = GrantConsent(
        actor=ke(),
        case_id=case_id,
        given_by=Signer(ConsentGiverRole.SUBJECT, "Barn"),
        participants=(participant_id,),
        categories=(InfoCategory.HEALTH,),
    )
    assert_refused(ledger, command, InvariantViolation, "INV-04")


def test_a_subject_consent_signed_with_another_persons_national_id_is_refused(ledger):
    """INV-04: a consent given as the subject must be signed by the subject."""
    fx = child_case(ledger, years=40, guardians=())
    impostor = Signer(ConsentGiverRole.SUBJECT, "Ola Nordmann", synthesize(date(1990, 1, 1), 50))
    assert_refused(ledger, consent_by(fx, impostor), InvariantViolation, "INV-04")


def test_a_signers_invalid_national_id_is_refused(ledger):
    """INV-11 holds for whoever signs a consent."""
    fx = child_case(ledger, years=10, guardians=(MOTHER,))
    bad = MOTHER.national_id[:-1] + str((int(MOTHER.national_id[-1]) + 1) % 10)
    refused = assert_refused(
        ledger, consent_by(fx, Signer(ConsentGiverRole.GUARDIAN, MOTHER.name, bad)), InvalidInput, "INV-11"
    )
    assert bad not in str(refused)


# ------------------------------------------------------- INV-04: two parents


def test_a_consent_signed_by_one_of_two_parents_is_recorded_but_not_in_force(ledger):
    """INV-04: with two recorded parents, one signature is awaiting the other (pbrl. § 4-4)."""
    fx = child_case(ledger, years=5, guardians=(MOTHER, FATHER))
    before = store_state(ledger, fx.case_id)
    consent_id = ledger.app.handle(consent_by(fx, signer(MOTHER))).created["consent_id"]
    assert store_state(ledger, fx.case_id) != before
    assert not consent_of(ledger, fx, consent_id).in_force(TODAY)
    assert nav_reads(ledger, fx) == set()


def test_a_consent_comes_into_force_when_the_other_parent_signs(ledger, clock):
    """INV-04: in force from the second signature, not from the first."""
    fx = child_case(ledger, years=5, guardians=(MOTHER, FATHER))
    consent_id = ledger.app.handle(consent_by(fx, signer(MOTHER))).created["consent_id"]
    signed_at = clock.advance(days=2)
    ledger.app.handle(
        SignConsent(actor=coordinator(), case_id=fx.case_id, consent_id=consent_id, signer=signer(FATHER))
    )
    consent = consent_of(ledger, fx, consent_id)
    assert consent.in_force(signed_at)
    assert consent.in_force_from == signed_at
    assert nav_reads(ledger, fx, signed_at) == set(CATEGORIES)
    assert nav_reads(ledger, fx, signed_at - timedelta(days=1)) == set()


def test_a_consent_signed_by_both_parents_at_once_is_in_force(ledger):
    """INV-04: `also_given_by` carries the other parent's signature."""
    fx = child_case(ledger, years=5, guardians=(MOTHER, FATHER))
    consent_id = ledger.app.handle(consent_by(fx, signer(MOTHER), signer(FATHER))).created["consent_id"]
    assert consent_of(ledger, fx, consent_id).in_force(TODAY)


def test_a_signature_from_someone_who_is_not_a_recorded_parent_is_refused(ledger):
    """INV-04: only a parent recorded on the case completes a consent awaiting signature."""
    fx = child_case(ledger, years=5, guardians=(MOTHER, FATHER))
    consent_id = ledger.app.handle(consent_by(fx, signer(MOTHER))).created["consent_id"]
    uncle = Signer(ConsentGiverRole.GUARDIAN, "Onkel Nordmann", synthesize(date(1975, 5, 5), 60))
    command = SignConsent(actor=coordinator(), case_id=fx.case_id, consent_id=consent_id, signer=uncle)
    assert_refused(ledger, command, InvariantViolation, "INV-04")
    assert not consent_of(ledger, fx, consent_id).in_force(TODAY)


def test_a_consent_given_by_someone_who_is_not_a_recorded_parent_is_refused(ledger):
    """INV-04: consent for a child is given by those with parental responsibility on the case."""
    fx = child_case(ledger, years=5, guardians=(MOTHER, FATHER))
    uncle = Signer(ConsentGiverRole.GUARDIAN, "Onkel Nordmann", synthesize(date(1975, 5, 5), 60))
    assert_refused(ledger, consent_by(fx, uncle), InvariantViolation, "INV-04")


# ------------------------------------------------------------ INV-05: reads


def test_a_participant_reads_nothing_without_consent(ledger):
    """INV-05: being on the team gives no access by itself."""
    fx = running_case(ledger)
    assert nav_reads(ledger, fx) == set()


def test_a_participant_reads_the_categories_a_consent_names(ledger):
    """INV-05: a consent in force that names the participant gives exactly its categories."""
    fx = running_case(ledger)
    ledger.app.handle(subject_consent(fx, (InfoCategory.WORK, InfoCategory.ECONOMY)))
    assert nav_reads(ledger, fx) == {InfoCategory.WORK, InfoCategory.ECONOMY}


def test_a_participant_not_named_by_the_consent_reads_nothing(ledger):
    """INV-05: the consent names who reads; another participant of the team reads nothing."""
    fx = running_case(ledger)
    ledger.app.handle(subject_consent(fx))
    ledger.app.handle(
        AddParticipant(
            actor=coordinator(),
            case_id=fx.case_id,
            person=Person("gp-1", "Dr. Lege"),
            service="fastlege",
            role="fastlege",
        )
    )
    case = ledger.app.load_case(fx.case_id, ke())
    assert case.readable_categories("gp-1", "fastlege", TODAY) == set()


def test_after_a_withdrawal_a_participant_reads_nothing_from_that_moment(ledger, clock):
    """INV-05: a total withdrawal takes effect from the moment it is recorded."""
    fx = running_case(ledger)
    consent_id = ledger.app.handle(subject_consent(fx)).created["consent_id"]
    withdrawn_at = clock.advance(hours=2)
    ledger.app.handle(
        WithdrawConsent(actor=coordinator(), case_id=fx.case_id, consent_id=consent_id, scope=WithdrawalScope.ALL)
    )
    assert nav_reads(ledger, fx, withdrawn_at) == set()
    assert nav_reads(ledger, fx, withdrawn_at + timedelta(days=30)) == set()


def test_a_read_evaluated_before_the_withdrawal_still_shows_the_categories(ledger, clock):
    """INV-05: a withdrawal is not retroactive; what was readable before it stays so in history."""
    fx = running_case(ledger)
    consent_id = ledger.app.handle(subject_consent(fx)).created["consent_id"]
    withdrawn_at = clock.advance(hours=2)
    ledger.app.handle(
        WithdrawConsent(actor=coordinator(), case_id=fx.case_id, consent_id=consent_id, scope=WithdrawalScope.ALL)
    )
    assert nav_reads(ledger, fx, withdrawn_at - timedelta(hours=1)) == {InfoCategory.WORK}


def test_a_withdrawal_for_one_participant_removes_only_that_participant(ledger, clock):
    """INV-05: withdrawing for NAV leaves the GP's access as it was."""
    fx = running_case(ledger)
    gp = ledger.app.handle(
        AddParticipant(
            actor=coordinator(),
            case_id=fx.case_id,
            person=Person("gp-1", "Dr. Lege"),
            service="fastlege",
            role="fastlege",
        )
    ).created["participant_id"]
    fx.participants["gp"] = gp
    consent_id = ledger.app.handle(subject_consent(fx)).created["consent_id"]
    withdrawn_at = clock.advance(hours=1)
    ledger.app.handle(
        WithdrawConsent(
            actor=coordinator(),
            case_id=fx.case_id,
            consent_id=consent_id,
            scope=WithdrawalScope.PARTICIPANTS,
            participants=(fx.participants["nav"],),
        )
    )
    case = ledger.app.load_case(fx.case_id, ke())
    assert case.readable_categories("nav-1", "NAV", withdrawn_at) == set()
    assert case.readable_categories("gp-1", "fastlege", withdrawn_at) == {InfoCategory.WORK}
    assert case.consents[consent_id].in_force(withdrawn_at)


def test_a_withdrawn_consent_cannot_be_completed_by_the_other_parent(ledger, clock):
    """INV-05: a consent withdrawn while awaiting a signature never comes into force."""
    fx = child_case(ledger, years=5, guardians=(MOTHER, FATHER))
    consent_id = ledger.app.handle(consent_by(fx, signer(MOTHER))).created["consent_id"]
    ledger.app.handle(
        WithdrawConsent(actor=coordinator(), case_id=fx.case_id, consent_id=consent_id, scope=WithdrawalScope.ALL)
    )
    clock.advance(days=1)
    command = SignConsent(actor=coordinator(), case_id=fx.case_id, consent_id=consent_id, signer=signer(FATHER))
    assert_refused(ledger, command, InvariantViolation, "INV-05")


def test_a_consent_awaiting_the_other_parent_cannot_be_completed_after_the_child_turns_sixteen(ledger, clock):
    """INV-04: capacity is judged at the last signature; at 16 the child consents alone."""
    fx = child_case(ledger, years=15, days=363, guardians=(MOTHER, FATHER))
    consent_id = ledger.app.handle(consent_by(fx, signer(MOTHER))).created["consent_id"]
    clock.advance(days=2)
    command = SignConsent(actor=coordinator(), case_id=fx.case_id, consent_id=consent_id, signer=signer(FATHER))
    assert_refused(ledger, command, InvariantViolation, "INV-04")
    assert not consent_of(ledger, fx, consent_id).in_force(clock.now)


# ------------------------------------------- INV-04: citizens' own tokens


def citizen(pid: str) -> Any:
    return actor(Role.CITIZEN, id="idporten-sub", pid=pid, name="Innbygger")


def guardian_actor(guardian: Guardian) -> Any:
    return actor(Role.GUARDIAN, id="idporten-" + guardian.name, pid=guardian.national_id, name=guardian.name)


def test_a_seventeen_year_old_withdraws_their_own_consent_with_their_own_token(ledger, clock):
    """INV-04/INV-05: from 16 the subject withdraws for themselves."""
    fx = child_case(ledger, years=17)
    consent_id = ledger.app.handle(own_consent(fx)).created["consent_id"]
    at = clock.advance(hours=1)
    ledger.app.handle(
        WithdrawConsent(
            actor=citizen(fx.subject_id), case_id=fx.case_id, consent_id=consent_id, scope=WithdrawalScope.ALL
        )
    )
    assert not consent_of(ledger, fx, consent_id).in_force(at)


def test_a_parent_cannot_withdraw_the_consent_of_a_seventeen_year_old(ledger, clock):
    """INV-04: from 16 the consent is the subject's own; a parent's token cannot withdraw it."""
    fx = child_case(ledger, years=17, guardians=(MOTHER,))
    consent_id = ledger.app.handle(own_consent(fx)).created["consent_id"]
    clock.advance(hours=1)
    command = WithdrawConsent(
        actor=guardian_actor(MOTHER), case_id=fx.case_id, consent_id=consent_id, scope=WithdrawalScope.ALL
    )
    assert_refused(ledger, command, InvariantViolation, "INV-04")


def test_a_registered_verge_consents_for_an_adult_with_their_own_token(ledger):
    """INV-04: a verge signs as verge with a guardian's token."""
    fx = child_case(ledger, years=30, guardians=(VERGE,))
    command = consent_by(fx, signer(VERGE, ConsentGiverRole.VERGE))
    result = ledger.app.handle(replace(command, actor=guardian_actor(VERGE)))
    assert consent_of(ledger, fx, result.created["consent_id"]).in_force(TODAY)


def test_a_parent_cannot_bring_the_other_parents_signature_with_their_own_token(ledger):
    """INV-04: each parent signs for themselves; `also_given_by` from one parent's token is refused."""
    fx = child_case(ledger, years=5, guardians=(MOTHER, FATHER))
    command = consent_by(fx, signer(MOTHER), signer(FATHER))
    command = replace(command, actor=guardian_actor(MOTHER))
    assert_refused(ledger, command, Forbidden, "INV-04")


def test_each_parent_signs_with_their_own_token(ledger, clock):
    """INV-04: the mother consents and the father completes it, each with their own token."""
    fx = child_case(ledger, years=5, guardians=(MOTHER, FATHER))
    command = consent_by(fx, signer(MOTHER))
    consent_id = ledger.app.handle(replace(command, actor=guardian_actor(MOTHER))).created["consent_id"]
    at = clock.advance(days=1)
    ledger.app.handle(
        SignConsent(actor=guardian_actor(FATHER), case_id=fx.case_id, consent_id=consent_id, signer=signer(FATHER))
    )
    assert consent_of(ledger, fx, consent_id).in_force(at)


def test_a_citizen_cannot_consent_in_someone_elses_name(ledger):
    """INV-04: a citizen's token signs only as the citizen."""
    fx = child_case(ledger, years=17, guardians=(MOTHER,))
    command = consent_by(fx, signer(MOTHER))
    assert_refused(ledger, replace(command, actor=citizen(fx.subject_id)), Forbidden, "INV-04")


def test_someone_elses_case_reads_to_a_citizen_like_a_missing_case(ledger):
    """INV-01: a citizen probing a case that is not theirs learns nothing about it."""
    fx = child_case(ledger, years=40, guardians=())
    stranger = citizen(synthesize(date(1970, 7, 7), 70))
    command = WithdrawConsent(actor=stranger, case_id=fx.case_id, consent_id=UUID(int=1), scope=WithdrawalScope.ALL)
    elsewhere = assert_refused(ledger, command, NotFound, "INV-01")
    missing = assert_refused(
        ledger,
        WithdrawConsent(actor=stranger, case_id=UUID(int=2), consent_id=UUID(int=1), scope=WithdrawalScope.ALL),
        NotFound,
        "INV-01",
    )
    assert elsewhere.message == missing.message
