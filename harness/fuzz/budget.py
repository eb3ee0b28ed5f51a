"""The time budget of a run, shared out so that no operation is starved by the ones before it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

__all__ = ["Budget"]


@dataclass(slots=True)
class Budget:
    """``seconds`` (None: unlimited) for ``units`` pieces of work done one after another."""

    seconds: float | None
    units: int
    started: float = field(default_factory=time.monotonic)
    _done: int = 0

    def slice(self) -> float | None:
        """The deadline (monotonic) of the next unit: an equal share of what is left."""
        if self.seconds is None:
            return None
        now = time.monotonic()
        left = self.started + self.seconds - now
        remaining = max(1, self.units - self._done)
        self._done += 1
        return now + max(0.0, left) / remaining

    def spent(self) -> bool:
        """Whether the whole budget is used up."""
        return self.seconds is not None and time.monotonic() >= self.started + self.seconds

    @staticmethod
    def passed(deadline: float | None) -> bool:
        return deadline is not None and time.monotonic() >= deadline
