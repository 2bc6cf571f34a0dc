"""The HTTP API: `build_api()` puts the FastAPI edge in front of the command
and read services. The composition root builds those and calls it
(`app/server.py: create_app`, the uvicorn factory)."""

from __future__ import annotations

from fastapi import FastAPI

from api import command_routes, errors
from api.auth import TokenVerifier
from api.deps import Problem
from api.routers import (
    archive,
    compliance,
    health,
    ledger,
    notifications,
    overview,
    register,
    report,
    tasks,
)
from api.routers import reads as reads_router
from commands.application import LedgerApplication
from commands.directory import NotificationDirectory
from reads.service import ReadService

DESCRIPTION = """Event-sourced coordination ledger for Norwegian municipalities: coordinator,
individual plan (IP) and responsibility group under the person's consent. Every command is an
immutable event; errors are `application/problem+json` with the rule id (INV-xx) where an
invariant refused. Send `Authorization: Bearer <token>` (`ledger token` in development),
`If-Match: "<version>"` for optimistic concurrency and `Idempotency-Key` on POSTs."""


def build_api(
    commands: LedgerApplication, reads: ReadService, verifier: TokenVerifier, directory: NotificationDirectory
) -> FastAPI:
    """The routes, the problem+json errors and the OpenAPI document; the routers reach the
    services through `CommandsDep`, `ReadsDep` and `DirectoryDep` (api/deps.py)."""
    app = FastAPI(title="Koordineringsprotokoll (coordination ledger)", version="0.1.0", description=DESCRIPTION)
    app.state.commands = commands
    app.state.reads = reads
    app.state.verifier = verifier
    app.state.directory = directory
    errors.install(app)
    routers = (
        health,
        command_routes,
        reads_router,
        compliance,
        overview,
        register,
        tasks,
        notifications,
        ledger,
        report,
        archive,
    )
    for module in routers:
        app.include_router(module.router)
    _add_problem_schema(app)
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
