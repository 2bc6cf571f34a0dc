"""The Norwegian words the pages use, from the one place the ledger keeps them."""

from __future__ import annotations

try:
    from ledger.vocabulary import ROLE_NAMES
except ImportError:  # until the vocabulary module of issue #8 lands; then this fallback goes
    from commands.authorization import _ROLE_NAMES as ROLE_NAMES

__all__ = ["ROLE_NAMES"]
