"""The same auction LP written the textbook way, with a dense PTDF * bid matrix.

Columns are the segments only; every monitored element (and every
contingency row added by constraint generation) is a dense row of shift
factors, PTDF_k(source) - PTDF_k(sink), one entry per segment. This is how
the SFT is usually stated, and it is exact, but its matrix has
(elements + contingency rows) * segments entries: about 2,900 * 300,000 for a
CAISO-sized auction on a 2,383-bus grid, i.e. several gigabytes before the
solver makes its own copy.

It exists to cross-check the sparse formulation on small cases and to show,
in the benchmarks, what the sparse formulation saves. It solves with the same
HiGHS options and the same constraint generation; it is not meant for
production sizes and refuses models whose dense matrix would exceed
``max_entries``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp

from reference_impl.engine.clearing.auction import sub_market_result
from reference_impl.engine.clearing.dcflow import DcModel, build_dc_model
from reference_impl.engine.clearing.highs import add_rows, new_solver, pass_model, require_optimal
from reference_impl.engine.clearing.options import ClearingOptions
from reference_impl.engine.clearing.orderbook import OrderBook, build_order_book
from reference_impl.engine.clearing.records import Bid, ExistingCRR, SellOffer, TimeOfUse
from reference_impl.engine.clearing.results import SubMarketResult
from reference_impl.engine.clearing.sft import (
    SftSolution,
    contingency_rows_over_branches,
    effective_limits,
    worst_violations,
)
from reference_impl.engine.clearing.working_set import WorkingSetOutcome
from reference_impl.engine.network import Network

__all__ = ["DenseTooLargeError", "clear_sub_market_dense"]


class DenseTooLargeError(MemoryError):
    """The dense PTDF * bid matrix would exceed the allowed number of entries."""


def clear_sub_market_dense(
    network: Network | DcModel,
    time_of_use: TimeOfUse | str,
    bids: Iterable[Bid],
    offers: Iterable[SellOffer] = (),
    baseload: Iterable[ExistingCRR] = (),
    *,
    options: ClearingOptions | None = None,
    max_entries: int = 400_000_000,
    method: str | None = None,
) -> SubMarketResult:
    """Clear one sub-market on the dense PTDF formulation; results match ``clear_sub_market``."""
    options = options or ClearingOptions()
    dc = network if isinstance(network, DcModel) else build_dc_model(network)
    book = build_order_book(dc, TimeOfUse(time_of_use), bids, offers, baseload)
    n = len(book)
    n_elements = len(dc.elements)
    if n_elements * max(n, 1) > max_entries:
        raise DenseTooLargeError(
            f"{n_elements} rows * {n} segments exceeds {max_entries} dense entries"
        )
    limits = effective_limits(dc, book.baseload_injection)
    base_theta = dc.angles(book.baseload_injection)
    base_branch = dc.branch_flows(base_theta)

    def location_ptdf(rows_over_branches: sp.csr_matrix) -> np.ndarray:
        return np.asarray((dc.location_weights.T @ dc.ptdf(rows_over_branches).T).T)

    def segment_rows(rows_over_branches: sp.csr_matrix) -> np.ndarray:
        at_location = location_ptdf(rows_over_branches)
        return at_location[:, book.source] - at_location[:, book.sink]

    element_rows = sp.csr_matrix(dc.elements.matrix)
    dense = segment_rows(element_rows)
    base_flow = element_rows @ base_branch
    method = method or (
        options.large_model_method if n > options.working_set_threshold else "simplex"
    )
    solver = new_solver(method)
    pass_model(
        solver,
        book.cost,
        np.zeros(n),
        book.upper,
        sp.csc_matrix(dense),
        limits.lower - base_flow,
        limits.upper - base_flow,
    )
    del dense
    solver.run()
    require_optimal(solver)
    solver.setOptionValue("solver", "simplex")

    cuts: list[tuple[int, int]] = []
    present = np.zeros((n_elements, len(dc.outages)), dtype=bool)
    cut_rows_over_branches: list[sp.csr_matrix] = []
    rounds = 0
    while True:
        values = np.asarray(solver.getSolution().col_value)
        injection = book.baseload_injection + _bus_injection(dc, book, values)
        flows = dc.branch_flows(dc.angles(injection))
        pairs = worst_violations(dc, flows, limits, present, options)
        if not pairs:
            break
        if rounds >= options.max_cut_rounds:
            raise RuntimeError("Contingency constraints still violated")
        rounds += 1
        over_branches = contingency_rows_over_branches(dc, pairs)
        rows = segment_rows(over_branches)
        base_post = over_branches @ base_branch
        e = np.array([p[0] for p in pairs])
        c = np.array([p[1] for p in pairs])
        add_rows(
            solver,
            sp.csr_matrix(rows),
            limits.cont_lower[e, c] - base_post,
            limits.cont_upper[e, c] - base_post,
        )
        del rows
        cuts.extend(pairs)
        present[e, c] = True
        cut_rows_over_branches.append(over_branches)
        solver.run()
        require_optimal(solver)

    solution = solver.getSolution()
    duals = np.asarray(solution.row_dual)
    row_values = np.asarray(solution.row_value)
    all_rows = sp.vstack([element_rows, *cut_rows_over_branches], format="csr")
    active = np.flatnonzero(np.abs(duals) > options.dual_tolerance)
    location_prices = np.zeros(len(dc.location_names))
    if len(active):
        location_prices = duals[active] @ location_ptdf(all_rows[active])
    location_prices = np.where(np.abs(location_prices) < 1e-9, 0.0, location_prices) + 0.0

    binding = []
    for row in active:
        if row < n_elements:
            e_index, c_index = int(row), -1
            upper, lower, offset = limits.upper[row], limits.lower[row], base_flow[row]
        else:
            e_index, c_index = cuts[row - n_elements]
            upper = limits.cont_upper[e_index, c_index]
            lower = limits.cont_lower[e_index, c_index]
            offset = float((all_rows[row] @ base_branch)[0])
        flow = row_values[row] + offset
        direction = 1 if abs(flow - upper) <= abs(flow - lower) else -1
        binding.append(
            (
                e_index,
                c_index,
                direction,
                float(flow),
                float(upper if direction > 0 else lower),
                float(abs(duals[row])),
            )
        )
    binding.sort(key=lambda item: (item[0], item[1]))
    values = np.asarray(solution.col_value)
    sft_solution = SftSolution(
        values=values,
        objective=float(solver.getInfo().objective_function_value),
        bus_prices=np.zeros(dc.n_buses),
        location_prices=location_prices,
        extra_row_duals=np.zeros(0),
        binding=tuple(binding),
        cuts=tuple(cuts),
        rounds=rounds,
        n_columns=solver.getNumCol(),
        n_rows=solver.getNumRow(),
    )
    return sub_market_result(dc, book, WorkingSetOutcome(values, sft_solution, n, 1))


def _bus_injection(dc: DcModel, book: OrderBook, values: np.ndarray) -> np.ndarray:
    """Net bus injections of the segments' awards."""
    n_locations = len(dc.location_names)
    at_location = np.bincount(book.source, weights=values, minlength=n_locations) - np.bincount(
        book.sink, weights=values, minlength=n_locations
    )
    return dc.location_weights @ at_location
