"""The settings of notification delivery, read from an environment mapping (the README's
"Notifications" section lists them).

`app.settings.Settings.from_env` reads `NotifySettings.from_env(env)` as its `notify` part. Nothing
here connects anywhere; a missing SMTP host only means no e-mail is sent.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from audit.duties import ReminderRules, ReminderRulesError, default_rules, parse_rules
from store.config import ConfigError

DEFAULT_PUBLIC_URL = "http://localhost:8000"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    starttls: bool = True
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "varsel@ledger.invalid"
    timeout: float = 10.0
    ca_file: Path | None = None  # trust these CAs instead of the system's (a municipality's own CA)


@dataclass(frozen=True)
class WebhookSettings:
    timeout: float = 10.0  # each attempt, connect and every read and write
    max_attempts: int = 8  # then the delivery is dead-lettered
    backoff_base: float = 30.0  # seconds; attempt n waits up to base * 2**(n-1) (full jitter)
    backoff_max: float = 6 * 3600.0


@dataclass(frozen=True)
class DispatchSettings:
    # How long a claimed delivery is held by the dispatcher that claimed it. A dispatcher that dies
    # mid-delivery lets it go when this runs out, and another delivers it again under the same id;
    # it must outlast one attempt (the longest time-out), or a slow attempt would be sent twice.
    lease: float = 300.0
    idle: float = 5.0  # seconds between looks at the outbox when nothing is due


@dataclass(frozen=True)
class NotifySettings:
    public_url: str
    smtp: SmtpSettings | None
    webhooks: WebhookSettings
    reminder_rules: ReminderRules
    dispatch: DispatchSettings = DispatchSettings()

    def require_links(self) -> None:
        """Refuse to deliver without the web app's address (production without LEDGER_PUBLIC_URL)."""
        if not self.public_url:
            raise ConfigError(_PUBLIC_URL_REQUIRED)

    def case_link(self, case_id: object) -> str:
        return f"{self.public_url}/saker/{case_id}"

    def overview_link(self) -> str:
        return f"{self.public_url}/oversikt"

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, require_public_url: bool = True) -> NotifySettings:
        """`require_public_url=False`: a production process that delivers nothing (an API process)
        starts without LEDGER_PUBLIC_URL; `public_url` is then "" and `require_links` refuses to
        deliver."""
        production = env.get("LEDGER_ENV", "development") == "production"
        smtp = _smtp(env, production)
        webhooks = WebhookSettings(
            timeout=_number(env, "LEDGER_WEBHOOK_TIMEOUT", 10.0, low=0.1, high=120),
            max_attempts=int(_number(env, "LEDGER_WEBHOOK_MAX_ATTEMPTS", 8, low=1, high=50, whole=True)),
            backoff_base=_number(env, "LEDGER_WEBHOOK_BACKOFF_BASE", 30.0, low=0.0, high=86400),
            backoff_max=_number(env, "LEDGER_WEBHOOK_BACKOFF_MAX", 6 * 3600.0, low=0.0, high=7 * 86400),
        )
        return cls(
            public_url=_public_url(env.get("LEDGER_PUBLIC_URL", ""), production, require_public_url),
            smtp=smtp,
            webhooks=webhooks,
            reminder_rules=_rules(env.get("LEDGER_REMINDER_RULES", "")),
            dispatch=_dispatch(env, max(webhooks.timeout, smtp.timeout if smtp else 0.0)),
        )


_PUBLIC_URL_REQUIRED = "LEDGER_PUBLIC_URL is required when LEDGER_ENV=production (links in notifications)"


def _public_url(value: str, production: bool, required: bool = True) -> str:
    url = (value.strip() or ("" if production else DEFAULT_PUBLIC_URL)).rstrip("/")
    if not url:
        if not required:
            return ""
        raise ConfigError(_PUBLIC_URL_REQUIRED)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError("LEDGER_PUBLIC_URL must be an http(s) URL without query, like https://ledger.example.no")
    if production and parts.scheme != "https":
        raise ConfigError("LEDGER_PUBLIC_URL must use https when LEDGER_ENV=production")
    return url


def _smtp(env: Mapping[str, str], production: bool) -> SmtpSettings | None:
    host = env.get("LEDGER_SMTP_HOST", "").strip()
    if not host:
        return None
    starttls = _flag(env, "LEDGER_SMTP_STARTTLS", True)
    user = env.get("LEDGER_SMTP_USER") or None
    password = env.get("LEDGER_SMTP_PASSWORD") or None
    if bool(user) != bool(password):
        raise ConfigError("LEDGER_SMTP_USER and LEDGER_SMTP_PASSWORD are given together or not at all")
    # Credentials never cross the network in clear; on loopback (a local relay) there is no network.
    if user and not starttls and not _loopback(host):
        raise ConfigError("LEDGER_SMTP_STARTTLS=false with credentials would send them in clear; use STARTTLS")
    if production and not starttls and not _loopback(host):
        raise ConfigError("LEDGER_SMTP_STARTTLS must be on when LEDGER_ENV=production")
    ca_file = env.get("LEDGER_SMTP_CA_FILE") or None
    if ca_file is not None and not Path(ca_file).is_file():
        raise ConfigError(f"LEDGER_SMTP_CA_FILE {ca_file!r} is not a file")
    sender = env.get("LEDGER_SMTP_FROM", "").strip() or SmtpSettings.sender
    if "@" not in sender or any(c in sender for c in "\r\n<>"):
        raise ConfigError("LEDGER_SMTP_FROM must be a plain address like varsel@kommune.no")
    return SmtpSettings(
        host=host,
        port=int(_number(env, "LEDGER_SMTP_PORT", 587, low=1, high=65535, whole=True)),
        starttls=starttls,
        user=user,
        password=password,
        sender=sender,
        timeout=_number(env, "LEDGER_SMTP_TIMEOUT", 10.0, low=0.1, high=300),
        ca_file=Path(ca_file) if ca_file else None,
    )


def _dispatch(env: Mapping[str, str], longest_attempt: float) -> DispatchSettings:
    lease = _number(env, "LEDGER_NOTIFY_LEASE", 300.0, low=1.0, high=86400)
    if lease <= longest_attempt:
        raise ConfigError(
            f"LEDGER_NOTIFY_LEASE ({lease:g} s) must be longer than one delivery attempt may take "
            f"({longest_attempt:g} s, the SMTP or webhook time-out), or a slow attempt is sent twice"
        )
    return DispatchSettings(lease=lease, idle=_number(env, "LEDGER_NOTIFY_IDLE", 5.0, low=0.01, high=3600))


def _rules(path: str) -> ReminderRules:
    rules = default_rules()
    if not path.strip():
        return rules
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"LEDGER_REMINDER_RULES {path!r} cannot be read: {e.strerror}") from None
    try:
        return parse_rules(text, over=rules)
    except ReminderRulesError as e:
        raise ConfigError(f"LEDGER_REMINDER_RULES {path!r}: {e}") from None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false (got {value[:20]!r})")


def _number(
    env: Mapping[str, str], name: str, default: float, *, low: float, high: float, whole: bool = False
) -> float:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value) if whole else float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a {'whole ' if whole else ''}number (got {value[:20]!r})") from None
    if not low <= number <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g} (got {value[:20]!r})")
    return float(number)
