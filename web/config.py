"""What the web app is told by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The repository root's node_modules, where `scripts/setup` puts the front-end packages.
NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"


@dataclass(frozen=True)
class OidcClientConfig:
    """This app as a client of an OpenID Connect provider (authorization code flow with PKCE)."""

    issuer: str
    client_id: str
    client_secret: str | None = None
    # Where the provider sends the browser back; None: derived from the request
    # (set it behind a proxy that rewrites the host or the scheme).
    redirect_url: str | None = None
    # `openid` is always asked for; the rest name the claims the ledger maps to an actor.
    scopes: tuple[str, ...] = ("openid", "profile")


@dataclass(frozen=True)
class WebConfig:
    production: bool = False
    # Sends the cookie with `Secure` (and the `__Host-` name) whatever the
    # request's scheme says; a request that arrived over HTTPS gets `Secure` anyway.
    secure_cookies: bool = False
    oidc: OidcClientConfig | None = None
    # The municipalities this deployment serves (LEDGER_MUNICIPALITIES): a sign-in claiming another
    # is refused, as the API refuses its token. None: no list given (tests of the web app alone).
    municipalities: frozenset[str] | None = None
    node_modules: Path = NODE_MODULES

    @property
    def cookie_name(self) -> str:
        # `__Host-`: the browser accepts it only with Secure, Path=/ and no Domain.
        return "__Host-ledger-session" if self.secure_cookies else "ledger-session"

    @property
    def dev_sign_in(self) -> bool:
        return not self.production
