"""Who acts, from the claims an identity provider vouched for.

One mapping for every entrance: the API reads the claims of a bearer token,
the web app those of an OpenID Connect sign-in; both make the same `Actor`.
Claims are `sub`, `name`, `role` (a `Role` value), `municipality` (four
digits) and, where relevant, `service` and `pid` (a national id).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from ledger.values import Actor, Role, is_municipality_number

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class InvalidClaim(ValueError):
    """A claim is missing or not acceptable. `missing` tells an absent (or
    empty) claim from one of the wrong form."""

    def __init__(self, claim: str, *, missing: bool = False, unserved: bool = False) -> None:
        super().__init__(f"the {claim!r} claim is {'missing' if missing else 'not served' if unserved else 'invalid'}")
        self.claim = claim
        self.missing = missing
        self.unserved = unserved  # a well-formed municipality this deployment does not serve


def actor_from_claims(claims: Mapping[str, Any], served: Collection[str] | None = None) -> Actor:
    """The actor the claims name. `served`: the municipalities this deployment serves (the
    entrances pass their one configured list); a claim of another is refused like a malformed one."""
    try:
        role = Role(str(claims.get("role")))
    except ValueError:
        raise InvalidClaim("role", missing=claims.get("role") in (None, "")) from None
    municipality = str(claims.get("municipality", ""))
    if not is_municipality_number(municipality):
        raise InvalidClaim("municipality", missing=not municipality)
    if served is not None and municipality not in served:
        raise InvalidClaim("municipality", unserved=True)
    sub = text_claim(claims, "sub")
    if not sub:
        raise InvalidClaim("sub", missing=True)
    return Actor(
        id=sub,
        role=role,
        municipality=municipality,
        name=text_claim(claims, "name") or "",
        service=text_claim(claims, "service"),
        pid=text_claim(claims, "pid"),
    )


def text_claim(claims: Mapping[str, Any], name: str) -> str | None:
    """A string claim of at most 200 printable characters (they reach the
    store and the logs), or None when absent or empty."""
    value = claims.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 200 or _CONTROL.search(value):
        raise InvalidClaim(name)
    return value
