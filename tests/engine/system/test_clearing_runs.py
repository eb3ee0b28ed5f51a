"""Running clearings, publishing results, and the CRRs they create."""

from __future__ import annotations

import pytest

from reference_impl.engine.clearing import AuctionResult, SubMarketResult
from reference_impl.engine.clearing.records import Side, TimeOfUse
from reference_impl.engine.clearing.results import ClearingStats, OrderAward
from reference_impl.engine.clock import SettableClock
from reference_impl.engine.system import CRRSystem
from tests.engine.system.world import (
    DATASET,
    LIMITS,
    MONTHLY_AUCTION,
    MONTHLY_T1,
    MONTHLY_T2,
    NP15,
    PGAE,
    SP15,
    START,
    bid,
    raises_code,
)


def run_auction(system, portfolios):
    system.open_window(MONTHLY_AUCTION)
    for who, name, bids, offers in portfolios:
        system.create_auction_portfolio(who, MONTHLY_AUCTION, name, bids, offers)
        system.submit_auction_portfolio(who, MONTHLY_AUCTION, name)
    system.close_window(MONTHLY_AUCTION)
    return system.run_clearing(MONTHLY_AUCTION)


def test_congested_auction_awards_the_higher_bid_and_sets_the_price(system):
    # N-S is limited to 60 MW; 40 MW of baseload NP15->SP15 already flow 2/3 on it.
    high = bid(segments=[{"mw": 100, "price": 50}])
    low = bid(segments=[{"mw": 100, "price": 20}])
    summary = run_auction(
        system, [("DELTA_TOR", "HIGH", [high], None), ("ECHO_LSE", "LOW", [low], None)]
    )
    assert summary["bindingConstraints"] >= 1
    system.publish_results(MONTHLY_AUCTION)
    delta = system.get_auction_portfolio("DELTA_TOR", MONTHLY_AUCTION, "HIGH")
    echo = system.get_auction_portfolio("ECHO_LSE", MONTHLY_AUCTION, "LOW")
    assert delta["awards"][0]["awardedMw"] == pytest.approx(50.0)
    assert "awards" not in echo or echo["awards"][0]["awardedMw"] == pytest.approx(0.0)
    public = system.download("CRRPublicAuctionResult", MONTHLY_AUCTION)
    price = next(p for p in public["ClearingPrices"] if (p["Source"], p["Sink"]) == (NP15, SP15))
    assert 20.0 <= price["ClearingPrice"] <= 50.0
    holdings = system.get_crr_holdings("DELTA_TOR")
    assert [(c["marketName"], c["mw"], c["marketTerm"]) for c in holdings] == [
        (MONTHLY_AUCTION, pytest.approx(50.0), "Monthly")
    ]


def test_cleared_sell_offer_reduces_the_sellers_holding(system):
    offer = {"crrId": "10000001", "timeOfUse": "ON", "segments": [{"mw": 15, "price": 1}]}
    buyer = bid(segments=[{"mw": 100, "price": 50}])
    run_auction(
        system,
        [("BRAVO_TRADING", "SELL", [], [offer]), ("DELTA_TOR", "BUY", [buyer], None)],
    )
    system.publish_results(MONTHLY_AUCTION)
    bought = system.get_auction_portfolio("DELTA_TOR", MONTHLY_AUCTION, "BUY")["awards"]
    assert bought[0]["awardedMw"] == pytest.approx(65.0)
    pieces = [c for c in system.get_crr_holdings("BRAVO_TRADING") if c["originId"] == "10000001"]
    october = [c for c in pieces if c["startDate"] == "2025-10-01T07:00:00Z"]
    assert october[0]["mw"] == pytest.approx(25.0)
    later = [c for c in pieces if c["startDate"] == "2025-11-01T07:00:00Z"]
    assert later[0]["mw"] == pytest.approx(40.0)


def test_results_are_only_published_by_the_operator(system):
    run_auction(system, [("DELTA_TOR", "P", [bid()], None)])
    raises_code("MDT0002", system.download, "CRRPrivateAuction", MONTHLY_AUCTION, "DELTA_TOR")
    assert system.get_crr_holdings("DELTA_TOR") == []
    system.publish_results(MONTHLY_AUCTION)
    mine = system.download("CRRPrivateAuction", MONTHLY_AUCTION, "DELTA_TOR")
    assert [row["AwardedMW"] for row in mine["AwardedBids"]] == [pytest.approx(20.0)]
    theirs = system.download("CRRPrivateAuction", MONTHLY_AUCTION, "ECHO_LSE")
    assert theirs["AwardedBids"] == []
    messages = system.list_private_messages("DELTA_TOR")
    assert [m["category"] for m in messages] == ["RESULTS_PUBLISHED"]


def test_clearing_an_open_market_is_refused(system):
    system.open_window(MONTHLY_AUCTION)
    raises_code("SER0002", system.run_clearing, MONTHLY_AUCTION)


def nominate(system, market, mw):
    system.open_window(market)
    system.create_nomination_portfolio(
        "ALPHA_LSE", market, "N", [{"source": NP15, "sink": PGAE, "timeOfUse": "ON", "mw": mw}]
    )
    system.submit_nomination_portfolio("ALPHA_LSE", market, "N")
    system.close_window(market)


def test_allocation_tiers_clear_in_sequence_with_earlier_awards_fixed(system):
    system.open_window("FCST_LOAD_MN_2025_M10")
    system.submit_load_data(
        "ALPHA_LSE",
        "FCST_LOAD_MN_2025_M10",
        "FORECAST",
        [{"sink": PGAE, "effectiveDate": "2025-10-01T07:00:00Z", "timeOfUse": "ON", "loadMw": 800}],
    )
    for etc in ("ALLOC_MN_2025_M10_ETC",):
        system.open_window(etc)
        system.close_window(etc)
        system.run_clearing(etc)
        system.publish_results(etc)
    nominate(system, MONTHLY_T1, 80)
    system.run_clearing(MONTHLY_T1)
    system.publish_results(MONTHLY_T1)
    portfolio = system.get_nomination_portfolio("ALPHA_LSE", MONTHLY_T1, "N")
    assert portfolio["nominations"][0]["awardedMw"] == pytest.approx(80.0)
    allocated = [c for c in system.get_crr_holdings("ALPHA_LSE") if c["marketName"] == MONTHLY_T1]
    assert [(c["crrType"], c["mw"]) for c in allocated] == [("LSE", pytest.approx(80.0))]
    private = system.download("CRRPrivateAllocation", MONTHLY_T1, "ALPHA_LSE")
    assert private["AllocationResults"][0]["AllocatedMW"] == pytest.approx(80.0)
    # T2 caps are MEQ less what T1 awarded ...
    caps = {
        c["sink"]: c["capMw"]
        for c in system.get_nomination_caps("ALPHA_LSE", MONTHLY_T2)
        if c["timeOfUse"] == "ON"
    }
    assert caps[PGAE] == pytest.approx(720.0)
    # ... and the T1 awards load the network: N-S (60 MW) leaves 100 MW NP15->PGAE in all.
    nominate(system, MONTHLY_T2, 300)
    system.run_clearing(MONTHLY_T2)
    system.publish_results(MONTHLY_T2)
    t2 = system.get_nomination_portfolio("ALPHA_LSE", MONTHLY_T2, "N")
    assert t2["nominations"][0]["awardedMw"] == pytest.approx(20.0)


def test_a_later_tier_waits_for_the_earlier_one(system):
    raises_code("SER0002", system.run_clearing, "ALLOC_MN_2025_M10_ETC")  # still PREP
    system.open_window(MONTHLY_T1)
    system.close_window(MONTHLY_T1)
    system.open_window(MONTHLY_T2)
    system.close_window(MONTHLY_T2)
    raises_code("SER0002", system.run_clearing, MONTHLY_T2)


class FixedClearing:
    """A stand-in clearing that awards every bid its whole curve at a fixed price."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int]] = []

    def clear_auction(self, market_name, bids, offers, baseload):
        self.calls.append((market_name, len(bids), len(baseload)))
        subs = []
        for tou in (TimeOfUse.ON, TimeOfUse.OFF):
            awards = tuple(
                OrderAward(
                    b.bid_id,
                    Side.BUY,
                    b.participant,
                    b.source,
                    b.sink,
                    tuple(s.mw for s in b.segments),
                    7.0,
                )
                for b in bids
                if b.time_of_use is tou
            )
            subs.append(
                SubMarketResult(
                    tou, awards, (), {}, {}, (), 0.0, 0.0, ClearingStats(0, 0, 0, 0, 0, 0, 0, ())
                )
            )
        return AuctionResult(tuple(subs))

    def clear_allocation_tier(self, market_name, tier, baseload):
        raise AssertionError("not used")


def test_the_clearing_engine_is_injectable():
    fake = FixedClearing()
    system = CRRSystem(SettableClock(START), limits=LIMITS, clearing=fake)
    system.load_dataset(DATASET)
    run_auction(system, [("DELTA_TOR", "P", [bid()], None)])
    assert fake.calls == [(MONTHLY_AUCTION, 1, 2)]
    system.publish_results(MONTHLY_AUCTION)
    rows = system.download("CRRPrivateAuction", MONTHLY_AUCTION, "DELTA_TOR")["AwardedBids"]
    assert [(r["AwardedMW"], r["ClearingPrice"]) for r in rows] == [(20.0, 7.0)]
