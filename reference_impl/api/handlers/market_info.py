"""Market Info: the markets, their status and the market calendar."""

from __future__ import annotations

from reference_impl.api.call import Call, Handler, forward
from reference_impl.engine.system import CRRSystem


def get_market_calendar(call: Call) -> list[dict]:
    """Market and load windows overlapping [from, to]."""
    return call.run(
        CRRSystem.market_calendar, start=call.query.get("from"), end=call.query.get("to")
    )


HANDLERS: dict[str, Handler] = {
    "getActiveAllocationMarkets": forward(
        CRRSystem.active_markets, "query", optional=("period",), market_type="ALLOCATION"
    ),
    "getActiveAuctionMarkets": forward(
        CRRSystem.active_markets, "query", optional=("period",), market_type="AUCTION"
    ),
    "getMarket": forward(CRRSystem.get_market, "query", "marketName"),
    "getMarketCalendar": get_market_calendar,
}
