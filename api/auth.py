"""Bearer tokens: verified with PyJWT. HMAC (HS256) with LEDGER_JWT_SECRET for
development and tests; OpenID Connect (RS/ES/EdDSA keys from a JWKS URL,
issuer and audience checked) when LEDGER_OIDC_JWKS_URL is set."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jwt

from api.edge_config import DEFAULT_TOKEN_LIFETIME, DEMO_MUNICIPALITIES, MAX_TOKEN_BYTES
from api.errors import Problem
from ledger.identity import InvalidClaim, actor_from_claims
from ledger.values import Actor, Role

ISSUER = "coordination-ledger"
AUDIENCE = "coordination-ledger"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ledger"'}
LEEWAY = 30  # seconds of clock difference tolerated between the issuer and this server
INVALID = "Tokenet er ugyldig."


@dataclass(frozen=True)
class TokenVerifier:
    secret: str | None = None
    jwks_url: str | None = None
    issuer: str = ISSUER
    audience: str = AUDIENCE
    # Limits (README: Limits at the edge): the longest lifetime a token may have, measured from
    # its `iat` and from now, and the municipalities this deployment serves. A token past either
    # is refused with the same answer as a forged one: it tells a prober nothing.
    max_lifetime: int = DEFAULT_TOKEN_LIFETIME
    municipalities: frozenset[str] = frozenset(DEMO_MUNICIPALITIES)

    def __post_init__(self) -> None:
        if self.jwks_url:
            # PyJWKClient caches keys and refetches on an unknown `kid`.
            object.__setattr__(self, "_jwks", jwt.PyJWKClient(self.jwks_url, cache_keys=True, timeout=5))

    def actor(self, authorization: str | None) -> Actor:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise Problem(401, "Mangler Bearer-token i Authorization.", headers=_CHALLENGE)
        token = authorization[7:].strip()
        if len(token) > MAX_TOKEN_BYTES:
            raise Problem(401, INVALID, headers=_CHALLENGE)
        claims = self._claims(token)
        self._check_lifetime(claims)
        return _actor_from(claims, self.municipalities)

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        """`exp` and `iat` are required (PyJWT checked their form); the lifetime is bounded."""
        try:
            issued, expires = float(claims["iat"]), float(claims["exp"])
        except (TypeError, ValueError):
            raise Problem(401, INVALID, headers=_CHALLENGE) from None
        if expires - issued > self.max_lifetime or expires - time.time() > self.max_lifetime + LEEWAY:
            raise Problem(401, INVALID, headers=_CHALLENGE)

    def _claims(self, token: str) -> dict[str, Any]:
        options = {"require": ["exp", "iat", "sub"]}
        try:
            if self.jwks_url:
                key = self._jwks.get_signing_key_from_jwt(token).key  # type: ignore[attr-defined]
                algorithms = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256", "EdDSA"]
            else:
                key, algorithms = self.secret, ["HS256"]
            # An explicit algorithm list refuses `alg: none` and key confusion.
            return jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.audience,
                issuer=self.issuer,
                options=options,
                leeway=LEEWAY,
            )
        except jwt.ExpiredSignatureError:
            raise Problem(401, "Tokenet er utløpt.", headers=_CHALLENGE) from None
        except (jwt.PyJWTError, ValueError):
            raise Problem(401, INVALID, headers=_CHALLENGE) from None


def _actor_from(claims: dict[str, Any], served: frozenset[str]) -> Actor:
    try:
        return actor_from_claims(claims, served)
    except InvalidClaim as e:
        if e.unserved:
            message = INVALID
        elif e.claim in _CLAIM_MESSAGES:
            message = _CLAIM_MESSAGES[e.claim]
        else:
            message = (
                "Tokenet har ugyldig sub."
                if e.claim == "sub" and e.missing
                else f"Tokenet har et ugyldig {e.claim}-krav."
            )
        raise Problem(401, message, headers=_CHALLENGE) from None


_CLAIM_MESSAGES = {
    "role": "Tokenet har ingen gyldig rolle.",
    "municipality": "Tokenet har ikke et firesifret kommunenummer.",
}


def issue_token(
    secret: str,
    *,
    role: Role,
    sub: str,
    municipality: str,
    name: str = "",
    service: str | None = None,
    pid: str | None = None,
    ttl_seconds: int = 8 * 3600,
    now: int | None = None,
) -> str:
    """A development token (ledger token, tests)."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "sub": sub,
        "name": name,
        "role": role.value,
        "municipality": municipality,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    if service:
        claims["service"] = service
    if pid:
        claims["pid"] = pid
    return jwt.encode(claims, secret, algorithm="HS256")
