"""Running a market's clearing and publishing its results.

When the operator runs the clearing of a CLOSED market, the engine gathers
the market's closed portfolios (bids, sell offers or nominations) and the
CRRs already held over the market's term (baseload, including the awards of
earlier tiers of the same process, which are published by then), hands them
to a :class:`MarketClearing`, and keeps the outcome as *pending* results.
Publishing applies them: buy awards and allocation awards become CRRs, sold
MW leave the sellers' holdings, each portfolio learns its awards, and the
market becomes PUBLISHED.

:class:`NetworkClearing` is the default :class:`MarketClearing`: the
simultaneous feasibility test of :mod:`reference_impl.engine.clearing` on the
network model of the market. Nomination caps are enforced when portfolios
are submitted (NOM0001), so tiers are cleared without caps.

An annual market's awards are recorded as one CRR over the year (market
term ``Seasonal``); a monthly market's over the month (``Monthly``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from reference_impl.engine.clearing import (
    AllocationTier,
    AuctionResult,
    Bid,
    BindingConstraint,
    ExistingCRR,
    InvalidOrderError,
    SellOffer,
    Side,
    SolverError,
    TierResult,
    clear_allocation,
    clear_auction,
)
from reference_impl.engine.clock import format_utc
from reference_impl.engine.errors import DomainError
from reference_impl.engine.holdings import CRR, CrrType, Holdings, MarketTerm
from reference_impl.engine.markets import Market, Period, Tier
from reference_impl.engine.network import Network, NetworkError
from reference_impl.engine.nominations import NominationPortfolio
from reference_impl.engine.portfolios import (
    AuctionBid,
    AuctionOffer,
    AuctionPortfolio,
    clearing_bid,
    clearing_offer,
    order_key,
)

__all__ = [
    "MarketClearing",
    "MarketResults",
    "NetworkClearing",
    "baseload",
    "clear_allocation_market",
    "clear_auction_market",
    "publish_allocation",
    "publish_auction",
]


class MarketClearing(Protocol):
    """What the engine needs from a clearing engine."""

    def clear_auction(
        self,
        market_name: str,
        bids: list[Bid],
        offers: list[SellOffer],
        baseload: list[ExistingCRR],
    ) -> AuctionResult:
        """Clear an auction's ON and OFF sub-markets."""
        ...

    def clear_allocation_tier(
        self, market_name: str, tier: AllocationTier, baseload: list[ExistingCRR]
    ) -> list[TierResult]:
        """Clear one allocation tier (ON and OFF) on top of the baseload."""
        ...


@contextmanager
def _solver_errors(market_name: str) -> Iterator[None]:
    """A clearing that cannot be solved is an internal error (SER0029), not a crash."""
    try:
        yield
    except (SolverError, InvalidOrderError, NetworkError) as error:
        raise DomainError(
            "SER0029", f"The clearing of {market_name} failed: {error}", "marketName"
        ) from error


class NetworkClearing:
    """The SFT clearing on the network model each market uses."""

    def __init__(self, network_for: Callable[[str], Network | None]) -> None:
        self._network_for = network_for

    def _network(self, market_name: str) -> Network:
        network = self._network_for(market_name)
        if network is None:
            raise DomainError(
                "SER0002", f"No network model is loaded for market {market_name}.", "marketName"
            )
        return network

    @staticmethod
    def _on_network(network: Network, crrs: list[ExistingCRR]) -> list[ExistingCRR]:
        known = network.location_index
        return [c for c in crrs if c.source in known and c.sink in known]

    def clear_auction(
        self,
        market_name: str,
        bids: list[Bid],
        offers: list[SellOffer],
        baseload: list[ExistingCRR],
    ) -> AuctionResult:
        """Clear on the market's network; baseload off the network is left out."""
        network = self._network(market_name)
        with _solver_errors(market_name):
            return clear_auction(network, bids, offers, self._on_network(network, baseload))

    def clear_allocation_tier(
        self, market_name: str, tier: AllocationTier, baseload: list[ExistingCRR]
    ) -> list[TierResult]:
        """Clear one tier on the market's network."""
        network = self._network(market_name)
        with _solver_errors(market_name):
            result = clear_allocation(network, [tier], baseload=self._on_network(network, baseload))
        return list(result.tiers)


@dataclass(slots=True)
class MarketResults:
    """A market's clearing outcome: pending until published."""

    market_name: str
    cleared_at: datetime
    awards: list[dict] = field(default_factory=list)
    prices: list[dict] = field(default_factory=list)
    binding: list[dict] = field(default_factory=list)
    published_at: datetime | None = None

    def to_dict(self) -> dict:
        """The results as plain data."""
        return {
            "marketName": self.market_name,
            "clearedAt": format_utc(self.cleared_at),
            "publishedAt": format_utc(self.published_at) if self.published_at else None,
            "awards": self.awards,
            "prices": self.prices,
            "bindingConstraints": self.binding,
        }


def baseload(holdings: Holdings, market: Market) -> list[ExistingCRR]:
    """Every lineage held over the market's term, at its peak MW there, as fixed injections."""
    seen: set[tuple[str, str]] = set()
    fixed: list[ExistingCRR] = []
    for crr in holdings:
        key = (crr.owner, crr.origin_id)
        if key in seen or not crr.overlaps(market.start_date, market.end_date):
            continue
        seen.add(key)
        mw = holdings.peak_mw(crr.owner, crr.crr_id, market.start_date, market.end_date)
        if mw > 0:
            fixed.append(
                ExistingCRR(
                    crr_id=crr.origin_id,
                    holder=crr.owner,
                    source=crr.source,
                    sink=crr.sink,
                    mw=mw,
                    time_of_use=crr.time_of_use,
                    crr_type=str(crr.crr_type) if crr.crr_type else "AUCTION",
                )
            )
    return fixed


def _binding(constraints: Iterable[BindingConstraint], time_of_use: str) -> list[dict]:
    rows = []
    for c in constraints:
        kind = "INTERFACE" if "INTERFACE" in str(c.element_kind).upper() else "LINE"
        rows.append(
            {
                "constraintName": c.element_id,
                "constraintType": kind,
                "contingencyName": c.contingency_id,
                "timeOfUse": time_of_use,
                "shadowPrice": round(c.shadow_price, 6),
            }
        )
    return rows


def clear_auction_market(
    market: Market,
    portfolios: list[AuctionPortfolio],
    holdings: Holdings,
    clearing: MarketClearing,
    now: datetime,
) -> MarketResults:
    """Clear an auction from its closed portfolios and the CRRs held over its term."""
    bids: list[Bid] = []
    offers: list[SellOffer] = []
    orders: dict[str, tuple[AuctionPortfolio, AuctionBid | AuctionOffer, Side]] = {}
    for portfolio in portfolios:
        for bid in portfolio.bids:
            bids.append(clearing_bid(portfolio, bid))
            orders[order_key(portfolio, bid.bid_id)] = (portfolio, bid, Side.BUY)
        for offer in portfolio.offers:
            piece = holdings.resolve(portfolio.participant, offer.crr_id)
            if piece is None:
                continue
            offers.append(clearing_offer(portfolio, offer, piece.origin_id))
            orders[order_key(portfolio, offer.bid_id)] = (portfolio, offer, Side.SELL)
    result = clearing.clear_auction(market.name, bids, offers, baseload(holdings, market))
    outcome = MarketResults(market.name, now)
    for sub in result.sub_markets:
        tou = str(sub.time_of_use)
        awarded_by_path: dict[tuple[str, str], float] = {}
        for award in sub.awards:
            portfolio, order, side = orders[award.order_id]
            segments = order.segments
            outcome.awards.append(
                {
                    "portfolioId": portfolio.portfolio_id,
                    "portfolioName": portfolio.name,
                    "participantName": portfolio.participant,
                    "bidId": order.bid_id,
                    "bidType": "BUY" if side is Side.BUY else "SELL",
                    "crrId": order.crr_id if isinstance(order, AuctionOffer) else None,
                    "source": award.source,
                    "sink": award.sink,
                    "timeOfUse": tou,
                    "clearingPrice": round(award.clearing_price, 6),
                    "awardedMw": round(award.awarded_mw, 6),
                    "segments": [
                        {
                            "SegmentNumber": k + 1,
                            "BidMW": s.mw,
                            "BidPrice": s.price,
                            "AwardedMW": round(mw, 6),
                        }
                        for k, (s, mw) in enumerate(zip(segments, award.segment_mw, strict=False))
                    ],
                }
            )
            if side is Side.BUY:
                path = (award.source, award.sink)
                awarded_by_path[path] = awarded_by_path.get(path, 0.0) + award.awarded_mw
        for (source, sink), price in sorted(sub.path_prices.items()):
            outcome.prices.append(
                {
                    "source": source,
                    "sink": sink,
                    "timeOfUse": tou,
                    "clearingPrice": round(price, 6),
                    "awardedMw": round(awarded_by_path.get((source, sink), 0.0), 6),
                }
            )
        outcome.binding += _binding(sub.binding_constraints, tou)
    outcome.awards.sort(key=lambda a: (a["portfolioId"], a["bidId"]))
    return outcome


def clear_allocation_market(
    market: Market,
    portfolios: list[NominationPortfolio],
    holdings: Holdings,
    clearing: MarketClearing,
    now: datetime,
) -> MarketResults:
    """Clear one allocation tier from its closed portfolios on top of the CRRs already held."""
    nominations = [n for p in portfolios for n in p.clearing_nominations()]
    owners = {
        f"{p.portfolio_id}/{n.nomination_id}": (p, n) for p in portfolios for n in p.nominations
    }
    tier = AllocationTier(name=str(market.key.tier), nominations=tuple(nominations), caps=None)
    results = clearing.clear_allocation_tier(market.name, tier, baseload(holdings, market))
    outcome = MarketResults(market.name, now)
    for result in results:
        tou = str(result.time_of_use)
        for award in result.awards:
            portfolio, nomination = owners[award.nomination_id]
            outcome.awards.append(
                {
                    "portfolioId": portfolio.portfolio_id,
                    "portfolioName": portfolio.name,
                    "participantName": portfolio.participant,
                    "nominationId": nomination.nomination_id,
                    "tier": str(market.key.tier),
                    "source": award.source,
                    "sink": award.sink,
                    "timeOfUse": tou,
                    "nominatedMw": award.nominated_mw,
                    "allocatedMw": round(award.awarded_mw, 6),
                }
            )
        outcome.binding += _binding(result.binding_constraints, tou)
    outcome.awards.sort(key=lambda a: (a["portfolioId"], a["nominationId"]))
    return outcome


def _term(market: Market) -> MarketTerm:
    return MarketTerm.SEASONAL if market.key.period is Period.ANNUAL else MarketTerm.MONTHLY


def publish_auction(
    market: Market,
    results: MarketResults,
    portfolios: list[AuctionPortfolio],
    holdings: Holdings,
) -> list[CRR]:
    """Apply an auction's awards: new CRRs for buyers, MW out of sellers' holdings."""
    by_id = {p.portfolio_id: p for p in portfolios}
    created: list[CRR] = []
    for award in results.awards:
        portfolio = by_id.get(award["portfolioId"])
        mw = award["awardedMw"]
        if portfolio is not None:
            portfolio.awards[award["bidId"]] = mw
        if mw <= 0:
            continue
        if award["bidType"] == "BUY":
            crr = _award_crr(holdings, market, award, mw)
            award["awardedCrrId"] = crr.crr_id
            created.append(crr)
        else:
            owner = award["participantName"]
            held = holdings.held_mw(owner, award["crrId"], market.start_date, market.end_date)
            sold = min(mw, held)
            if sold > 0:
                holdings.take(owner, award["crrId"], sold, market.start_date, market.end_date)
            award["soldMw"] = round(sold, 6)
    for portfolio in portfolios:
        portfolio.credit_held = 0.0
    return created


def _award_crr(holdings: Holdings, market: Market, award: dict, mw: float, **kind: object) -> CRR:
    """The CRR an awarded MW becomes: the award's path and owner, for the market's term."""
    return holdings.create(
        owner=award["participantName"],
        source=award["source"],
        sink=award["sink"],
        mw=mw,
        time_of_use=award["timeOfUse"],
        start=market.start_date,
        end=market.end_date,
        market_name=market.name,
        market_term=_term(market),
        **kind,
    )


def publish_allocation(
    market: Market,
    results: MarketResults,
    portfolios: list[NominationPortfolio],
    holdings: Holdings,
) -> list[CRR]:
    """Apply an allocation tier's awards: each allocated MW becomes a CRR of the LSE."""
    by_id = {p.portfolio_id: p for p in portfolios}
    created: list[CRR] = []
    crr_type = CrrType.ETC if market.key.tier is Tier.ETC else CrrType.LSE
    for award in results.awards:
        portfolio = by_id.get(award["portfolioId"])
        mw = award["allocatedMw"]
        if portfolio is not None:
            portfolio.awards[award["nominationId"]] = mw
        if mw <= 0:
            continue
        crr = _award_crr(holdings, market, award, mw, crr_type=crr_type)
        award["crrId"] = crr.crr_id
        created.append(crr)
    return created
