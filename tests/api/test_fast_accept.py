"""The body acceptor says "valid" exactly when the Python validator does, and otherwise nothing.

``FastAccept`` (``jsonschema-rs``) lets a valid body skip the Python walk of
its schema. It must never accept what the Python validator refuses: that is
checked here on every served operation's good and bad sample bodies and on
bodies generated around them. It should also accept what Python accepts
(else it saves nothing), except for values Rust cannot hold, and schemas it
cannot reproduce exactly must get no acceptor at all.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_schema_validator import OAS30WriteValidator

from crr_contract.operations import Operation, default_spec_files, load_specs
from reference_impl.api.compiled_requests import CompiledRequest, compile_request, spec_registry
from reference_impl.api.fast_accept import FastAccept
from tests.api.request_samples import bodies, resolve, sample


def _compiled() -> list[tuple[Operation, CompiledRequest]]:
    found = []
    for spec in load_specs(default_spec_files()):
        registry = spec_registry(spec)
        for operation in spec.operations():
            compiled = compile_request(operation, registry)
            if compiled is not None and compiled.body is not None:
                found.append((operation, compiled))
    return found


BODY_OPERATIONS = _compiled()
IDS = [operation.name for operation, _compiled in BODY_OPERATIONS]


def _python_valid(compiled: CompiledRequest, body: Any) -> bool:
    assert compiled.body is not None
    return compiled.body.is_valid(body)


def _acceptor(schema: Any) -> FastAccept | None:
    return FastAccept.build(schema, OAS30WriteValidator)


def test_every_served_body_schema_has_an_acceptor() -> None:
    assert len(BODY_OPERATIONS) >= 20
    assert [op.name for op, compiled in BODY_OPERATIONS if compiled.accepts is None] == []


@pytest.mark.parametrize(
    "operation,compiled", BODY_OPERATIONS, ids=lambda v: getattr(v, "name", "")
)
def test_the_acceptor_agrees_with_python_on_the_sample_bodies(
    operation: Operation, compiled: CompiledRequest
) -> None:
    assert compiled.accepts is not None
    verdicts = [
        (compiled.accepts(body), _python_valid(compiled, body)) for body in bodies(operation)
    ]
    assert any(python is False for _fast, python in verdicts)
    assert [pair for pair in verdicts if pair[0] != pair[1]] == []


def test_the_sample_bodies_include_accepted_ones() -> None:
    accepted = [
        operation.name
        for operation, compiled in BODY_OPERATIONS
        if any(compiled.accepts and compiled.accepts(body) for body in bodies(operation))
    ]
    assert len(accepted) >= len(BODY_OPERATIONS) // 3, accepted


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(
        ["", "ALPHA_LSE", "ON", "2025-10-01T00:00:00Z", "2025-13-01", "A\n", "\ud800"]
    )
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def _mutated(draw: st.DrawFn, good: Any) -> Any:
    """``good`` with one value replaced, one key added or one key dropped, somewhere in it."""
    body = copy.deepcopy(good)
    path = draw(st.sampled_from(_paths(body)))
    if not path:
        return draw(_JSON)
    parent = body
    for step in path[:-1]:
        parent = parent[step]
    action = draw(st.sampled_from(["replace", "add", "drop"]))
    if action == "replace" or not isinstance(parent, dict):
        parent[path[-1]] = draw(_JSON)
    elif action == "add":
        parent[draw(st.text(max_size=8))] = draw(_JSON)
    else:
        del parent[path[-1]]
    return body


def _good(operation: Operation, compiled: CompiledRequest) -> Any:
    """A sample body Python accepts, when there is one (mutations near the edge of validity)."""
    for body in bodies(operation):
        if _python_valid(compiled, body):
            return body
    document = operation.spec.document
    request_body = resolve(document, operation.definition["requestBody"])
    return sample(document, request_body["content"]["application/json"].get("schema") or {})


def _holds_surrogate(value: Any) -> bool:
    text = json.dumps(value, ensure_ascii=False)
    return any(0xD800 <= ord(char) <= 0xDFFF for char in text)


@pytest.mark.parametrize(
    "operation,compiled", BODY_OPERATIONS, ids=lambda v: getattr(v, "name", "")
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_acceptor_never_accepts_what_python_refuses(
    operation: Operation, compiled: CompiledRequest, data: st.DataObject
) -> None:
    assert compiled.accepts is not None
    body = data.draw(_mutated(_good(operation, compiled)))
    fast = compiled.accepts(body)
    python = _python_valid(compiled, body)
    if fast:
        assert python, body
    elif python:
        # Rust holds no lone surrogate; everything else Python accepts, it accepts too.
        assert _holds_surrogate(body), body


def test_strings_are_checked_by_python_s_own_pattern_and_format() -> None:
    accepts = _acceptor(
        {
            "type": "object",
            "properties": {
                "name": {"type": "string", "pattern": "^[A-Z]+$"},
                "at": {"type": "string", "format": "date-time"},
            },
        }
    )
    assert accepts is not None
    # Python's "$" also matches before a final newline (an ECMA-262 "$" does not).
    assert OAS30WriteValidator({"pattern": "^[A-Z]+$"}).is_valid("ABC\n")
    assert accepts({"name": "ABC\n", "at": "2025-10-01T00:00:00Z"})
    assert not accepts({"name": "abc"})
    assert not accepts({"at": "2025-13-01T00:00:00Z"})


def test_nullable_and_int32_are_translated() -> None:
    accepts = _acceptor({"type": "integer", "nullable": True, "format": "int32"})
    assert accepts is not None
    assert accepts(None) and accepts(2**31 - 1) and accepts(-(2**31))
    assert not accepts(2**31) and not accepts(-(2**31) - 1) and not accepts("1")
    not_nullable = _acceptor({"type": "string"})
    assert not_nullable is not None and not not_nullable(None)


def test_a_value_rust_cannot_hold_is_left_to_python() -> None:
    accepts = _acceptor({"type": "string"})
    assert accepts is not None
    assert OAS30WriteValidator({"type": "string"}).is_valid("\ud800")
    assert accepts("\ud800") is False


@pytest.mark.parametrize(
    "schema",
    [
        {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        {"not": {"type": "string"}},
        {"type": "object", "properties": {"id": {"type": "string", "readOnly": True}}},
        {"anyOf": [{"type": "object"}], "discriminator": {"propertyName": "kind"}},
        {"type": "number", "multipleOf": 0.1},
        {"type": "array", "uniqueItems": True},
        {"type": "object", "patternProperties": {"^x": {}}, "additionalProperties": False},
        {"type": "integer", "format": "int64"},
        {"$ref": "#/components/schemas/Other"},
        {"type": ["string", "null"]},
        {"enum": [1, 2]},
        {"type": "integer", "maximum": 2**60},
        {"type": "array", "items": [{"type": "string"}]},
    ],
    ids=lambda schema: ",".join(schema),
)
def test_a_schema_it_cannot_reproduce_exactly_gets_no_acceptor(schema: dict[str, Any]) -> None:
    assert _acceptor(schema) is None


def test_keywords_python_ignores_do_not_stop_it() -> None:
    schema = {
        "type": "object",
        "description": "d",
        "example": {},
        "x-roles": ["a"],
        "deprecated": False,
        "properties": {"secret": {"type": "string", "writeOnly": True}},
    }
    accepts = _acceptor(schema)
    assert accepts is not None and accepts({"secret": "s"})
