"""``crr-harness compare``: what changed between two runs of the same target.

``runs`` reads a run from a report directory or a certification package,
``comparison`` sorts every check into new failures, fixed, still failing,
newly skipped and flaky, and ``render`` writes it as text or JSON
(the HTML page is ``harness.compare.html``).
"""

from harness.compare.comparison import Comparison, compare_runs
from harness.compare.runs import load_run

__all__ = ["Comparison", "compare_runs", "load_run"]
