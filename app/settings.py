"""Settings from the environment (CONTRACT: Configuration).

Secrets not given are created on first use in files beside the SQLite
database (the working directory for PostgreSQL), so `ledger token`,
`ledger serve` and the other commands agree. With LEDGER_ENV=production a
missing secret is an error instead: production keys come from a secret store.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from api.edge_config import EdgeSettings
from archive.settings import ArchiveSettings
from ledger.profiles import PROFILES
from notify.settings import NotifySettings
from store.config import ConfigError, StoreConfig, Timeouts, parse_database_url
from store.keyring import read_key_file

DEFAULT_DATABASE_URL = "sqlite:///ledger.db"
DEFAULT_CASE_CACHE = 256
# The archive schemas (Noark 5, Fiks Arkiv) are data, never copied into the repository: by default the
# shared folder beside it (`../shared/schemas` from where the ledger runs), else LEDGER_SCHEMA_DIR.
DEFAULT_SCHEMA_DIR = "../shared/schemas"


# Placeholders for development: set the class the archive uses for health and care coordination
# cases (LEDGER_ARCHIVE_*) before sending it anything. The other fields default in ArchiveSettings.
_ARCHIVE_PLACEHOLDERS = {
    "classification_system": "K-kode",
    "class_id": "G12",
    "class_title": "Koordinering og individuell plan",
}


@dataclass(frozen=True)
class ArchiveConfig:
    """What the municipality's archive decides (LEDGER_ARCHIVE_*): where the case folders are filed
    (classification system and class, archive part), the unit answering for them, the folder title
    and the access restriction. One set for every municipality the ledger serves; each gets its own
    `ArchiveSettings` with its number (the fields and their defaults are declared there, once)."""

    given: Mapping[str, str] = field(default_factory=dict)  # the LEDGER_ARCHIVE_* values set
    schema_dir: Path = Path(DEFAULT_SCHEMA_DIR)

    def for_municipality(self, municipality: str) -> ArchiveSettings:
        return ArchiveSettings(municipality=municipality, **{**_ARCHIVE_PLACEHOLDERS, **self.given})


_ARCHIVE_ENV = {
    "classification_system": "LEDGER_ARCHIVE_CLASSIFICATION_SYSTEM",
    "class_id": "LEDGER_ARCHIVE_CLASS_ID",
    "class_title": "LEDGER_ARCHIVE_CLASS_TITLE",
    "archive_part": "LEDGER_ARCHIVE_PART",
    "responsible_unit": "LEDGER_ARCHIVE_UNIT",
    "system": "LEDGER_ARCHIVE_SYSTEM",
    "case_title": "LEDGER_ARCHIVE_CASE_TITLE",
    "access_code": "LEDGER_ARCHIVE_ACCESS_CODE",
    "access_basis": "LEDGER_ARCHIVE_ACCESS_BASIS",
}


def _archive_config(env: Mapping[str, str]) -> ArchiveConfig:
    values: dict[str, str] = {}
    for key, name in _ARCHIVE_ENV.items():
        value = env.get(name)
        if value is None:
            continue
        value = value.strip()
        if len(value) > 200 or any(ch < " " for ch in value):
            raise ConfigError(f"{name} must be one line of at most 200 characters")
        if not value and key not in ("archive_part",):
            raise ConfigError(f"{name} must not be empty (leave it unset for the default)")
        values[key] = value
    if "system" in values and not re.fullmatch(r"[A-Za-z0-9._-]+", values["system"]):
        raise ConfigError("LEDGER_ARCHIVE_SYSTEM must be letters, digits, '.', '_' or '-' (it is part of every key)")
    return ArchiveConfig(values, schema_dir=Path(env.get("LEDGER_SCHEMA_DIR") or DEFAULT_SCHEMA_DIR))


@dataclass(frozen=True)
class WebSettings:
    """The web app: sign-in through OpenID Connect, session time-outs, cookies."""

    production: bool = False
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_redirect_url: str | None = None
    oidc_scopes: tuple[str, ...] = ("openid", "profile")
    secure_cookies: bool = False
    session_idle_minutes: int = 30
    session_max_hours: int = 8


@dataclass(frozen=True)
class Settings:
    store: StoreConfig
    jwt_secret: str
    master_key: bytes
    signing_key: bytes
    default_profile: str
    oidc_jwks_url: str | None
    oidc_issuer: str | None
    oidc_audience: str | None
    secrets_dir: Path
    trusted_bundle_keys: tuple[bytes, ...] = ()
    case_cache: int = DEFAULT_CASE_CACHE
    web: WebSettings = WebSettings()
    archive: ArchiveConfig = ArchiveConfig()
    # Master keys (README: Rotating keys): the ones this process unwraps with, the first wrapping
    # new keys; the key file they came from (None: the environment); the key to rotate to.
    master_keys: tuple[bytes, ...] = ()
    master_key_file: Path | None = None
    new_master_key: bytes | None = None
    # The signing key's file (None: LEDGER_SIGNING_KEY), and the key to rotate to (LEDGER_NEW_SIGNING_KEY).
    signing_key_file: Path | None = None
    new_signing_key: bytes | None = None
    # Reminders and their delivery (SMTP, webhooks, the dispatcher): see notify/settings.py.
    notify: NotifySettings = field(default_factory=lambda: NotifySettings.from_env({}))
    # The HTTP edge: body and header limits, token limits, municipalities served, CORS, HTTPS.
    edge: EdgeSettings = EdgeSettings()

    def __post_init__(self) -> None:
        if not self.master_keys:
            object.__setattr__(self, "master_keys", (self.master_key,))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, service: bool = False) -> Settings:
        """`service`: the settings of a process that serves people (the API, the projection
        process), whose database waits are short (store.config.Timeouts)."""
        env = os.environ if environ is None else environ
        timeouts = Timeouts.from_env(env, service=service)
        store = parse_database_url(env.get("LEDGER_DATABASE_URL") or DEFAULT_DATABASE_URL, timeouts)
        secrets_dir = store.sqlite_path.resolve().parent if store.sqlite_path else Path.cwd()
        production = env.get("LEDGER_ENV", "development") == "production"
        profile = env.get("LEDGER_PROFILE", "national-default")
        if profile not in PROFILES:
            raise ConfigError(f"LEDGER_PROFILE {profile!r} is unknown; choose one of {', '.join(sorted(PROFILES))}")
        master, master_keys, master_file, new_master = _master_keys(env, secrets_dir / ".ledger-master-key", production)
        signing = _secret(env, "LEDGER_SIGNING_KEY", secrets_dir / ".ledger-signing-key", production, 32)
        jwt = _secret(env, "LEDGER_JWT_SECRET", secrets_dir / ".ledger-jwt-secret", production, 32, raw=True)
        return cls(
            store=store,
            jwt_secret=jwt.decode(),
            master_key=master,
            master_keys=master_keys,
            master_key_file=master_file,
            new_master_key=new_master,
            signing_key_file=None if env.get("LEDGER_SIGNING_KEY") else secrets_dir / ".ledger-signing-key",
            new_signing_key=_hex_key(env, "LEDGER_NEW_SIGNING_KEY", 32) if env.get("LEDGER_NEW_SIGNING_KEY") else None,
            signing_key=signing,
            default_profile=profile,
            oidc_jwks_url=env.get("LEDGER_OIDC_JWKS_URL") or None,
            oidc_issuer=env.get("LEDGER_OIDC_ISSUER") or None,
            oidc_audience=env.get("LEDGER_OIDC_AUDIENCE") or None,
            secrets_dir=secrets_dir,
            trusted_bundle_keys=_public_keys(env.get("LEDGER_TRUSTED_BUNDLE_KEYS", "")),
            case_cache=_case_cache(env.get("LEDGER_CASE_CACHE", "")),
            web=_web_settings(env, production),
            archive=_archive_config(env),
            # Only the process that delivers (`ledger notify`) needs the web app's address for links.
            notify=NotifySettings.from_env(env, require_public_url=False),
            edge=EdgeSettings.from_env(env, production=production),
        )


def _web_settings(env: Mapping[str, str], production: bool) -> WebSettings:
    client_id = env.get("LEDGER_OIDC_CLIENT_ID") or None
    secret = env.get("LEDGER_OIDC_CLIENT_SECRET") or None
    if client_id and not env.get("LEDGER_OIDC_ISSUER"):
        raise ConfigError("LEDGER_OIDC_CLIENT_ID needs LEDGER_OIDC_ISSUER (the provider to sign in with)")
    if client_id and production and not secret:
        raise ConfigError("LEDGER_OIDC_CLIENT_SECRET is required with LEDGER_OIDC_CLIENT_ID when LEDGER_ENV=production")
    secure = env.get("LEDGER_WEB_SECURE_COOKIES", "").strip().lower()
    if secure not in ("", "true", "false", "1", "0"):
        raise ConfigError("LEDGER_WEB_SECURE_COOKIES must be true or false")
    return WebSettings(
        production=production,
        oidc_client_id=client_id,
        oidc_client_secret=secret,
        oidc_redirect_url=env.get("LEDGER_OIDC_REDIRECT_URL") or None,
        oidc_scopes=tuple(env.get("LEDGER_OIDC_SCOPES", "").split()) or ("openid", "profile"),
        # Production is served over HTTPS (behind a proxy, the request itself may say http).
        secure_cookies=secure in ("true", "1") or (production and secure == ""),
        session_idle_minutes=_whole(env, "LEDGER_SESSION_IDLE_MINUTES", 30),
        session_max_hours=_whole(env, "LEDGER_SESSION_MAX_HOURS", 8),
    )


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(f"{name} must be a whole number, 1 or more (got {value[:20]!r})")
    return int(value)


def _case_cache(value: str) -> int:
    """How many cases the command path keeps decrypted in memory (0: none)."""
    if not value.strip():
        return DEFAULT_CASE_CACHE
    if not value.strip().isdigit():
        raise ConfigError(f"LEDGER_CASE_CACHE must be a whole number of cases, 0 or more (got {value[:20]!r})")
    return int(value)


def _public_keys(value: str) -> tuple[bytes, ...]:
    """Other ledgers' Ed25519 public keys (hex, comma-separated) whose case bundles are imported."""
    keys = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        if not re.fullmatch(r"[0-9a-fA-F]{64}", item):
            raise ConfigError(f"LEDGER_TRUSTED_BUNDLE_KEYS: {item[:20]!r} is not a 64-digit hex Ed25519 public key")
        keys.append(bytes.fromhex(item))
    return tuple(keys)


def _master_keys(
    env: Mapping[str, str], path: Path, production: bool
) -> tuple[bytes, tuple[bytes, ...], Path | None, bytes | None]:
    """The current master key, the master keys a process reads with (the wrapping one first), the
    key file they are kept in (None: from the environment) and the key being rotated to
    (LEDGER_NEW_MASTER_KEY), if any.

    From the environment: LEDGER_MASTER_KEY, with LEDGER_NEW_MASTER_KEY first when set (the
    process then wraps new keys with the new one and reads either). From the key file: its lines,
    the current key first and any kept by an unfinished rotation after it."""
    new = _hex_key(env, "LEDGER_NEW_MASTER_KEY", 32) if env.get("LEDGER_NEW_MASTER_KEY") else None
    current = _secret(env, "LEDGER_MASTER_KEY", path, production, 32)  # a file is made on first use
    if env.get("LEDGER_MASTER_KEY"):
        return current, ((new, current) if new is not None and new != current else (current,)), None, new
    try:
        keys = tuple(read_key_file(path))
    except ValueError as e:
        raise ConfigError(str(e)) from None
    return keys[0], keys, path, new


def _hex_key(env: Mapping[str, str], name: str, size: int) -> bytes:
    try:
        key = bytes.fromhex(env.get(name, ""))
    except ValueError:
        raise ConfigError(f"{name} must be {size * 2} hexadecimal characters") from None
    if len(key) != size:
        raise ConfigError(f"{name} must be {size * 2} hexadecimal characters")
    return key


def _secret(env: Mapping[str, str], name: str, path: Path, production: bool, size: int, raw: bool = False) -> bytes:
    value = env.get(name)
    if value:
        if raw:
            if len(value) < 32:
                raise ConfigError(f"{name} must be at least 32 characters")
            return value.encode()
        return _hex_key(env, name, size)
    if production:
        raise ConfigError(f"{name} is required when LEDGER_ENV=production (take it from the secret store)")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = secrets.token_urlsafe(48) if raw else secrets.token_hex(size)
        # Created with owner-only permissions: these files are keys.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
    text = path.read_text().strip()
    # A key file may hold more than one key (a master key rotation under way): the current one is first.
    return text.encode() if raw else bytes.fromhex(text.splitlines()[0].strip())
