"""What a run tested, and what it did not: the coverage section of every report.

A verdict says whether what was tested passed; it does not say how much was
tested. This module answers that from the run's own evidence, never from
what a suite meant to do: for each declared operation, which documented
HTTP statuses came back, which of its error codes an error body carried,
and which of its roles called it (a participant's declared role); for each
check ID of ``requirements.yaml`` and each scenario requirement ID, whether
a result names it and how it came out. A cell nobody provoked gets the
reason the run can know: the operation's cases were skipped (the SKIP
says why), the run was narrowed (``-k``, ``--rerun-failed``), some suites
did not run, or nothing provoked it.

``compute_coverage`` is a pure function of the report, the declared specs
and the requirement lists, so the figures of a report can be recomputed and
tested without a target.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crr_contract.operations import Operation, ServiceSpec
from harness.checks.error_codes import error_codes_of
from harness.results import CheckResult, RecordedExchange, RunReport, Status

__all__ = [
    "DIMENSIONS",
    "Cell",
    "Coverage",
    "OperationCoverage",
    "RequirementCoverage",
    "RunScope",
    "ScenarioRequirement",
    "compute_coverage",
]

DIMENSIONS = ("statuses", "codes", "roles")
"""The three (operation, x) matrices, in the order reports show them."""

NOT_RUN = "not run"
"""A requirement no result of the run names."""

_SHOWN_CASES = 5
"""How many provoking cases a cell names; the count says how many there were."""


@dataclass(frozen=True, slots=True)
class RunScope:
    """What the run chose not to do, so an untested cell can say why."""

    narrowed_by: str | None = None
    """``-k 'expr'`` or ``--rerun-failed``: cases left out on purpose; None: all cases."""
    suites_not_run: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScenarioRequirement:
    """A requirement ID a scenario file states, for the whole scenario or for one step."""

    id: str
    scenario: str
    step: int | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    """One (operation, status | code | role): provoked by ``cases``, or not and ``reason``."""

    value: str
    cases: tuple[str, ...] = ()
    reason: str | None = None
    unprovokable: bool = False
    """Not provoked because no request from outside can provoke it (still counted as not
    provoked: the denominator stays every documented pair)."""

    @property
    def tested(self) -> bool:
        return bool(self.cases)

    def to_dict(self) -> dict[str, Any]:
        if self.tested:
            return {
                "value": self.value,
                "tested": True,
                "cases": len(self.cases),
                "by": list(self.cases[:_SHOWN_CASES]),
            }
        found: dict[str, Any] = {"value": self.value, "tested": False, "reason": self.reason}
        if self.unprovokable:
            found["unprovokable"] = True
        return found


@dataclass(frozen=True, slots=True)
class OperationCoverage:
    name: str
    method: str
    path: str
    exchanges: int
    statuses: tuple[Cell, ...]
    codes: tuple[Cell, ...]
    roles: tuple[Cell, ...]

    def cells(self, dimension: str) -> tuple[Cell, ...]:
        return getattr(self, dimension)

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.name,
            "method": self.method,
            "path": self.path,
            "exchanges": self.exchanges,
            **{d: [cell.to_dict() for cell in self.cells(d)] for d in DIMENSIONS},
        }


@dataclass(frozen=True, slots=True)
class RequirementCoverage:
    """A check or scenario requirement ID and the worst status its results had."""

    id: str
    status: str
    results: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "results": self.results}


@dataclass(frozen=True, slots=True)
class Coverage:
    operations: tuple[OperationCoverage, ...]
    checks: tuple[RequirementCoverage, ...]
    scenario_requirements: tuple[RequirementCoverage, ...]
    scope: RunScope = field(default_factory=RunScope)

    def tally(self, dimension: str) -> tuple[int, int]:
        """(tested, total) pairs of one dimension over every operation."""
        cells = [cell for op in self.operations for cell in op.cells(dimension)]
        return sum(1 for cell in cells if cell.tested), len(cells)

    def ratio(self, dimension: str) -> float:
        tested, total = self.tally(dimension)
        return tested / total if total else 1.0

    def uncovered(self, dimension: str) -> list[str]:
        """``operation value`` for each untested cell, in spec order."""
        return [
            f"{op.name} {cell.value}"
            for op in self.operations
            for cell in op.cells(dimension)
            if not cell.tested
        ]

    def unprovokable(self, dimension: str) -> int:
        """Untested cells marked as impossible to provoke from outside."""
        return sum(1 for op in self.operations for cell in op.cells(dimension) if cell.unprovokable)

    def totals(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for dimension in DIMENSIONS:
            tested, total = self.tally(dimension)
            found[dimension] = _total(tested, total)
            unprovokable = self.unprovokable(dimension)
            if unprovokable:
                found[dimension]["unprovokable"] = unprovokable
                found[dimension]["provokable"] = _total(tested, total - unprovokable)
        for name, rows in (
            ("checks", self.checks),
            ("scenario_requirements", self.scenario_requirements),
        ):
            tested = sum(1 for row in rows if row.status != NOT_RUN)
            found[name] = _total(tested, len(rows))
        return found

    def sentence(self, dimension: str) -> str:
        """ "224 of 458 (operation, code) pairs provoked, 49%"."""
        tested, total = self.tally(dimension)
        noun = {"statuses": "status", "codes": "code", "roles": "role"}[dimension]
        return f"{tested} of {total} (operation, {noun}) pairs provoked, {_percent(tested, total)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "totals": self.totals(),
            "scope": {
                "narrowed_by": self.scope.narrowed_by,
                "suites_not_run": list(self.scope.suites_not_run),
            },
            "operations": [op.to_dict() for op in self.operations],
            "checks": [row.to_dict() for row in self.checks],
            "scenario_requirements": [row.to_dict() for row in self.scenario_requirements],
        }


def _percent(tested: int, total: int) -> str:
    return f"{round(100 * tested / total) if total else 100}%"


def _total(tested: int, total: int) -> dict[str, Any]:
    return {"tested": tested, "total": total, "ratio": round(tested / total, 4) if total else 1.0}


class _Router:
    """Which declared operation a recorded request called: method and path template.

    A literal segment beats a parameter (``/portfolios/summary`` before
    ``/portfolios/{id}``), as a server's router decides.
    """

    def __init__(self, operations: Sequence[Operation], base_url: str) -> None:
        self._prefix = urlsplit(base_url).path.rstrip("/")
        routes = []
        for operation in operations:
            parts = re.split(r"(\{[^}/]+\})", operation.path)
            pattern = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
            routes.append((operation.path.count("{"), operation, re.compile(f"^{pattern}/?$")))
        routes.sort(key=lambda route: route[0])
        self._routes = routes

    def operation(self, exchange: RecordedExchange) -> Operation | None:
        path = urlsplit(exchange.request.url).path
        if self._prefix and path.startswith(self._prefix):
            path = path[len(self._prefix) :] or "/"
        method = exchange.request.method.upper()
        for _, operation, pattern in self._routes:
            if operation.method == method and pattern.match(path):
                return operation
        return None


def _status_key(documented: Iterable[str], status: int) -> str | None:
    """The documented response key a status falls under: itself, its range, or default."""
    keys = set(documented)
    for key in (str(status), f"{str(status)[0]}XX", "default"):
        if key in keys:
            return key
    return None


def _codes(exchange: RecordedExchange) -> list[str]:
    response = exchange.response
    if response is None or response.status < 400:
        return []
    try:
        return error_codes_of(response.json()) or []
    except ValueError:
        return []


def _worst(statuses: Iterable[Status]) -> str:
    """FAIL or ERROR over WAIVED over PASS over SKIP: the status a requirement reports."""
    found = set(statuses)
    for status in (Status.ERROR, Status.FAIL, Status.WAIVED, Status.PASS, Status.SKIP):
        if status in found:
            return str(status)
    return NOT_RUN


def _why(operation: Operation, skips: Mapping[str, str], called: bool, scope: RunScope) -> str:
    """Why a cell was not provoked, from what the run knows."""
    if operation.name in skips:
        return f"skipped: {skips[operation.name]}"
    untried = "never called" if not called else "never provoked"
    if scope.narrowed_by:
        return f"{untried}; the run was narrowed by {scope.narrowed_by}"
    if scope.suites_not_run:
        return f"{untried}; suites not run: {', '.join(scope.suites_not_run)}"
    return untried


def compute_coverage(
    report: RunReport,
    specs: Sequence[ServiceSpec],
    *,
    check_ids: Sequence[str],
    scenario_requirements: Sequence[ScenarioRequirement] = (),
    scope: RunScope | None = None,
    code_reasons: Mapping[tuple[str, str], tuple[str, bool]] | None = None,
) -> Coverage:
    """The coverage of ``report`` against the operations of ``specs`` and the listed IDs.

    An exchange counts for the declared operation its method and path call; one whose path
    no operation declares (an unknown resource under an operation's path) counts for the
    operation its result names. ``code_reasons`` maps ``(operation or "*", code)`` to why
    a code cell cannot be provoked and whether no request from outside could
    (``harness.suites.security.oracle.coverage_reasons``); the run's own reason comes first
    when it has one (skipped, narrowed).
    """
    scope = scope or RunScope()
    code_reasons = code_reasons or {}
    operations = [op for spec in specs for op in spec.operations()]
    by_name = {op.name: op for op in operations}
    router = _Router(operations, str(report.target.get("base_url") or ""))
    roles = {
        str(p.get("id")): str(p.get("role"))
        for p in report.target.get("participants") or ()
        if isinstance(p, Mapping)
    }
    seen: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    called: dict[str, int] = defaultdict(int)
    skips: dict[str, str] = {}
    counted: set[tuple[int, str]] = set()
    for result in report.results:
        if result.status is Status.SKIP and result.operation and result.operation not in skips:
            skips[result.operation] = result.message or "no reason given"
        for exchange in result.evidence:
            if exchange.response is None:
                continue
            operation = router.operation(exchange) or by_name.get(result.operation or "")
            if operation is None:
                continue
            if (id(exchange), result.case) in counted:
                continue
            counted.add((id(exchange), result.case))
            called[operation.name] += 1
            documented = (operation.definition.get("responses") or {}).keys()
            key = _status_key(documented, exchange.response.status)
            provoked = [("statuses", key)] if key else []
            provoked += [("codes", code) for code in _codes(exchange)]
            if exchange.participant in roles:
                provoked.append(("roles", roles[exchange.participant]))
            for dimension, value in provoked:
                cases = seen[(operation.name, dimension, value)]
                if result.case not in cases:
                    cases.append(result.case)

    def cells(operation: Operation, dimension: str, values: Iterable[str]) -> tuple[Cell, ...]:
        found = []
        for value in values:
            cases = tuple(seen.get((operation.name, dimension, value), ()))
            if cases:
                found.append(Cell(value, cases))
                continue
            reason = _why(operation, skips, bool(called[operation.name]), scope)
            known = code_reasons.get((operation.name, value)) or code_reasons.get(("*", value))
            if dimension != "codes" or known is None or operation.name in skips:
                found.append(Cell(value, cases, reason))
            elif known[1]:
                found.append(Cell(value, cases, f"unprovokable: {known[0]}", unprovokable=True))
            else:
                found.append(Cell(value, cases, f"not played: {known[0]}"))
        return tuple(found)

    covered = tuple(
        OperationCoverage(
            name=op.name,
            method=op.method,
            path=op.path,
            exchanges=called[op.name],
            statuses=cells(op, "statuses", [str(k) for k in op.definition.get("responses") or {}]),
            codes=cells(op, "codes", sorted(op.error_codes)),
            roles=cells(op, "roles", op.roles),
        )
        for op in operations
    )
    return Coverage(
        operations=covered,
        checks=_checks(report.results, check_ids),
        scenario_requirements=_scenario_rows(report.results, scenario_requirements),
        scope=scope,
    )


def _checks(
    results: Sequence[CheckResult], check_ids: Sequence[str]
) -> tuple[RequirementCoverage, ...]:
    by_id: dict[str, list[Status]] = defaultdict(list)
    for result in results:
        by_id[result.id].append(result.status)
    return tuple(
        RequirementCoverage(check_id, _worst(by_id.get(check_id, ())), len(by_id.get(check_id, ())))
        for check_id in check_ids
    )


def _scenario_rows(
    results: Sequence[CheckResult], requirements: Sequence[ScenarioRequirement]
) -> tuple[RequirementCoverage, ...]:
    """One row per requirement ID; a scenario's own ID is tested by any of its results, a step's
    by the results the runner labelled with it (``"MS-W1-SM-HOLDINGS: ..."``)."""
    by_scenario: dict[str, list[CheckResult]] = {}
    for result in results:
        scenario, colon, _rest = result.case.partition(":")
        if colon:
            by_scenario.setdefault(scenario, []).append(result)
    statuses: dict[str, list[Status]] = {}
    for requirement in requirements:
        bucket = statuses.setdefault(requirement.id, [])
        for result in by_scenario.get(requirement.scenario, ()):
            if requirement.step is None or result.requirement.startswith(f"{requirement.id}:"):
                bucket.append(result.status)
    return tuple(
        RequirementCoverage(rid, _worst(found), len(found)) for rid, found in statuses.items()
    )
