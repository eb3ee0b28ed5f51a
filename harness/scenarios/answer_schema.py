"""The schema node behind each value of a target's answer, so a comparison knows what it is.

Whether ``-50`` equals ``-50.0``, whether ``+00:00`` equals ``Z`` and how far two
MW figures may differ depend on what the spec declares the field to be:
its JSON-Schema ``type``, its ``format`` and the unit its name or
description states. The answer's schema is the response schema the declared
OpenAPI file documents for the operation and status; a download's ``data``
follows the draft-07 file its ``schemaName`` and ``schemaVersion`` name
(``specs/schemas``), as DL-001 validates it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.checks.response import documented_response
from harness.client import Exchange

__all__ = ["SchemaNode", "answer_schema"]


@dataclass(frozen=True, slots=True)
class SchemaNode:
    """One node of a JSON Schema (``allOf`` merged), the document its ``$ref`` resolve in, and
    the property name it was reached by (a unit may be in the name only)."""

    node: Mapping[str, Any]
    root: Mapping[str, Any] = field(repr=False)
    name: str | None = None

    @classmethod
    def unknown(cls, name: str | None = None) -> SchemaNode:
        """No schema at hand (a scenario's literal, a saved value): only the name is known."""
        return cls({}, {}, name)

    @property
    def type(self) -> str | None:
        """The JSON type, ``null`` set aside (draft-07 ``[number, null]``, OpenAPI nullable)."""
        declared = self.node.get("type")
        if isinstance(declared, list):
            declared = next((t for t in declared if t != "null"), None)
        return str(declared) if declared else None

    @property
    def format(self) -> str | None:
        value = self.node.get("format")
        return str(value) if value else None

    @property
    def description(self) -> str:
        return str(self.node.get("description") or self.node.get("title") or "")

    def child(self, key: str | int) -> SchemaNode:
        """The node of property ``key`` (a string) or of an item (an index)."""
        if isinstance(key, int):
            items = self.node.get("items")
            sub = items if isinstance(items, Mapping | SchemaNode) else None
            return self._node(sub, self.name)
        properties = self.node.get("properties") or {}
        sub = properties.get(key)
        if sub is None and isinstance(self.node.get("additionalProperties"), Mapping):
            sub = self.node["additionalProperties"]
        return self._node(sub, key)

    def descend(self, keys: Iterable[str | int]) -> SchemaNode:
        """The node at the end of ``keys`` (property names and item indexes)."""
        node = self
        for key in keys:
            node = node.child(key)
        return node

    def _node(self, sub: Any, name: str | None) -> SchemaNode:
        if isinstance(sub, SchemaNode):
            return SchemaNode(sub.node, sub.root, name)
        if not isinstance(sub, Mapping):
            return SchemaNode.unknown(name)
        return SchemaNode(_merged(self.root, sub), self.root, name)


def _resolve(root: Mapping[str, Any], node: Any) -> Any:
    seen = 0
    while isinstance(node, Mapping) and "$ref" in node and seen < 32:
        target: Any = root
        for part in str(node["$ref"]).lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        seen += 1
    return node


def _merged(root: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    """``node`` with its ``$ref`` followed and its ``allOf`` parts folded in (the node's own
    keywords win, so an ``allOf: [$ref]`` with a description keeps that description)."""
    node = _resolve(root, node)
    parts = node.get("allOf") or ()
    if not parts:
        return node
    merged: dict[str, Any] = {}
    properties: dict[str, Any] = {}
    for part in parts:
        part = _merged(root, part) if isinstance(part, Mapping) else {}
        merged.update(part)
        properties.update(part.get("properties") or {})
    merged.update({k: v for k, v in node.items() if k != "allOf"})
    properties.update(node.get("properties") or {})
    if properties:
        merged["properties"] = properties
    return merged


@functools.lru_cache(maxsize=128)
def _download_schema(path: Path) -> Mapping[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def answer_schema(exchange: Exchange, schemas_dir: Path) -> SchemaNode:
    """The schema of the answer's body (``SchemaNode.unknown()`` when none is documented)."""
    operation = exchange.operation
    if operation is None or exchange.status is None:
        return SchemaNode.unknown()
    found = documented_response(operation, exchange.status)
    content = (found[1].get("content") or {}) if found else {}
    media = content.get("application/json") or next(iter(content.values()), None) or {}
    root = operation.spec.document
    node = SchemaNode(_merged(root, media.get("schema") or {}), root)
    try:
        body = exchange.json()
    except ValueError:
        return node
    if isinstance(body, Mapping) and "schemaName" in body and "data" in body:
        file = (
            schemas_dir / f"{body['schemaName']}_v{body.get('schemaVersion')}.draft-07.schema.json"
        )
        data = _download_schema(file)
        if data is not None:
            properties = {**(node.node.get("properties") or {}), "data": SchemaNode(data, data)}
            node = SchemaNode({**node.node, "properties": properties}, root)
    return node
