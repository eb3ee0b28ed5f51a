"""Credit requirements for CRR auction portfolios (DOMAIN.md §1.5, tariff §12.6.2 as drafted).

* A bid's exposure is the largest value over its curve's points: at the end
  of segment *k*, with cumulative MW Q_k and price P_k,
  Q_k * (P_k + credit margin) where P_k ≥ 0 (a positively valued point), and
  Q_k * credit margin where P_k < 0 (a negatively valued point). For a bid
  whose prices all share one sign this is exactly the tariff's rule: max over
  the curve of MW * (bid price + margin), or max MW * margin. Exposure is
  never below zero.
* A portfolio's exposure is the sum over its buy bids. Sell offers reduce
  what a holder owns and add no exposure.
* The requirement is the larger of that sum and a floor: $500,000 for an
  annual auction, $100,000 for a monthly one. A holder may bid only if its
  Aggregate Credit Limit exceeds its Estimated Aggregate Liability by at
  least the requirement; otherwise the whole portfolio is rejected.

Credit margins ($/MW) come from a :class:`CreditMarginTable`: the exact
source-sink path first, then the location pair in either direction, then a
default.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from reference_impl.engine.clearing.records import Bid, InvalidOrderError

__all__ = [
    "CREDIT_FLOORS",
    "AuctionTerm",
    "CreditDecision",
    "CreditMarginTable",
    "PortfolioCredit",
    "bid_credit_exposure",
    "check_portfolio_credit",
    "portfolio_required_credit",
]


class AuctionTerm(StrEnum):
    """Which auction a portfolio is for; it sets the credit floor."""

    ANNUAL = "ANNUAL"
    MONTHLY = "MONTHLY"


CREDIT_FLOORS: Mapping[AuctionTerm, float] = {
    AuctionTerm.ANNUAL: 500_000.0,
    AuctionTerm.MONTHLY: 100_000.0,
}
"""Minimum headroom of credit limit over liability needed to bid at all ($)."""


def _margin_value(value: float, what: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise InvalidOrderError(f"Expected a finite credit margin for {what} but got {value!r}")
    return number


@dataclass(frozen=True)
class CreditMarginTable:
    """Credit margins in $/MW: per path, per location pair, with a default."""

    default: float
    paths: Mapping[tuple[str, str], float] = field(default_factory=dict)
    pairs: Mapping[frozenset[str], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "default", _margin_value(self.default, "the default"))
        object.__setattr__(
            self,
            "paths",
            {
                (str(a), str(b)): _margin_value(v, f"path {a}->{b}")
                for (a, b), v in sorted(self.paths.items())
            },
        )
        pairs = {}
        for key, value in self.pairs.items():
            names = frozenset(str(name) for name in key)
            if len(names) != 2:
                raise InvalidOrderError(f"A location pair names two locations, got {sorted(key)}")
            pairs[names] = _margin_value(value, f"pair {sorted(names)}")
        object.__setattr__(self, "pairs", pairs)

    def margin(self, source: str, sink: str) -> float:
        """The margin for a CRR from ``source`` to ``sink``."""
        exact = self.paths.get((source, sink))
        if exact is not None:
            return exact
        return self.pairs.get(frozenset((source, sink)), self.default)


def bid_credit_exposure(bid: Bid, margin: float) -> float:
    """The bid's credit exposure ($) at credit margin ``margin`` ($/MW)."""
    cumulative = 0.0
    exposure = 0.0
    for segment in bid.segments:
        cumulative += segment.mw
        per_mw = segment.price + margin if segment.price >= 0 else margin
        exposure = max(exposure, cumulative * per_mw)
    return exposure


@dataclass(frozen=True)
class PortfolioCredit:
    """Exposure per bid, their sum, the floor, and the credit the portfolio requires."""

    exposures: tuple[tuple[str, float], ...]
    exposure: float
    floor: float

    @property
    def required_credit(self) -> float:
        """max(total exposure, floor): the headroom needed to bid this portfolio."""
        return max(self.exposure, self.floor)


def portfolio_required_credit(
    bids: Iterable[Bid], margins: CreditMarginTable, term: AuctionTerm | str
) -> PortfolioCredit:
    """Credit a portfolio of buy bids requires, bid by bid in ID order."""
    exposures = tuple(
        (bid.bid_id, bid_credit_exposure(bid, margins.margin(bid.source, bid.sink)))
        for bid in sorted(bids, key=lambda b: b.bid_id)
    )
    return PortfolioCredit(
        exposures=exposures,
        exposure=math.fsum(value for _, value in exposures),
        floor=CREDIT_FLOORS[AuctionTerm(term)],
    )


@dataclass(frozen=True)
class CreditDecision:
    """Whether a portfolio may be bid, and by how much credit it falls short."""

    credit: PortfolioCredit
    available: float
    accepted: bool
    shortfall: float
    error_message: str | None


def check_portfolio_credit(
    bids: Iterable[Bid],
    margins: CreditMarginTable,
    term: AuctionTerm | str,
    *,
    aggregate_credit_limit: float,
    estimated_aggregate_liability: float,
) -> CreditDecision:
    """Accept or reject a whole portfolio on credit (no partial acceptance)."""
    credit = portfolio_required_credit(bids, margins, term)
    available = float(aggregate_credit_limit) - float(estimated_aggregate_liability)
    shortfall = max(0.0, credit.required_credit - available)
    accepted = shortfall == 0.0
    message = None
    if not accepted:
        message = (
            f"Insufficient credit: portfolio requires {credit.required_credit:.2f} "
            f"but only {available:.2f} is available"
        )
    return CreditDecision(credit, available, accepted, shortfall, message)
