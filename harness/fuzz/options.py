"""How much a fuzz run may do: examples per operation, seconds, stateful chains.

``certify`` runs suites with a ``Session`` only; ``crr-harness fuzz`` sets
its options for the duration of the run with ``using(options)``, and the
fuzzing suite reads ``current()`` (the defaults under a plain ``certify``).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["DEFAULT", "FuzzOptions", "current", "using"]


@dataclass(frozen=True, slots=True)
class FuzzOptions:
    """The budget and shape of a fuzz run."""

    max_examples: int = 10
    """Examples per operation, as schemathesis counts them: shared between positive and
    negative generation (the positive half gets the odd one)."""
    time_budget: float | None = None
    """Seconds for the whole run (None: no limit); shared out so every operation gets a slice."""
    stateful: bool = True
    """Run the stateful chains (portfolio lifecycle, secondary market offer) after the operations."""
    stateful_examples: int | None = None
    """Chains per stateful machine (None: ``max(2, max_examples // 4)``)."""
    forbidden_share: int = 8
    """One allowed call in this many is made as a participant whose role may not call."""
    run_checks: bool = True
    """Run the harness's checks on every answer (False: schemathesis' verdicts only, to measure
    the checks' overhead)."""

    def __post_init__(self) -> None:
        if self.max_examples < 1:
            raise ValueError(f"Expected max_examples >= 1 but got max_examples={self.max_examples}")
        if self.time_budget is not None and self.time_budget <= 0:
            raise ValueError(f"Expected time_budget > 0 but got time_budget={self.time_budget}")
        if self.forbidden_share < 2:
            raise ValueError(
                f"Expected forbidden_share >= 2 but got forbidden_share={self.forbidden_share}"
            )

    @property
    def chains(self) -> int:
        """How many chains each stateful machine runs."""
        if self.stateful_examples is not None:
            return self.stateful_examples
        return max(2, self.max_examples // 4)

    def examples(self, positive: bool) -> int:
        """The examples of one generation mode: the positive half and the negative half."""
        half = self.max_examples // 2
        return self.max_examples - half if positive else max(1, half)


DEFAULT = FuzzOptions()

_CURRENT: contextvars.ContextVar[FuzzOptions] = contextvars.ContextVar(
    "crr_harness_fuzz_options", default=DEFAULT
)


def current() -> FuzzOptions:
    """The options of the run in progress (the defaults outside ``using``)."""
    return _CURRENT.get()


@contextlib.contextmanager
def using(options: FuzzOptions) -> Iterator[FuzzOptions]:
    """Make ``options`` current until the block ends."""
    token = _CURRENT.set(options)
    try:
        yield options
    finally:
        _CURRENT.reset(token)
