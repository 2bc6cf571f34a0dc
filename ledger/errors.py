"""Domain errors. Each carries the rule id (INV-xx) where one applies and a
message a person in a municipality can read (bokmål)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal. `rule` names the invariant, if any."""

    kind = "domain"

    def __init__(self, rule: str | None, message: str) -> None:
        super().__init__(f"{rule}: {message}" if rule else message)
        self.rule = rule
        self.message = message


class InvalidInput(DomainError):
    """Malformed or invalid values (HTTP 422)."""

    kind = "invalid"


class InvariantViolation(DomainError):
    """The case's state or an invariant refuses the command (HTTP 409)."""

    kind = "conflict"


class Forbidden(DomainError):
    """Role, consent or tenancy does not allow it (HTTP 403)."""

    kind = "forbidden"


class NotFound(DomainError):
    """No such case in the caller's municipality, or no such item in the case (HTTP 404)."""

    kind = "not_found"


class Gone(DomainError):
    """It existed but can no longer be produced, e.g. after erasure (HTTP 410)."""

    kind = "gone"


class VersionMismatch(DomainError):
    """The expected version no longer matches (HTTP 412)."""

    kind = "version_mismatch"

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(None, f"Saken er endret: forventet versjon {expected}, nå {actual}.")
        self.expected = expected
        self.actual = actual


class IdempotencyConflict(DomainError):
    """An idempotency key reused for a different request (HTTP 422)."""

    kind = "invalid"


class Unavailable(DomainError):
    """It cannot be done now for a reason outside the request, e.g. a schema the
    service needs is not installed (HTTP 503)."""

    kind = "unavailable"
