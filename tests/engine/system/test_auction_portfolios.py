"""Auction portfolios: the bid and offer rules, the status rules and credit."""

from __future__ import annotations

import pytest

from tests.engine.system.world import (
    ISLANDED,
    MONTHLY_AUCTION,
    NP15,
    PGAE,
    RETIRED,
    SP15,
    bid,
    raises_code,
)

TRADER = "BRAVO_TRADING"


@pytest.fixture
def open_auction(system):
    system.open_window(MONTHLY_AUCTION)
    return system


def create(system, name="P1", bids=None, offers=None, who=TRADER):
    return system.create_auction_portfolio(
        who, MONTHLY_AUCTION, name, bids if bids is not None else [bid()], offers
    )


def test_create_stores_bids_with_assigned_ids(open_auction):
    portfolio = create(open_auction, bids=[bid(), bid(bidId="MINE")])
    assert portfolio["status"] == "CREATED"
    assert [b["bidId"] for b in portfolio["bids"]] == ["B0001", "MINE"]
    assert portfolio["bids"][0]["hedgeType"] == "OBLIGATION"


def test_duplicate_portfolio_name_is_por0001(open_auction):
    create(open_auction)
    raises_code("POR0001", create, open_auction)


def test_same_name_for_another_participant_is_allowed(open_auction):
    create(open_auction)
    assert create(open_auction, who="DELTA_TOR")["participantName"] == "DELTA_TOR"


def test_twenty_segments_pass_and_twenty_one_are_por0003(open_auction):
    twenty = [{"mw": k + 1, "price": 100 - k} for k in range(20)]
    assert create(open_auction, "OK", [bid(segments=twenty)])["bids"][0]["segments"][-1]["mw"] == 20
    twenty_one = [{"mw": k + 1, "price": 100 - k} for k in range(21)]
    raises_code("POR0003", create, open_auction, "BAD", [bid(segments=twenty_one)])


@pytest.mark.parametrize(
    "segments",
    [
        [{"mw": 10, "price": 20}, {"mw": 10, "price": 10}],  # MW not increasing
        [{"mw": 10, "price": 20}, {"mw": 5, "price": 10}],  # MW decreasing
        [{"mw": 10, "price": 20}, {"mw": 20, "price": 30}],  # price increasing
    ],
)
def test_non_monotone_bid_curves_are_por0004(open_auction, segments):
    raises_code("POR0004", create, open_auction, bids=[bid(segments=segments)])


def test_sell_offer_price_may_not_decrease(open_auction):
    offer = {
        "crrId": "10000001",
        "timeOfUse": "ON",
        "segments": [{"mw": 5, "price": 10}, {"mw": 9, "price": 5}],
    }
    raises_code("POR0004", create, open_auction, bids=[], offers=[offer])
    offer["segments"] = [{"mw": 5, "price": 5}, {"mw": 9, "price": 10}]
    assert create(open_auction, bids=[], offers=[offer])["offers"][0]["crrId"] == "10000001"


def test_zero_mw_segment_is_por0007(open_auction):
    raises_code("POR0007", create, open_auction, bids=[bid(segments=[{"mw": 0, "price": 5}])])


def test_unknown_location_is_por0005(open_auction):
    raises_code("POR0005", create, open_auction, bids=[bid(source="NOWHERE-APND")])


def test_sink_only_location_as_source_is_por0005(open_auction):
    raises_code("POR0005", create, open_auction, bids=[bid(source=PGAE, sink=SP15)])


def test_source_equal_to_sink_is_por0006(open_auction):
    raises_code("POR0006", create, open_auction, bids=[bid(source=SP15, sink=SP15)])


@pytest.mark.parametrize("location", [ISLANDED, RETIRED])
def test_islanded_or_retired_source_is_por0010(open_auction, location):
    error = raises_code("POR0010", create, open_auction, bids=[bid(source=location)])
    if location == RETIRED:
        assert SP15 in error.message  # names the remap target


def test_sell_offer_at_islanded_location_with_baseload_is_allowed(open_auction):
    offer = {"crrId": "10000003", "timeOfUse": "OFF", "segments": [{"mw": 5, "price": 1}]}
    portfolio = create(open_auction, bids=[], offers=[offer])
    assert portfolio["offers"][0]["source"] == ISLANDED


def test_time_of_use_not_cleared_is_por0011(open_auction):
    raises_code("POR0011", create, open_auction, bids=[bid(tou="24HR")])


def test_sell_offer_of_crr_not_held_is_auc0002(open_auction):
    offer = {"crrId": "10000002", "timeOfUse": "ON", "segments": [{"mw": 5, "price": 1}]}
    raises_code("AUC0002", create, open_auction, bids=[], offers=[offer])


def test_sell_offer_above_held_mw_is_auc0003(open_auction):
    offer = {"crrId": "10000001", "timeOfUse": "ON", "segments": [{"mw": 41, "price": 1}]}
    raises_code("AUC0003", create, open_auction, bids=[], offers=[offer])
    offer["segments"] = [{"mw": 40, "price": 1}]
    assert create(open_auction, bids=[], offers=[offer])["offers"][0]["segments"][0]["mw"] == 40


def test_empty_portfolio_is_ser0001(open_auction):
    error = raises_code("SER0001", create, open_auction, bids=[])
    assert "at least one bid or offer." in str(error)


def test_five_hundred_records_pass_and_501_are_ser0030(open_auction):
    assert len(create(open_auction, "BIG", [bid() for _ in range(500)])["bids"]) == 500
    raises_code("SER0030", create, open_auction, "TOO_BIG", [bid() for _ in range(501)])


def test_many_bad_records_are_reported_together(open_auction):
    error = raises_code(
        "POR0006",
        create,
        open_auction,
        bids=[bid(source=SP15, sink=SP15), bid(segments=[{"mw": 0, "price": 1}]), bid(tou="X")],
    )
    assert set(error.codes) == {"POR0006", "POR0007", "POR0011"}
    assert [d.field for d in error.details][:1] == ["bids[0].sink"]


def test_duplicate_bid_ids_are_ser0002(open_auction):
    raises_code("SER0002", create, open_auction, bids=[bid(bidId="X"), bid(bidId="X")])


def test_submit_then_retract_then_submit_again(open_auction):
    create(open_auction)
    assert (
        open_auction.submit_auction_portfolio(TRADER, MONTHLY_AUCTION, "P1")["status"]
        == "SUBMITTED"
    )
    assert (
        open_auction.retract_auction_portfolio(TRADER, MONTHLY_AUCTION, "P1")["status"]
        == "RETRACTED"
    )
    assert (
        open_auction.submit_auction_portfolio(TRADER, MONTHLY_AUCTION, "P1")["status"]
        == "SUBMITTED"
    )


def test_submitting_a_submitted_portfolio_is_auc0037(open_auction):
    create(open_auction)
    open_auction.submit_auction_portfolio(TRADER, MONTHLY_AUCTION, "P1")
    raises_code("AUC0037", open_auction.submit_auction_portfolio, TRADER, MONTHLY_AUCTION, "P1")


def test_retracting_an_unsubmitted_portfolio_is_auc0005(open_auction):
    create(open_auction)
    raises_code("AUC0005", open_auction.retract_auction_portfolio, TRADER, MONTHLY_AUCTION, "P1")


def test_deleting_a_submitted_portfolio_is_por0013(open_auction):
    create(open_auction)
    open_auction.submit_auction_portfolio(TRADER, MONTHLY_AUCTION, "P1")
    raises_code("POR0013", open_auction.delete_auction_portfolio, TRADER, MONTHLY_AUCTION, "P1")
    open_auction.retract_auction_portfolio(TRADER, MONTHLY_AUCTION, "P1")
    deleted = open_auction.delete_auction_portfolio(TRADER, MONTHLY_AUCTION, "P1")
    assert deleted["portfolioName"] == "P1"
    raises_code("SER0028", open_auction.get_auction_portfolio, TRADER, MONTHLY_AUCTION, "P1")


def test_changes_after_close_are_por0012_and_submitted_become_closed(open_auction):
    create(open_auction)
    create(open_auction, "P2")
    open_auction.submit_auction_portfolio(TRADER, MONTHLY_AUCTION, "P1")
    open_auction.close_window(MONTHLY_AUCTION)
    status = open_auction.get_auction_portfolio_status(TRADER, MONTHLY_AUCTION, "P1")
    assert status["status"] == "CLOSED"
    raises_code("POR0012", open_auction.submit_auction_portfolio, TRADER, MONTHLY_AUCTION, "P2")
    raises_code("POR0012", open_auction.retract_auction_portfolio, TRADER, MONTHLY_AUCTION, "P1")
    raises_code("POR0012", open_auction.delete_auction_portfolio, TRADER, MONTHLY_AUCTION, "P2")


def test_unknown_portfolio_is_ser0028(open_auction):
    raises_code("SER0028", open_auction.get_auction_portfolio, TRADER, MONTHLY_AUCTION, "NONE")


def test_required_credit_is_max_exposure_over_the_curve(open_auction):
    create(open_auction, bids=[bid(segments=[{"mw": 10, "price": 20}, {"mw": 30, "price": 1}])])
    credit = open_auction.get_portfolio_required_credit(TRADER, MONTHLY_AUCTION, "P1")
    # margin 5 $/MW: max(10 x 25, 30 x 6) = 250
    assert credit["requiredCredit"] == 250.0
    assert credit["creditFloor"] == 100000.0
    assert credit["availableCredit"] == 10_000_000.0
    assert "errorMessage" not in credit


def test_negatively_priced_bid_needs_mw_times_margin(open_auction):
    create(open_auction, bids=[bid(segments=[{"mw": 40, "price": -3}])])
    credit = open_auction.get_portfolio_required_credit(TRADER, MONTHLY_AUCTION, "P1")
    assert credit["requiredCredit"] == 200.0


def test_short_credit_rejects_the_whole_portfolio_with_auc0001(open_auction):
    # ECHO_LSE has a 150,000 credit limit; the floor is 100,000.
    big = bid(segments=[{"mw": 100, "price": 1500}])
    open_auction.create_auction_portfolio("ECHO_LSE", MONTHLY_AUCTION, "BIG", [big, bid()])
    error = raises_code(
        "AUC0001", open_auction.submit_auction_portfolio, "ECHO_LSE", MONTHLY_AUCTION, "BIG"
    )
    assert "AUC0001" in error.message
    status = open_auction.get_auction_portfolio_status("ECHO_LSE", MONTHLY_AUCTION, "BIG")
    assert status["status"] == "CREATED"
    credit = open_auction.get_portfolio_required_credit("ECHO_LSE", MONTHLY_AUCTION, "BIG")
    assert "errorMessage" in credit


def test_credit_held_by_other_submitted_portfolios_reduces_available_credit(open_auction):
    # 40,000 of exposure each; 150,000 limit; floor 100,000.
    curve = [{"mw": 100, "price": 395}]
    for name in ("A", "B"):
        open_auction.create_auction_portfolio(
            "ECHO_LSE", MONTHLY_AUCTION, name, [bid(segments=curve)]
        )
    open_auction.submit_auction_portfolio("ECHO_LSE", MONTHLY_AUCTION, "A")
    credit = open_auction.get_portfolio_required_credit("ECHO_LSE", MONTHLY_AUCTION, "B")
    assert credit["availableCredit"] == 110_000.0
    open_auction.submit_auction_portfolio("ECHO_LSE", MONTHLY_AUCTION, "B")
    open_auction.create_auction_portfolio("ECHO_LSE", MONTHLY_AUCTION, "C", [bid(segments=curve)])
    raises_code("AUC0001", open_auction.submit_auction_portfolio, "ECHO_LSE", MONTHLY_AUCTION, "C")
    open_auction.retract_auction_portfolio("ECHO_LSE", MONTHLY_AUCTION, "A")
    assert (
        open_auction.submit_auction_portfolio("ECHO_LSE", MONTHLY_AUCTION, "C")["status"]
        == "SUBMITTED"
    )


def test_list_shows_only_own_portfolios_with_counts(open_auction):
    create(
        open_auction,
        offers=[{"crrId": "10000001", "timeOfUse": "ON", "segments": [{"mw": 5, "price": 1}]}],
    )
    create(open_auction, "OTHER", who="DELTA_TOR")
    listed = open_auction.list_auction_portfolios(TRADER)
    assert [(p["portfolioName"], p["bidCount"], p["offerCount"]) for p in listed] == [("P1", 1, 1)]


def test_location_list_update_makes_submitted_portfolio_invalid(open_auction):
    create(open_auction, bids=[bid(source=NP15, sink=SP15)])
    open_auction.submit_auction_portfolio(TRADER, MONTHLY_AUCTION, "P1")
    result = open_auction.mark_location_unavailable(NP15, MONTHLY_AUCTION, "ISLANDED")
    assert result["invalidatedPortfolios"] == ["P1"]
    status = open_auction.get_auction_portfolio_status(TRADER, MONTHLY_AUCTION, "P1")
    assert status["status"] == "INVALID"
    assert status["validationErrors"][0]["errorCode"] == "POR0010"
    raises_code("AUC0037", open_auction.submit_auction_portfolio, TRADER, MONTHLY_AUCTION, "P1")


def test_offered_crr_sold_elsewhere_fails_submission_with_auc0003(open_auction):
    offer = {"crrId": "10000001", "timeOfUse": "ON", "segments": [{"mw": 30, "price": 1}]}
    create(open_auction, "A", bids=[], offers=[offer])
    create(open_auction, "B", bids=[], offers=[offer])
    open_auction.submit_auction_portfolio(TRADER, MONTHLY_AUCTION, "A")
    raises_code("AUC0003", open_auction.submit_auction_portfolio, TRADER, MONTHLY_AUCTION, "B")


def test_network_outages_island_locations_for_that_market(system):
    network = {
        "buses": ["A", "B"],
        "branches": [{"branchId": "A-B", "fromBus": "A", "toBus": "B", "reactance": 0.1}],
        "locations": [{"name": NP15, "weights": {"A": 1}}, {"name": SP15, "weights": {"B": 1}}],
        "outages": ["A-B"],
    }
    system.load_dataset({"marketNetworks": {"AUC_AN_2026": network}})
    system.open_window("AUC_AN_2026")
    islanded = {
        loc["APnodeName"]
        for loc in system.source_sink_list()
        if loc["Unavailable"].get("AUC_AN_2026") == "ISLANDED"
    }
    assert len(islanded & {NP15, SP15}) == 1  # the two buses are split; one side is the island
    raises_code(
        "POR0010",
        system.create_auction_portfolio,
        TRADER,
        "AUC_AN_2026",
        "P",
        [bid(source=NP15, sink=SP15)],
    )
