"""Business outcomes: the target's answer equals the reference engine's, field by field.

The comparison is DeepDiff's, with the identifiers and stamps an
implementation assigns itself left out and numbers compared within the
stated tolerance of their field (``outcomes.yaml`` beside this module, plus
what a step adds), so a vendor's clearing engine is checked, not only its
JSON shapes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from deepdiff import DeepDiff
from deepdiff.operator import BaseOperator

__all__ = ["DEFAULTS", "compare_outcomes"]

DEFAULTS: Mapping[str, Any] = yaml.safe_load(
    Path(__file__).with_name("outcomes.yaml").read_text(encoding="utf-8")
)


class _Within(BaseOperator):
    """Numbers of one field are equal when they differ by no more than its tolerance."""

    def __init__(self, field: str, tolerance: float) -> None:
        super().__init__(regex_paths=[rf"\['{re.escape(field)}'\]$"])
        self.tolerance = tolerance

    def give_up_diffing(self, level: Any, diff_instance: Any) -> bool:
        first, second = level.t1, level.t2
        numbers = all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in (first, second)
        )
        return numbers and abs(first - second) <= self.tolerance

    def normalize_value_for_hashing(self, parent: Any, obj: Any) -> Any:
        """With ``ignore_order`` items are paired by hash: numbers hash to their tolerance grid."""
        if isinstance(obj, int | float) and not isinstance(obj, bool) and self.tolerance > 0:
            return round(obj / self.tolerance) * self.tolerance
        return obj


def compare_outcomes(
    actual: Any,
    expected: Any,
    *,
    ignore: list[str] | None = None,
    tolerance: Mapping[str, float] | None = None,
    ignore_order: bool = False,
) -> list[str]:
    """Each difference of ``actual`` (target) from ``expected`` (reference), in words."""
    ignored = [*DEFAULTS["ignore"], *(ignore or [])]
    tolerances = {**DEFAULTS["tolerance"], **(tolerance or {})}
    diff = DeepDiff(
        expected,
        actual,
        exclude_regex_paths=[rf"\['{re.escape(name)}'\]$" for name in ignored],
        custom_operators=[_Within(field, float(tol)) for field, tol in tolerances.items()],
        ignore_order=ignore_order,
        verbose_level=2,
    )
    differences = []
    for kind, changes in diff.to_dict().items():
        if isinstance(changes, Mapping):
            for path, change in changes.items():
                differences.append(_describe(kind, path, change))
        else:
            differences.extend(f"{kind}: {path}" for path in changes)
    return sorted(differences)


def _describe(kind: str, path: str, change: Any) -> str:
    where = path.replace("root", "", 1) or "(the answer)"
    if kind in ("values_changed", "type_changes") and isinstance(change, Mapping):
        return f"{where}: reference {change.get('old_value')!r}, target {change.get('new_value')!r}"
    if kind.endswith("_added"):
        return f"{where}: only the target has it ({change!r})"
    if kind.endswith("_removed"):
        return f"{where}: the target lacks it (reference {change!r})"
    return f"{where}: {kind} {change!r}"
