"""Liveness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import ReadsDep
from api.views import Health

router = APIRouter(tags=["health"])


@router.get("/v1/health", response_model=Health)
def health(reads: ReadsDep) -> dict[str, Any]:
    """Liveness and the store in use (no secrets)."""
    return reads.health()
