"""Consent (INV-04, INV-05) and the team around the subject."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from ledger.case_state import CaseState
from ledger.context import Context
from ledger.errors import InvalidInput, InvariantViolation
from ledger.event_base import applies
from ledger.events import (
    ConsentExpired,
    ConsentGranted,
    ConsentSigned,
    ConsentWithdrawn,
    ParticipantAdded,
    ParticipantRemoved,
    TeamEstablished,
)
from ledger.national_id import validate_national_id
from ledger.state import Consent, Participant
from ledger.values import (
    ConsentGiverRole,
    GuardianKind,
    InfoCategory,
    Person,
    Role,
    Signer,
    Subject,
    WithdrawalScope,
)

ADULT_CONSENT_AGE = 16  # helserettslig myndig (pbrl. § 4-3)


class ConsentMixin(CaseState):
    """Methods of `Case` about consent and team. Their state is declared in `CaseState`."""

    def _init_consent_state(self) -> None:
        self.consents = {}
        self.team_name = None
        self.participants = {}

    # ----------------------------------------------------------- consent
    def grant_consent(
        self,
        ctx: Context,
        *,
        given_by: Signer,
        also_given_by: tuple[Signer, ...] = (),
        participants: tuple[UUID, ...] = (),
        services: tuple[str, ...] = (),
        categories: tuple[InfoCategory, ...],
        valid_until: date | None = None,
        signed_how: str = "digital",
        child_view: str | None = None,
    ) -> UUID:
        self._check_open(ctx)
        if not categories:
            raise InvalidInput(None, "Samtykket må si hvilke opplysninger det gjelder.")
        if not participants and not services:
            raise InvalidInput(None, "Samtykket må nevne deltakere eller tjenester.")
        for pid in participants:
            self._require_participant(pid)
        if valid_until is not None and valid_until < ctx.occurred_at.date():
            raise InvalidInput(None, "Samtykkets gyldighet kan ikke slutte før det er gitt.")
        signers = tuple(_checked_signer(s) for s in (given_by, *also_given_by))
        required, signed = self._check_capacity(ctx, given_by.role, signers)
        consent_id = uuid4()
        self._emit(
            ConsentGranted,
            ctx,
            consent_id=consent_id,
            giver_role=given_by.role,
            signers=signers,
            signer_refs=tuple(sorted(signed)),
            required_refs=tuple(sorted(required)),
            participants=tuple(participants),
            services=tuple(services),
            categories=tuple(categories),
            valid_until=valid_until,
            signed_how=signed_how,
            child_view=child_view,
        )
        return consent_id

    def sign_consent(self, ctx: Context, *, consent_id: UUID, signer: Signer) -> None:
        self._check_open(ctx)
        consent = self._require_consent(consent_id)
        signer = _checked_signer(signer)
        if consent.withdrawn_at is not None:
            raise InvariantViolation("INV-05", "Samtykket er trukket tilbake.")
        if signer.role is not ConsentGiverRole.GUARDIAN:
            raise InvariantViolation("INV-04", "Bare den andre forelderen kan signere et samtykke som venter.")
        ref = self._guardian_ref(signer)
        if ref is None or ref not in consent.required_refs:
            raise InvariantViolation("INV-04", "Signaturen er ikke fra en forelder med foreldreansvar i saken.")
        if ref in consent.signed_refs:
            raise InvariantViolation(None, "Denne forelderen har allerede signert.")
        age = self.subject_age(ctx.occurred_at.date())
        if age is None or age >= ADULT_CONSENT_AGE:
            # Capacity is judged when the last signature makes the consent; by
            # then the child may have turned 16 and decides alone (pbrl. § 4-3).
            raise InvariantViolation(
                "INV-04", "Personen har fylt 16 år og samtykker selv; foreldrenes samtykke kan ikke fullføres."
            )
        self._emit(ConsentSigned, ctx, consent_id=consent_id, signer=signer, signer_ref=ref)

    def withdraw_consent(
        self,
        ctx: Context,
        *,
        consent_id: UUID,
        scope: WithdrawalScope,
        participants: tuple[UUID, ...] = (),
        categories: tuple[InfoCategory, ...] = (),
        reason: str = "",
    ) -> None:
        self._check_open(ctx)
        consent = self._require_consent(consent_id)
        self._check_withdrawal_capacity(ctx)
        if consent.withdrawn_at is not None:
            raise InvariantViolation(None, "Samtykket er allerede trukket tilbake.")
        if scope is WithdrawalScope.PARTICIPANTS:
            if not participants:
                raise InvalidInput(None, "Angi hvilke deltakere samtykket trekkes for.")
            unknown = set(participants) - consent.participants
            if unknown:
                raise InvalidInput(None, "Samtykket nevner ikke alle disse deltakerne.")
        if scope is WithdrawalScope.CATEGORIES and not categories:
            raise InvalidInput(None, "Angi hvilke opplysningskategorier samtykket trekkes for.")
        self._emit(
            ConsentWithdrawn,
            ctx,
            consent_id=consent_id,
            scope=scope,
            participants=tuple(participants) if scope is WithdrawalScope.PARTICIPANTS else (),
            categories=tuple(categories) if scope is WithdrawalScope.CATEGORIES else (),
            reason=reason,
        )

    def expire_consent(self, ctx: Context, *, consent_id: UUID) -> None:
        self._check_open(ctx)
        consent = self._require_consent(consent_id)
        if consent.valid_until is None or consent.valid_until >= ctx.occurred_at.date():
            raise InvariantViolation(None, "Samtykket er fortsatt gyldig.")
        if consent.expired_at is not None:
            raise InvariantViolation(None, "Samtykket er allerede utløpt.")
        self._emit(ConsentExpired, ctx, consent_id=consent_id)

    def readable_categories(self, person_id: str, service: str | None, at: datetime) -> set[InfoCategory]:
        """What a team participant may read at `at` (INV-05): the union of every
        consent in force that names them or their service. Not a participant
        at `at`, nothing."""
        mine = [
            p
            for p in self.participants.values()
            if p.person_id == person_id and p.added_at <= at and (p.removed_at is None or p.removed_at > at)
        ]
        granted: set[InfoCategory] = set()
        for consent in self.consents.values():
            for p in mine:
                granted |= consent.covers(p.participant_id, p.service, at)
        return granted

    # --------------------------------------------------------------- team
    def add_participant(
        self,
        ctx: Context,
        *,
        person: Person,
        service: str,
        role: str,
        mandatory: bool = True,
        team_name: str = "ansvarsgruppe",
    ) -> UUID:
        self._check_open(ctx)
        if not service.strip():
            raise InvalidInput(None, "Deltakeren må høre til en tjeneste.")
        if any(p.active and p.person_id == person.id for p in self.participants.values()):
            raise InvariantViolation(None, "Personen er allerede med i teamet.")
        if self.team_name is None:
            self._emit(TeamEstablished, ctx, local_name=team_name)
        participant_id = uuid4()
        self._emit(
            ParticipantAdded,
            ctx,
            participant_id=participant_id,
            person_id=person.id,
            person_name=person.name,
            service=service.strip(),
            role=role,
            mandatory=mandatory,
        )
        return participant_id

    def remove_participant(self, ctx: Context, *, participant_id: UUID, reason: str = "") -> None:
        self._check_open(ctx)
        participant = self._require_participant(participant_id)
        if not participant.active:
            raise InvariantViolation(None, "Deltakeren er allerede fjernet.")
        self._emit(ParticipantRemoved, ctx, participant_id=participant_id, reason=reason)

    # ------------------------------------------------------------ helpers
    def _check_capacity(
        self, ctx: Context, role: ConsentGiverRole, signers: tuple[Signer, ...]
    ) -> tuple[set[int], set[int]]:
        """INV-04: who may consent at the subject's age. Returns the guardian
        references whose signatures are required and those already given."""
        age = self.subject_age(ctx.occurred_at.date())
        if age is None:
            raise InvariantViolation("INV-04", "Personens alder er ukjent (slettet).")
        if any(s.role is not role for s in signers):
            raise InvalidInput(None, "Alle som signerer samme samtykke må ha samme rolle.")
        if role is ConsentGiverRole.SUBJECT:
            if age < ADULT_CONSENT_AGE:
                raise InvariantViolation(
                    "INV-04", "Personen er under 16 år; samtykke gis av de som har foreldreansvar."
                )
            own_id = self.subject.national_id if isinstance(self.subject, Subject) else None
            if any(s.national_id and own_id and s.national_id != own_id for s in signers):
                raise InvariantViolation("INV-04", "Samtykke som personen selv gir, må signeres av personen selv.")
            return set(), set()
        if role is ConsentGiverRole.VERGE:
            refs = {self._guardian_ref(s, GuardianKind.VERGE) for s in signers}
            if None in refs:
                raise InvariantViolation("INV-04", "Bare en verge som er registrert i saken kan samtykke som verge.")
            return set(), set()
        if age >= ADULT_CONSENT_AGE:
            raise InvariantViolation(
                "INV-04",
                "Personen er 16 år eller eldre og samtykker selv; "
                "foreldre samtykker ikke (med mindre de er oppnevnt verge).",
            )
        parents = [i for i, g in enumerate(self._recorded_guardians) if g.kind is GuardianKind.PARENT]
        if not parents:
            return set(), set()
        signed = {self._guardian_ref(s) for s in signers}
        if None in signed:
            raise InvariantViolation("INV-04", "Samtykket må gis av en som har foreldreansvar i saken.")
        return set(parents), {r for r in signed if r is not None}

    def _check_withdrawal_capacity(self, ctx: Context) -> None:
        """INV-04 for a citizen or guardian withdrawing with their own token: the
        subject from 16, parents under 16, a registered verge at any age. (The
        coordinator or KE recording a withdrawal they received is not judged here.)"""
        role = ctx.actor.role
        if role not in (Role.CITIZEN, Role.GUARDIAN):
            return
        age = self.subject_age(ctx.occurred_at.date())
        if age is None:
            raise InvariantViolation("INV-04", "Personens alder er ukjent (slettet).")
        if role is Role.CITIZEN and age < ADULT_CONSENT_AGE:
            raise InvariantViolation(
                "INV-04", "Personen er under 16 år; samtykke trekkes av de som har foreldreansvar."
            )
        if role is Role.GUARDIAN and age >= ADULT_CONSENT_AGE:
            verge = any(
                g.kind is GuardianKind.VERGE and g.national_id and g.national_id == ctx.actor.pid
                for g in self._recorded_guardians
            )
            if not verge:
                raise InvariantViolation(
                    "INV-04",
                    "Personen er 16 år eller eldre og bestemmer selv over samtykket; foreldre kan ikke trekke det.",
                )

    def _guardian_ref(self, signer: Signer, kind: GuardianKind = GuardianKind.PARENT) -> int | None:
        for i, g in enumerate(self._recorded_guardians):
            if g.kind is not kind:
                continue
            if signer.national_id and g.national_id:
                if signer.national_id == g.national_id:
                    return i
            elif _same_name(signer.name, g.name):
                return i
        return None


def _checked_signer(signer: Signer) -> Signer:
    """INV-11 holds for a signer's national id too; the compact form is what
    guardians are recorded with, so the two compare."""
    if signer.national_id is None:
        return signer
    return Signer(role=signer.role, name=signer.name, national_id=validate_national_id(signer.national_id))


def _same_name(a: object, b: object) -> bool:
    return (
        isinstance(a, str) and isinstance(b, str) and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
    )


@applies(ConsentGranted)
def _granted(case: CaseState, e: ConsentGranted) -> None:
    in_force = set(e.required_refs) <= set(e.signer_refs)
    case.consents[e.consent_id] = Consent(
        consent_id=e.consent_id,
        giver_role=e.giver_role,
        required_refs=frozenset(e.required_refs),
        signed_refs=set(e.signer_refs),
        participants=set(e.participants),
        services=set(e.services),
        categories=set(e.categories),
        valid_until=e.valid_until,
        granted_at=e.occurred_at,
        in_force_from=e.occurred_at if in_force else None,
    )


@applies(ConsentSigned)
def _signed(case: CaseState, e: ConsentSigned) -> None:
    consent = case.consents[e.consent_id]
    consent.signed_refs.add(e.signer_ref)
    if consent.in_force_from is None and consent.required_refs <= consent.signed_refs:
        consent.in_force_from = e.occurred_at


@applies(ConsentWithdrawn)
def _withdrawn(case: CaseState, e: ConsentWithdrawn) -> None:
    consent = case.consents[e.consent_id]
    if e.scope is WithdrawalScope.ALL:
        consent.withdrawn_at = e.occurred_at
    for pid in e.participants:
        consent.withdrawn_participants.setdefault(pid, e.occurred_at)
    for category in e.categories:
        consent.withdrawn_categories.setdefault(category, e.occurred_at)


@applies(ConsentExpired)
def _expired(case: CaseState, e: ConsentExpired) -> None:
    case.consents[e.consent_id].expired_at = e.occurred_at


@applies(TeamEstablished)
def _team(case: CaseState, e: TeamEstablished) -> None:
    case.team_name = e.local_name


@applies(ParticipantAdded)
def _participant_added(case: CaseState, e: ParticipantAdded) -> None:
    case.participants[e.participant_id] = Participant(
        e.participant_id, e.person_id, e.person_name, e.service, e.role, e.occurred_at
    )


@applies(ParticipantRemoved)
def _participant_removed(case: CaseState, e: ParticipantRemoved) -> None:
    case.participants[e.participant_id].removed_at = e.occurred_at
