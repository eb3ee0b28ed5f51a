"""The download registry: one builder per type, with the visibility the served spec gives it."""

from __future__ import annotations

from crr_contract.operations import default_spec_files, load_specs
from reference_impl.api.handlers.market_data import ACCESS_ENUMS
from reference_impl.engine.downloads import BUILDERS, Visibility, types_of


def test_each_type_the_spec_lists_has_a_builder_of_the_same_visibility() -> None:
    (spec,) = [s for s in load_specs(default_spec_files()) if s.service == "market_data"]
    schemas = spec.document["components"]["schemas"]
    listed = {
        str(name): Visibility(access)
        for access, component in ACCESS_ENUMS.items()
        for name in schemas[component]["enum"]
    }
    assert {name: entry.visibility for name, entry in BUILDERS.items()} == listed


def test_the_type_lists_are_read_from_the_registry() -> None:
    by_visibility = [types_of(v) for v in Visibility]
    assert sorted(name for names in by_visibility for name in names) == sorted(BUILDERS)
    private = types_of(Visibility.PRIVATE)
    assert private and all(BUILDERS[name].visibility is Visibility.PRIVATE for name in private)
