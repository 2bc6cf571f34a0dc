"""The HTTP API: `build_api()` puts the FastAPI edge in front of the command
and read services. The composition root builds those and calls it
(`app/server.py: create_app`, the uvicorn factory)."""

from __future__ import annotations

import re

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from api import command_routes, errors
from api.auth import TokenVerifier
from api.bundle_upload import MAX_BUNDLE_BYTES
from api.deps import Problem
from api.edge_config import EdgeSettings
from api.limits import Allowance, InputLimits
from api.links import add_links
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
from api.security_headers import SecurityHeaders
from commands.application import LedgerApplication
from commands.directory import NotificationDirectory
from reads.archive import MAX_RECEIPT_BYTES
from reads.service import ReadService

DESCRIPTION = """Event-sourced coordination ledger for Norwegian municipalities: coordinator,
individual plan (IP) and responsibility group under the person's consent. Every command is an
immutable event; errors are `application/problem+json` with the rule id (INV-xx) where an
invariant refused. Send `Authorization: Bearer <token>` (`ledger token` in development),
`If-Match: "<version>"` for optimistic concurrency and `Idempotency-Key` on POSTs."""


# Routes that receive more than the default body limit: the raw bodies they read themselves.
ALLOWANCES = (
    Allowance("POST", re.compile(r"/v1/cases/transfers-in"), MAX_BUNDLE_BYTES),
    Allowance("POST", re.compile(r"/v1/archive/messages/[^/]+/receipt"), MAX_RECEIPT_BYTES),
)


def build_api(
    commands: LedgerApplication,
    reads: ReadService,
    verifier: TokenVerifier,
    directory: NotificationDirectory,
    edge: EdgeSettings | None = None,
) -> FastAPI:
    """The routes, the problem+json errors and the OpenAPI document; the routers reach the
    services through `CommandsDep`, `ReadsDep` and `DirectoryDep` (api/deps.py). `edge`: the
    limits, headers and CORS of the HTTP edge (api/edge_config.py)."""
    edge = edge or EdgeSettings()
    docs = {} if edge.docs else {"docs_url": None, "redoc_url": None}
    app = FastAPI(
        title="Koordineringsprotokoll (coordination ledger)", version="0.1.0", description=DESCRIPTION, **docs
    )
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
    install_edge(app, edge)
    return app


def install_edge(app: FastAPI, edge: EdgeSettings) -> None:
    """Input limits first (before CORS, parsing and authentication), CORS only with configured
    origins, and the security headers around everything, the server's own error answers included."""
    app.add_middleware(
        InputLimits, max_body_bytes=edge.max_body_bytes, max_header_bytes=edge.max_header_bytes, allowances=ALLOWANCES
    )
    if edge.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(edge.cors_origins),
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key"],
            expose_headers=["ETag", "Digest", "Content-Disposition", "Retry-After"],
            max_age=600,
        )
    inner = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(inner(), assume_https=edge.assume_https)  # type: ignore[method-assign]


def _add_problem_schema(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = Problem.model_json_schema()
        add_links(schema, command_routes.ROUTES)  # which answer gives the ids another operation takes
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
