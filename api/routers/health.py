"""Liveness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import LedgerDep
from api.views import Health

router = APIRouter(tags=["health"])


@router.get("/v1/health", response_model=Health)
def health(ledger: LedgerDep) -> dict[str, Any]:
    """Liveness and the store in use (no secrets)."""
    store = ledger.settings.store
    return {"status": "ok", "store": store.backend, "database": store.redacted_url}
