"""One time-of-use type for the markets and the clearing; 24HR never enters the books."""

from __future__ import annotations

import copy

import pytest

from reference_impl.engine import clearing, markets
from reference_impl.engine.clock import SettableClock
from reference_impl.engine.markets import SUB_MARKETS, TimeOfUse
from reference_impl.engine.system import CRRSystem
from tests.engine.system.world import (
    DATASET,
    LIMITS,
    MONTHLY_AUCTION,
    START,
    bid,
    new_system,
    raises_code,
)


def test_the_clearing_and_the_markets_share_one_definition() -> None:
    assert clearing.TimeOfUse is markets.TimeOfUse


def test_sub_markets_are_on_and_off_and_24hr_applies_to_both() -> None:
    assert [str(tou) for tou in SUB_MARKETS] == ["ON", "OFF"]
    assert all(TimeOfUse.H24.applies_to(tou) for tou in SUB_MARKETS)
    assert not TimeOfUse.ON.applies_to(TimeOfUse.OFF)


@pytest.mark.parametrize("value", ["24HR", "H24", ["ON"]])
def test_a_bid_for_anything_but_on_or_off_is_por0011(value: object) -> None:
    system = new_system()
    system.open_window(MONTHLY_AUCTION)
    bids = [bid() | {"timeOfUse": value}]
    raises_code("POR0011", system.create_auction_portfolio, "ALPHA_LSE", MONTHLY_AUCTION, "P", bids)


def test_a_data_set_holding_a_24hr_crr_is_refused() -> None:
    data = copy.deepcopy(DATASET)
    data["existingCrrs"][0]["timeOfUse"] = "24HR"
    system = CRRSystem(SettableClock(START), limits=LIMITS)
    raises_code("SER0002", system.load_dataset, data)
    system.load_dataset(copy.deepcopy(DATASET))  # the same data set with ON/OFF rights loads
