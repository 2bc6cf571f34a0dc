"""Bearer tokens: verified with PyJWT. HMAC (HS256) with LEDGER_JWT_SECRET for
development and tests; OpenID Connect (RS/ES/EdDSA keys from a JWKS URL,
issuer and audience checked) when LEDGER_OIDC_JWKS_URL is set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from api.errors import Problem
from ledger.identity import InvalidClaim, actor_from_claims
from ledger.values import Actor, Role

ISSUER = "coordination-ledger"
AUDIENCE = "coordination-ledger"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ledger"'}


@dataclass(frozen=True)
class TokenVerifier:
    secret: str | None = None
    jwks_url: str | None = None
    issuer: str = ISSUER
    audience: str = AUDIENCE

    def __post_init__(self) -> None:
        if self.jwks_url:
            # PyJWKClient caches keys and refetches on an unknown `kid`.
            object.__setattr__(self, "_jwks", jwt.PyJWKClient(self.jwks_url, cache_keys=True, timeout=5))

    def actor(self, authorization: str | None) -> Actor:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise Problem(401, "Mangler Bearer-token i Authorization.", headers=_CHALLENGE)
        claims = self._claims(authorization[7:].strip())
        return _actor_from(claims)

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
                leeway=30,
            )
        except jwt.ExpiredSignatureError:
            raise Problem(401, "Tokenet er utløpt.", headers=_CHALLENGE) from None
        except (jwt.PyJWTError, ValueError):
            raise Problem(401, "Tokenet er ugyldig.", headers=_CHALLENGE) from None


def _actor_from(claims: dict[str, Any]) -> Actor:
    try:
        return actor_from_claims(claims)
    except InvalidClaim as e:
        if e.claim in _CLAIM_MESSAGES:
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
    import time

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
