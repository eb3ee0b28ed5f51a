"""Paths into answers, saved values, and the matchers of ``expect.fields``.

A path is what a coordinator would write: ``status``, ``bids[0].segments[0].mw``,
``[*].mw`` (every item), ``[crrId=10000001].mw`` (the item whose crrId is
10000001), optionally ending in ``|len`` or ``|sum``. ``${name}`` in a
request inserts a value saved by an earlier step (a whole-string
``${name}`` keeps the value's type).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from harness.scenarios.answer_schema import SchemaNode
from harness.scenarios.equivalence import difference, instant, is_number, meaning_of

__all__ = ["PathError", "interpolate", "match", "path_keys", "resolve"]

_PART = re.compile(r"\[(\*|-?\d+|[^\]=]+=[^\]]*)\]|([^.\[\]]+)")
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_.-]+)\}")


class PathError(LookupError):
    """The path leads nowhere in this document."""


def resolve(document: Any, path: str) -> Any:
    """The value at ``path`` (a list when the path has ``[*]``)."""
    path, _, reducer = path.partition("|")
    values = [document]
    many = False
    for match_ in _PART.finditer(path.strip().removeprefix("$").lstrip(".")):
        bracket, key = match_.groups()
        next_values: list[Any] = []
        for value in values:
            if key is not None:
                if not isinstance(value, Mapping) or key not in value:
                    raise PathError(f"no {key!r} at {path!r}")
                next_values.append(value[key])
            elif bracket == "*":
                if not isinstance(value, list):
                    raise PathError(f"[*] on a non-list at {path!r}")
                next_values.extend(value)
                many = True
            elif "=" in bracket:
                field, _, wanted = bracket.partition("=")
                if not isinstance(value, list):
                    raise PathError(f"[{bracket}] on a non-list at {path!r}")
                found = [
                    v for v in value if isinstance(v, Mapping) and _selects(v.get(field), wanted)
                ]
                if not found:
                    raise PathError(f"no item with {field}={wanted} at {path!r}")
                next_values.append(found[0])
            else:
                if not isinstance(value, list) or not -len(value) <= int(bracket) < len(value):
                    raise PathError(f"no item [{bracket}] at {path!r}")
                next_values.append(value[int(bracket)])
        values = next_values
    result: Any = values if many else values[0]
    if reducer == "len":
        return len(result)
    if reducer == "sum":
        return sum(v if is_number(v) else float(v) for v in result)
    if reducer:
        raise PathError(f"unknown |{reducer} in {path!r} (len, sum)")
    return result


def _selects(value: Any, wanted: str) -> bool:
    """``[field=wanted]`` picks an item whose field is ``wanted`` as the spec means it: the
    same text, the same instant (Z or +00:00) or the same number (5 or 5.0)."""
    if str(value) == wanted:
        return True
    moment = instant(value)
    if moment is not None:
        return moment == instant(wanted)
    if is_number(value):
        try:
            return float(wanted) == value
        except ValueError:
            return False
    return False


def path_keys(path: str) -> list[str | int]:
    """The keys ``path`` walks (``data.Rows[*].MW|sum``: data, Rows, 0, MW), any item as index
    0: what a schema is walked with to know the type of the value at ``path``."""
    keys: list[str | int] = []
    for _bracket, key in _PART.findall(path.partition("|")[0].strip().removeprefix("$")):
        keys.append(key if key else 0)
    return keys


def interpolate(value: Any, saved: Mapping[str, Any]) -> Any:
    """``value`` with every ``${name}`` replaced by the saved value."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole:
            return _saved(saved, whole[1])
        return _PLACEHOLDER.sub(lambda m: str(_saved(saved, m[1])), value)
    if isinstance(value, Mapping):
        return {k: interpolate(v, saved) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, saved) for v in value]
    return value


def _saved(saved: Mapping[str, Any], name: str) -> Any:
    if name not in saved:
        raise PathError(f"${{{name}}} was not saved by an earlier step")
    return saved[name]


def match(actual: Any, expected: Any, schema: SchemaNode | None = None) -> str | None:
    """None when ``actual`` satisfies ``expected``; otherwise what is wrong.

    ``expected`` is a plain value (the same by :mod:`harness.scenarios.equivalence`:
    numbers by value within their field's tolerance, date-times as instants)
    or a mapping with one matcher: approx (+ tol), gte, gt, lte, lt, len,
    contains, in, exists, absent. ``schema`` is the answer's schema at the
    path, when known.
    """
    if isinstance(expected, Mapping) and len(expected) >= 1 and set(expected) <= _MATCHERS:
        for name, wanted in expected.items():
            if name == "tol":
                continue
            problem = _matcher(name, actual, wanted, expected.get("tol"), schema)
            if problem:
                return problem
        return None
    return difference(actual, expected, schema)


_MATCHERS = {"approx", "tol", "gte", "gt", "lte", "lt", "len", "contains", "in", "exists", "absent"}


def _matcher(
    name: str, actual: Any, wanted: Any, tol: float | None, schema: SchemaNode | None
) -> str | None:
    if name == "approx":
        if tol is None:
            tol = meaning_of(schema, actual, float(wanted)).tolerance
        ok = is_number(actual) and abs(actual - wanted) <= tol
        return None if ok else f"{actual} is not {wanted} ± {tol}"
    if name in ("gte", "gt", "lte", "lt"):
        return _order(name, actual, wanted, schema)
    if name == "len":
        size = len(actual) if isinstance(actual, list | str | Mapping) else None
        return None if size == wanted else f"length {size} != {wanted}"
    if name == "contains":
        if isinstance(actual, str) and isinstance(wanted, str):
            found = wanted in actual
        else:
            item = schema.child(0) if schema else None
            found = isinstance(actual, list) and any(
                difference(a, wanted, item) is None for a in actual
            )
        return None if found else f"{actual!r} does not contain {wanted!r}"
    if name == "in":
        found = any(difference(actual, w, schema) is None for w in wanted)
        return None if found else f"{actual!r} not in {wanted!r}"
    if name in ("exists", "absent"):
        return None  # handled by the caller, which knows whether the path resolved
    return f"unknown matcher {name}"


def _order(name: str, actual: Any, wanted: Any, schema: SchemaNode | None) -> str | None:
    """gte, gt, lte, lt: numbers within their tolerance (an equal value within it satisfies
    gte and lte), date-times as instants."""
    if instant(actual) is not None and instant(wanted) is not None:
        first, second = instant(actual), instant(wanted)
        tolerance = 0.0
    elif is_number(actual) and is_number(wanted):
        first, second = actual, wanted
        tolerance = meaning_of(schema, actual, wanted).tolerance
    else:
        return f"{actual!r} is not a number"
    ok = {
        "gte": first >= second or _close(first, second, tolerance),
        "gt": first > second and not _close(first, second, tolerance),
        "lte": first <= second or _close(first, second, tolerance),
        "lt": first < second and not _close(first, second, tolerance),
    }[name]
    return None if ok else f"{actual} is not {name} {wanted}"


def _close(first: Any, second: Any, tolerance: float) -> bool:
    if isinstance(first, tuple):
        return first == second
    return abs(first - second) <= tolerance
