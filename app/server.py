"""The HTTP server's composition: `create_app` builds the ledger (or takes
one a test built) and puts the API in front of its services.

Run with `ledger serve`, or `uvicorn app.server:create_app --factory`.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from api.auth import TokenVerifier
from api.main import build_api
from app.bootstrap import Ledger, build
from app.logging import configure_logging
from app.settings import Settings


def create_app(ledger: Ledger | None = None, *, run_projections: bool | None = None) -> FastAPI:
    """`run_projections` (default: LEDGER_PROJECTIONS != "external") keeps the
    projections up to date in a background thread of this process."""
    if ledger is None:
        # Started on its own (uvicorn --factory): log with the ledger's
        # redaction, as `ledger serve` does. Tests pass their own ledger.
        configure_logging()
    led = ledger or build()
    if run_projections is None:
        run_projections = os.environ.get("LEDGER_PROJECTIONS", "inline") != "external"
    api = build_api(led.app, led.reads, token_verifier(led.settings))
    if run_projections:
        stop = led.projections.start_background()
        api.router.on_shutdown.append(stop.set)
    return api


def token_verifier(settings: Settings) -> TokenVerifier:
    return TokenVerifier(
        secret=settings.jwt_secret,
        jwks_url=settings.oidc_jwks_url,
        **({"issuer": settings.oidc_issuer} if settings.oidc_issuer else {}),
        **({"audience": settings.oidc_audience} if settings.oidc_audience else {}),
    )
