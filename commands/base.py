"""The command surface: who acts, when, and with which expectations."""

from __future__ import annotations

import hashlib
import hmac
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

import orjson

from ledger.values import Actor, Role

KE = Role.KE_CASEWORKER
RUN_CASE = frozenset({Role.COORDINATOR, KE})  # INV-07: the coordinator (or KE) runs the case


@dataclass(frozen=True, kw_only=True)
class Command:
    """Every command carries the acting user, so authorisation holds below
    any HTTP layer. `occurred_at` defaults to now.

    A command class is the one description of an intention's input: its fields
    (with their limits, see commands/constraints.py), who may issue it (`roles`),
    the id it creates (`creates`) and the Case method that carries it out
    (`case_method`, a reference: renaming the method breaks at import). Entrances
    derive what they need from it (the HTTP API its request bodies and routes)."""

    actor: Actor
    occurred_at: datetime | None = None
    expected_version: int | None = None
    idempotency_key: str | None = None

    roles: ClassVar[frozenset[Role]] = frozenset({KE})
    creates: ClassVar[str | None] = None  # name of the id the command creates, e.g. "goal_id"
    on_closed_case: ClassVar[bool] = False  # INV-08: allowed once the case is closed
    # The Case method that carries out the intention, called with the case, the
    # context and `arguments()`. None when a handler in commands/handlers.py does
    # more than call one method (it may call this one as part of its work).
    case_method: ClassVar[Callable[..., Any] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        method = cls.__dict__.get("case_method")
        if inspect.isfunction(method):
            # A plain function would bind to the command when read from an instance;
            # it is called with the case as its first argument instead.
            cls.case_method = staticmethod(method)

    def arguments(self) -> dict[str, Any]:
        """The intention's own fields (what the aggregate method receives)."""
        base = {f.name for f in fields(Command)} | {"case_id"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in base}

    def canonical(self) -> bytes:
        """The request behind an idempotency key, as canonical bytes."""
        payload = {
            "type": type(self).__name__,
            "case": str(getattr(self, "case_id", "")),
            "args": self.arguments(),
            "occurred_at": self.occurred_at,
        }
        return orjson.dumps(payload, default=str, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)

    def fingerprint(self, key: bytes) -> str:
        """Identifies the request behind an idempotency key: the same key with
        another request is a client error, not a replay. Keyed (HMAC), because
        the arguments hold personal data and the fingerprint outlives erasure:
        an unkeyed digest would let anyone with the database confirm a guess."""
        return hmac.new(key, self.canonical(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, kw_only=True)
class CaseCommand(Command):
    """A command on an existing case: `case_id` names its target, not an argument."""

    case_id: UUID


@dataclass(frozen=True)
class CommandResult:
    case_id: UUID
    version: int
    created: dict[str, UUID | str]
    replayed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"case_id": str(self.case_id), "version": self.version, **{k: str(v) for k, v in self.created.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any], *, replayed: bool) -> CommandResult:
        created = {k: v for k, v in data.items() if k not in ("case_id", "version")}
        return cls(case_id=UUID(data["case_id"]), version=int(data["version"]), created=created, replayed=replayed)
