"""Tuning knobs of the clearing engine, fixed by default for reproducible results."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ClearingOptions"]


@dataclass(frozen=True, slots=True)
class ClearingOptions:
    """How the SFT is solved; none of these change the optimum, only how fast it is found.

    * ``violation_tolerance``: a contingency row is added when the flow exceeds
      its limit by more than this fraction of max(1 MW, limit).
    * ``max_cut_rounds``: give up (``SolverError``) after this many
      constraint-generation rounds.
    * ``cuts_per_element`` / ``max_cuts_per_round``: how many violated
      contingency rows to add per monitored element and per round.
    * ``dual_tolerance``: a row with a dual above this ($/MW) is reported binding.
    * ``working_set_threshold``: above this many product columns the auction
      solves on a working set of segments (see ``auction``); below, on all.
    * ``working_set_fraction`` / ``working_set_minimum``: initial working set
      size as a share of the segments, and its floor.
    * ``reduced_cost_tolerance``: a segment left outside the working set is
      accepted at its bound when its reduced cost has the right sign within
      this tolerance ($/MW).
    * ``large_model_method``: HiGHS method for the first solve of models above
      the working-set threshold (``"ipm"`` or ``"simplex"``).
    * ``estimate_blocks_per_path``: blocks per path in the coarse LP that
      estimates prices before the working set is chosen.
    * ``warm_start_limit``: when more segments than this join the working set
      at once, the restricted LP is re-solved from scratch with
      ``large_model_method`` instead of from the last basis.
    """

    violation_tolerance: float = 1e-7
    max_cut_rounds: int = 60
    cuts_per_element: int = 1
    max_cuts_per_round: int = 20_000
    dual_tolerance: float = 1e-7
    working_set_threshold: int = 40_000
    working_set_fraction: float = 0.05
    working_set_minimum: int = 10_000
    reduced_cost_tolerance: float = 1e-6
    large_model_method: str = "ipm"
    warm_start_limit: int = 500
    estimate_blocks_per_path: int = 4

    def __post_init__(self) -> None:
        if self.large_model_method not in ("ipm", "simplex"):
            raise ValueError(
                f"Expected large_model_method 'ipm' or 'simplex' but got {self.large_model_method!r}"
            )
        for name in ("max_cut_rounds", "cuts_per_element", "max_cuts_per_round"):
            if getattr(self, name) < 1:
                raise ValueError(f"Expected {name} >= 1 but got {getattr(self, name)!r}")
