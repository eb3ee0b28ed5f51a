"""Market names, market lookup and the window lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference_impl.engine.errors import DomainError
from reference_impl.engine.markets import (
    ANNUAL_TIERS,
    MONTHLY_TIERS,
    MarketKey,
    MarketType,
    Period,
    Tier,
    parse_market_name,
)
from reference_impl.engine.windows import Window, WindowStatus
from tests.engine.system.world import MONTHLY_AUCTION, MONTHLY_T1, bid, raises_code


@pytest.mark.parametrize(
    ("name", "key"),
    [
        (
            "ALLOC_MN_2025_M08_T1",
            MarketKey(MarketType.ALLOCATION, Period.MONTHLY, 2025, 8, Tier.T1),
        ),
        (
            "ALLOC_MN_2025_M12_ETC",
            MarketKey(MarketType.ALLOCATION, Period.MONTHLY, 2025, 12, Tier.ETC),
        ),
        ("AUC_MN_2025_M08", MarketKey(MarketType.AUCTION, Period.MONTHLY, 2025, 8)),
        ("ALLOC_AN_2026_LT", MarketKey(MarketType.ALLOCATION, Period.ANNUAL, 2026, None, Tier.LT)),
        ("ALLOC_AN_2026_T3", MarketKey(MarketType.ALLOCATION, Period.ANNUAL, 2026, None, Tier.T3)),
        ("AUC_AN_2026", MarketKey(MarketType.AUCTION, Period.ANNUAL, 2026)),
    ],
)
def test_market_names_parse_and_generate_exactly(name, key):
    assert parse_market_name(name) == key
    assert key.name == name


@pytest.mark.parametrize(
    "name",
    [
        "ALLOC_MN_2025_M13_T1",
        "ALLOC_MN_2025_M08_LT",
        "ALLOC_MN_2025_M08_T3",
        "AUC_MN_2025_M8",
        "auc_an_2026",
        "AUC_AN_26",
        "ALLOC_AN_2026",
        "AUC_AN_2026_T1",
        "",
        None,
    ],
)
def test_malformed_market_names_are_mkt0001(name):
    raises_code("MKT0001", parse_market_name, name)


@given(
    year=st.integers(2000, 2099),
    month=st.integers(1, 12),
    monthly_tier=st.sampled_from(MONTHLY_TIERS),
    annual_tier=st.sampled_from(ANNUAL_TIERS),
)
def test_every_generated_name_parses_back(year, month, monthly_tier, annual_tier):
    for key in (
        MarketKey(MarketType.ALLOCATION, Period.MONTHLY, year, month, monthly_tier),
        MarketKey(MarketType.ALLOCATION, Period.ANNUAL, year, None, annual_tier),
        MarketKey(MarketType.AUCTION, Period.MONTHLY, year, month),
        MarketKey(MarketType.AUCTION, Period.ANNUAL, year),
    ):
        assert parse_market_name(key.name) == key


def test_known_market_is_returned_with_its_term(system):
    market = system.get_market(MONTHLY_AUCTION)
    assert market["marketType"] == "AUCTION"
    assert market["period"] == "MONTHLY"
    assert market["startDate"] == "2025-10-01T07:00:00Z"
    assert market["endDate"] == "2025-11-01T07:00:00Z"
    assert market["timesOfUse"] == ["ON", "OFF"]
    assert market["status"] == "PREP"


def test_well_formed_but_unknown_market_is_mkt0001(system):
    raises_code("MKT0001", system.get_market, "AUC_MN_2031_M01")


def test_allocation_market_is_unknown_to_the_auction_service(system):
    system.open_window(MONTHLY_T1)
    raises_code(
        "MKT0001", system.create_auction_portfolio, "BRAVO_TRADING", MONTHLY_T1, "P", [bid()]
    )


def test_clock_drives_prep_open_closed(system):
    market = system.get_market(MONTHLY_AUCTION)
    system.set_clock(market["windowOpenTime"])
    assert system.get_market(MONTHLY_AUCTION)["status"] == "OPEN"
    system.set_clock(market["windowCloseTime"])
    assert system.get_market(MONTHLY_AUCTION)["status"] == "CLOSED"


def test_operator_open_close_and_publish(system):
    system.open_window(MONTHLY_AUCTION)
    assert system.get_market(MONTHLY_AUCTION)["status"] == "OPEN"
    system.close_window(MONTHLY_AUCTION)
    assert system.get_market(MONTHLY_AUCTION)["status"] == "CLOSED"
    system.run_clearing(MONTHLY_AUCTION)
    system.publish_results(MONTHLY_AUCTION)
    assert system.get_market(MONTHLY_AUCTION)["status"] == "PUBLISHED"


def test_publishing_an_uncleared_market_is_refused(system):
    raises_code("SER0002", system.publish_results, MONTHLY_AUCTION)


def test_active_markets_lists_prep_open_closed_only(system):
    names = {m["marketName"] for m in system.active_markets("AUCTION")}
    assert names == {MONTHLY_AUCTION, "AUC_AN_2026"}
    system.open_window(MONTHLY_AUCTION)
    system.close_window(MONTHLY_AUCTION)
    system.run_clearing(MONTHLY_AUCTION)
    system.publish_results(MONTHLY_AUCTION)
    names = {m["marketName"] for m in system.active_markets("AUCTION", "MONTHLY")}
    assert names == set()


def test_submission_before_the_window_opens_is_por0012(system):
    raises_code(
        "POR0012",
        system.create_auction_portfolio,
        "BRAVO_TRADING",
        MONTHLY_AUCTION,
        "EARLY",
        [bid()],
    )


def test_submission_after_the_window_closes_is_por0012(system):
    market = system.get_market(MONTHLY_AUCTION)
    system.set_clock(market["windowCloseTime"])
    raises_code(
        "POR0012",
        system.create_auction_portfolio,
        "BRAVO_TRADING",
        MONTHLY_AUCTION,
        "LATE",
        [bid()],
    )


def test_window_transitions_happen_at_their_scheduled_times():
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    window = Window(t0 + timedelta(hours=1), t0 + timedelta(hours=2))
    assert window.sync(t0) == []
    done = window.sync(t0 + timedelta(hours=5))
    assert [(t.status, t.at) for t in done] == [
        (WindowStatus.OPEN, t0 + timedelta(hours=1)),
        (WindowStatus.CLOSED, t0 + timedelta(hours=2)),
    ]


def test_a_window_must_close_after_it_opens():
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    with pytest.raises(DomainError) as caught:
        Window(t0, t0)
    assert caught.value.code == "SER0002"


def test_operator_reopening_after_scheduled_close_extends_the_window(system):
    market = system.get_market(MONTHLY_AUCTION)
    system.set_clock(market["windowCloseTime"])
    reopened = system.open_window(MONTHLY_AUCTION)
    assert reopened["status"] == "OPEN"
    assert reopened["closeTime"] > market["windowCloseTime"]


def test_calendar_lists_market_and_load_windows(system):
    entries = system.market_calendar("2025-09-08T00:00:00Z", "2025-09-19T00:00:00Z")
    kinds = {(e["marketName"], e["windowType"]) for e in entries}
    assert (MONTHLY_AUCTION, "BID") in kinds
    assert (MONTHLY_T1, "NOMINATION") in kinds
    assert ("ALLOC_MN_2025_M10_T1", "HISTORICAL_LOAD") in kinds
    assert all(e["openTime"] <= "2025-09-19T00:00:00Z" for e in entries)
