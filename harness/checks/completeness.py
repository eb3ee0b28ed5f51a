"""Completeness: every suite runs to its end, or the report says it did not.

A suite that stops on an exception inside the harness has not judged the
target for the cases it did not reach; counting what it did reach as the
whole would be a verdict on less than was asked. So the stop is one ERROR
of RUN-001 (the traceback in its message), and the run goes on with the
next suite.
"""

from __future__ import annotations

from harness.checks.registry import case_check

__all__ = ["SUITE_COMPLETED"]

SUITE_COMPLETED = case_check(
    "RUN-001",
    "every suite runs to its end",
    "Every selected suite runs to its end; an exception inside the harness is an ERROR of the "
    "run (the cases after it were not judged), never a PASS and never a silent stop.",
)
