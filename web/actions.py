"""Which commands the signed-in person may give on a case, as forms, with the
case's items to choose from (participants, goals, meetings, consents …).

Who may give a command is the command's own `roles`; what the case's state
allows is read from the case view the page shows. Nothing here authorises:
the command service does that on every post. The page only leaves out forms
that would surely be refused (a goal form before there is a plan, anything
but export, erasure, complaints and reopening on a closed case (INV-08), a
coordinator's forms on a case they do not coordinate), so a person is not
offered what they cannot do.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from audit.report.labels import date_text, moment_text
from commands import case_commands as c
from commands import plan_commands as p
from commands.base import Command
from ledger.values import (
    Actor,
    ConsentGiverRole,
    CoordinatorKind,
    InfoCategory,
    LifeArea,
    Provision,
    Role,
    TransitionKind,
)
from ledger.vocabulary import word_for
from web.forms.fields import Form, Option, form_for, forms
from web.forms.labels import AREAS

View = Mapping[str, Any]

# Where a page shows what a command created or acted on: `#{prefix}-{id}`.
ANCHORS: dict[str, str] = {
    "decision_id": "vedtak",
    "request_id": "koordinatorforesporsel",
    "participant_id": "deltaker",
    "consent_id": "samtykke",
    "goal_id": "mal",
    "activity_id": "tiltak",
    "comment_id": "kommentar",
    "meeting_id": "mote",
    "transition_id": "overgang",
    "export_id": "eksport",
    "complaint_id": "klage",
}


def anchor_id(kind: str, item_id: object) -> str:
    """The element id of an item on a page (`anchor_id("goal_id", gid)` → `mal-<gid>`): where a form leads back to."""
    return f"{ANCHORS.get(kind, kind.removesuffix('_id'))}-{item_id}"


def area_anchor(area: str) -> str:
    return f"handlinger-{area}"


def new_key() -> str:
    """A rendered form's idempotency key: posted twice (a double click), it is handled once."""
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class Action:
    """A command the person may give here, as a form: its items to choose from and what it starts filled with."""

    form: Form
    case_id: UUID | None
    version: int | None  # the case's version the form was rendered from (sent as expected_version)
    choices: Mapping[str, tuple[Option, ...]] = field(default_factory=dict)
    prefill: Mapping[str, Any] = field(default_factory=dict)
    # False: too much for the case page (a confirmation step, a choice of documents): a link to its own page.
    inline: bool = True
    idempotency_key: str = field(default_factory=new_key)

    @property
    def command(self) -> type[Command]:
        return self.form.command

    @property
    def slug(self) -> str:
        return self.form.slug

    @property
    def title(self) -> str:
        return self.form.text.title

    @property
    def area(self) -> str:
        return self.form.text.area

    @property
    def url(self) -> str:
        if self.case_id is None:
            return f"/saker/{self.slug}"
        return f"/saker/{self.case_id}/handlinger/{self.slug}"


@dataclass(frozen=True)
class ActionGroup:
    key: str
    title: str
    actions: tuple[Action, ...]

    @property
    def anchor(self) -> str:
        return area_anchor(self.key)


def actions_for(actor: Actor, case_view: View, *, reports: Sequence[Mapping[str, Any]] = ()) -> list[Action]:
    """The forms of every command `actor` may give on the case as `case_view` shows it to them.

    `reports` are the compliance reports the ledger issued for the case (the access log's
    `issued` entries: `sha256`, `format`, `at`): forwarding a complaint names one of them."""
    found = []
    for form in forms():
        if form.on_case:
            action = action_for(actor, case_view, form, reports=reports)
            if action is not None:
                found.append(action)
    return found


def grouped(actions: Sequence[Action]) -> list[ActionGroup]:
    """The actions by area of the case page, in the page's order; areas without actions left out."""
    return [
        ActionGroup(key, title, tuple(a for a in actions if a.area == key))
        for key, title in AREAS.items()
        if any(a.area == key for a in actions)
    ]


def open_case_action(actor: Actor) -> Action | None:
    """The referral form (on the overview), for those who may open cases."""
    form = form_for(c.OpenCase)
    if actor.role not in form.command.roles:
        return None
    return Action(form, None, None)


def action_for(
    actor: Actor, view: View, form: Form, *, reports: Sequence[Mapping[str, Any]] = (), offered: bool = True
) -> Action | None:
    """The action of one form on this case, or None when the person would surely be refused it.

    `offered=False` keeps a form the role may give even when the case no longer allows it: a
    refused post is shown again with what the person typed and the refusal at its top."""
    command = form.command
    if actor.role not in command.roles:
        return None
    if offered and actor.role is Role.COORDINATOR and not _coordinates(actor, view):
        return None  # the service refuses every command of a coordinator on another's case (INV-07)
    if offered and not _state_allows(command, view):
        return None
    choices: dict[str, tuple[Option, ...]] = {}
    for f in form.walk():
        narrow = _NARROWER.get((command, f.name))
        if narrow is not None:
            choices[f.name] = tuple(o for o in f.options if narrow(view, o))
        if f.source is None:
            continue
        options = _choices(f.source, command, actor, view, reports)
        if offered and not options and f.required and f.source != "reports":
            # Nothing to choose: nothing to evaluate, no meeting to hold … (A report to forward is
            # downloaded when it is needed: its own page says so.)
            return None
        choices[f.name] = options
    prefill = _PREFILL[command](actor, view) if command in _PREFILL else {}
    inline = command not in _OWN_PAGE
    return Action(form, UUID(str(view["case_id"])), _version(view), choices, prefill, inline)


def _version(view: View) -> int | None:
    version = view.get("version")
    return int(version) if version is not None else None


# --------------------------------------------------------------- the state
def _status(view: View) -> str:
    return str(view.get("status", "open"))


def _coordinates(actor: Actor, view: View) -> bool:
    return any((view.get(k) or {}).get("person_id") == actor.id for k in ("coordinator", "substitute"))


def _has_coordinator(view: View) -> bool:
    return view.get("coordinator") is not None


def _closed(view: View) -> bool:
    return _status(view) == "closed"


def _erased(view: View) -> bool:
    return bool(view.get("erased"))


# On an open case everything may be tried (INV-08 allows more only for the commands marked
# `on_closed_case`); these say what else a command needs.
_NEEDS: dict[type[Command], Callable[[View], bool]] = {
    c.AppointCoordinator: lambda v: (
        v.get("coordinator") is None or v["coordinator"].get("kind") == CoordinatorKind.RELAY_HOLDER.value
    ),
    c.AssignSubstitute: _has_coordinator,
    c.ReplaceCoordinator: _has_coordinator,
    c.ReleaseCoordinator: _has_coordinator,
    c.HoldStartupConversation: _has_coordinator,
    c.CloseRelayLog: lambda v: (
        Provision.RELAY_LOG.value in (v.get("requested") or ()) and v.get("relay_log_closed_at") is None
    ),
    p.AssessLifeArea: lambda v: v.get("plan") is not None,
    p.SetGoal: lambda v: v.get("plan") is not None,
    p.AddComment: lambda v: v.get("plan") is not None,
    p.NotifyClosure: _closed,
    p.ReopenCase: lambda v: _closed(v) and not _erased(v),
    p.ExportPlan: lambda v: not _erased(v),
    p.EraseCase: lambda v: _closed(v) and bool(v.get("exports")) and not _erased(v),
}


def _state_allows(command: type[Command], view: View) -> bool:
    if not command.on_closed_case and _status(view) != "open":
        return False
    need = _NEEDS.get(command)
    return need is None or need(view)


# Members of an enumeration a command would surely refuse on this case, left out of its choices.
_NARROWER: dict[tuple[type[Command], str], Callable[[View, Option], bool]] = {
    # Choosing the tool the case already has is refused: only the other one is offered.
    (p.EstablishPlan, "tool"): lambda v, o: o.value != (v.get("plan") or {}).get("tool"),
}

# Forms shown as a link to a page of their own.
_OWN_PAGE = frozenset({p.EraseCase, p.ForwardComplaint})


# ------------------------------------------------------------- the choices
def _participants(view: View) -> list[Mapping[str, Any]]:
    return [x for x in (view.get("participants") or {}).values() if x.get("removed_at") is None]


def _participant_option(x: Mapping[str, Any]) -> Option:
    name = x.get("name") or x.get("person_id") or "Ukjent"
    return Option(str(x["participant_id"]), f"{name} ({x.get('service')}, {x.get('role')})")


def _goals(view: View) -> list[Mapping[str, Any]]:
    return [g for g in (view.get("goals") or {}).values() if not g.get("closed")]


def _goal_option(g: Mapping[str, Any]) -> Option:
    text = str(g.get("text") or "Mål")
    short = text if len(text) <= 80 else text[:79] + "…"
    area = word_for(LifeArea, g.get("life_area", ""))
    return Option(str(g["goal_id"]), f"{short} ({area}, {g.get('responsible_service')})")


def _meetings(view: View) -> list[Mapping[str, Any]]:
    return sorted((view.get("meetings") or {}).values(), key=lambda m: str(m.get("scheduled_for")))


def _meeting_option(m: Mapping[str, Any]) -> Option:
    return Option(str(m["meeting_id"]), f"Møte {moment_text(m.get('scheduled_for'))}")


def _pending(m: Mapping[str, Any]) -> bool:
    return not m.get("held") and not m.get("cancelled")


def _consents(view: View) -> list[Mapping[str, Any]]:
    return list((view.get("consents") or {}).values())


_CONSENT_STATUS = {
    "in_force": "i kraft",
    "awaiting_signature": "venter på signatur",
    "withdrawn": "trukket tilbake",
    "expired": "utløpt",
}


def _consent_option(x: Mapping[str, Any]) -> Option:
    categories = ", ".join(word_for(InfoCategory, cat) for cat in x.get("categories") or ())
    status = _CONSENT_STATUS.get(str(x.get("status")), str(x.get("status")))
    return Option(str(x["consent_id"]), f"Samtykke gitt {date_text(x.get('granted_at'))}, {status} ({categories})")


def _activities(view: View) -> list[Option]:
    return [
        Option(str(a["activity_id"]), f"{a.get('what')} (mål: {str(g.get('text'))[:60]})")
        for g in _goals(view)
        for a in (g.get("activities") or {}).values()
        if a.get("completed_at") is None
    ]


def _transitions(view: View) -> list[Option]:
    return [
        Option(tid, f"{word_for(TransitionKind, t.get('kind', ''))}: {t.get('from')} → {t.get('to')}")
        for tid, t in (view.get("transitions") or {}).items()
        if t.get("completed_at") is None
    ]


def _complaint_option(x: Mapping[str, Any]) -> Option:
    concerns = ", ".join(word_for(Provision, v) for v in x.get("concerns") or ())
    return Option(str(x["complaint_id"]), f"Klage mottatt {date_text(x.get('received_at'))} ({concerns})")


def _requests(view: View) -> list[Option]:
    return [
        Option(str(r["request_id"]), f"{r.get('unit')}, forespurt {date_text(r.get('requested_at'))}")
        for r in view.get("coordinator_requests") or ()
    ]


def _report_option(r: Mapping[str, Any]) -> Option:
    digest = str(r["sha256"])
    return Option(
        digest, f"{str(r.get('format', '')).upper()}-rapport hentet {moment_text(r.get('at'))} (sha256 {digest[:12]}…)"
    )


def _choices(
    source: str, command: type[Command], actor: Actor, view: View, reports: Sequence[Mapping[str, Any]]
) -> tuple[Option, ...]:
    if source in ("participants", "participant_id"):
        return tuple(_participant_option(x) for x in _participants(view))
    if source == "goal_id":
        goals = _goals(view)
        if actor.role is Role.SERVICE_PROVIDER:
            # A service provider evaluates only the goals their service is responsible for.
            goals = [g for g in goals if g.get("responsible_service") == actor.service]
        return tuple(_goal_option(g) for g in goals)
    if source == "meeting_id":
        meetings = _meetings(view)
        if command is p.DistributeMinutes:
            meetings = [m for m in meetings if m.get("held")]
        else:
            meetings = [m for m in meetings if _pending(m)]
        return tuple(_meeting_option(m) for m in meetings)
    if source == "consent_id":
        wanted = _CONSENT_STATES.get(command, frozenset({"in_force"}))
        return tuple(_consent_option(x) for x in _consents(view) if x.get("status") in wanted)
    if source == "activity_id":
        return tuple(_activities(view))
    if source == "transition_id":
        return tuple(_transitions(view))
    if source == "complaint_id":
        complaints = list((view.get("complaints") or {}).values())
        if command is p.ForwardComplaint:
            complaints = [x for x in complaints if x.get("forwarded_at") is None]
        return tuple(_complaint_option(x) for x in complaints)
    if source == "request_id":
        return tuple(_requests(view))
    if source == "reports":
        return tuple(_report_option(r) for r in reports)
    raise KeyError(f"no choices for {source}")


_CONSENT_STATES: dict[type[Command], frozenset[str]] = {
    c.SignConsent: frozenset({"awaiting_signature"}),
    c.WithdrawConsent: frozenset({"in_force", "awaiting_signature"}),
}


# ------------------------------------------------------------ the prefill
def _own_signature(actor: Actor, group: str) -> dict[str, Any]:
    role = ConsentGiverRole.SUBJECT if actor.role is Role.CITIZEN else ConsentGiverRole.GUARDIAN
    return {f"{group}.role": role, f"{group}.name": actor.name, f"{group}.national_id": actor.pid or ""}


def _consent_prefill(actor: Actor, view: View) -> dict[str, Any]:
    if actor.role in (Role.CITIZEN, Role.GUARDIAN):
        return _own_signature(actor, "given_by")
    subject = view.get("subject") or {}
    return {"given_by.name": subject.get("name") or "", "given_by.national_id": subject.get("national_id") or ""}


def _sign_prefill(actor: Actor, view: View) -> dict[str, Any]:
    if actor.role is Role.GUARDIAN:
        return _own_signature(actor, "signer")
    return {"signer.role": ConsentGiverRole.GUARDIAN}


def _everyone(name: str) -> Callable[[Actor, View], dict[str, Any]]:
    return lambda actor, view: {name: [str(x["participant_id"]) for x in _participants(view)]}


def _appointment_prefill(actor: Actor, view: View) -> dict[str, Any]:
    mine = [r for r in view.get("coordinator_requests") or () if r.get("unit_leader_id") == actor.id]
    return {"unit": mine[-1]["unit"]} if mine else {}


def _training_prefill(actor: Actor, view: View) -> dict[str, Any]:
    coordinator = view.get("coordinator") or {}
    return {"person_id": coordinator.get("person_id") or ""}


_PREFILL: dict[type[Command], Callable[[Actor, View], dict[str, Any]]] = {
    c.GrantConsent: _consent_prefill,
    c.SignConsent: _sign_prefill,
    c.AppointCoordinator: _appointment_prefill,
    c.RecordCoordinatorTraining: _training_prefill,
    p.ScheduleMeeting: _everyone("invitees"),
    p.DistributeMinutes: _everyone("recipients"),
    p.NotifyClosure: _everyone("participants"),
}
