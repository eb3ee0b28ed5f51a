"""A market's results from clearing to publication: the operator's two steps on the state.

Running the clearing of a CLOSED market keeps its results pending (an
allocation tier only once the earlier tiers of its process are published,
since tiers clear in sequence); publishing applies them to the holdings,
marks the market PUBLISHED and tells everyone, and every awarded participant,
that the results are out. A load migration market (``LM_...``) has no
clearing: publishing posts its CRR adjustments. The arithmetic of clearing
and of applying awards is :mod:`~reference_impl.engine.clearing_runs`.
"""

from __future__ import annotations

from datetime import datetime

from reference_impl.engine import notices
from reference_impl.engine.clearing_runs import (
    MarketResults,
    clear_allocation_market,
    clear_auction_market,
    publish_awards,
)
from reference_impl.engine.clock import format_utc
from reference_impl.engine.errors import DomainError
from reference_impl.engine.markets import (
    ANNUAL_TIERS,
    MONTHLY_TIERS,
    Market,
    MarketKey,
    MarketType,
    Period,
    TimeOfUse,
)
from reference_impl.engine.portfolio_lifecycle import PortfolioStatus
from reference_impl.engine.state import EngineState
from reference_impl.engine.windows import WindowStatus

__all__ = ["publish_results", "result_summary", "run_clearing", "unpublished_earlier_tiers"]


def run_clearing(state: EngineState, market_name: str, now: datetime) -> dict:
    """Clear a CLOSED market into pending results; the answer is their summary."""
    market = state.markets.get(market_name)
    if market.status is not WindowStatus.CLOSED:
        raise DomainError(
            "SER0002",
            f"Market {market.name} is {market.status}; only a CLOSED market can be cleared.",
            "marketName",
        )
    if market.is_auction:
        portfolios = state.auction.book.of_market(market.name, PortfolioStatus.CLOSED)
        results = clear_auction_market(market, portfolios, state.holdings, state.clearing, now)
    else:
        earlier = unpublished_earlier_tiers(state, market)
        if earlier:
            raise DomainError(
                "SER0002",
                f"Publish {', '.join(earlier)} before clearing "
                f"{market.name}: tiers clear in sequence.",
                "marketName",
            )
        portfolios = state.nominations.book.of_market(market.name, PortfolioStatus.CLOSED)
        results = clear_allocation_market(market, portfolios, state.holdings, state.clearing, now)
    state.results[market.name] = results
    return result_summary(results)


def unpublished_earlier_tiers(state: EngineState, market: Market) -> list[str]:
    """Earlier tiers of the market's process that are not published yet."""
    order = ANNUAL_TIERS if market.key.period is Period.ANNUAL else MONTHLY_TIERS
    position = order.index(market.key.tier) if market.key.tier in order else 0
    earlier = []
    for tier in order[:position]:
        key = MarketKey(
            MarketType.ALLOCATION, market.key.period, market.key.year, market.key.month, tier
        )
        if key.name in state.markets and (
            state.markets.get(key.name).status is not WindowStatus.PUBLISHED
        ):
            earlier.append(key.name)
    return earlier


def result_summary(results: MarketResults) -> dict:
    """What running the clearing and publishing answer: counts and totals of the results."""
    awarded = "awardedMw" if any("awardedMw" in a for a in results.awards) else "allocatedMw"
    return {
        "marketName": results.market_name,
        "clearedAt": format_utc(results.cleared_at),
        "publishedAt": format_utc(results.published_at) if results.published_at else None,
        "awardCount": len(results.awards),
        "awardedMw": round(sum(a.get(awarded, 0.0) for a in results.awards), 6),
        "bindingConstraints": len(results.binding),
    }


def publish_results(state: EngineState, market_name: str, now: datetime) -> dict:
    """Publish a cleared market (or post a load migration market's results)."""
    if isinstance(market_name, str) and market_name.startswith("LM_"):
        return _post_migration(state, market_name, now)
    market = state.markets.get(market_name)
    results = state.results.get(market.name)
    if market.status is not WindowStatus.CLOSED or results is None:
        raise DomainError(
            "SER0002", f"Market {market.name} has no cleared results to publish.", "marketName"
        )
    book = state.auction.book if market.is_auction else state.nominations.book
    publish_awards(market, results, book.of_market(market.name), state.holdings)
    results.published_at = now
    market.window.publish(now)
    notices.results_published(
        state.messages, market.name, (a["participantName"] for a in results.awards), now
    )
    return result_summary(results)


def _post_migration(state: EngineState, market_name: str, now: datetime) -> dict:
    """Post a CLOSED load migration market's CRR adjustments."""
    market = state.migration.market(market_name)
    if market.window.status is not WindowStatus.CLOSED:
        raise DomainError(
            "SER0002",
            f"Load migration market {market.name} is "
            f"{market.window.status}; results are posted after it closes.",
            "marketName",
        )

    def metric(lse: str, sink: str, tou: TimeOfUse, process: MarketKey) -> float:
        return state.load.load_metric(lse, sink, tou, process)

    adjustments = state.migration.post_results(market.name, metric)
    market.window.publish(now)
    notices.migration_results_posted(state.messages, market.name, now)
    return {
        "marketName": market.name,
        "crrAdjustments": len(adjustments),
        "postedAt": format_utc(now),
    }
