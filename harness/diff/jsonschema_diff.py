"""Diff two JSON Schema download types (``<Name>_v<x.y.z>.draft-07.schema.json``).

A download type describes what CAISO sends, so by default the schema is
compared in the response direction. ``definitions`` are compared where
``$ref`` reaches them, like OpenAPI components.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from harness.diff.model import Finding, SchemaSubject
from harness.diff.normalize import Normalizer
from harness.diff.proof import Proof
from harness.diff.schema_compare import SchemaComparer
from harness.diff.view import ViewBuilder
from harness.errors import InputError

_ROOT_ONLY = ("$schema", "$id", "id", "definitions", "$defs")


def diff_json_schema(
    old: Any,
    new: Any,
    old_source: Path | None = None,
    new_source: Path | None = None,
    direction: str = "response",
    doc_only_extensions: frozenset[str] = frozenset(),
    known_formats: frozenset[str] | None = None,
) -> list[Finding]:
    """Every finding between two JSON Schemas; paths are pointers into the new file."""
    for doc, source in ((old, old_source), (new, new_source)):
        if not isinstance(doc, dict):
            raise InputError(f"{source or 'document'}: a JSON Schema must be an object")
    found: list[Finding] = []
    if old.get("$schema") != new.get("$schema"):
        found.append(
            Finding(
                "schema.dialect.changed",
                ("$schema",),
                f"$schema {old.get('$schema')} -> {new.get('$schema')}",
            )
        )
    for key in ("$id", "id"):
        if old.get(key) != new.get(key):
            found.append(
                Finding("schema.id.changed", (key,), f"{key} {old.get(key)} -> {new.get(key)}")
            )
    old_root = _root(Normalizer(old, old_source).normalize(old))
    new_root = _root(Normalizer(new, new_source).normalize(new))
    views = ViewBuilder(doc_only_extensions, known_formats)
    proof = Proof()
    found += [
        replace(f, subject=SchemaSubject(old_root, new_root, direction, f.path))
        for f in SchemaComparer(direction, views, proof).compare(old_root, new_root)
    ]
    found += proof.unclassified(views.schema(old_root), views.schema(new_root), found)
    return found


def _root(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    return {key: value for key, value in schema.items() if key not in _ROOT_ONLY}
