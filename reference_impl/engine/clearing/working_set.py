"""Exact solve of a large auction LP on a working set of segments.

Most of the hundreds of thousands of segments in a large auction end up
clearly in (bid well above its path price) or clearly out (well below). Only
the marginal ones decide the prices. So:

1. Estimate prices on a coarse LP, without contingencies: each path's
   segments, sorted by price, merged into a few blocks at their MW-weighted
   price, solved by interior point without crossover. It is a fraction of the
   full LP's size and close enough to rank segments by |reduced cost|. Its
   post-contingency violations seed the contingency rows.
2. Keep the segments with the smallest |reduced cost| in a *working set* of
   LP columns. Fix every other segment at its bound: those that should clear
   are merged, path by path, into one *bundle* column (0 ≤ bundle ≤ their
   total MW, at their MW-weighted price), so the restricted LP is always
   feasible; the rest stay at zero.
3. Solve the restricted LP with contingency constraint generation.
4. Price every segment outside the working set with the new duals. A bundle
   not fully cleared, or a segment whose reduced cost has the wrong sign for
   its bound, joins the working set; go back to 3.

When nothing moves, the restricted duals price every segment correctly and
every contingency row holds, so the KKT conditions of the full LP hold: the
answer is the full LP's optimum, not an approximation. The loop ends because
the working set only grows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reference_impl.engine.clearing.dcflow import DcModel
from reference_impl.engine.clearing.options import ClearingOptions
from reference_impl.engine.clearing.sft import Products, SftLp, SftSolution

__all__ = ["WorkingSetOutcome", "reduced_costs", "solve_all", "solve_on_working_set"]


@dataclass(frozen=True, eq=False)
class WorkingSetOutcome:
    """Segment values of the optimum and the last restricted solve behind them."""

    values: np.ndarray
    solution: SftSolution
    working_set: int
    outer_iterations: int


def reduced_costs(
    cost: np.ndarray, source: np.ndarray, sink: np.ndarray, location_prices: np.ndarray
) -> np.ndarray:
    """Reduced cost of each product: cost + π_sink - π_source (negative: wants more)."""
    return cost + location_prices[sink] - location_prices[source]


def solve_all(
    dc: DcModel,
    source: np.ndarray,
    sink: np.ndarray,
    cost: np.ndarray,
    upper: np.ndarray,
    baseload: np.ndarray,
    options: ClearingOptions,
) -> WorkingSetOutcome:
    """Solve with every segment as an LP column (small and medium auctions)."""
    products = Products(source, sink, cost, np.zeros(len(cost)), upper)
    lp = SftLp(dc, products, options=options, baseload_injection=baseload)
    solution = lp.solve()
    return WorkingSetOutcome(solution.values, solution, len(cost), 1)


def solve_on_working_set(
    dc: DcModel,
    source: np.ndarray,
    sink: np.ndarray,
    cost: np.ndarray,
    upper: np.ndarray,
    baseload: np.ndarray,
    options: ClearingOptions,
) -> WorkingSetOutcome:
    """Solve the auction LP exactly through a growing working set (see module docstring)."""
    n = len(cost)
    n_locations = len(dc.location_names)
    path_key = source.astype(np.int64) * n_locations + sink
    bundle_keys, bundle_of = np.unique(path_key, return_inverse=True)
    n_bundles = len(bundle_keys)

    # Coarse estimate: each path's segments, best first, merged into a few blocks.
    blocks = options.estimate_blocks_per_path
    order = np.lexsort((np.arange(n), cost, bundle_of))
    counts = np.bincount(bundle_of, minlength=n_bundles)
    first_of_path = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - first_of_path[bundle_of[order]]
    block_key = bundle_of * blocks + (rank * blocks) // counts[bundle_of]
    block_ids, block_of = np.unique(block_key, return_inverse=True)
    block_mw = np.bincount(block_of, weights=upper)
    block_cost = np.bincount(block_of, weights=cost * upper) / block_mw
    block_path = bundle_keys[block_ids // blocks]
    coarse = SftLp(
        dc,
        Products(
            block_path // n_locations,
            block_path % n_locations,
            block_cost,
            np.zeros(len(block_ids)),
            block_mw,
        ),
        options=options,
        baseload_injection=baseload,
        method=options.large_model_method,
        crossover=False,
    )
    coarse.run_once(estimate=True)
    estimate = coarse.solution()
    cuts = tuple(coarse.violated_cuts())
    del coarse

    d = reduced_costs(cost, source, sink, estimate.location_prices)
    size = min(n, max(options.working_set_minimum, int(np.ceil(options.working_set_fraction * n))))
    ranking = np.lexsort((np.arange(n), np.abs(d)))
    in_set = np.zeros(n, dtype=bool)
    in_set[ranking[:size]] = True
    at_upper = ~in_set & (d < 0)

    def bundles(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        members = np.flatnonzero(mask)
        mw = np.bincount(bundle_of[members], weights=upper[members], minlength=n_bundles)
        weighted = np.bincount(
            bundle_of[members], weights=cost[members] * upper[members], minlength=n_bundles
        )
        return mw, weighted / np.where(mw > 0, mw, 1.0)

    bundle_mw, bundle_cost = bundles(at_upper)
    columns = np.flatnonzero(in_set)
    products = Products(
        source=np.concatenate([bundle_keys // n_locations, source[columns]]),
        sink=np.concatenate([bundle_keys % n_locations, sink[columns]]),
        cost=np.concatenate([bundle_cost, cost[columns]]),
        lower=np.zeros(n_bundles + len(columns)),
        upper=np.concatenate([bundle_mw, upper[columns]]),
    )
    lp = SftLp(
        dc,
        products,
        options=options,
        baseload_injection=baseload,
        cuts=cuts,
        locations=np.union1d(source, sink),
        method=options.large_model_method,
    )
    tolerance = options.reduced_cost_tolerance
    outer = 0
    restart = None
    while True:
        outer += 1
        solution = lp.solve(restart=restart)
        d = reduced_costs(cost, source, sink, solution.location_prices)
        bundle_values = solution.values[:n_bundles]
        short = bundle_values < bundle_mw - 1e-9 * np.maximum(1.0, bundle_mw)
        joining = at_upper & short[bundle_of]
        joining |= at_upper & (d > tolerance)
        joining |= ~in_set & ~at_upper & (d < -tolerance)
        if not joining.any():
            values = np.zeros(n)
            values[columns] = solution.values[n_bundles:]
            values[at_upper] = upper[at_upper]
            return WorkingSetOutcome(values, solution, len(columns), outer)
        new = np.flatnonzero(joining)
        keep_at_upper = at_upper[new] & ~short[bundle_of[new]]
        in_set |= joining
        at_upper &= ~joining
        bundle_mw, bundle_cost = bundles(at_upper)
        changed = np.unique(bundle_of[new])
        lp.set_product_costs(changed, bundle_cost[changed])
        lp.set_product_bounds(changed, np.zeros(len(changed)), bundle_mw[changed])
        lp.add_products(source[new], sink[new], cost[new], upper[new], keep_at_upper)
        columns = np.concatenate([columns, new])
        restart = options.large_model_method if len(new) > options.warm_start_limit else None
