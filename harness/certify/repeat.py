"""``certify --repeat N``: rerun every failing case N times and mark the ones that pass.

A failure that does not reproduce is still a failure (the target answered
wrongly once, and a certification cannot rest on luck), so a flaky check
keeps its FAIL or ERROR and its first evidence; what changes is that the
report says it passed on a rerun, and how often. The reruns are recorded
on the check (``CheckResult.reruns``), never as results of their own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TextIO

from harness.results import RunReport, Status
from harness.selection import Selection

__all__ = ["NOT_RUN", "rerun_failures"]

NOT_RUN = "NOT RUN"
"""A rerun in which the check did not apply (the case took another path)."""

RunSuite = Callable[[str, RunReport, Selection], None]
"""Runs one suite with a selection, recording into the report given."""


def rerun_failures(report: RunReport, run_suite: RunSuite, repeat: int, out: TextIO) -> None:
    """Rerun the failing cases of ``report`` ``repeat`` times; record each check's statuses."""
    failing = [r for r in report.results if r.status in (Status.FAIL, Status.ERROR)]
    if repeat < 1 or not failing:
        return
    cases = {result.case for result in failing}
    suites = list(dict.fromkeys(result.suite for result in failing))
    seen: dict[str, list[str]] = {result.key: [] for result in failing}
    for round_number in range(1, repeat + 1):
        print(
            f"crr-harness certify: rerun {round_number}/{repeat} of {len(cases)} failing cases",
            file=out,
            flush=True,
        )
        scratch = dataclasses.replace(report, results=[])
        for suite in suites:
            run_suite(suite, scratch, Selection(None, cases))
        statuses = {result.key: str(result.status) for result in scratch.results}
        for key, history in seen.items():
            history.append(statuses.get(key, NOT_RUN))
    report.results = [
        dataclasses.replace(result, reruns=tuple(seen[result.key]))
        if result.key in seen
        else result
        for result in report.results
    ]
