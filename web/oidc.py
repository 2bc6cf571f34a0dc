"""Sign-in with OpenID Connect: the authorization code flow with PKCE.

The provider is found through its discovery document; the ID token's
signature is checked with PyJWT against the provider's JWKS (the same library
the API verifies bearer tokens with), and its issuer, audience, expiry and
nonce are checked too. Claims the ID token does not carry are read from the
userinfo endpoint, whose `sub` must be the ID token's (OIDC Core 5.3.2).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import jwt

from web.config import OidcClientConfig
from web.sessions import PendingSignIn

# Asymmetric algorithms only: an HMAC-signed ID token would be signed with the
# client secret, and an explicit list refuses `alg: none`.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]
TIMEOUT = 10.0
# How long a person may take at the provider before its answer is refused.
SIGN_IN_WINDOW_SECONDS = 600


class SignInFailed(Exception):
    """The provider's answer cannot be trusted or used; the message is for the log, not the person."""


class OidcClient:
    def __init__(self, config: OidcClientConfig, *, http: httpx.Client | None = None) -> None:
        self.config = config
        self.http = http or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
        self._metadata: dict[str, Any] | None = None
        self._jwks: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()

    def metadata(self) -> dict[str, Any]:
        """The discovery document, fetched once (a failure is tried again on the next sign-in)."""
        with self._lock:
            if self._metadata is None:
                url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
                try:
                    response = self.http.get(url)
                    response.raise_for_status()
                    metadata = response.json()
                except (httpx.HTTPError, ValueError) as e:
                    raise SignInFailed(f"discovery document unavailable: {e}") from None
                # OIDC Discovery 4.3: the document must name the issuer we asked.
                if metadata.get("issuer") != self.config.issuer:
                    raise SignInFailed(f"discovery names issuer {metadata.get('issuer')!r}")
                for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(metadata.get(name), str):
                        raise SignInFailed(f"discovery document has no {name}")
                self._metadata = metadata
                self._jwks = jwt.PyJWKClient(metadata["jwks_uri"], cache_keys=True, timeout=int(TIMEOUT))
            return self._metadata

    def begin(self, redirect_url: str) -> tuple[str, PendingSignIn]:
        """The provider's authorization URL to send the browser to, and what the callback must match."""
        pending = PendingSignIn(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            code_verifier=secrets.token_urlsafe(64),
            started_at=time.time(),
        )
        challenge = base64.urlsafe_b64encode(hashlib.sha256(pending.code_verifier.encode()).digest()).rstrip(b"=")
        query = {
            "response_type": "code",
            "client_id": self.config.client_id,
            "redirect_uri": redirect_url,
            "scope": " ".join(dict.fromkeys(("openid", *self.config.scopes))),
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": challenge.decode(),
            "code_challenge_method": "S256",
        }
        endpoint = self.metadata()["authorization_endpoint"]
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}", pending

    def finish(
        self, pending: PendingSignIn, *, code: str, state: str, redirect_url: str, iss: str | None = None
    ) -> dict[str, Any]:
        """Exchanges the code and returns the verified claims of the person signed in."""
        if not hmac.compare_digest(pending.state.encode(), state.encode()):
            raise SignInFailed("state does not match the sign-in under way")
        if time.time() - pending.started_at > SIGN_IN_WINDOW_SECONDS:
            raise SignInFailed("the sign-in took too long")
        # RFC 9207: a provider that names itself in the answer must be the one we sent the person to.
        if iss is not None and iss != self.config.issuer:
            raise SignInFailed(f"the answer comes from issuer {iss!r}")
        metadata = self.metadata()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_url,
            "code_verifier": pending.code_verifier,
        }
        auth: tuple[str, str] | None = None
        if self.config.client_secret:
            # RFC 6749 2.3.1: id and secret are form-encoded before Basic encoding.
            auth = (quote(self.config.client_id, safe=""), quote(self.config.client_secret, safe=""))
        else:
            form["client_id"] = self.config.client_id
        try:
            if auth is None:
                response = self.http.post(metadata["token_endpoint"], data=form)
            else:
                response = self.http.post(metadata["token_endpoint"], data=form, auth=auth)
            tokens = response.json()
        except (httpx.HTTPError, ValueError) as e:
            raise SignInFailed(f"token endpoint unavailable: {e}") from None
        if response.status_code != 200 or not isinstance(tokens.get("id_token"), str):
            raise SignInFailed(f"token endpoint answered {response.status_code}: {str(tokens.get('error'))[:100]}")
        claims = self._verify_id_token(tokens["id_token"], pending.nonce)
        userinfo = metadata.get("userinfo_endpoint")
        if isinstance(userinfo, str) and isinstance(tokens.get("access_token"), str):
            claims = {**self._userinfo(userinfo, tokens["access_token"], claims["sub"]), **claims}
        return claims

    def _verify_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        if self._jwks is None:
            raise SignInFailed("no JWKS client (discovery not done)")
        try:
            key = self._jwks.get_signing_key_from_jwt(id_token).key
            claims = jwt.decode(
                id_token,
                key,
                algorithms=ALGORITHMS,
                audience=self.config.client_id,
                issuer=self.config.issuer,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
                leeway=30,
            )
        except (jwt.PyJWTError, ValueError) as e:
            raise SignInFailed(f"ID token refused: {e}") from None
        if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
            raise SignInFailed("ID token nonce does not match the sign-in under way")
        # OIDC Core 3.1.3.7: with several audiences, `azp` must name this client.
        if (
            isinstance(claims.get("aud"), list)
            and len(claims["aud"]) > 1
            and claims.get("azp") != self.config.client_id
        ):
            raise SignInFailed("ID token is for several audiences and not authorised for this client")
        return claims

    def _userinfo(self, url: str, access_token: str, sub: str) -> dict[str, Any]:
        try:
            response = self.http.get(url, headers={"Authorization": f"Bearer {access_token}"})
            response.raise_for_status()
            info = response.json()
        except (httpx.HTTPError, ValueError) as e:
            raise SignInFailed(f"userinfo unavailable: {e}") from None
        if not isinstance(info, dict) or info.get("sub") != sub:
            raise SignInFailed("userinfo is about someone else than the ID token")
        return info
