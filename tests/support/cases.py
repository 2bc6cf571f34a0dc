"""Actors and ready-made cases, written through `ledger.app.handle` (so on whichever store the
`ledger` fixture stands on)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from commands.case_commands import AddParticipant, AppointCoordinator, GrantConsent, OpenCase
from ledger.national_id import synthesize
from ledger.values import (
    Actor,
    ConsentGiverRole,
    CoordinatorKind,
    Guardian,
    InfoCategory,
    Person,
    Provision,
    ReferrerKind,
    Role,
    Signer,
    Subject,
)

MUNICIPALITY = "3447"  # Søndre Land


def actor(role: Role, municipality: str = MUNICIPALITY, id: str | None = None, **kw: Any) -> Actor:
    return Actor(
        id=id or f"{role.value}-1",
        role=role,
        municipality=municipality,
        name=kw.pop("name", f"{role.value} Navn"),
        **kw,
    )


def ke(municipality: str = MUNICIPALITY) -> Actor:
    return actor(Role.KE_CASEWORKER, municipality, id="ke-1", name="Kari Saksbehandler")


def coordinator(municipality: str = MUNICIPALITY) -> Actor:
    return actor(Role.COORDINATOR, municipality, id="koord-1", name="Kåre Koordinator", service="psykisk helse")


def born(years_before: date, years: int, days: int = 0) -> date:
    """The birth date of someone who is `years` years and `days` days old on `years_before`."""
    anniversary = years_before.replace(year=years_before.year - years)
    return anniversary - timedelta(days=days)


@dataclass
class Fixture:
    case_id: UUID
    subject_id: str | None
    participants: dict[str, UUID]


def open_case(
    ledger: Any,
    *,
    birth: date = date(1979, 4, 2),
    requested: tuple[Provision, ...] = (Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN),
    guardians: tuple[Guardian, ...] = (),
    name: str = "Ola Nordmann",
    municipality: str = MUNICIPALITY,
    occurred_at: datetime | None = None,
    national_id: str | None = "auto",
    individual: int = 0,
) -> Fixture:
    nid = synthesize(birth, individual) if national_id == "auto" else national_id
    result = ledger.app.handle(
        OpenCase(
            actor=ke(municipality),
            municipality=municipality,
            subject=Subject(birth_date=None if nid else birth, name=name, national_id=nid),
            guardians=guardians,
            requested=requested,
            referrer_kind=ReferrerKind.GP,
            referrer_name="Dr. Lege",
            occurred_at=occurred_at,
        )
    )
    return Fixture(result.case_id, nid, {})


def running_case(ledger: Any, **kw: Any) -> Fixture:
    """A case with a coordinator (koord-1) and one participant (NAV)."""
    fx = open_case(ledger, **kw)
    m = kw.get("municipality", MUNICIPALITY)
    ledger.app.handle(
        AppointCoordinator(
            actor=ke(m),
            case_id=fx.case_id,
            person=Person("koord-1", "Kåre Koordinator"),
            unit="Psykisk helse og rus",
            kind=CoordinatorKind.COORDINATOR,
            subject_wish_heard=True,
        )
    )
    r = ledger.app.handle(
        AddParticipant(
            actor=coordinator(m), case_id=fx.case_id, person=Person("nav-1", "Nina NAV"), service="NAV", role="veileder"
        )
    )
    fx.participants["nav"] = r.created["participant_id"]
    return fx


def subject_consent(fx: Fixture, categories: tuple[InfoCategory, ...] = (InfoCategory.WORK,)) -> GrantConsent:
    return GrantConsent(
        actor=coordinator(),
        case_id=fx.case_id,
        given_by=Signer(ConsentGiverRole.SUBJECT, "Ola Nordmann", fx.subject_id),
        participants=tuple(fx.participants.values()),
        categories=categories,
    )


def file_in_archive(ledger: Any, case_id: UUID, when: datetime | None = None) -> int:
    """Every archive message of the case answered by a simulated archive, through the archive seam and
    the command path (INV-12: a case is erased only once every archivable step is filed); returns how many."""
    from demo.archive import SimulatedArchive

    municipality = ledger.reads.cases.municipality_of(case_id)
    return SimulatedArchive(ledger.reads.archive).file_case(case_id, municipality, when or ledger.clock())
