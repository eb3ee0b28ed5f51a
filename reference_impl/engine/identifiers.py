"""Deterministic identifiers: counters, never random numbers.

Replaying the same commands must give the same IDs, so every ID the engine
hands out comes from a named counter that is part of the state (and of the
snapshot).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

__all__ = ["IdCounters", "by_id"]

T = TypeVar("T")


def by_id(records: Mapping[str, T]) -> list[T]:
    """The records of a book keyed by ID (or name), in ID order: the order replies and
    snapshots list them in, so that replaying the same commands lists them the same way."""
    return [records[key] for key in sorted(records)]


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
