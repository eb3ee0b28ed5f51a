"""Business outcomes: the target's answer equals the reference engine's, field by field.

The comparison is DeepDiff's, with the identifiers and stamps an
implementation assigns itself left out (``outcomes.yaml`` beside this
module, plus what a step adds) and every leaf value judged by
:mod:`harness.scenarios.equivalence` at its node of the answer's schema:
numbers by value within their type's and unit's tolerance, date-times as
instants. So a vendor's clearing engine is checked, not how it prints JSON.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from deepdiff import DeepDiff

from harness.scenarios.answer_schema import SchemaNode
from harness.scenarios.equivalence import (
    RULES,
    Rules,
    canonical_instant,
    is_number,
    meaning_of,
    values_differ,
)

__all__ = ["DEFAULTS", "compare_outcomes"]

DEFAULTS: Mapping[str, Any] = yaml.safe_load(
    Path(__file__).with_name("outcomes.yaml").read_text(encoding="utf-8")
)


class _SameMeaning:
    """A DeepDiff operator: two leaf values are equal when they mean the same at their node
    of the schema (DeepDiff then reports nothing; otherwise it reports them as usual)."""

    def __init__(self, schema: SchemaNode, rules: Rules, overrides: Mapping[str, float]) -> None:
        self.schema = schema
        self.rules = rules
        self.overrides = overrides

    def match(self, level: Any) -> bool:
        return not any(isinstance(v, Mapping | list) for v in (level.t1, level.t2))

    def give_up_diffing(self, level: Any, diff_instance: Any) -> bool:
        keys = [k for k in level.path(output_format="list") if isinstance(k, str | int)]
        node = self.schema.descend(keys)
        expected, actual = level.t1, level.t2
        meaning = meaning_of(node, actual, expected, rules=self.rules, overrides=self.overrides)
        return not values_differ(actual, expected, meaning)

    def normalize_value_for_hashing(self, parent: Any, obj: Any) -> Any:
        """With ``ignore_order`` items are paired by hash: a date-time hashes as its instant,
        a number as its value on the finest tolerance's grid (int and float alike)."""
        if is_number(obj):
            grid = self.rules.finest
            return float(round(obj / grid) * grid)
        if isinstance(obj, str):
            return canonical_instant(obj) or obj
        return obj


def compare_outcomes(
    actual: Any,
    expected: Any,
    *,
    ignore: list[str] | None = None,
    tolerance: Mapping[str, float] | None = None,
    ignore_order: bool = False,
    schema: SchemaNode | None = None,
    rules: Rules = RULES,
) -> list[str]:
    """Each difference of ``actual`` (target) from ``expected`` (reference), in words.

    ``schema`` is the answer's schema at the compared value (unknown: the values'
    own JSON types decide); ``tolerance`` gives fields a tolerance of their own,
    by name.
    """
    ignored = [*DEFAULTS["ignore"], *(ignore or [])]
    diff = DeepDiff(
        expected,
        actual,
        exclude_regex_paths=[rf"\['{re.escape(name)}'\]$" for name in ignored],
        custom_operators=[_SameMeaning(schema or SchemaNode.unknown(), rules, tolerance or {})],
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
