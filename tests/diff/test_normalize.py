"""Reference resolution and allOf flattening, on which the MINI proof rests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.diff.normalize import ORIGIN, RECURSIVE, Normalizer, flatten_all_of
from harness.diff.view import ViewBuilder
from harness.errors import InputError


def test_ref_is_inlined_with_its_origin() -> None:
    doc = {
        "a": {"$ref": "#/components/schemas/X"},
        "components": {"schemas": {"X": {"type": "string"}}},
    }
    out = Normalizer(doc).normalize(doc["a"])
    assert out == {"type": "string", ORIGIN: "#/components/schemas/X"}


def test_recursive_schema_becomes_a_marker() -> None:
    node = {
        "type": "object",
        "properties": {"children": {"type": "array", "items": {"$ref": "#/s/Node"}}},
    }
    doc = {"s": {"Node": node}}
    out = Normalizer(doc).normalize({"$ref": "#/s/Node"})
    assert out["properties"]["children"]["items"] == {RECURSIVE: "#/s/Node"}


def test_escaped_pointer_and_external_file(tmp_path: Path) -> None:
    (tmp_path / "shared.json").write_text(json.dumps({"defs": {"a/b": {"type": "integer"}}}))
    doc = {"x": {"$ref": "shared.json#/defs/a~1b"}}
    out = Normalizer(doc, tmp_path / "main.yaml").normalize(doc["x"])
    assert out["type"] == "integer"
    assert out[ORIGIN] == "shared.json#/defs/a~1b"


def test_unresolvable_ref_is_one_line_input_error() -> None:
    doc = {"x": {"$ref": "#/components/schemas/Missing"}}
    with pytest.raises(
        InputError, match=r"cannot resolve \$ref '#/components/schemas/Missing' at /x"
    ):
        Normalizer(doc).normalize(doc["x"], "/x")


def test_all_of_flattens_to_the_same_view_as_the_plain_schema() -> None:
    plain = {
        "type": "object",
        "required": ["a", "b"],
        "properties": {"a": {"type": "string"}, "b": {"type": "number"}},
    }
    split = {
        "allOf": [
            {
                "type": "object",
                "required": ["a"],
                "properties": {"a": {"type": "string"}},
                ORIGIN: "#/c/A",
            },
            {"type": "object", "required": ["b"], "properties": {"b": {"type": "number"}}},
        ]
    }
    flat = flatten_all_of(split)
    views = ViewBuilder()
    assert views.schema(flat) == views.schema(plain)
    assert flat["properties"]["a"][ORIGIN] == "#/c/A/properties/a"


def test_conflicting_all_of_is_kept() -> None:
    node = {"allOf": [{"type": "string"}, {"type": "integer"}]}
    assert flatten_all_of(node) is node


def test_view_drops_documentation_but_keeps_a_property_named_description() -> None:
    schema = {
        "description": "doc",
        "example": {"x": 1},
        "properties": {"description": {"type": "string", "description": "the text"}},
        "nullable": False,
    }
    assert ViewBuilder().schema(schema) == {"properties": {"description": {"type": "string"}}}
