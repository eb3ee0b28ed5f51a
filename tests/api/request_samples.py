"""Request bodies, good and bad, for every operation of a served spec, built from its schema.

``sample`` gives a body with every required property; ``bodies`` gives that
and a few dozen variations of it (a property missing, of the wrong type,
empty, too long, negative, repeated, an extra one, ...). The request checks
are compared on them (``test_compiled_validation``, ``test_fast_accept``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from crr_contract.operations import Operation

__all__ = ["bodies", "resolve", "sample"]


def resolve(document: Mapping[str, Any], node: Any) -> Any:
    while isinstance(node, Mapping) and "$ref" in node:
        target: Any = document
        for part in str(node["$ref"]).lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def sample(document: Mapping[str, Any], schema: Any, depth: int = 0) -> Any:
    """A value of the schema's type with every required property (not necessarily valid)."""
    schema = resolve(document, schema)
    if depth > 6 or not isinstance(schema, Mapping):
        return "X"
    if "enum" in schema:
        return schema["enum"][0]
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            return sample(document, schema[combined][0], depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        return {
            name: sample(document, properties.get(name, {}), depth + 1)
            for name in schema.get("required") or list(properties)[:1]
        }
    if kind == "array":
        return [sample(document, schema.get("items") or {}, depth + 1)]
    if kind in ("number", "integer"):
        return 1
    if kind == "boolean":
        return True
    if schema.get("format") == "date-time":
        return "2025-10-01T00:00:00Z"
    return "ALPHA_LSE"


def bodies(operation: Operation) -> Iterator[Any]:
    document = operation.spec.document
    request_body = resolve(document, operation.definition["requestBody"])
    schema = request_body["content"]["application/json"].get("schema") or {}
    good = sample(document, schema)
    yield good
    yield {}
    yield {"notAField": 1}
    if isinstance(good, dict):
        for name in good:
            yield {k: v for k, v in good.items() if k != name}
            yield {**good, name: {"wrong": ["type"]}}
            yield {**good, name: ""}
            yield {**good, name: "x" * 300}
            yield {**good, name: -1}
            yield {**good, name: [good[name], good[name]]}
            value = good[name]
            if isinstance(value, list) and value and isinstance(value[0], dict):
                for inner in value[0]:
                    yield {**good, name: [{**value[0], inner: None}]}
                    yield {**good, name: [{k: v for k, v in value[0].items() if k != inner}]}
                    yield {**good, name: [{**value[0], "extra": 1}]}
                yield {**good, name: [value[0]] * 600}
