"""Market Info: the markets, their status and the market calendar."""

from __future__ import annotations

from reference_impl.api.call import Call, Handler
from reference_impl.engine.system import CRRSystem


def get_active_allocation_markets(call: Call) -> list[dict]:
    """Allocation markets in PREP, OPEN or CLOSED, optionally of one period."""
    return call.run(
        CRRSystem.active_markets, market_type="ALLOCATION", period=call.query.get("period")
    )


def get_active_auction_markets(call: Call) -> list[dict]:
    """Auction markets in PREP, OPEN or CLOSED, optionally of one period."""
    return call.run(
        CRRSystem.active_markets, market_type="AUCTION", period=call.query.get("period")
    )


def get_market(call: Call) -> dict:
    """One market."""
    return call.run(CRRSystem.get_market, market_name=call.query["marketName"])


def get_market_calendar(call: Call) -> list[dict]:
    """Market and load windows overlapping [from, to]."""
    return call.run(
        CRRSystem.market_calendar, start=call.query.get("from"), end=call.query.get("to")
    )


HANDLERS: dict[str, Handler] = {
    "getActiveAllocationMarkets": get_active_allocation_markets,
    "getActiveAuctionMarkets": get_active_auction_markets,
    "getMarket": get_market,
    "getMarketCalendar": get_market_calendar,
}
