"""The Norwegian words the pages use, from the one place the ledger keeps them."""

from __future__ import annotations

from ledger.vocabulary import ROLE_NAMES

__all__ = ["ROLE_NAMES"]
