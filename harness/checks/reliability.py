"""Reliability: no server errors under concurrent load, nothing acknowledged lost or doubled.

The reliability suite judges these over a whole load run (or a crash and
restart), so they are case checks; the figures (throughput, latency
percentiles) travel in the result message. ``percentile`` and
``acknowledged_problems`` are the pure parts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from harness.checks.registry import case_check

__all__ = ["acknowledged_problems", "percentile"]

case_check("REL-001")
case_check("REL-002")
case_check("REL-003")


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (``fraction`` in 0..1); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def acknowledged_problems(acknowledged: Iterable[str], present: Iterable[str]) -> list[str]:
    """What is wrong with ``present`` (the keys found, repeats included): an ``acknowledged``
    key missing, or any key found more than once."""
    counts = Counter(present)
    problems = [f"{key} missing" for key in sorted(set(acknowledged)) if counts[key] == 0]
    problems += [f"{key} present {n} times" for key, n in sorted(counts.items()) if n > 1]
    return problems
