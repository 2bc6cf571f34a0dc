"""Errors as application/problem+json (RFC 9457), with the rule id where an
invariant refused. Titles are Norwegian: they are shown to people."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from audit.integrity.log import SignerRetired
from ledger.errors import DomainError
from reads.errors import NotComputed
from store.availability import UNAVAILABLE, is_unavailable

log = structlog.get_logger("ledger.api")

PROBLEM = "application/problem+json"
PROBLEM_BASE = "https://ledger.example/problems/"

_STATUS = {
    "invalid": 422,
    "conflict": 409,
    "forbidden": 403,
    "not_found": 404,
    "version_mismatch": 412,
    "gone": 410,
    "unavailable": 503,
}
_TITLES = {
    400: "Ugyldig forespørsel",
    401: "Ikke autentisert",
    403: "Ikke tilgang",
    404: "Finnes ikke",
    405: "Metoden er ikke tillatt",
    409: "Avvist av en regel",
    410: "Finnes ikke lenger",
    412: "Saken er endret",
    413: "Forespørselen er for stor",
    415: "Feil innholdstype",
    422: "Ugyldige data",
    428: "Versjon kreves",
    431: "Forespørselens hoder er for store",
    500: "Intern feil",
    503: "Tjenesten er ikke tilgjengelig",
}


class Problem(Exception):
    """An HTTP error raised by the edge itself (authentication, headers)."""

    def __init__(self, status: int, detail: str, rule: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.rule = rule
        self.headers = headers or {}


def problem_response(
    status: int, detail: str, rule: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"{PROBLEM_BASE}{rule.lower() if rule else status}",
        "title": _TITLES.get(status, "Feil"),
        "status": status,
        "detail": detail,
    }
    if rule:
        body["rule"] = rule
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return problem_response(_STATUS.get(exc.kind, 409), exc.message, exc.rule)

    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.detail, exc.rule, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()]
        # An invalid national id is the one validation failure with a rule of its own.
        rule = "INV-11" if any("INV-11" in e["msg"] for e in errors) else None
        return problem_response(422, "Forespørselen har ugyldige felt.", rule, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI's answer to a body it cannot decode (not UTF-8, not JSON):
            # malformed input, which the contract answers with 422.
            return problem_response(422, "Forespørselen er ikke gyldig JSON (UTF-8).")
        return problem_response(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(SignerRetired)
    async def _retired(_: Request, exc: SignerRetired) -> JSONResponse:
        # An operator's matter (a process started with a signing key rotated out), not the caller's.
        log.error("request.signer_retired", error=str(exc))
        return problem_response(
            503,
            "Tjenesten kan ikke signere med nøkkelen den ble startet med (nøkkelen er byttet); driften må starte "
            "den på nytt med den nye nøkkelen.",
            type=f"{PROBLEM_BASE}signing-key-retired",
        )

    @app.exception_handler(NotComputed)
    async def _not_computed(_: Request, exc: NotComputed) -> JSONResponse:
        # Not a crash: a known kind of failure, recorded, with an answer that says what it is.
        return problem_response(
            503, exc.message, type=f"{PROBLEM_BASE}not-computed", title="Kunne ikke beregnes", part=exc.part
        )

    async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The database is unreachable, silent or busy past its time-outs: a
        # condition of the moment, said honestly and quickly.
        log.warning("request.database_unavailable", path=request.url.path, error=type(exc).__name__)
        return database_unavailable()

    for error_class in UNAVAILABLE:
        app.add_exception_handler(error_class, _unavailable)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if is_unavailable(exc):  # wrapped where the specific handlers did not see it
            return await _unavailable(request, exc)
        # Never a bare 500 page: log the cause (no request body: it may hold
        # personal data) and answer problem+json.
        log.error("request.failed", path=request.url.path, error=type(exc).__name__)
        return problem_response(500, "En uventet feil oppstod; den er logget.")


RETRY_AFTER_SECONDS = 1


def database_unavailable() -> JSONResponse:
    """503 with Retry-After: the database cannot be used right now."""
    return problem_response(
        503,
        "Databasen svarer ikke akkurat nå. Prøv igjen om litt.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        type=f"{PROBLEM_BASE}database-unavailable",
    )
