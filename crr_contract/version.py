"""MAJOR.MINOR.MINI versions, as CAISO numbers its spec and schema files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

from crr_contract.errors import SpecError

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")

BUMP_LEVELS = ("MAJOR", "MINOR", "MINI")


@total_ordering
@dataclass(frozen=True)
class SpecVersion:
    """A three-part version; orders numerically, so 1.10.0 > 1.9.3."""

    major: int
    minor: int
    mini: int

    @classmethod
    def parse(cls, text: str) -> SpecVersion:
        match = _VERSION.match(str(text).strip())
        if not match:
            raise SpecError(f"not a MAJOR.MINOR.MINI version: {text!r}")
        return cls(*(int(part) for part in match.groups()))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.mini}"

    def _key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.mini)

    def __lt__(self, other: SpecVersion) -> bool:
        return self._key() < other._key()

    def bump_from(self, older: SpecVersion) -> str | None:
        """Which component changed first from ``older`` to this version.

        Returns "MAJOR", "MINOR", "MINI", or None when the versions are equal.
        Whether the components to the right were reset is ``resets_from``.
        """
        for level, new, old in zip(BUMP_LEVELS, self._key(), older._key(), strict=True):
            if new != old:
                return level
        return None

    def resets_from(self, older: SpecVersion) -> bool:
        """True when this is a well-formed successor: one component +1, those right of it 0."""
        level = self.bump_from(older)
        if level is None:
            return False
        index = BUMP_LEVELS.index(level)
        new, old = self._key(), older._key()
        return new[index] == old[index] + 1 and all(part == 0 for part in new[index + 1 :])
