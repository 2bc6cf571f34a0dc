"""The HTTP API: `create_app()` builds the FastAPI app around a Ledger."""

from __future__ import annotations

import os

from fastapi import FastAPI

from api import command_routes, errors
from api.auth import TokenVerifier
from api.deps import Problem
from api.routers import (
    compliance,
    health,
    ledger,
    overview,
    reads,
    register,
    report,
)
from app.bootstrap import Ledger, build
from app.logging import configure_logging

DESCRIPTION = """Event-sourced coordination ledger for Norwegian municipalities: coordinator,
individual plan (IP) and responsibility group under the person's consent. Every command is an
immutable event; errors are `application/problem+json` with the rule id (INV-xx) where an
invariant refused. Send `Authorization: Bearer <token>` (`ledger token` in development),
`If-Match: "<version>"` for optimistic concurrency and `Idempotency-Key` on POSTs."""


def create_app(ledger_instance: Ledger | None = None, *, run_projections: bool | None = None) -> FastAPI:
    """`run_projections` (default: LEDGER_PROJECTIONS != "external") keeps the
    projections up to date in a background thread of this process."""
    if ledger_instance is None:
        # Started on its own (uvicorn --factory): log with the ledger's
        # redaction, as `ledger serve` does. Tests pass their own ledger.
        configure_logging()
    led = ledger_instance or build()
    if run_projections is None:
        run_projections = os.environ.get("LEDGER_PROJECTIONS", "inline") != "external"
    settings = led.settings
    app = FastAPI(title="Koordineringsprotokoll (coordination ledger)", version="0.1.0", description=DESCRIPTION)
    app.state.ledger = led
    app.state.verifier = TokenVerifier(
        secret=settings.jwt_secret,
        jwks_url=settings.oidc_jwks_url,
        **({"issuer": settings.oidc_issuer} if settings.oidc_issuer else {}),
        **({"audience": settings.oidc_audience} if settings.oidc_audience else {}),
    )
    errors.install(app)
    for module in (health, command_routes, reads, compliance, overview, register, ledger, report):
        app.include_router(module.router)
    _add_problem_schema(app)
    if run_projections:
        stop = led.projections.start_background()
        app.router.on_shutdown.append(stop.set)
    return app


def _add_problem_schema(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = Problem.model_json_schema()
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
