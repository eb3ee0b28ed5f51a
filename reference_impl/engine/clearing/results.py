"""What a clearing returns: awards, prices, binding constraints, and how the solve went."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from reference_impl.engine.clearing.records import Side, TimeOfUse

__all__ = [
    "AuctionResult",
    "BindingConstraint",
    "ClearingStats",
    "OrderAward",
    "Rejection",
    "SubMarketResult",
]


@dataclass(frozen=True, slots=True)
class OrderAward:
    """The MW awarded on each segment of one bid or sell offer, and its path's clearing price.

    For a sell offer ``source``/``sink`` are those of the CRR being sold and
    ``clearing_price`` is that CRR path's price, which the seller is paid.
    """

    order_id: str
    side: Side
    participant: str
    source: str
    sink: str
    segment_mw: tuple[float, ...]
    clearing_price: float

    @property
    def awarded_mw(self) -> float:
        """Total MW awarded on the order."""
        return math.fsum(self.segment_mw)

    @property
    def settlement(self) -> float:
        """What the participant pays the auction ($): negative when it is paid."""
        amount = self.awarded_mw * self.clearing_price
        return amount if self.side is Side.BUY else -amount


@dataclass(frozen=True, slots=True)
class Rejection:
    """An order left out of the clearing, with a reason code.

    Codes: ``UNKNOWN_LOCATION``, ``ISLANDED_LOCATION``, ``UNKNOWN_CRR``,
    ``NOT_HOLDER``, ``EXCEEDS_HELD_MW``.
    """

    order_id: str
    side: Side
    reason: str


@dataclass(frozen=True, slots=True)
class BindingConstraint:
    """A monitored element at its limit, in the base case or after a contingency.

    ``shadow_price`` ($/MW, ≥ 0) is the welfare one more MW of limit would
    add; ``direction`` is +1 when the flow is at the upper limit and -1 at the
    lower one. A path's clearing price is the sum over binding constraints of
    shadow_price * direction * (shift factor at source - shift factor at sink).
    """

    element_id: str
    element_kind: str
    contingency_id: str | None
    direction: int
    flow: float
    limit: float
    shadow_price: float


@dataclass(frozen=True, slots=True)
class ClearingStats:
    """Size and course of the solve, for benchmarks and diagnostics (not part of the result's meaning)."""

    product_columns: int
    lp_columns: int
    lp_rows: int
    contingency_rows: int
    cut_rounds: int
    working_set: int
    outer_iterations: int
    skipped_contingencies: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SubMarketResult:
    """Clearing of one time-of-use sub-market.

    ``location_prices`` covers every location of the network (islanded ones
    at 0); ``path_prices`` every source-sink pair that an order named, as
    sink price minus source price.
    """

    time_of_use: TimeOfUse
    awards: tuple[OrderAward, ...]
    rejected: tuple[Rejection, ...]
    location_prices: Mapping[str, float]
    path_prices: Mapping[tuple[str, str], float]
    binding_constraints: tuple[BindingConstraint, ...]
    welfare: float
    revenue: float
    stats: ClearingStats

    def award(self, order_id: str, side: Side = Side.BUY) -> OrderAward:
        """The award of one order; raises ``KeyError`` when it was not cleared."""
        for award in self.awards:
            if award.order_id == order_id and award.side is side:
                return award
        raise KeyError(order_id)

    def path_price(self, source: str, sink: str) -> float:
        """Clearing price of any source-sink pair: sink price minus source price."""
        return self.location_prices[sink] - self.location_prices[source]


@dataclass(frozen=True)
class AuctionResult:
    """An auction's ON and OFF sub-markets, cleared separately."""

    sub_markets: tuple[SubMarketResult, ...]

    def sub_market(self, time_of_use: TimeOfUse | str) -> SubMarketResult:
        """The result of one time-of-use block."""
        wanted = TimeOfUse(time_of_use)
        for result in self.sub_markets:
            if result.time_of_use is wanted:
                return result
        raise KeyError(wanted)
