"""Normalise a spec before comparing: resolve every ``$ref``, flatten ``allOf``.

After normalisation a schema reached through ``$ref`` and the same schema
written inline are equal, so a pure ``$ref``/``allOf`` refactor shows no
functional difference. Each resolved node keeps where it came from under the
key ``$origin`` (a pointer such as ``#/components/schemas/Bid``), so a change
inside a shared component can be reported at every operation it reaches and
traced back to the component. A reference back into a node being resolved
becomes ``{"$recursive": "<ref>"}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crr_contract import pointer
from crr_contract.files import load_document
from harness.errors import InputError

ORIGIN = "$origin"
RECURSIVE = "$recursive"
# Keys of a schema whose differences between allOf parts are tolerated when
# flattening (the first wins): they document, they do not constrain.
_DOC_KEYS = frozenset({"description", "title", "example", "examples", "$comment", ORIGIN})


class Normalizer:
    """Resolves references of one document (and the files it refers to), with a cache."""

    def __init__(self, document: Any, source: Path | None = None) -> None:
        self.source = source.resolve() if source is not None else None
        self._documents: dict[Path | None, Any] = {self.source: document}
        self._cache: dict[tuple[Path | None, str], Any] = {}
        self._resolving: list[tuple[Path | None, str]] = []
        self._flattened: dict[int, Any] = {}

    def normalize(self, node: Any, where: str = "", base: Path | None = None) -> Any:
        """A copy of ``node`` with references resolved and allOf flattened."""
        return self._node(node, where, base if base is not None else self.source)

    def _node(self, node: Any, where: str, base: Path | None) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                return self._ref(node, ref, where, base)
            out = {
                key: self._node(value, f"{where}/{pointer.escape(key)}", base)
                for key, value in node.items()
            }
            if isinstance(out.get("allOf"), list):
                out = flatten_all_of(out)
            return out
        if isinstance(node, list):
            return [self._node(value, f"{where}/{index}", base) for index, value in enumerate(node)]
        return node

    def _ref(self, node: dict, ref: str, where: str, base: Path | None) -> Any:
        target_file, fragment = self._split_ref(ref, base)
        key = (target_file, fragment)
        shown = self._display(target_file, fragment)
        if key in self._resolving:
            return {RECURSIVE: shown}
        if key in self._cache:
            target = self._cache[key]
        else:
            raw = self._lookup(target_file, fragment, ref, where)
            self._resolving.append(key)
            try:
                target = self._node(raw, fragment, target_file)
            finally:
                self._resolving.pop()
            if isinstance(target, dict) and ORIGIN not in target:
                target = {**target, ORIGIN: shown}
            self._cache[key] = target
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if siblings and isinstance(target, dict):
            target = {**target, **self._node(siblings, where, base)}
        return target

    def _split_ref(self, ref: str, base: Path | None) -> tuple[Path | None, str]:
        file_part, _, fragment = ref.partition("#")
        if not file_part:
            return base, "#" + fragment
        folder = base.parent if base is not None else Path.cwd()
        return (folder / file_part).resolve(), "#" + fragment

    def _display(self, target_file: Path | None, fragment: str) -> str:
        if target_file == self.source or target_file is None:
            return fragment
        return f"{target_file.name}{fragment}"

    def _lookup(self, target_file: Path | None, fragment: str, ref: str, where: str) -> Any:
        if target_file not in self._documents:
            self._documents[target_file] = load_document(target_file)
        node = self._documents[target_file]
        try:
            for part in pointer.split(fragment):
                node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise InputError(f"cannot resolve $ref {ref!r} at {where or '/'}") from None
        return node


def flatten_all_of(node: dict) -> dict:
    """Merge the parts of ``allOf`` into one schema; unchanged when they conflict.

    Properties are merged (a property defined by several parts becomes the
    flattening of those definitions), ``required`` lists are united, and
    other keywords must agree. Properties inherited from a referenced part
    keep that part's origin.
    """
    parts = node["allOf"]
    if not all(isinstance(part, dict) and RECURSIVE not in part for part in parts):
        return node
    merged: dict[str, Any] = {key: value for key, value in node.items() if key != "allOf"}
    for part in parts:
        part_origin = part.get(ORIGIN)
        for key, value in part.items():
            if key == ORIGIN:
                continue
            if key == "properties" and isinstance(value, dict):
                properties = dict(merged.get("properties") or {})
                for name, schema in value.items():
                    schema = _with_origin(schema, part_origin, name)
                    if name in properties and properties[name] != schema:
                        combined = flatten_all_of({"allOf": [properties[name], schema]})
                        if "allOf" in combined:
                            return node
                        schema = combined
                    properties[name] = schema
                merged["properties"] = properties
            elif key == "required" and isinstance(value, list):
                required = list(merged.get("required") or [])
                required += [name for name in value if name not in required]
                merged["required"] = required
            elif key not in merged:
                merged[key] = value
            elif merged[key] != value and key not in _DOC_KEYS:
                return node
    return merged


def _with_origin(schema: Any, part_origin: str | None, name: str) -> Any:
    if part_origin is None or not isinstance(schema, dict) or ORIGIN in schema:
        return schema
    return {**schema, ORIGIN: f"{part_origin}/properties/{pointer.escape(name)}"}
