"""Market-wide invariants a scenario asserts over values saved by its steps.

Each is a named function with a stable check ID; a scenario step
``invariant: <name>`` with ``args`` runs it. They state what must hold
whatever any one answer says: a secondary-market transfer moves MW and
creates none; awarded CRRs are simultaneously feasible on the data set's
network (a DC power flow computed here, independently of any engine).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from harness.checks.registry import CheckFailed, case_check
from harness.scenarios.equivalence import RULES, instant

__all__ = ["INVARIANTS", "Invariant"]


@dataclass(frozen=True, slots=True)
class Invariant:
    check_id: str
    function: Callable[[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]], str]
    """(args, saved values, data set) → a one-line account of what held; CheckFailed if not."""


def _number_list(saved: Mapping[str, Any], names: Sequence[str]) -> list[float]:
    values = []
    for name in names:
        if name not in saved:
            raise CheckFailed(f"${{{name}}} was not saved by an earlier step")
        value = saved[name]
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bool):
                raise CheckFailed(f"${{{name}}} holds {item!r}, not a number")
            values.append(float(item))
    return values


def _earlier(first: Any, second: Any) -> bool:
    """``first`` is before ``second``: date-times as instants, whatever their offsets."""
    a, b = instant(first), instant(second)
    if a is not None and b is not None:
        return a < b
    return bool(first < second)


def mw_conserved(
    args: Mapping[str, Any], saved: Mapping[str, Any], _data: Mapping[str, Any]
) -> str:
    """The MW of the parties before a transfer equal their MW after it."""
    before = sum(_number_list(saved, args["before"]))
    after = sum(_number_list(saved, args["after"]))
    tolerance = float(args.get("tolerance", RULES.unit_tolerance("MW")))
    if abs(before - after) > tolerance:
        raise CheckFailed(
            f"MW not conserved: {before:g} MW before, {after:g} MW after "
            f"({after - before:+g} MW created)"
        )
    return f"{before:g} MW before and after"


def _field(record: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in record:
            return record[name]
    raise CheckFailed(f"an award record lacks {names[0]}: {dict(record)}")


def _ptdf(network: Mapping[str, Any]) -> tuple[np.ndarray, list[dict], dict[str, int]]:
    buses = list(network["buses"])
    index = {bus: i for i, bus in enumerate(buses)}
    branches = list(network["branches"])
    incidence = np.zeros((len(branches), len(buses)))
    for row, branch in enumerate(branches):
        incidence[row, index[branch["fromBus"]]] = 1.0
        incidence[row, index[branch["toBus"]]] = -1.0
    susceptance = np.diag([1.0 / float(b["reactance"]) for b in branches])
    laplacian = incidence.T @ susceptance @ incidence
    reduced = np.linalg.inv(laplacian[1:, 1:])  # the first bus is the slack
    theta = np.zeros((len(buses), len(buses)))
    theta[1:, 1:] = reduced
    return susceptance @ incidence @ theta, branches, index


def awards_feasible(
    args: Mapping[str, Any], saved: Mapping[str, Any], data: Mapping[str, Any]
) -> str:
    """Awarded CRRs (and the data set's existing CRRs of the same term, when asked) flow
    within every branch limit of the data set's network, per time of use."""
    network = data.get("network")
    if not network:
        raise CheckFailed("the data set has no network to check feasibility on")
    ptdf, branches, index = _ptdf(network)
    weights = {loc["name"]: loc["weights"] for loc in network["locations"]}
    records: list[Mapping[str, Any]] = []
    for name in args["awards"]:
        if name not in saved:
            raise CheckFailed(f"${{{name}}} was not saved by an earlier step")
        records.extend(saved[name])
    term = args.get("existing_crrs_in")
    if term:
        for crr in data.get("existingCrrs", []):
            if _earlier(crr["startDate"], term[1]) and _earlier(term[0], crr["endDate"]):
                records.append(crr)
    checked = 0
    tolerance = RULES.unit_tolerance("MW")
    for tou in sorted({str(_field(r, "timeOfUse", "TimeOfUse")) for r in records}):
        injection = np.zeros(len(index))
        for record in records:
            if str(_field(record, "timeOfUse", "TimeOfUse")) != tou:
                continue
            mw = float(_field(record, "AwardedMW", "AllocatedMW", "awardedMw", "mw", "MW"))
            for location, sign in (
                (_field(record, "source", "Source"), 1.0),
                (_field(record, "sink", "Sink"), -1.0),
            ):
                for bus, weight in weights[location].items():
                    injection[index[bus]] += sign * mw * float(weight)
        flows = ptdf @ injection
        for branch, flow in zip(branches, flows, strict=True):
            limit = float(branch["limit"])
            if abs(flow) > limit + tolerance:
                raise CheckFailed(
                    f"awards are not simultaneously feasible: branch {branch['branchId']} "
                    f"carries {flow:.3f} MW ({tou}) over its limit {limit:g} MW"
                )
            checked += 1
    return f"{len(records)} CRR(s) within {checked} branch limit(s)"


INVARIANTS: dict[str, Invariant] = {
    "mw_conserved": Invariant(
        case_check("INV-001").id,
        mw_conserved,
    ),
    "awards_feasible": Invariant(
        case_check("INV-002").id,
        awards_feasible,
    ),
}
