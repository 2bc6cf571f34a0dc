"""Who may read what (DOMAIN §2, INV-01, INV-05, INV-06, INV-07): the one
read policy of every entrance (the HTTP API, the CLI, the demo, the web app).

A case: KE reads every case of its municipality; the case's coordinator and
the subject (or a guardian, matched by `pid`) read the whole case;
Statsforvalteren reads cases with a complaint; a service provider reads only
what a consent in force names them for, from the moment it is recorded until
it is withdrawn; a unit leader asked to appoint a coordinator reads who
coordinates; an admin reads no content.

Beyond one case: the municipality's overviews (register, breaches, everyone's
tasks, the notification set-up and its dead letters) are KE's; the ledger's
integrity (verification, checkpoints, proofs) is for KE, Statsforvalteren and
the system administrator; the archive messages and receipts are the archive
integration's service account's, which reads no case itself. Everyone reads
their own tasks: staff by the id the events name them by, KE its unit's, a
citizen or guardian those of the cases that recognise their national id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ledger.errors import Forbidden, NotFound
from ledger.values import Actor, Role
from projections.case_view import LIFE_AREA_CATEGORIES

PARTS = ("case", "history", "compliance", "report", "access_log", "exports", "notifications", "archive_steps")

# Which roles may read each part when they may read the case at all.
_PART_ROLES = {
    "case": {
        Role.KE_CASEWORKER,
        Role.COORDINATOR,
        Role.SERVICE_PROVIDER,
        Role.CITIZEN,
        Role.GUARDIAN,
        Role.SUPERVISOR,
        Role.UNIT_LEADER,
    },
    "history": {Role.KE_CASEWORKER, Role.COORDINATOR, Role.SUPERVISOR, Role.CITIZEN, Role.GUARDIAN},
    "compliance": {Role.KE_CASEWORKER, Role.COORDINATOR, Role.SUPERVISOR},
    "report": {Role.KE_CASEWORKER, Role.SUPERVISOR},
    "access_log": {Role.KE_CASEWORKER, Role.CITIZEN, Role.GUARDIAN, Role.SUPERVISOR},
    "exports": {Role.KE_CASEWORKER, Role.COORDINATOR},
    "notifications": {Role.KE_CASEWORKER, Role.COORDINATOR},
    # Where each archivable step of the case is filed (the archive's numbers), and which wait.
    "archive_steps": {Role.KE_CASEWORKER, Role.COORDINATOR, Role.SUPERVISOR},
}


class AccessEnded(Forbidden):
    """A team member who could read the case until a consent was withdrawn or ran out, or until they
    left the team: refused like any reader without a consent in force, and told that access ended."""


@dataclass(frozen=True)
class ReadScope:
    full: bool
    categories: frozenset[str] = frozenset()
    coordinator_only: bool = False


def read_scope(actor: Actor, case: Any, part: str, now: datetime) -> ReadScope:
    """How much of `part` of `case` the actor may read (NotFound or Forbidden when nothing)."""
    if case.municipality != actor.municipality:
        raise NotFound("INV-01", "Ingen slik sak i din kommune.")
    role = actor.role
    if role is Role.ADMIN:
        raise Forbidden("INV-07", "Systemansvarlig leser ikke saksinnhold.")
    if role is Role.ARCHIVE_INTEGRATION:
        raise Forbidden("INV-07", "Arkivintegrasjonen leser bare arkivmeldingene, ikke saken.")
    if role in (Role.CITIZEN, Role.GUARDIAN) and not case.recognises(actor):
        raise NotFound(None, "Ingen slik sak.")
    if role is Role.SUPERVISOR and not case.complaints:
        raise Forbidden("INV-07", "Statsforvalteren leser saker der en klage er registrert.")
    if role not in _PART_ROLES[part] and not (role is Role.COORDINATOR and part == "case"):
        raise Forbidden("INV-07", "Rollen har ikke tilgang til denne delen av saken.")
    if role in (Role.KE_CASEWORKER, Role.CITIZEN, Role.GUARDIAN, Role.SUPERVISOR):
        return ReadScope(full=True)
    if role is Role.COORDINATOR and case.is_coordinator(actor.id):
        return ReadScope(full=True)
    if role is Role.UNIT_LEADER:
        if any(r.unit_leader_id == actor.id for r in case.coordinator_requests.values()):
            return ReadScope(full=False, coordinator_only=True)
        raise Forbidden("INV-07", "Enhetslederen har bare tilgang til saker enheten er bedt om å følge opp.")
    if part != "case":
        raise Forbidden("INV-07", "Bare sakens koordinator har tilgang til denne delen.")
    categories = case.readable_categories(actor.id, actor.service, now)
    if not categories:
        if _access_ended(actor, case, now):
            raise AccessEnded(
                "INV-05",
                "Tilgangen din til saken er avsluttet: samtykket som ga deg tilgang, er trukket tilbake "
                "eller utløpt, eller du er ikke lenger med i teamet.",
            )
        raise Forbidden("INV-05", "Ingen samtykke i kraft gir deg tilgang til denne saken.")
    return ReadScope(full=False, categories=frozenset(c.value for c in categories))


def readable_parts(actor: Actor, case: Any, now: datetime) -> list[str]:
    """The parts of `case` beyond the case itself that `actor` may read (for a page that shows
    whatever its reader may see); the case itself is asked for through `read_scope`."""
    parts = []
    for part in PARTS[1:]:
        try:
            read_scope(actor, case, part, now)
        except (Forbidden, NotFound):
            continue
        parts.append(part)
    return parts


def _access_ended(actor: Actor, case: Any, now: datetime) -> bool:
    """Whether a consent let the actor read the case just before it was withdrawn (whole, for them
    or for a category), expired or ran out, or just before they were removed from the team."""
    ends: set[datetime | None] = set()
    for c in case.consents.values():
        ends |= {c.withdrawn_at, c.expired_at, c.ends_at}
        ends |= {*c.withdrawn_participants.values(), *c.withdrawn_categories.values()}
    ends |= {p.removed_at for p in case.participants.values() if p.person_id == actor.id}
    before = timedelta(microseconds=1)
    return any(
        end is not None and end <= now and case.readable_categories(actor.id, actor.service, end - before)
        for end in ends
    )


def require_coordinating_unit(actor: Actor) -> None:
    """The municipality's overviews are for its coordinating unit (KE) only."""
    if actor.role is not Role.KE_CASEWORKER:
        raise Forbidden("INV-07", "Oversikten er for koordinerende enhet.")


@dataclass(frozen=True)
class OwnTasks:
    """Which duties are the actor's own: of these kinds of assignee, in their municipality, and
    named by their id (staff) or by the pseudonym of their national id (a citizen or guardian)."""

    kinds: frozenset[str]
    by_id: bool = False
    by_person: bool = False


_OWN_TASKS = {
    Role.COORDINATOR: OwnTasks(frozenset({"coordinator"}), by_id=True),
    Role.UNIT_LEADER: OwnTasks(frozenset({"unit_leader"}), by_id=True),
    Role.KE_CASEWORKER: OwnTasks(frozenset({"ke"})),
    Role.CITIZEN: OwnTasks(frozenset({"subject"}), by_person=True),
    Role.GUARDIAN: OwnTasks(frozenset({"guardian"}), by_person=True),
}


def own_tasks(actor: Actor) -> OwnTasks:
    """The actor's own duties; none for a role that has none (a service provider, Statsforvalteren,
    the system administrator) or a citizen or guardian whose token carries no national id."""
    own = _OWN_TASKS.get(actor.role)
    if own is None or (own.by_person and not actor.pid):
        return OwnTasks(frozenset())
    return own


_AUDITORS = frozenset({Role.KE_CASEWORKER, Role.SUPERVISOR, Role.ADMIN})


def require_auditor(actor: Actor) -> None:
    """The ledger's integrity (no case content) is for KE, Statsforvalteren and the system administrator."""
    if actor.role not in _AUDITORS:
        raise Forbidden("INV-07", "Bare koordinerende enhet, Statsforvalteren og systemansvarlig har tilgang.")


def filter_view(view: dict[str, Any], scope: ReadScope) -> dict[str, Any]:
    """What a reader without full access sees: coordination facts, and goals
    only in the life areas their consent covers; never national ids, free
    text about the person, decisions, consents or complaints."""
    if scope.full:
        return view
    subject = view.get("subject") or {}
    base = {
        "case_id": view.get("case_id"),
        "municipality": view.get("municipality"),
        "status": view.get("status"),
        "version": view.get("version"),
        "coordinator": view.get("coordinator"),
        "subject": {"name": subject.get("name")},
    }
    if scope.coordinator_only:
        return {**base, "coordinator_requests": view.get("coordinator_requests", [])}
    goals = {
        gid: g
        for gid, g in view.get("goals", {}).items()
        if LIFE_AREA_CATEGORIES.get(g["life_area"], {"general"}) & scope.categories
    }
    return {
        **base,
        "team": view.get("team"),
        "participants": view.get("participants"),
        "plan": view.get("plan"),
        "goals": goals,
        "meetings": {
            mid: {"meeting_id": m["meeting_id"], "scheduled_for": m["scheduled_for"], "held": m["held"] is not None}
            for mid, m in view.get("meetings", {}).items()
        },
        "readable_categories": sorted(scope.categories),
    }


def require_archive_integration(actor: Actor) -> None:
    """Archive messages (with their documents) and receipts are the archive integration's service account's."""
    if actor.role is not Role.ARCHIVE_INTEGRATION:
        raise Forbidden(
            "INV-07", "Bare arkivintegrasjonens tjenestekonto henter arkivmeldinger og sender kvitteringer."
        )


def require_archive_overview(actor: Actor) -> None:
    """The outbox's state (no case content) is for the integration and the coordinating unit."""
    if actor.role not in (Role.ARCHIVE_INTEGRATION, Role.KE_CASEWORKER):
        raise Forbidden("INV-07", "Arkivutboksen er for arkivintegrasjonen og koordinerende enhet.")


def require_coordinator(actor: Actor) -> None:
    """A coordinator's own register entries (the cases they coordinate, by the id the events name
    them by): the coordinator's; nobody else has cases "of their own" in the register."""
    if actor.role is not Role.COORDINATOR:
        raise Forbidden("INV-07", "Listen over egne saker er for koordinatorer.")


def require_person(actor: Actor) -> None:
    """Finding one's own case by national id is for the person (citizen) signed in with one."""
    if actor.role is not Role.CITIZEN or not actor.pid:
        raise Forbidden("INV-07", "Bare personen selv, innlogget med fødselsnummer, kan finne sin sak slik.")
