"""Credit requirements: per-bid exposure, portfolio sum, floors, whole-portfolio rejection."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference_impl.engine.clearing import Bid, BidSegment, InvalidOrderError
from reference_impl.engine.credit import (
    CREDIT_FLOORS,
    AuctionTerm,
    CreditMarginTable,
    bid_credit_exposure,
    check_portfolio_credit,
    portfolio_required_credit,
)
from tests.engine.clearing.engine_checks import ENGINE, segment_curves


def bid(bid_id, *curve, source="A", sink="B"):
    return Bid(bid_id, "P", source, sink, "ON", tuple(BidSegment(mw, p) for mw, p in curve))


def test_positively_valued_bid_takes_the_largest_mw_times_price_plus_margin():
    # Points: 10 MW at $8 -> 10 * 10 = 100; 25 MW at $3 -> 25 * 5 = 125; 30 MW at $1 -> 30 * 3 = 90.
    assert bid_credit_exposure(bid("b", (10, 8.0), (15, 3.0), (5, 1.0)), 2.0) == pytest.approx(
        125.0
    )


def test_negatively_valued_bid_takes_max_mw_times_margin():
    assert bid_credit_exposure(bid("b", (10, -1.0), (5, -4.0)), 2.0) == pytest.approx(30.0)


def test_mixed_curve_values_each_point_by_its_own_sign():
    # 10 MW at $4 -> 10 * 6.5 = 65; 40 MW at -$1 -> 40 * 2.5 = 100.
    assert bid_credit_exposure(bid("b", (10, 4.0), (30, -1.0)), 2.5) == pytest.approx(100.0)


@ENGINE
@given(segment_curves(max_segments=20), st.floats(0, 50))
def test_exposure_dominates_every_point_and_grows_with_the_margin(curve, margin):
    b = Bid("b", "P", "A", "B", "ON", curve)
    exposure = bid_credit_exposure(b, margin)
    cumulative = 0.0
    for segment in curve:
        cumulative += segment.mw
        assert exposure >= cumulative * margin - 1e-9
        if segment.price >= 0:
            assert exposure >= cumulative * (segment.price + margin) - 1e-9
    assert bid_credit_exposure(b, margin + 1.0) >= exposure
    assert exposure >= 0.0


def test_margin_lookup_prefers_path_then_pair_then_default():
    table = CreditMarginTable(
        default=1.0,
        paths={("A", "B"): 5.0},
        pairs={frozenset({"A", "B"}): 3.0, frozenset({"A", "C"}): 4.0},
    )
    assert table.margin("A", "B") == 5.0
    assert table.margin("B", "A") == 3.0
    assert table.margin("C", "A") == 4.0
    assert table.margin("C", "D") == 1.0
    with pytest.raises(InvalidOrderError, match="two locations"):
        CreditMarginTable(default=1.0, pairs={frozenset({"A"}): 1.0})


def test_portfolio_requirement_is_the_sum_or_the_floor():
    table = CreditMarginTable(default=2.0)
    bids = [bid("b2", (100, 10.0)), bid("b1", (50, -1.0))]
    credit = portfolio_required_credit(bids, table, AuctionTerm.MONTHLY)
    assert [name for name, _ in credit.exposures] == ["b1", "b2"]
    assert credit.exposure == pytest.approx(100 * 12.0 + 50 * 2.0)
    assert credit.required_credit == CREDIT_FLOORS[AuctionTerm.MONTHLY] == 100_000.0
    big = [bid(f"b{i}", (1000, 100.0)) for i in range(6)]
    annual = portfolio_required_credit(big, table, "ANNUAL")
    assert annual.floor == 500_000.0
    assert annual.required_credit == pytest.approx(6 * 1000 * 102.0)


def test_short_credit_rejects_the_whole_portfolio():
    table = CreditMarginTable(default=2.0)
    bids = [bid(f"b{i}", (1000, 48.0)) for i in range(3)]  # 3 * 50,000 = 150,000 > monthly floor
    enough = check_portfolio_credit(
        bids,
        table,
        "MONTHLY",
        aggregate_credit_limit=400_000,
        estimated_aggregate_liability=250_000,
    )
    assert enough.accepted and enough.shortfall == 0.0 and enough.error_message is None
    short = check_portfolio_credit(
        bids,
        table,
        "MONTHLY",
        aggregate_credit_limit=400_000,
        estimated_aggregate_liability=250_001,
    )
    assert not short.accepted
    assert short.shortfall == pytest.approx(1.0)
    assert "Insufficient credit" in short.error_message
    # Below the floor the floor decides, even for a tiny portfolio.
    tiny = check_portfolio_credit(
        [bid("t", (1, 1.0))],
        table,
        "ANNUAL",
        aggregate_credit_limit=499_999,
        estimated_aggregate_liability=0,
    )
    assert not tiny.accepted and tiny.credit.required_credit == 500_000.0
