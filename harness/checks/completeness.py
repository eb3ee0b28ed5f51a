"""Completeness: every suite runs to its end, or the report says it did not.

A suite that stops on an exception inside the harness has not judged the
target for the cases it did not reach; counting what it did reach as the
whole would be a verdict on less than was asked. So the stop is one ERROR
of RUN-001 (the traceback in its message), and the run goes on with the
next suite.
"""

from __future__ import annotations

from harness.checks.registry import run_check

__all__ = ["SUITE_COMPLETED"]

SUITE_COMPLETED = run_check("RUN-001")
