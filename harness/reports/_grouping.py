"""How the reports group results: by suite, then by service or scenario.

Kept in one place so junit.xml, Allure and report.html agree on what a
"suite" and a "group" are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from harness.results import CheckResult, RunReport, Status

__all__ = ["Group", "elapsed_seconds", "group_of", "groups", "service_of", "suite_names"]


def suite_names(report: RunReport) -> list[str]:
    """The suites the run declared, in order, then any suite only a result names."""
    names = list(dict.fromkeys(report.suites))
    for result in report.results:
        if result.suite not in names:
            names.append(result.suite)
    return names


def service_of(operation: str | None) -> str | None:
    """``auction.getPortfolio`` -> ``auction``: the service is what precedes the first dot."""
    if not operation:
        return None
    return operation.split(".", 1)[0]


def group_of(result: CheckResult) -> tuple[str, str]:
    """``(kind, name)``: the service of the operation, else the scenario (case before ':')."""
    service = service_of(result.operation)
    if service:
        return "service", service
    scenario = result.case.split(":", 1)[0].strip()
    return "scenario", scenario or result.case


def elapsed_seconds(result: CheckResult) -> float:
    """Time spent on the wire for a result: the sum of its exchanges' elapsed times."""
    return sum(exchange.elapsed_ms for exchange in result.evidence) / 1000.0


@dataclass(frozen=True, slots=True)
class Group:
    """The results of one suite that share a service (or a scenario)."""

    kind: str
    name: str
    results: tuple[CheckResult, ...]

    def count(self, status: Status) -> int:
        return sum(1 for result in self.results if result.status == status)


def groups(results: Iterable[CheckResult]) -> list[Group]:
    """Results grouped by ``group_of``, groups in order of first appearance."""
    buckets: dict[tuple[str, str], list[CheckResult]] = {}
    for result in results:
        buckets.setdefault(group_of(result), []).append(result)
    return [Group(kind, name, tuple(items)) for (kind, name), items in buckets.items()]
