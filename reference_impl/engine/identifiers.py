"""Deterministic identifiers: counters, never random numbers.

Replaying the same commands must give the same IDs, so every ID the engine
hands out comes from a named counter that is part of the state (and of the
snapshot).
"""

from __future__ import annotations

__all__ = ["IdCounters"]


class IdCounters:
    """One increasing counter per ID family (portfolio, CRR, offer, message, ...)."""

    def __init__(self, start: dict[str, int] | None = None) -> None:
        self._last: dict[str, int] = dict(start or {})

    def next(self, family: str) -> int:
        """The next number of ``family``: 1, 2, 3, ..."""
        value = self._last.get(family, 0) + 1
        self._last[family] = value
        return value

    def ensure_at_least(self, family: str, value: int) -> None:
        """Make the next number of ``family`` greater than ``value`` (IDs loaded from data)."""
        if value > self._last.get(family, 0):
            self._last[family] = value

    def snapshot(self) -> dict[str, int]:
        """The last number handed out per family."""
        return dict(sorted(self._last.items()))
