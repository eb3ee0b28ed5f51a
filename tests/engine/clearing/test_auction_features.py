"""Auction rules beyond the LP: sell offers, baseload, islanding, rejections, validation."""

from __future__ import annotations

import pytest

from reference_impl.engine.clearing import (
    Bid,
    BidSegment,
    ExistingCRR,
    InvalidOrderError,
    SellOffer,
    Side,
    TimeOfUse,
    build_dc_model,
    clear_auction,
    clear_sub_market,
)
from reference_impl.engine.network import Branch, Contingency, Interface, Network, NetworkLocation
from tests.engine.clearing.engine_checks import assert_complementary_slackness, assert_feasible

NORTH_TO_SOUTH = ("TH_NP15_GEN-APND", "DLAP_SCE-APND")


def buy(bid_id, source, sink, *curve, tou="ON", participant="P1"):
    return Bid(bid_id, participant, source, sink, tou, tuple(BidSegment(mw, p) for mw, p in curve))


def test_sample_network_auction_respects_every_limit_and_prices_binding_constraints(sample_network):
    bids = [
        buy("n2s", *NORTH_TO_SOUTH, (400, 12.0), (400, 8.0), (400, 4.0)),
        buy("hub", "TH_NP15_GEN-APND", "DLAP_SDGE-APND", (300, 9.5), (300, 6.0)),
        buy("s2n", "TH_SP15_GEN-APND", "DLAP_PGAE-APND", (200, 3.0)),
        buy("zp", "TH_ZP26_GEN-APND", "SLAP_SCEW-APND", (250, 7.0), (250, 1.0)),
        buy("pocket", "GEN_N09-APND", "LOAD_N11-APND", (150, 5.0)),
    ]
    dc = build_dc_model(sample_network)
    result = clear_sub_market(dc, "ON", bids)
    assert_feasible(sample_network, result, (), dc.outages.ids)
    assert_complementary_slackness(result, bids, ())
    assert result.binding_constraints, "the sample bids are meant to congest the network"
    assert dict(result.stats.skipped_contingencies) == {"CTG_L15": "ISLANDING"}
    assert result.award("pocket").awarded_mw <= 100.0 + 1e-6  # the radial line's limit
    alone = clear_sub_market(dc, "ON", [bids[-1]])
    assert alone.award("pocket").awarded_mw == pytest.approx(100.0)
    assert alone.binding_constraints[0].element_id == "L15"


def test_contingency_constraint_binds_and_is_named():
    # Two parallel 100 MW lines: the base case allows 200 MW, losing L1 leaves L2 at 120 (emergency).
    network = Network(
        buses=("A", "B"),
        branches=(
            Branch("L1", "A", "B", 0.1, 100.0, emergency_limit=120.0),
            Branch("L2", "A", "B", 0.1, 100.0, emergency_limit=120.0),
        ),
        contingencies=(Contingency("LOSE_L1", ("L1",)),),
        locations=(
            NetworkLocation("A-APND", (("A", 1.0),)),
            NetworkLocation("B-APND", (("B", 1.0),)),
        ),
    )
    result = clear_sub_market(network, "ON", [buy("b", "A-APND", "B-APND", (500, 10.0))])
    assert result.award("b").awarded_mw == pytest.approx(120.0)
    (binding,) = result.binding_constraints
    assert (binding.element_id, binding.contingency_id) == ("L2", "LOSE_L1")
    assert binding.limit == pytest.approx(120.0)
    assert result.path_prices[("A-APND", "B-APND")] == pytest.approx(10.0)
    assert result.stats.contingency_rows == 1


def test_interface_has_its_own_limit_in_each_direction(sample_network):
    # PATH26 (L08 + L09) allows 600 MW north to south but only 450 south to north.
    north = clear_sub_market(
        sample_network, "ON", [buy("sn", "SLAP_SCEW-APND", "TH_ZP26_GEN-APND", (2000, 50.0))]
    )
    (binding,) = north.binding_constraints
    assert (binding.element_id, binding.contingency_id, binding.direction) == ("PATH26", None, -1)
    assert binding.limit == pytest.approx(-450.0)
    assert north.award("sn").awarded_mw == pytest.approx(450.0)
    # Southward the interface is not the limit: losing L08 overloads L09 at its 450 MW rating.
    south = clear_sub_market(
        sample_network, "ON", [buy("ns", "TH_ZP26_GEN-APND", "SLAP_SCEW-APND", (2000, 50.0))]
    )
    (binding,) = south.binding_constraints
    assert (binding.element_id, binding.contingency_id, binding.direction) == ("L09", "CTG_L08", 1)
    assert south.path_prices[("TH_ZP26_GEN-APND", "SLAP_SCEW-APND")] == pytest.approx(50.0)


def test_sell_offer_frees_capacity_for_a_buyer():
    network = Network(
        buses=("A", "B"),
        branches=(Branch("AB", "A", "B", 0.1, 100.0),),
        locations=(
            NetworkLocation("A-APND", (("A", 1.0),)),
            NetworkLocation("B-APND", (("B", 1.0),)),
        ),
    )
    held = ExistingCRR("crr1", "holder", "A-APND", "B-APND", 100.0, TimeOfUse.H24, "LT")
    offer = SellOffer("s1", "holder", "crr1", "ON", (BidSegment(60.0, 4.0),))
    result = clear_sub_market(
        network, "ON", [buy("b1", "A-APND", "B-APND", (80, 9.0))], [offer], [held]
    )
    # The line is full of baseload; the buyer gets only what the seller releases.
    assert result.award("s1", Side.SELL).awarded_mw == pytest.approx(60.0)
    assert result.award("b1").awarded_mw == pytest.approx(60.0)
    price = result.path_prices[("A-APND", "B-APND")]
    assert 4.0 - 1e-6 <= price <= 9.0 + 1e-6
    assert result.award("s1", Side.SELL).settlement == pytest.approx(-60.0 * price)
    assert result.revenue == pytest.approx(0.0, abs=1e-6)


def test_baseload_that_overloads_a_line_widens_its_limit_instead_of_failing():
    network = Network(
        buses=("A", "B"),
        branches=(Branch("AB", "A", "B", 0.1, 100.0),),
        locations=(
            NetworkLocation("A-APND", (("A", 1.0),)),
            NetworkLocation("B-APND", (("B", 1.0),)),
        ),
    )
    etc = ExistingCRR("etc", "owner", "A-APND", "B-APND", 130.0, TimeOfUse.ON, "ETC")
    result = clear_sub_market(
        network,
        "ON",
        [buy("more", "A-APND", "B-APND", (50, 5.0)), buy("counter", "B-APND", "A-APND", (10, 1.0))],
        baseload=[etc],
    )
    assert result.award("more").awarded_mw == pytest.approx(10.0)  # only what counterflow frees
    assert result.award("counter").awarded_mw == pytest.approx(10.0)


def test_orders_the_market_cannot_take_are_rejected_with_a_reason(sample_network):
    outaged = sample_network.with_outages(["L15"])
    held = ExistingCRR("crr", "h", "GEN_N09-APND", "LOAD_N11-APND", 40.0, TimeOfUse.ON)
    other = ExistingCRR("crr2", "h", "GEN_N09-APND", "DLAP_SCE-APND", 10.0, TimeOfUse.ON)
    bids = [
        buy("island", "GEN_N09-APND", "LOAD_N11-APND", (10, 5.0)),
        buy("unknown", "GEN_N09-APND", "NOWHERE", (10, 5.0)),
        buy("fine", "GEN_N09-APND", "DLAP_SCE-APND", (10, 5.0)),
    ]
    offers = [
        SellOffer("sell-islanded", "h", "crr", "ON", (BidSegment(20.0, 1.0),)),
        SellOffer("sell-too-much", "h", "crr2", "ON", (BidSegment(11.0, 1.0),)),
        SellOffer("sell-not-mine", "x", "crr2", "ON", (BidSegment(1.0, 1.0),)),
        SellOffer("sell-missing", "h", "gone", "ON", (BidSegment(1.0, 1.0),)),
    ]
    result = clear_sub_market(outaged, "ON", bids, offers, [held, other])
    reasons = {(r.order_id, r.side): r.reason for r in result.rejected}
    assert reasons == {
        ("island", Side.BUY): "ISLANDED_LOCATION",
        ("unknown", Side.BUY): "UNKNOWN_LOCATION",
        ("sell-too-much", Side.SELL): "EXCEEDS_HELD_MW",
        ("sell-not-mine", Side.SELL): "NOT_HOLDER",
        ("sell-missing", Side.SELL): "UNKNOWN_CRR",
    }
    # The sell offer at the islanded pocket is allowed: a baseloading CRR sinks there.
    assert {a.order_id for a in result.awards} == {"fine", "sell-islanded"}
    assert result.location_prices["LOAD_N11-APND"] == 0.0


def test_24hr_baseload_loads_both_sub_markets():
    network = Network(
        buses=("A", "B"),
        branches=(Branch("AB", "A", "B", 0.1, 100.0),),
        locations=(
            NetworkLocation("A-APND", (("A", 1.0),)),
            NetworkLocation("B-APND", (("B", 1.0),)),
        ),
    )
    held = ExistingCRR("crr", "h", "A-APND", "B-APND", 70.0, "24HR")
    bids = [
        buy("on", "A-APND", "B-APND", (100, 5.0), tou="ON"),
        buy("off", "A-APND", "B-APND", (100, 5.0), tou="OFF"),
    ]
    result = clear_auction(network, bids, baseload=[held])
    assert result.sub_market("ON").award("on").awarded_mw == pytest.approx(30.0)
    assert result.sub_market("OFF").award("off").awarded_mw == pytest.approx(30.0)


def test_interface_terms_follow_their_coefficients():
    interface = Interface("I", (("L2", 1.0), ("L1", 0.5), ("L2", 1.0)), 50.0)
    assert interface.terms == (("L1", 0.5), ("L2", 2.0))
    assert interface.lower_limit == -50.0


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: buy("b", "A", "A", (1, 1.0)), "source and sink"),
        (lambda: buy("b", "A", "B", (1, 1.0), (1, 2.0)), "non-increasing"),
        (lambda: buy("b", "A", "B"), "at least 1 segment"),
        (lambda: buy("b", "A", "B", (0, 1.0)), "positive"),
        (lambda: buy("b", "A", "B", (1, 1.0), tou="24HR"), "ON or OFF"),
        (
            lambda: SellOffer("s", "p", "c", "ON", (BidSegment(1, 2.0), BidSegment(1, 1.0))),
            "non-decreasing",
        ),
        (lambda: ExistingCRR("c", "h", "A", "B", -1.0, "ON"), "non-negative"),
    ],
)
def test_records_reject_values_the_rules_forbid(build, message):
    with pytest.raises(InvalidOrderError, match=message):
        build()


def test_duplicate_bid_ids_are_an_error(sample_network):
    bid = buy("same", *NORTH_TO_SOUTH, (10, 1.0))
    with pytest.raises(InvalidOrderError, match="Duplicate bid"):
        clear_sub_market(sample_network, "ON", [bid, bid])


def test_empty_sub_market_clears_to_nothing(sample_network):
    result = clear_sub_market(sample_network, "OFF", [buy("on-only", *NORTH_TO_SOUTH, (10, 1.0))])
    assert result.awards == ()
    assert result.welfare == 0.0
    assert set(result.location_prices.values()) == {0.0}
