"""When two JSON values mean the same to the spec: the one comparison every scenario check uses.

A step's matchers (SCN-001), the comparison with the reference engine
(OUT-001) and the market-wide invariants (INV-*) all ask this module, so a
target is judged on what its answer means, not on how our reference happens
to print it:

- JSON has one number type: ``-50`` and ``-50.0`` are the same number; a
  boolean is never a number.
- A ``format: date-time`` string (or, where no schema is at hand, a string
  that reads as an RFC 3339 date-time) is an instant: ``Z`` and ``+00:00``,
  ``:00`` and ``:00.000`` say the same.
- A ``type: number`` field is equal within the tolerance of its unit (MW,
  price, credit, as its name or description says) or of plain numbers;
  ``type: integer`` compares exactly. Without a schema, two JSON integers
  compare exactly and any other pair of numbers as a number.

The tolerances, the unit patterns and what stays exact are data, in
``outcomes.yaml`` beside this module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from harness.scenarios.answer_schema import SchemaNode

__all__ = [
    "RULES",
    "Meaning",
    "Rules",
    "Unit",
    "canonical_instant",
    "difference",
    "instant",
    "is_number",
    "meaning_of",
    "values_differ",
]

_RFC3339 = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})"
)


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit a number field may be in, recognised by its name or its description."""

    name: str
    tolerance: float
    field_name: re.Pattern[str] | None
    description: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class Rules:
    """How far numbers may differ: plain numbers, and per unit (first match wins)."""

    number: float
    units: tuple[Unit, ...]

    def unit_tolerance(self, unit: str) -> float:
        """The tolerance of ``unit`` (``MW``, ``price``, ...)."""
        return next(u.tolerance for u in self.units if u.name == unit)

    @property
    def finest(self) -> float:
        """The smallest tolerance: numbers closer than this are the same under any unit."""
        return min([self.number, *(u.tolerance for u in self.units)])


@dataclass(frozen=True, slots=True)
class Meaning:
    """What a value is, as far as comparing it goes."""

    kind: str
    """``integer``, ``number``, ``date-time`` or ``exact`` (anything else)."""
    tolerance: float = 0.0
    unit: str | None = None


def load_rules(path: Path) -> Rules:
    """The ``tolerances`` and ``units`` of an outcomes file."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    units = []
    for name, unit in (document.get("units") or {}).items():
        units.append(
            Unit(
                str(name),
                float(document["tolerances"][name]),
                re.compile(unit["name"]) if unit.get("name") else None,
                re.compile(unit["description"]) if unit.get("description") else None,
            )
        )
    return Rules(float(document["tolerances"]["number"]), tuple(units))


RULES = load_rules(Path(__file__).with_name("outcomes.yaml"))


def is_number(value: Any) -> bool:
    """A JSON number: an int or a float, never a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def instant(value: Any) -> tuple[int, Decimal] | None:
    """The instant an RFC 3339 date-time string names (whole seconds since the epoch and the
    fraction), or None when it is not one."""
    if not isinstance(value, str):
        return None
    found = _RFC3339.fullmatch(value.strip())
    if not found:
        return None
    date, time, fraction, offset = found.groups()
    offset = "+00:00" if offset in ("Z", "z") else offset
    try:
        moment = datetime.fromisoformat(f"{date}T{time}{offset}")
    except ValueError:
        return None
    return int(moment.timestamp()), Decimal(f"0.{fraction or '0'}").normalize()


def canonical_instant(value: Any) -> str | None:
    """One spelling per instant (UTC, ``Z``, fraction only when there is one), for hashing."""
    moment = instant(value)
    if moment is None:
        return None
    seconds, fraction = moment
    text = datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}{f'{fraction:f}'[1:] if fraction else ''}Z"


def _unit(schema: SchemaNode, rules: Rules) -> Unit | None:
    name = schema.name or ""
    for unit in rules.units:
        if unit.field_name is not None and unit.field_name.search(name):
            return unit
    for unit in rules.units:
        if unit.description is not None and unit.description.search(schema.description):
            return unit
    return None


def meaning_of(
    schema: SchemaNode | None,
    actual: Any,
    expected: Any,
    *,
    rules: Rules = RULES,
    overrides: Mapping[str, float] | None = None,
) -> Meaning:
    """How ``actual`` and ``expected`` compare at ``schema`` (its type and format; the values'
    own JSON types where the schema says nothing)."""
    schema = schema or SchemaNode.unknown()
    declared = schema.type
    if schema.format == "date-time":
        return Meaning("date-time")
    if declared == "integer":
        return Meaning("integer")
    numbers = is_number(actual) and is_number(expected)
    if declared == "number" or (
        declared is None and numbers and not (isinstance(actual, int) and isinstance(expected, int))
    ):
        if overrides and schema.name in overrides:
            return Meaning("number", float(overrides[schema.name]), schema.name)
        unit = _unit(schema, rules)
        if unit is None:
            return Meaning("number", rules.number)
        return Meaning("number", unit.tolerance, unit.name)
    if declared is None and numbers:
        return Meaning("integer")
    if declared is None and instant(actual) is not None and instant(expected) is not None:
        return Meaning("date-time")
    return Meaning("exact")


def values_differ(actual: Any, expected: Any, meaning: Meaning) -> bool:
    """Whether two leaf values differ under ``meaning``."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return not (isinstance(actual, bool) and isinstance(expected, bool) and actual == expected)
    if meaning.kind in ("integer", "number"):
        if not (is_number(actual) and is_number(expected)):
            return True
        if meaning.kind == "integer":
            return actual != expected
        return abs(actual - expected) > meaning.tolerance
    if meaning.kind == "date-time":
        first, second = instant(actual), instant(expected)
        if first is None or second is None:
            return actual != expected
        return first != second
    return bool(actual != expected)


def difference(
    actual: Any,
    expected: Any,
    schema: SchemaNode | None = None,
    *,
    rules: Rules = RULES,
    overrides: Mapping[str, float] | None = None,
) -> str | None:
    """None when ``actual`` means what ``expected`` means (walking objects and arrays with
    ``schema``); otherwise the first difference, in words."""
    schema = schema or SchemaNode.unknown()
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        for key in sorted(set(actual) | set(expected), key=str):
            if key not in actual:
                return f"{key}: missing"
            if key not in expected:
                return f"{key}: not expected ({actual[key]!r})"
            problem = difference(
                actual[key], expected[key], schema.child(key), rules=rules, overrides=overrides
            )
            if problem:
                return f"{key}: {problem}"
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(actual) != len(expected):
            return f"{actual!r} != {expected!r}"
        for a, e in zip(actual, expected, strict=True):
            if difference(a, e, schema.child(0), rules=rules, overrides=overrides):
                return f"{actual!r} != {expected!r}"
        return None
    meaning = meaning_of(schema, actual, expected, rules=rules, overrides=overrides)
    if not values_differ(actual, expected, meaning):
        return None
    if meaning.kind == "number" and is_number(actual) and is_number(expected):
        return f"{actual} != {expected} (± {meaning.tolerance:g})"
    if meaning.kind in ("number", "integer") and is_number(actual) and is_number(expected):
        return f"{actual} != {expected}"
    return f"{actual!r} != {expected!r}"
