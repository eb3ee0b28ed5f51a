"""Paths into answers, saved values, and the matchers of ``expect.fields``.

A path is what a coordinator would write: ``status``, ``bids[0].segments[0].mw``,
``[*].mw`` (every item), ``[crrId=10000001].mw`` (the item whose crrId is
10000001), optionally ending in ``|len`` or ``|sum``. ``${name}`` in a
request inserts a value saved by an earlier step (a whole-string
``${name}`` keeps the value's type).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["PathError", "interpolate", "match", "resolve"]

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
                found = [v for v in value if isinstance(v, Mapping) and str(v.get(field)) == wanted]
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
        return sum(float(v) for v in result)
    if reducer:
        raise PathError(f"unknown |{reducer} in {path!r} (len, sum)")
    return result


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


def match(actual: Any, expected: Any) -> str | None:
    """None when ``actual`` satisfies ``expected``; otherwise what is wrong.

    ``expected`` is a plain value (equal; numbers within 1e-9) or a mapping
    with one matcher: approx (+ tol), gte, gt, lte, lt, len, contains, in,
    exists, absent.
    """
    if isinstance(expected, Mapping) and len(expected) >= 1 and set(expected) <= _MATCHERS:
        for name, wanted in expected.items():
            if name == "tol":
                continue
            problem = _matcher(name, actual, wanted, expected.get("tol", 1e-6))
            if problem:
                return problem
        return None
    if _number(actual) and _number(expected):
        return None if math.isclose(actual, expected, abs_tol=1e-9) else f"{actual} != {expected}"
    return None if actual == expected else f"{actual!r} != {expected!r}"


_MATCHERS = {"approx", "tol", "gte", "gt", "lte", "lt", "len", "contains", "in", "exists", "absent"}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _matcher(name: str, actual: Any, wanted: Any, tol: float) -> str | None:
    if name == "approx":
        ok = _number(actual) and abs(actual - wanted) <= tol
        return None if ok else f"{actual} is not {wanted} ± {tol}"
    if name in ("gte", "gt", "lte", "lt"):
        if not _number(actual):
            return f"{actual!r} is not a number"
        ok = {
            "gte": actual >= wanted,
            "gt": actual > wanted,
            "lte": actual <= wanted,
            "lt": actual < wanted,
        }[name]
        return None if ok else f"{actual} is not {name} {wanted}"
    if name == "len":
        size = len(actual) if isinstance(actual, list | str | Mapping) else None
        return None if size == wanted else f"length {size} != {wanted}"
    if name == "contains":
        return (
            None
            if isinstance(actual, list | str) and wanted in actual
            else (f"{actual!r} does not contain {wanted!r}")
        )
    if name == "in":
        return None if actual in wanted else f"{actual!r} not in {wanted!r}"
    if name in ("exists", "absent"):
        return None  # handled by the caller, which knows whether the path resolved
    return f"unknown matcher {name}"
