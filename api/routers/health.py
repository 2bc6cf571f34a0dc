"""Liveness and readiness.

Both are `async` routes: they run on the event loop, never in the worker
thread pool, so they answer even when every worker thread is busy (or waiting
on a database that has gone away). Liveness makes no database call at all;
readiness runs its short check in a thread of its own (at most two at once)
and gives up after `READY_TIMEOUT`, answering 503 rather than waiting.
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.views import Health, Readiness

router = APIRouter(tags=["health"])

READY_TIMEOUT = 1.5  # seconds: the readiness answer comes within 2 s whatever the database does


@router.get("/v1/health", response_model=Health)
async def health(request: Request) -> dict[str, Any]:
    """Liveness: the process answers, and the kind of store it uses. No database call; nothing secret."""
    return request.app.state.reads.health()


@router.get(
    "/v1/health/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready: the database does not answer"}},
)
async def ready(request: Request) -> JSONResponse:
    """Readiness: the database answers, each projection's lag behind the log, and the cases a
    projection could not compute (`degraded`, still 200). 503 when the database does not answer."""
    reads = request.app.state.reads
    state = request.app.state
    if getattr(state, "ready_limiter", None) is None:
        state.ready_limiter = anyio.CapacityLimiter(2)
    body = None
    with anyio.move_on_after(READY_TIMEOUT):
        body = await anyio.to_thread.run_sync(reads.readiness, limiter=state.ready_limiter, abandon_on_cancel=True)
    if body is None:
        body = reads.not_ready(f"no answer within {READY_TIMEOUT:g} s")
    ready = body["status"] != "not_ready"
    headers = {"Cache-Control": "no-store"} if ready else {"Cache-Control": "no-store", "Retry-After": "1"}
    return JSONResponse(body, status_code=200 if ready else 503, headers=headers)
