"""CRR auction clearing: maximise bid value minus offer cost subject to the SFT.

Each time-of-use block (ON, OFF) is an independent sub-market with its own
existing CRRs fixed. Within one, the LP is

    max Σ_buy price_s · x_s - Σ_sell ask_s · y_s
    s.t. 0 ≤ x_s, y_s ≤ segment MW,
         the SFT (base case and every contingency) for baseload + awards,

solved sparsely by :mod:`~reference_impl.engine.clearing.sft` with
contingency rows generated on demand. Prices come from the LP duals: each
location gets a price and a path's clearing price is sink price minus source
price, so a fully awarded segment bid at least its path price and an
unawarded one at most (complementary slackness).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from reference_impl.engine.clearing.dcflow import DcModel, build_dc_model
from reference_impl.engine.clearing.options import ClearingOptions
from reference_impl.engine.clearing.orderbook import OrderBook, build_order_book
from reference_impl.engine.clearing.records import Bid, ExistingCRR, SellOffer, TimeOfUse
from reference_impl.engine.clearing.results import (
    AuctionResult,
    BindingConstraint,
    ClearingStats,
    OrderAward,
    SubMarketResult,
)
from reference_impl.engine.clearing.sft import SftSolution
from reference_impl.engine.clearing.working_set import (
    WorkingSetOutcome,
    solve_all,
    solve_on_working_set,
)
from reference_impl.engine.markets import SUB_MARKETS
from reference_impl.engine.network import Network

__all__ = [
    "SUB_MARKETS",
    "binding_constraints",
    "clear_auction",
    "clear_sub_market",
    "snap_to_bounds",
    "sub_market_result",
]

"""The time-of-use blocks an auction clears, in result order."""


def _model(network: Network | DcModel) -> DcModel:
    return network if isinstance(network, DcModel) else build_dc_model(network)


def clear_auction(
    network: Network | DcModel,
    bids: Iterable[Bid],
    offers: Iterable[SellOffer] = (),
    baseload: Iterable[ExistingCRR] = (),
    *,
    options: ClearingOptions | None = None,
) -> AuctionResult:
    """Clear an auction's ON and OFF sub-markets, each on its own SFT.

    ``baseload`` lists the existing CRRs fixed in the SFT (ETC/TOR, long-term,
    allocated and earlier-auction rights); sell offers must name one of them.
    Pass a prepared :class:`DcModel` to reuse its factorisation across calls.
    """
    dc = _model(network)
    bids, offers, baseload = list(bids), list(offers), list(baseload)
    return AuctionResult(
        tuple(
            clear_sub_market(dc, tou, bids, offers, baseload, options=options)
            for tou in SUB_MARKETS
        )
    )


def clear_sub_market(
    network: Network | DcModel,
    time_of_use: TimeOfUse | str,
    bids: Iterable[Bid],
    offers: Iterable[SellOffer] = (),
    baseload: Iterable[ExistingCRR] = (),
    *,
    options: ClearingOptions | None = None,
) -> SubMarketResult:
    """Clear one time-of-use sub-market; orders of other TOUs are ignored."""
    options = options or ClearingOptions()
    dc = _model(network)
    book = build_order_book(dc, TimeOfUse(time_of_use), bids, offers, baseload)
    solve = solve_on_working_set if len(book) > options.working_set_threshold else solve_all
    if len(book) == 0:
        solve = solve_all
    outcome = solve(
        dc, book.source, book.sink, book.cost, book.upper, book.baseload_injection, options
    )
    return sub_market_result(dc, book, outcome)


def snap_to_bounds(values: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Clip to [0, upper] and remove solver noise at the bounds."""
    values = np.clip(values, 0.0, upper)
    scale = 1e-9 * np.maximum(1.0, upper)
    values = np.where(values <= scale, 0.0, values)
    return np.where(upper - values <= scale, upper, values)


def sub_market_result(dc: DcModel, book: OrderBook, outcome: WorkingSetOutcome) -> SubMarketResult:
    """Assemble awards, prices and binding constraints from a solved order book."""
    solution = outcome.solution
    values = snap_to_bounds(outcome.values, book.upper)
    names = dc.location_names
    location_prices = {
        name: float(p) for name, p in zip(names, solution.location_prices, strict=True)
    }
    awards = []
    paths: dict[tuple[str, str], float] = {}
    for order in book.orders:
        price = location_prices[order.sink] - location_prices[order.source]
        paths[(order.source, order.sink)] = price
        segment_values = values[order.first_product : order.first_product + order.n_segments]
        awards.append(
            OrderAward(
                order_id=order.order_id,
                side=order.side,
                participant=order.participant,
                source=order.source,
                sink=order.sink,
                segment_mw=tuple(float(v) for v in segment_values),
                clearing_price=price,
            )
        )
    welfare = math.fsum((-book.cost * values).tolist())
    revenue = math.fsum(award.settlement for award in awards)
    return SubMarketResult(
        time_of_use=book.time_of_use,
        awards=tuple(awards),
        rejected=book.rejected,
        location_prices=location_prices,
        path_prices=dict(sorted(paths.items())),
        binding_constraints=binding_constraints(dc, solution),
        welfare=welfare,
        revenue=revenue,
        stats=ClearingStats(
            product_columns=len(book),
            lp_columns=solution.n_columns,
            lp_rows=solution.n_rows,
            contingency_rows=len(solution.cuts),
            cut_rounds=solution.rounds,
            working_set=outcome.working_set,
            outer_iterations=outcome.outer_iterations,
            skipped_contingencies=dc.outages.skipped,
        ),
    )


def binding_constraints(dc: DcModel, solution: SftSolution) -> tuple[BindingConstraint, ...]:
    """Binding rows of a solution, named after their element and contingency."""
    return tuple(
        BindingConstraint(
            element_id=dc.elements.ids[e],
            element_kind=dc.elements.kinds[e],
            contingency_id=None if c < 0 else dc.outages.ids[c],
            direction=direction,
            flow=flow,
            limit=limit,
            shadow_price=shadow,
        )
        for e, c, direction, flow, limit, shadow in solution.binding
    )
