"""Steering positive examples onto values the target has, so they reach past the first lookup.

For each query parameter or body field (at any depth) whose name has a pool
in ``TargetState`` (participantName, marketName, downloadType, source, sink,
crrId), hypothesis draws either one of the pool's values or "keep what
schemathesis generated". The draw shrinks towards the first pool value, so a
shrunk example names the caller and a real market. A steered case that no
longer satisfies the schema (a pool value outside the field's pattern) is put
back as generated: schemathesis revalidates a changed case itself.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st
from schemathesis import Case, GenerationMode

from harness.fuzz.target_state import TargetState
from harness.target.config import Participant

__all__ = ["steer"]

_KEEP_ONE_IN = 4
"""Of the draws for a field, one in this many keeps the generated value."""


def _fields(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str, Any]]:
    """Every (path, key, value) of the dicts in ``value``, depth first."""
    found: list[tuple[tuple[Any, ...], str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((path, str(key), item))
            found.extend(_fields(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_fields(item, (*path, index)))
    return found


def _container(root: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        root = root[step]
    return root


def steer(case: Case, participant: Participant, state: TargetState, data: st.DataObject) -> Case:
    """Replace pooled fields of a positive ``case`` with drawn known values, in place."""
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return case
    original_query = dict(case.query or {})
    original_body = copy.deepcopy(case.body) if isinstance(case.body, (dict, list)) else None
    changed = False
    query = dict(case.query or {})
    for name in sorted(query):
        pool = state.pool(name, participant)
        if pool and isinstance(query[name], str):
            choice = data.draw(_choice(pool), label=f"query {name}")
            if choice is not None:
                query[name] = choice
                changed = True
    body = copy.deepcopy(case.body) if isinstance(case.body, (dict, list)) else None
    if body is not None:
        for path, key, value in _fields(body):
            pool = state.pool(key, participant)
            if pool and isinstance(value, str):
                choice = data.draw(_choice(pool), label=f"body {key}")
                if choice is not None:
                    _container(body, path)[key] = choice
                    changed = True
    if not changed:
        return case
    case.query = query
    if body is not None:
        case.body = body
    meta = case.meta
    if meta is not None and meta.generation.mode is not GenerationMode.POSITIVE:
        case.query = original_query
        if original_body is not None:
            case.body = original_body
    return case


def _choice(pool: list[Any]) -> st.SearchStrategy[Any]:
    """A pool value (shrinking towards the first), or None (keep) once in ``_KEEP_ONE_IN``."""
    size = len(pool)
    steered = size * (_KEEP_ONE_IN - 1)
    return st.integers(0, size * _KEEP_ONE_IN - 1).map(
        lambda i: pool[i % size] if i < steered else None
    )
