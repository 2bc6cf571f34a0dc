"""Bearer tokens: verified with PyJWT. HMAC (HS256) with LEDGER_JWT_SECRET for
development and tests; OpenID Connect (RS/ES/EdDSA keys from a JWKS URL,
issuer and audience checked) when LEDGER_OIDC_JWKS_URL is set."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jwt

from api.errors import Problem
from ledger.values import Actor, Role, is_municipality_number

ISSUER = "coordination-ledger"
AUDIENCE = "coordination-ledger"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
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
        role = Role(claims.get("role"))
    except (ValueError, TypeError):
        raise Problem(401, "Tokenet har ingen gyldig rolle.", headers=_CHALLENGE) from None
    municipality = str(claims.get("municipality", ""))
    if not is_municipality_number(municipality):
        raise Problem(401, "Tokenet har ikke et firesifret kommunenummer.", headers=_CHALLENGE)
    sub = _text(claims, "sub")
    if not sub:
        raise Problem(401, "Tokenet har ugyldig sub.", headers=_CHALLENGE)
    return Actor(
        id=sub,
        role=role,
        municipality=municipality,
        name=_text(claims, "name") or "",
        service=_text(claims, "service"),
        pid=_text(claims, "pid"),
    )


def _text(claims: dict[str, Any], name: str) -> str | None:
    """A string claim of at most 200 printable characters (they reach the
    store and the logs), or None when absent or empty."""
    value = claims.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 200 or _CONTROL.search(value):
        raise Problem(401, f"Tokenet har et ugyldig {name}-krav.", headers=_CHALLENGE)
    return value


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
