"""The engine refuses what the limits it was given refuse, with no number of its own."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from crr_contract.operations import load_specs
from reference_impl.engine.clock import SettableClock
from reference_impl.engine.system import CRRSystem
from reference_impl.spec_limits import engine_limits
from tests.engine.system.world import DATASET, MONTHLY_AUCTION, START, bid, raises_code
from tests.spec_copies import specs_with_limits


def test_the_engine_applies_the_limits_read_from_a_changed_spec(tmp_path: Path) -> None:
    limits = engine_limits(load_specs(specs_with_limits(tmp_path, {"auction_records": 2})))
    assert dataclasses.replace(limits, auction_records=0) != limits
    system = CRRSystem(SettableClock(START), limits=limits)
    system.load_dataset(DATASET)
    system.open_window(MONTHLY_AUCTION)
    create = system.create_auction_portfolio
    assert len(create("ALPHA_LSE", MONTHLY_AUCTION, "TWO", [bid(), bid()])["bids"]) == 2
    raises_code("SER0030", create, "ALPHA_LSE", MONTHLY_AUCTION, "THREE", [bid()] * 3)
