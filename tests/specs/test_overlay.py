"""OpenAPI Overlays (Overlay Specification 1.0.0): the applier, our shipped overlays, the CLI.

The applier is tested with the specification's own examples (structured,
targeted, wildcard update, array remove, filter), written here from the
specification's text.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from crr_contract.derivation import ANNOTATIONS, DerivationRules
from crr_contract.errors import SpecError
from crr_contract.files import find_openapi
from crr_contract.operations import load_overlays, load_specs
from crr_contract.overlay import (
    OverlayError,
    apply_overlay,
    apply_overlays,
    load_overlay,
    parse_overlay,
)
from crr_contract.overlay_extract import overlay_file_name, write_annotation_overlays
from harness.cli import main
from tests.specs.caiso_shape import strip_annotations

PETS: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1.0.0"},
    "paths": {
        "/": {"get": {"operationId": "root", "responses": {}}},
        "/pets": {
            "get": {
                "operationId": "listPets",
                "x-oai-traits": {"paged": True},
                "parameters": [
                    {"name": "filter", "in": "query"},
                    {"name": "dummy", "in": "query"},
                    {"name": "limit", "in": "query"},
                ],
                "responses": {},
            },
            "post": {"operationId": "addPet", "responses": {}},
        },
        "/foo": {"get": {"operationId": "foo", "description": "old", "responses": {}}},
        "/bar": {"get": {"operationId": "bar", "responses": {}}},
    },
}


def overlay(*actions: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "overlay": "1.0.0",
        "info": {"title": "t", "version": "1"},
        "actions": list(actions),
    } | fields


def applied(*actions: dict[str, Any]) -> dict[str, Any]:
    return apply_overlay(PETS, parse_overlay(overlay(*actions)))


def test_update_example_adds_a_field_to_every_operation() -> None:
    result = applied({"target": "$.paths.*.*", "update": {"x-description": "from the overlay"}})
    operations = [op for item in result["paths"].values() for op in item.values()]
    assert len(operations) == 5
    assert all(op["x-description"] == "from the overlay" for op in operations)
    assert "x-description" not in PETS["paths"]["/"]["get"], "the input is not changed"


def test_structured_overlay_merges_at_the_root() -> None:
    result = applied(
        {
            "target": "$",
            "update": {
                "info": {"x-overlay-applied": "structured-overlay"},
                "paths": {
                    "/": {"summary": "The root resource", "get": {"x-rate-limit": 100}},
                    "/pets": {"get": {"summary": "Retrieve a list of pets", "x-rate-limit": 100}},
                },
            },
        }
    )
    assert result["info"] == {
        "title": "Pets",
        "version": "1.0.0",
        "x-overlay-applied": "structured-overlay",
    }
    assert result["paths"]["/"]["summary"] == "The root resource"
    assert result["paths"]["/"]["get"] == {
        "operationId": "root",
        "responses": {},
        "x-rate-limit": 100,
    }
    assert result["paths"]["/pets"]["get"]["operationId"] == "listPets"
    assert result["paths"]["/pets"]["get"]["x-rate-limit"] == 100


def test_targeted_overlay_replaces_primitives_and_adds_children() -> None:
    result = applied(
        {"target": "$.paths['/foo'].get", "update": {"description": "This is the new description"}},
        {
            "target": "$.paths['/bar']",
            "update": {"post": {"description": "child object", "x-safe": False}},
        },
    )
    assert result["paths"]["/foo"]["get"]["description"] == "This is the new description"
    assert result["paths"]["/bar"]["post"] == {"description": "child object", "x-safe": False}
    assert "post" not in result["paths"]["/foo"]


def test_wildcard_and_filter_targets() -> None:
    result = applied(
        {"target": "$.paths.*.get", "update": {"x-safe": True}},
        {
            "target": "$.paths.*.get.parameters[?@.name == 'filter' && @.in == 'query']",
            "update": {"schema": {"$ref": "/components/schemas/filterSchema"}},
        },
        {"target": "$.paths[*][?@['x-oai-traits'].paged]", "update": {"x-paged": True}},
    )
    gets = [item["get"] for item in result["paths"].values() if "get" in item]
    assert len(gets) == 4 and all(get["x-safe"] is True for get in gets)
    assert "x-safe" not in result["paths"]["/pets"]["post"]
    parameters = result["paths"]["/pets"]["get"]["parameters"]
    assert parameters[0]["schema"] == {"$ref": "/components/schemas/filterSchema"}
    assert "schema" not in parameters[1]
    assert [
        name for name, item in result["paths"].items() if item.get("get", {}).get("x-paged")
    ] == ["/pets"]


def test_remove_example_takes_the_selected_nodes_out() -> None:
    result = applied(
        {"target": "$.paths.*.get.parameters[?@.name == 'dummy']", "remove": True},
        {"target": "$.paths['/bar']", "remove": True},
    )
    names = [p["name"] for p in result["paths"]["/pets"]["get"]["parameters"]]
    assert names == ["filter", "limit"]
    assert "/bar" not in result["paths"]


def test_removing_several_items_of_one_array() -> None:
    result = applied(
        {"target": "$.paths['/pets'].get.parameters[?@.in == 'query']", "remove": True}
    )
    assert result["paths"]["/pets"]["get"]["parameters"] == []


def test_arrays_are_appended_to() -> None:
    result = applied(
        {"target": "$.paths['/pets'].get.parameters", "update": {"name": "top", "in": "query"}},
        {
            "target": "$.paths['/pets'].get",
            "update": {"parameters": [{"name": "skip", "in": "query"}]},
        },
    )
    names = [p["name"] for p in result["paths"]["/pets"]["get"]["parameters"]]
    assert names == ["filter", "dummy", "limit", "top", "skip"]


def test_actions_apply_in_order() -> None:
    result = applied(
        {"target": "$.paths['/foo'].get", "update": {"x-step": 1}},
        {"target": "$.paths['/foo'].get", "remove": True},
        {"target": "$.paths['/foo']", "update": {"get": {"x-step": 3}}},
    )
    assert result["paths"]["/foo"]["get"] == {"x-step": 3}


def test_a_target_that_selects_nothing_changes_nothing() -> None:
    result = applied(
        {"target": "$.paths['/nowhere'].get", "update": {"x-a": 1}},
        {"target": "$.paths.*.get.parameters[?@.name == 'absent']", "remove": True},
    )
    assert result == PETS


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {"info": {"title": "t", "version": "1"}, "actions": [{"target": "$", "update": {}}]},
            "overlay is None",
        ),
        (
            {
                "overlay": "2.0.0",
                "info": {"title": "t", "version": "1"},
                "actions": [{"target": "$", "update": {}}],
            },
            "expected '1.0.x'",
        ),
        (
            {"overlay": "1.0.0", "actions": [{"target": "$", "update": {}}]},
            "info with title and version",
        ),
        (
            {
                "overlay": "1.0.0",
                "info": {"title": "t"},
                "actions": [{"target": "$", "update": {}}],
            },
            "info with title and version",
        ),
        ({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}}, "actions must list"),
        (
            {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": []},
            "actions must list",
        ),
        (
            {
                "overlay": "1.0.0",
                "info": {"title": "t", "version": "1"},
                "actions": [{"update": {}}],
            },
            "target",
        ),
        (
            {
                "overlay": "1.0.0",
                "info": {"title": "t", "version": "1"},
                "actions": [{"target": "$"}],
            },
            "update or remove",
        ),
        (
            {
                "overlay": "1.0.0",
                "info": {"title": "t", "version": "1"},
                "actions": [{"target": "$..[", "update": {}}],
            },
            "not a JSONPath",
        ),
        (["not", "a", "mapping"], "not an overlay document"),
    ],
)
def test_an_invalid_overlay_is_a_clear_spec_error(document: Any, message: str) -> None:
    with pytest.raises(OverlayError, match=r"bad\.yaml") as raised:
        parse_overlay(document, source="bad.yaml")
    assert message in str(raised.value)
    assert isinstance(raised.value, SpecError)


def test_an_update_of_a_primitive_or_a_wrong_update_type_is_refused() -> None:
    with pytest.raises(OverlayError, match="objects or arrays"):
        applied({"target": "$.paths['/foo'].get.description", "update": {"a": 1}})
    with pytest.raises(OverlayError, match="update must be one"):
        applied({"target": "$.paths['/foo'].get", "update": "text"})


def test_extends_names_the_file_an_overlay_is_for() -> None:
    named = parse_overlay(
        overlay(
            {"target": "$", "update": {}},
            extends="https://x/a/caiso_crr_auction_v1.1.1_openapi.yaml",
        )
    )
    assert named.applies_to("caiso_crr_auction_v1.1.1_openapi.yaml")
    assert not named.applies_to("caiso_crr_auction_v1.1.0_openapi.yaml")
    assert parse_overlay(overlay({"target": "$", "update": {}})).applies_to("anything.yaml")


def test_shipped_overlays_are_generated_from_the_annotated_files(
    tmp_path: Path, specs_dir: Path
) -> None:
    written = write_annotation_overlays(specs_dir / "openapi", tmp_path)
    shipped = sorted((specs_dir / "overlays").rglob("*.yaml"))
    assert [p.relative_to(tmp_path) for p in written] == [
        p.relative_to(specs_dir / "overlays") for p in shipped
    ]
    for fresh, kept in zip(written, shipped, strict=True):
        assert fresh.read_text() == kept.read_text(), (
            f"{kept} is stale: run crr-harness overlay extract"
        )
    assert len(shipped) == len(find_openapi(specs_dir / "openapi"))


def test_stripped_files_with_the_overlays_give_back_every_annotation(
    tmp_path: Path, specs_dir: Path
) -> None:
    overlays = load_overlays(sorted((specs_dir / "overlays").rglob("*.yaml")))
    checked = 0
    for spec_file in find_openapi(specs_dir / "openapi"):
        original = yaml.safe_load(spec_file.path.read_text(encoding="utf-8"))
        stripped = copy.deepcopy(original)
        strip_annotations(stripped)
        assert stripped != original
        restored = apply_overlays(
            stripped, [o for o in overlays if o.applies_to(spec_file.path.name)]
        )
        for path, item in original["paths"].items():
            for method, operation in item.items():
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                for key in ANNOTATIONS.values():
                    assert restored["paths"][path][method].get(key) == operation.get(key), (
                        spec_file.path.name,
                        path,
                        method,
                        key,
                    )
                checked += 1
    assert checked > 100


def test_overlaid_rules_cite_the_overlay(caiso_specs_dir: Path, specs_dir: Path) -> None:
    spec_path = sorted((caiso_specs_dir / "openapi" / "auction").glob("*v1.1.1*"))[0]
    overlay_path = specs_dir / "overlays" / "auction" / overlay_file_name(spec_path.name)
    (spec,) = load_specs(
        [spec_path],
        overlays=load_overlays([overlay_path]),
        rules=DerivationRules.load(caiso_specs_dir),
    )
    operation = spec.operations()[0]
    assert operation.provenance["roles"].source == "overlay"
    assert operation.provenance["roles"].where.startswith(
        f"{overlay_path.name} -> {spec_path.name}#/paths/"
    )
    assert operation.provenance["error_codes"].source == "overlay"
    assert spec.overlays == (overlay_path.name,)
    assert yaml.safe_load(spec.text)["paths"] == spec.document["paths"], (
        "the served text is the overlaid one"
    )


def test_cli_overlay_apply_prints_the_result(tmp_path: Path, capsys, specs_dir: Path) -> None:
    spec = tmp_path / "pets.yaml"
    spec.write_text(yaml.safe_dump(PETS), encoding="utf-8")
    first = tmp_path / "first.yaml"
    first.write_text(yaml.safe_dump(overlay({"target": "$.paths.*.*", "update": {"x-a": 1}})))
    second = tmp_path / "second.yaml"
    second.write_text(yaml.safe_dump(overlay({"target": "$.paths['/bar']", "remove": True})))
    assert main(["overlay", "apply", str(spec), str(first), str(second)]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert "/bar" not in printed["paths"]
    assert printed["paths"]["/foo"]["get"]["x-a"] == 1


@pytest.mark.parametrize("broken", ["missing-spec", "missing-overlay", "invalid-overlay"])
def test_cli_overlay_apply_bad_input_is_one_line_exit_2(
    tmp_path: Path, capsys, broken: str
) -> None:
    spec = tmp_path / "pets.yaml"
    spec.write_text(yaml.safe_dump(PETS), encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(overlay({"target": "$", "update": {}})))
    bad = tmp_path / "bad.yaml"
    bad.write_text("overlay: 0.9\ninfo: {title: t, version: '1'}\nactions: []\n")
    argv = {
        "missing-spec": [str(tmp_path / "nope.yaml"), str(good)],
        "missing-overlay": [str(spec), str(tmp_path / "nope-overlay.yaml")],
        "invalid-overlay": [str(spec), str(bad)],
    }[broken]
    assert main(["overlay", "apply", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.err
    assert "nope" in captured.err or "bad.yaml" in captured.err


def test_load_overlay_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(OverlayError, match="no such file"):
        load_overlay(tmp_path / "absent.yaml")
