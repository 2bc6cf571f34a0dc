"""What the HTTP edge is told (README: Limits at the edge): the body and header limits, the
token limits, the municipalities this deployment serves, CORS and HTTPS.

Read from the environment by the composition root (app/settings.py) with `from_env`; the
API's middleware (api/limits.py, api/security_headers.py) and the token verifier (api/auth.py)
receive the values, never the environment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ledger.profiles import MUNICIPALITY_NAMES
from ledger.values import is_municipality_number
from store.config import ConfigError

KIB = 1024
MIB = 1024 * KIB
DEFAULT_MAX_BODY = 1 * MIB  # a JSON command is a few kB; the bundle and receipt routes have their own
DEFAULT_MAX_HEADERS = 32 * KIB  # the whole header block; past it 431
MAX_TOKEN_BYTES = 8 * KIB  # a bearer token longer than this is refused as an invalid one (401)
DEFAULT_TOKEN_LIFETIME = 12 * 3600  # seconds: a working day with margin
# The development default: the municipalities of the demo data set (ledger/profiles.py).
DEMO_MUNICIPALITIES: tuple[str, ...] = tuple(MUNICIPALITY_NAMES)


@dataclass(frozen=True)
class EdgeSettings:
    max_body_bytes: int = DEFAULT_MAX_BODY
    max_header_bytes: int = DEFAULT_MAX_HEADERS
    token_max_lifetime: int = DEFAULT_TOKEN_LIFETIME  # seconds
    municipalities: tuple[str, ...] = DEMO_MUNICIPALITIES
    cors_origins: tuple[str, ...] = ()
    assume_https: bool = False
    docs: bool = True  # /docs and /redoc (Swagger UI, ReDoc): not in production

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, production: bool = False) -> EdgeSettings:
        served = env.get("LEDGER_MUNICIPALITIES", "").strip()
        if not served and production:
            raise ConfigError("LEDGER_MUNICIPALITIES is required when LEDGER_ENV=production (e.g. 3447,3443)")
        return cls(
            max_body_bytes=_size(env, "LEDGER_MAX_BODY_BYTES", DEFAULT_MAX_BODY),
            max_header_bytes=_size(env, "LEDGER_MAX_HEADER_BYTES", DEFAULT_MAX_HEADERS),
            token_max_lifetime=_duration(env, "LEDGER_TOKEN_MAX_LIFETIME", DEFAULT_TOKEN_LIFETIME),
            municipalities=_municipalities(served) if served else DEMO_MUNICIPALITIES,
            cors_origins=_origins(env.get("LEDGER_CORS_ORIGINS", "")),
            assume_https=_flag(env, "LEDGER_ASSUME_HTTPS"),
            docs=not production,
        )


def _size(env: Mapping[str, str], name: str, default: int) -> int:
    """Bytes, optionally with a unit: 1048576, 1024k, 1m (k and m are KiB and MiB)."""
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    match = re.fullmatch(r"(\d{1,12})\s*([km]?)i?b?", value)
    if not match or int(match.group(1)) < 1:
        raise ConfigError(f"{name} must be a size in bytes, e.g. 1048576 or 1m (got {value[:20]!r})")
    return int(match.group(1)) * {"": 1, "k": KIB, "m": MIB}[match.group(2)]


def _duration(env: Mapping[str, str], name: str, default: int) -> int:
    """Seconds, optionally with a unit: 43200, 720m, 12h."""
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    match = re.fullmatch(r"(\d{1,9})\s*([smh]?)", value)
    if not match or int(match.group(1)) < 1:
        raise ConfigError(f"{name} must be a duration, e.g. 43200, 720m or 12h (got {value[:20]!r})")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def _municipalities(value: str) -> tuple[str, ...]:
    numbers = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    for number in numbers:
        if not is_municipality_number(number):
            raise ConfigError(f"LEDGER_MUNICIPALITIES: {number[:20]!r} is not a four-digit municipality number")
    return numbers


def _origins(value: str) -> tuple[str, ...]:
    origins = tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())
    for origin in origins:
        if origin == "*" or not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?", origin):
            raise ConfigError(f"LEDGER_CORS_ORIGINS: {origin[:60]!r} is not an origin (https://host[:port])")
    return origins


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value not in ("", "true", "false", "1", "0"):
        raise ConfigError(f"{name} must be true or false")
    return value in ("true", "1")
