"""The functional view of a normalised spec: what remains once documentation is stripped.

Two operations with equal views behave the same for every client. The view
drops descriptions, summaries, titles, examples, doc-only extensions and
origins, orders set-like lists (enum, required, type, x-roles,
x-error-codes, oneOf, anyOf) and drops keywords at their default value
(``nullable: false``, ``required: []``...). It is what the proof of a MINI
change compares, and what matches a renamed operation by content.
"""

from __future__ import annotations

import json
from typing import Any

from harness.diff.normalize import ORIGIN

SCHEMA_DOC_KEYS = frozenset(
    {"description", "title", "example", "examples", "externalDocs", "$comment", ORIGIN}
)
OPERATION_DOC_KEYS = frozenset(
    {"summary", "description", "externalDocs", "tags", "operationId", ORIGIN}
)
_SCHEMA_MAPS = frozenset({"properties", "patternProperties"})
# Containers of definitions: they constrain nothing until a $ref reaches
# them, and normalisation has resolved every $ref in place.
_DEFINITIONS = frozenset({"definitions", "$defs"})
_SCHEMA_LISTS = frozenset({"allOf", "prefixItems"})
_UNORDERED_SCHEMA_LISTS = frozenset({"oneOf", "anyOf"})
_SUBSCHEMAS = frozenset(
    {
        "items",
        "additionalProperties",
        "not",
        "additionalItems",
        "contains",
        "propertyNames",
        "if",
        "then",
        "else",
    }
)
_SET_LISTS = frozenset({"enum", "required", "type"})
_DEFAULTS: dict[str, Any] = {
    "nullable": False,
    "deprecated": False,
    "readOnly": False,
    "writeOnly": False,
    "uniqueItems": False,
    "exclusiveMaximum": False,
    "exclusiveMinimum": False,
    "required": [],
    "additionalProperties": True,
    "minLength": 0,
    "minItems": 0,
    "minProperties": 0,
}


def sort_key(value: Any) -> str:
    """A total order over JSON values, for set-like lists."""
    return json.dumps(value, sort_keys=True, default=str)


def fingerprint(value: Any) -> str:
    """A stable text of a view, to find equal views quickly."""
    return json.dumps(value, sort_keys=True, default=str)


class ViewBuilder:
    """Builds functional views, once per shared node."""

    def __init__(
        self,
        doc_only_extensions: frozenset[str] = frozenset(),
        known_formats: frozenset[str] | None = None,
    ) -> None:
        self.doc_only_extensions = doc_only_extensions
        self.known_formats = known_formats
        """The policy's formats that assert something (None: all of them)."""
        self._memo: dict[int, tuple[Any, Any]] = {}

    def schema(self, node: Any) -> Any:
        """The view of a (normalised) schema."""
        if not isinstance(node, dict):
            return node
        hit = self._memo.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1]
        out: dict[str, Any] = {}
        for key, value in canonical_schema(node).items():
            if (
                key in SCHEMA_DOC_KEYS
                or key in _DEFINITIONS
                or key in self.doc_only_extensions
                or _is_default(key, value)
            ):
                continue
            if key in _SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {name: self.schema(sub) for name, sub in value.items()}
            elif key in _SET_LISTS and isinstance(value, list):
                out[key] = sorted(value, key=sort_key)
            elif key in _UNORDERED_SCHEMA_LISTS and isinstance(value, list):
                out[key] = sorted((self.schema(sub) for sub in value), key=sort_key)
            elif key in _SCHEMA_LISTS and isinstance(value, list):
                out[key] = [self.schema(sub) for sub in value]
            elif key in _SUBSCHEMAS and isinstance(value, dict):
                view = self.schema(value)
                if not (key == "additionalProperties" and view == {}):
                    out[key] = view
            elif key == "items" and isinstance(value, list):
                out[key] = [self.schema(sub) for sub in value]
            else:
                out[key] = value
        self._memo[id(node)] = (node, out)
        return out

    def operation(self, node: dict) -> dict:
        """The view of a canonical operation (see ``operations.Operation``)."""
        out: dict[str, Any] = {}
        for key, value in node.items():
            if (
                key in OPERATION_DOC_KEYS
                or key in self.doc_only_extensions
                or _is_default(key, value)
            ):
                continue
            if key == "parameters":
                out[key] = {name: self.parameter(param) for name, param in value.items()}
            elif key == "requestBody" and isinstance(value, dict):
                out[key] = self._body(value)
            elif key == "responses" and isinstance(value, dict):
                out[key] = {status: self._response(resp) for status, resp in value.items()}
            elif key == "security_schemes" and isinstance(value, dict):
                out[key] = {name: self.parameter(scheme) for name, scheme in value.items()}
            elif key in ("x-roles", "x-error-codes") and isinstance(value, list):
                out[key] = sorted(value, key=sort_key)
            else:
                out[key] = value
        return out

    def parameter(self, node: Any) -> Any:
        """The view of a parameter or a header."""
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in SCHEMA_DOC_KEYS or key in self.doc_only_extensions or _is_default(key, value):
                continue
            if key == "schema":
                out[key] = self.schema(value)
            elif key == "content" and isinstance(value, dict):
                out[key] = self._content(value)
            elif key == "required" and value is False:
                continue
            else:
                out[key] = value
        return out

    def _body(self, node: dict) -> dict:
        out = self._plain(node)
        if out.get("required") is False:
            out.pop("required")
        if isinstance(node.get("content"), dict):
            out["content"] = self._content(node["content"])
        return out

    def _response(self, node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        out = self._plain(node)
        if isinstance(node.get("content"), dict):
            out["content"] = self._content(node["content"])
        if isinstance(node.get("headers"), dict):
            out["headers"] = {name: self.parameter(h) for name, h in node["headers"].items()}
        return out

    def _content(self, content: dict) -> dict:
        out = {}
        for media_type, media in content.items():
            if not isinstance(media, dict):
                out[media_type] = media
                continue
            view = self._plain(media)
            if "schema" in media:
                view["schema"] = self.schema(media["schema"])
            out[media_type] = view
        return out

    def _plain(self, node: dict) -> dict:
        return {
            key: value
            for key, value in node.items()
            if key not in SCHEMA_DOC_KEYS and key not in self.doc_only_extensions
        }


def canonical_schema(node: dict) -> dict:
    """One spelling for what OpenAPI 3.0 and 3.1 say alike.

    ``type: string, nullable: true`` (3.0) and ``type: [string, "null"]``
    (3.1) become the same sorted type list, a one-element type list becomes
    its single type, and ``const: x`` becomes ``enum: [x]``; so moving a spec
    from 3.0 to 3.1 changes nothing in the view.
    """
    declared = node.get("type")
    nullable = node.get("nullable") is True
    if (
        not isinstance(declared, list)
        and not (nullable and declared is not None)
        and ("const" not in node)
    ):
        return node
    out = dict(node)
    if declared is not None:
        types = set(declared) if isinstance(declared, list) else {declared}
        if nullable:
            types.add("null")
        ordered = sorted(types, key=sort_key)
        out["type"] = ordered[0] if len(ordered) == 1 else ordered
        out.pop("nullable", None)
    if "const" in out and "enum" not in out:
        out["enum"] = [out.pop("const")]
    return out


def _is_default(key: str, value: Any) -> bool:
    return key in _DEFAULTS and value == _DEFAULTS[key] and type(value) is type(_DEFAULTS[key])
