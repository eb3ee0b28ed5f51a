"""A registry of entries by stable ID: the one shape shared by checks and lint rules.

Check IDs and lint rule IDs are both a contract users write down (``-k``
selections, baselines, CI scripts), so both registries behave the same: an
ID is registered once (a second registration is a defect, refused at
import), looked up like a mapping, and listed in ID order so every listing
is the same whatever the import order was.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

__all__ = ["DuplicateIDError", "Registry"]

T = TypeVar("T")


class DuplicateIDError(ValueError):
    """Raised when an ID is registered a second time."""


class Registry(Generic[T]):
    """Entries of one kind by ID: register once, look up, iterate in ID order."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        """What an entry is ("check", "lint rule"): names it in error messages."""
        self._entries: dict[str, T] = {}

    def register(self, entry_id: str, entry: T) -> T:
        """Add ``entry`` under ``entry_id`` and return it; an ID already taken is refused."""
        if entry_id in self._entries:
            raise DuplicateIDError(f"{self.kind} ID {entry_id} registered twice")
        self._entries[entry_id] = entry
        return entry

    def __getitem__(self, entry_id: str) -> T:
        return self._entries[entry_id]

    def get(self, entry_id: str) -> T | None:
        return self._entries.get(entry_id)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[str]:
        """The IDs, in ID order."""
        return iter(sorted(self._entries))

    def values(self) -> list[T]:
        """The entries, in ID order."""
        return [self._entries[entry_id] for entry_id in self]

    def items(self) -> list[tuple[str, T]]:
        """``(ID, entry)`` pairs, in ID order."""
        return [(entry_id, self._entries[entry_id]) for entry_id in self]

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {len(self)} entries)"
