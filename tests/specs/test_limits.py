"""crr_contract.limits: every business limit is read from the spec files, never assumed."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from crr_contract.files import find_openapi
from crr_contract.limits import (
    REQUEST_LIMITS,
    LimitError,
    array_path,
    array_schema,
    declared_limit,
    declared_limits,
    limit_code,
)
from crr_contract.operations import DEFAULT_SPECS_DIR, load_specs
from reference_impl.spec_limits import engine_limits
from tests.spec_copies import specs_with_limits

LIMITED_SERVICES = sorted({limit.service for limit in REQUEST_LIMITS})


@pytest.mark.parametrize("service", LIMITED_SERVICES)
def test_every_shipped_version_states_each_limit_of_its_service(service: str) -> None:
    files = [f.path for f in find_openapi(DEFAULT_SPECS_DIR / "openapi") if f.key == service]
    assert files, f"no shipped {service} spec"
    for path in files:
        (spec,) = load_specs([path])  # one version at a time: a set serves one per service
        for limit in (lim for lim in REQUEST_LIMITS if lim.service == service):
            assert declared_limit(spec, limit) >= 1


def test_a_changed_max_items_is_the_new_limit(tmp_path: Path) -> None:
    specs = load_specs(specs_with_limits(tmp_path, {"auction_records": 7, "load_records": 3}))
    found = declared_limits(specs)
    assert (found["auction_records"], found["load_records"]) == (7, 3)
    limits = engine_limits(specs)
    assert (limits.auction_records, limits.load_records) == (7, 3)


def test_a_spec_stating_no_max_items_is_refused_naming_file_and_array(tmp_path: Path) -> None:
    specs = load_specs(specs_with_limits(tmp_path, {"migration_records": None}))
    with pytest.raises(LimitError, match=r"load_migration_v.*submitLoadMigration request records"):
        declared_limits(specs)


def test_arrays_sharing_a_limit_must_agree(tmp_path: Path) -> None:
    files = specs_with_limits(tmp_path, {"segments": 20})
    auction = next(s for s in load_specs(files) if s.service == "auction")
    offers = next(lim for lim in REQUEST_LIMITS if lim.array == "offers[].segments")
    array_schema(auction, offers)["maxItems"] = 21  # type: ignore[index]
    with pytest.raises(LimitError, match=re.escape("bids[].segments but 21 for offers[].segments")):
        declared_limits([auction])


def test_services_not_served_take_the_shipped_files_limits(tmp_path: Path) -> None:
    served = [
        spec
        for spec in load_specs(specs_with_limits(tmp_path, {"offer_targets": 9}))
        if spec.service == "secondary_market"
    ]
    limits = engine_limits(served)
    shipped = engine_limits(load_specs(specs_with_limits(tmp_path / "shipped", {})))
    assert limits.offer_targets == 9
    assert limits == dataclasses.replace(shipped, offer_targets=9)


def test_array_paths_step_into_items() -> None:
    assert array_path(["bids", 3, "segments"]) == "bids[].segments"
    assert limit_code("auction", "portfolioCreation", "bids[].segments") == "POR0003"
    assert limit_code("auction", "portfolioCreation", "bids") == "SER0030"
    assert limit_code("auction", "portfolioCreation", "bids[].note") is None
