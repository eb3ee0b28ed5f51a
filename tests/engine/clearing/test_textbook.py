"""Hand-checked auction cases: two bids competing for one 100 MW line."""

from __future__ import annotations

import pytest

from reference_impl.engine.clearing import (
    Bid,
    BidSegment,
    TimeOfUse,
    clear_auction,
    clear_sub_market,
)
from reference_impl.engine.network import Branch, Network, NetworkLocation


def _node(bus: str) -> NetworkLocation:
    return NetworkLocation(f"{bus}-APND", ((bus, 1.0),))


def two_bus() -> Network:
    """A and B joined by one 100 MW line."""
    return Network(
        buses=("A", "B"),
        branches=(Branch("AB", "A", "B", 0.1, 100.0),),
        locations=(_node("A"), _node("B")),
    )


def triangle() -> Network:
    """A, B, C in a triangle of equal reactances; only A-B is limited (100 MW).

    A 1 MW transfer A->B puts 2/3 MW on A-B; a transfer C->B puts 1/3 MW on it.
    """
    return Network(
        buses=("A", "B", "C"),
        branches=(
            Branch("AB", "A", "B", 0.1, 100.0),
            Branch("BC", "B", "C", 0.1),
            Branch("AC", "A", "C", 0.1),
        ),
        locations=(_node("A"), _node("B"), _node("C")),
    )


def bid(bid_id: str, source: str, sink: str, mw: float, price: float) -> Bid:
    return Bid(
        bid_id, "P", f"{source}-APND", f"{sink}-APND", TimeOfUse.ON, (BidSegment(mw, price),)
    )


def test_higher_bid_takes_the_line_and_sets_the_price():
    # Both want A->B. $10 bid for 150 MW, $5 bid for 80 MW; the line takes 100.
    result = clear_sub_market(
        two_bus(), "ON", [bid("high", "A", "B", 150, 10.0), bid("low", "A", "B", 80, 5.0)]
    )
    assert result.award("high").awarded_mw == pytest.approx(100.0)
    assert result.award("low").awarded_mw == pytest.approx(0.0)
    # The marginal (partly filled) $10 bid sets the price: sink minus source.
    assert result.path_prices[("A-APND", "B-APND")] == pytest.approx(10.0)
    assert result.location_prices["B-APND"] - result.location_prices["A-APND"] == pytest.approx(
        10.0
    )
    (binding,) = result.binding_constraints
    assert (binding.element_id, binding.contingency_id, binding.direction) == ("AB", None, 1)
    assert binding.flow == pytest.approx(100.0)
    assert binding.shadow_price == pytest.approx(10.0)
    assert result.revenue == pytest.approx(1000.0)
    assert result.welfare == pytest.approx(1000.0)


def test_sole_bidder_on_another_path_loses_when_it_loads_the_binding_line():
    # Per MW of line: A->B is worth 10 / (2/3) = 15, C->B only 4 / (1/3) = 12.
    result = clear_sub_market(
        triangle(), "ON", [bid("ab", "A", "B", 200, 10.0), bid("cb", "C", "B", 300, 4.0)]
    )
    assert result.award("ab").awarded_mw == pytest.approx(150.0)  # 2/3 * 150 = 100 MW on A-B
    assert result.award("cb").awarded_mw == pytest.approx(0.0)
    (binding,) = result.binding_constraints
    assert binding.shadow_price == pytest.approx(15.0)
    assert result.path_prices[("A-APND", "B-APND")] == pytest.approx(10.0)  # 15 * 2/3
    assert result.path_prices[("C-APND", "B-APND")] == pytest.approx(5.0)  # 15 * 1/3 > $4 bid


def test_counterflow_clears_at_a_negative_price():
    # B->A relieves A-B: with A->B congested the counterflow path is paid.
    result = clear_sub_market(
        two_bus(),
        "ON",
        [bid("ab", "A", "B", 150, 10.0), bid("ba", "B", "A", 20, -3.0)],
    )
    assert result.path_prices[("B-APND", "A-APND")] == pytest.approx(-10.0)
    assert result.award("ba").awarded_mw == pytest.approx(20.0)
    assert result.award("ab").awarded_mw == pytest.approx(120.0)


def test_on_and_off_clear_as_separate_sub_markets():
    off_bid = Bid("off", "P", "A-APND", "B-APND", TimeOfUse.OFF, (BidSegment(150, 2.0),))
    result = clear_auction(two_bus(), [bid("on", "A", "B", 150, 10.0), off_bid])
    on, off = result.sub_market("ON"), result.sub_market("OFF")
    assert [a.order_id for a in on.awards] == ["on"]
    assert [a.order_id for a in off.awards] == ["off"]
    assert on.path_prices[("A-APND", "B-APND")] == pytest.approx(10.0)
    assert off.path_prices[("A-APND", "B-APND")] == pytest.approx(2.0)
    assert off.award("off").awarded_mw == pytest.approx(100.0)
