"""The sparse SFT linear program and its contingency constraint generation.

Formulation (all sparse, no PTDF matrix is ever formed):

* columns: one per *product* (a bid segment, an offer segment, a nomination,
  or a caller's auxiliary variable), one net-injection variable z_L per
  location in use, one angle θ_i per bus of the main island (the reference
  angle is fixed at 0);
* location rows: z_L - Σ_{p: source L} x_p + Σ_{p: sink L} x_p = 0;
* bus rows: (B θ)_i - Σ_L w_{iL} z_L = baseload injection at bus i; the
  reference bus row is free, so the reference absorbs the balance;
* element rows: lower ≤ (C B_f θ)_e ≤ upper for each monitored branch and
  interface in the base case;
* contingency rows, added only when violated: the element's post-outage flow
  (C + C L_K E_K) B_f θ within its emergency limits (see ``dcflow``).

Each product column has two non-zeros, each location |L| + 1 and each
element or contingency row a handful, so the model grows linearly with bids.

Prices. With HiGHS's row duals y (reduced cost d = c - Aᵀy of a minimisation),
the price of bus i is π_i = -y_i: the welfare lost by one more MW injected
there. A location's price is Σ_i w_iL π_i and a path's clearing price is
π_sink - π_source. This equals Σ_k μ_k s_k (PTDF_k,source - PTDF_k,sink) over
binding constraints k with shadow price μ_k ≥ 0 and direction s_k = ±1.

Baseloading can overload an element by itself (existing rights fixed on an
outaged network). The element's limit is then widened to the baseload flow,
so the LP stays feasible with no award and baseloaded flow never gets worse.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from reference_impl.engine.clearing.dcflow import DcModel
from reference_impl.engine.clearing.highs import (
    SolverError,
    add_rows,
    new_solver,
    pass_model,
    require_optimal,
)
from reference_impl.engine.clearing.options import ClearingOptions

__all__ = [
    "Limits",
    "Products",
    "SftLp",
    "SftSolution",
    "contingency_rows_over_branches",
    "effective_limits",
    "worst_violations",
]


@dataclass(frozen=True, eq=False)
class Limits:
    """Element limits after widening for baseload: base case and per contingency."""

    upper: np.ndarray
    lower: np.ndarray
    cont_upper: np.ndarray
    cont_lower: np.ndarray


def effective_limits(dc: DcModel, baseload_injection: np.ndarray) -> Limits:
    """Element limits, each widened to the flow the baseload alone puts on it."""
    theta = dc.angles(baseload_injection)
    branch_flows = dc.branch_flows(theta)
    element_flows = dc.elements.matrix @ branch_flows
    post = dc.outages.post_flows(element_flows, branch_flows)
    return Limits(
        upper=np.maximum(dc.elements.upper, element_flows),
        lower=np.minimum(dc.elements.lower, element_flows),
        cont_upper=np.maximum(dc.elements.cont_upper[:, None], post),
        cont_lower=np.minimum(dc.elements.cont_lower[:, None], post),
    )


def worst_violations(
    dc: DcModel,
    branch_flows: np.ndarray,
    limits: Limits,
    present: np.ndarray,
    options: ClearingOptions,
) -> list[tuple[int, int]]:
    """(element, contingency) rows violated by ``branch_flows`` and not ``present``, worst first.

    At most ``cuts_per_element`` per monitored element and
    ``max_cuts_per_round`` in all; ties break on element then contingency
    position, so the choice is reproducible.
    """
    outages = dc.outages
    if len(outages) == 0 or len(dc.elements) == 0:
        return []
    post = outages.post_flows(dc.elements.matrix @ branch_flows, branch_flows)
    excess = np.maximum(post - limits.cont_upper, limits.cont_lower - post)
    scale = np.maximum(1.0, np.maximum(np.abs(limits.cont_upper), np.abs(limits.cont_lower)))
    excess = excess - options.violation_tolerance * scale
    excess[present] = -np.inf
    per_element = min(options.cuts_per_element, excess.shape[1])
    if per_element == 1:
        best = np.argmax(excess, axis=1)[:, None]
    else:
        best = np.argsort(-excess, axis=1, kind="stable")[:, :per_element]
    element_index = np.repeat(np.arange(excess.shape[0]), best.shape[1])
    contingency_index = best.ravel()
    values = excess[element_index, contingency_index]
    keep = values > 0
    element_index, contingency_index, values = (
        element_index[keep],
        contingency_index[keep],
        values[keep],
    )
    order = np.lexsort((contingency_index, element_index, -values))[: options.max_cuts_per_round]
    return [(int(element_index[i]), int(contingency_index[i])) for i in order]


def contingency_rows_over_branches(dc: DcModel, pairs: list[tuple[int, int]]) -> sp.csr_matrix:
    """Rows mapping pre-contingency branch flows to each (element, contingency) post flow."""
    outages = dc.outages
    elements = np.array([e for e, _ in pairs], dtype=np.int64)
    contingencies = np.array([c for _, c in pairs], dtype=np.int64)
    lengths = outages.starts[contingencies + 1] - outages.starts[contingencies]
    row_of_entry = np.repeat(np.arange(len(pairs)), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    factor_columns = np.repeat(outages.starts[contingencies], lengths) + offsets
    change = sp.csr_matrix(
        (
            outages.element_factors[np.repeat(elements, lengths), factor_columns],
            (row_of_entry, outages.outaged[factor_columns]),
        ),
        shape=(len(pairs), dc.n_branches),
    )
    return sp.csr_matrix(dc.elements.matrix[elements] + change)


@dataclass(frozen=True, eq=False)
class Products:
    """The caller's columns: each moves ``x`` MW from its source to its sink location.

    ``source``/``sink`` are location positions in the network, or -1 for a
    column without network effect (an auxiliary variable). ``cost`` is the
    minimisation cost per MW. ``extra_rows`` are constraints over these
    columns only.
    """

    source: np.ndarray
    sink: np.ndarray
    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    extra_rows: sp.csr_matrix | None = None
    extra_lower: np.ndarray | None = None
    extra_upper: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.cost)


@dataclass(frozen=True, eq=False)
class SftSolution:
    """What one solved SFT reports back to the clearing code."""

    values: np.ndarray
    objective: float
    bus_prices: np.ndarray
    location_prices: np.ndarray
    extra_row_duals: np.ndarray
    binding: tuple[tuple[int, int, int, float, float, float], ...]
    """(element, contingency or -1, direction ±1, flow, limit, shadow price) per binding row."""
    cuts: tuple[tuple[int, int], ...]
    rounds: int
    n_columns: int
    n_rows: int


class SftLp:
    """One HiGHS model of the SFT with the caller's products, kept warm across changes."""

    def __init__(
        self,
        dc: DcModel,
        products: Products,
        *,
        options: ClearingOptions,
        baseload_injection: np.ndarray | None = None,
        cuts: tuple[tuple[int, int], ...] = (),
        locations: np.ndarray | None = None,
        method: str = "simplex",
        crossover: bool = True,
    ) -> None:
        self.dc = dc
        self.options = options
        n_loc_all = len(dc.location_names)
        baseload = (
            np.zeros(dc.n_buses) if baseload_injection is None else np.asarray(baseload_injection)
        )
        used = np.union1d(
            products.source[products.source >= 0], products.sink[products.sink >= 0]
        ).astype(np.int64)
        if locations is not None:
            used = np.union1d(used, np.asarray(locations, dtype=np.int64))
        z_position = np.full(n_loc_all, -1, dtype=np.int64)
        z_position[used] = np.arange(len(used))
        n_p, n_z, n_b = len(products), len(used), dc.n_buses
        self._n_p, self._n_z, self._n_b = n_p, n_z, n_b
        self._theta_offset = n_p + n_z
        self._z_position = z_position
        self._product_columns = np.arange(n_p, dtype=np.int64)

        # Location rows.
        columns = np.arange(n_p)
        has_source = products.source >= 0
        has_sink = products.sink >= 0
        location_products = sp.csr_matrix(
            (
                np.concatenate([-np.ones(has_source.sum()), np.ones(has_sink.sum())]),
                (
                    np.concatenate(
                        [
                            z_position[products.source[has_source]],
                            z_position[products.sink[has_sink]],
                        ]
                    ),
                    np.concatenate([columns[has_source], columns[has_sink]]),
                ),
            ),
            shape=(n_z, n_p),
        )
        # Bus rows.
        weights = dc.location_weights[:, used]
        # Element rows.
        element_theta = sp.csr_matrix(dc.elements.matrix @ dc.branch_matrix)
        limits = effective_limits(dc, baseload)
        self._limits = limits
        self._upper, self._lower = limits.upper, limits.lower
        self._cont_upper, self._cont_lower = limits.cont_upper, limits.cont_lower

        n_x = 0 if products.extra_rows is None else products.extra_rows.shape[0]
        n_e = len(dc.elements)
        self._bus_row_offset = n_z
        self._extra_row_offset = n_z + n_b
        self._element_row_offset = n_z + n_b + n_x
        self._n_x = n_x
        blocks = [
            [location_products, sp.identity(n_z, format="csr"), None],
            [None, -weights, dc.susceptance_matrix],
            [products.extra_rows if n_x else None, None, None],
            [None, None, element_theta],
        ]
        if not n_x:
            blocks.pop(2)
        matrix = _stack(blocks, (n_p, n_z, n_b))
        row_lower = np.concatenate(
            [
                np.zeros(n_z),
                baseload,
                products.extra_lower if n_x else np.zeros(0),
                self._lower,
            ]
        )
        row_upper = np.concatenate(
            [
                np.zeros(n_z),
                baseload.copy(),
                products.extra_upper if n_x else np.zeros(0),
                self._upper,
            ]
        )
        row_lower[n_z + dc.reference] = -np.inf
        row_upper[n_z + dc.reference] = np.inf
        col_lower = np.concatenate([products.lower, np.full(n_z + n_b, -np.inf)])
        col_upper = np.concatenate([products.upper, np.full(n_z + n_b, np.inf)])
        col_lower[self._theta_offset + dc.reference] = 0.0
        col_upper[self._theta_offset + dc.reference] = 0.0
        cost = np.concatenate([products.cost, np.zeros(n_z + n_b)])

        self._solver = new_solver(method, crossover=crossover)
        pass_model(self._solver, cost, col_lower, col_upper, matrix, row_lower, row_upper)
        self._cuts: list[tuple[int, int]] = []
        self._cut_set: set[tuple[int, int]] = set()
        self._cut_mask = np.zeros((n_e, len(dc.outages)), dtype=bool)
        if cuts:
            self._add_cuts(list(cuts))
        self._rounds = 0

    # -- model changes -----------------------------------------------------

    @property
    def solver(self) -> highspy.Highs:
        """The underlying HiGHS instance (for callers that change bounds between solves)."""
        return self._solver

    def set_product_bounds(self, index: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Change bounds of product columns; the next ``solve`` starts from the last basis."""
        columns = self._product_columns[np.asarray(index, dtype=np.int64)].astype(np.int32)
        self._solver.changeColsBounds(
            len(columns), columns, np.asarray(lower, float), np.asarray(upper, float)
        )

    def set_product_costs(self, index: np.ndarray, cost: np.ndarray) -> None:
        """Change the cost of product columns."""
        columns = self._product_columns[np.asarray(index, dtype=np.int64)].astype(np.int32)
        self._solver.changeColsCost(len(columns), columns, np.asarray(cost, float))

    def add_products(
        self,
        source: np.ndarray,
        sink: np.ndarray,
        cost: np.ndarray,
        upper: np.ndarray,
        at_upper: np.ndarray,
    ) -> None:
        """Append product columns (bounds [0, upper]) to the solved model.

        The new columns enter the basis as non-basic at their upper bound where
        ``at_upper`` holds and at zero elsewhere, so a caller that moves MW out
        of a fixed block into these columns keeps the last basis nearly
        optimal and the next solve short.
        """
        n_new = len(cost)
        if n_new == 0:
            return
        z_source = self._z_position[source]
        z_sink = self._z_position[sink]
        if np.any(z_source < 0) or np.any(z_sink < 0):
            raise ValueError("New products must use locations the model was built with")
        rows = np.empty(2 * n_new, dtype=np.int32)
        rows[0::2] = np.minimum(z_source, z_sink)
        rows[1::2] = np.maximum(z_source, z_sink)
        values = np.empty(2 * n_new)
        values[0::2] = np.where(z_source < z_sink, -1.0, 1.0)
        values[1::2] = -values[0::2]
        first = self._solver.getNumCol()
        basis = self._solver.getBasis()
        status = self._solver.addCols(
            n_new,
            np.asarray(cost, float),
            np.zeros(n_new),
            np.asarray(upper, float),
            2 * n_new,
            (2 * np.arange(n_new)).astype(np.int32),
            rows,
            values,
        )
        if status != highspy.HighsStatus.kOk:
            raise SolverError(f"HiGHS rejected the added columns: {status}")
        if basis.valid:
            col_status = list(basis.col_status)
            col_status.extend(
                highspy.HighsBasisStatus.kUpper if flag else highspy.HighsBasisStatus.kLower
                for flag in np.asarray(at_upper, dtype=bool)
            )
            basis.col_status = col_status
            self._solver.setBasis(basis)
        self._product_columns = np.concatenate(
            [self._product_columns, np.arange(first, first + n_new, dtype=np.int64)]
        )

    def set_extra_row_bounds(self, index: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Change bounds of the caller's extra rows."""
        index = np.asarray(index, dtype=np.int32) + self._extra_row_offset
        lower = np.where(np.isneginf(lower), -highspy.kHighsInf, lower).astype(float)
        upper = np.where(np.isposinf(upper), highspy.kHighsInf, upper).astype(float)
        self._solver.changeRowsBounds(len(index), index, lower, upper)

    def _add_cuts(self, pairs: list[tuple[int, int]]) -> None:
        dc = self.dc
        elements = np.array([e for e, _ in pairs], dtype=np.int64)
        contingencies = np.array([c for _, c in pairs], dtype=np.int64)
        over_branches = contingency_rows_over_branches(dc, pairs)
        over_theta = sp.csr_matrix(over_branches @ dc.branch_matrix)
        over_theta.eliminate_zeros()
        n_cols = self._solver.getNumCol()
        rows = sp.csr_matrix(
            (over_theta.data, over_theta.indices + self._theta_offset, over_theta.indptr),
            shape=(len(pairs), n_cols),
        )
        add_rows(
            self._solver,
            rows,
            self._cont_lower[elements, contingencies],
            self._cont_upper[elements, contingencies],
        )
        for pair in pairs:
            self._cuts.append(pair)
            self._cut_set.add(pair)
        self._cut_mask[elements, contingencies] = True

    # -- solving -------------------------------------------------------------

    def run_once(self, *, estimate: bool = False) -> None:
        """Solve the model as it stands, without looking at contingencies.

        ``estimate`` accepts an imprecise interior-point answer (see ``require_optimal``).
        """
        self._solver.run()
        status = self._solver.getModelStatus()
        # Interior point can stall on a badly scaled model: redo from scratch by simplex.
        if (
            status != highspy.HighsModelStatus.kOptimal
            and not estimate
            and self._solver.getOptionValue("solver") == "ipm"
        ):
            self._solver.clearSolver()
            self._solver.setOptionValue("solver", "simplex")
            self._solver.run()
        require_optimal(self._solver, estimate=estimate)

    def violated_cuts(self) -> list[tuple[int, int]]:
        """Contingency rows the current solution violates and the model lacks, worst first."""
        flows = self.dc.branch_flows(self.theta())
        return worst_violations(self.dc, flows, self._limits, self._cut_mask, self.options)

    def add_cuts(self, pairs: list[tuple[int, int]]) -> None:
        """Add contingency rows (element, contingency) not yet in the model."""
        fresh = [pair for pair in pairs if pair not in self._cut_set]
        if fresh:
            self._add_cuts(fresh)

    def solve(self, *, restart: str | None = None) -> SftSolution:
        """Solve, then add violated contingency rows and re-solve until none is violated.

        Re-solves start from the last basis (dual simplex). ``restart`` names a
        method (``"ipm"``) to solve from scratch with instead, which is faster
        when many columns changed since the last solve.
        """
        if restart is not None:
            self._solver.clearSolver()
            self._solver.setOptionValue("solver", restart)
        self.run_once()
        self._solver.setOptionValue("solver", "simplex")
        for _ in range(self.options.max_cut_rounds):
            pairs = self.violated_cuts()
            if not pairs:
                return self.solution()
            self._add_cuts(pairs)
            self._rounds += 1
            self.run_once()
        raise SolverError(
            f"Contingency constraints still violated after {self.options.max_cut_rounds} rounds"
        )

    # -- reading the solution ------------------------------------------------

    def theta(self) -> np.ndarray:
        """Bus angles of the last solution."""
        values = np.asarray(self._solver.getSolution().col_value)
        return values[self._theta_offset : self._theta_offset + self._n_b]

    def solution(self) -> SftSolution:
        """Snapshot of the last solve: product values, prices, binding constraints."""
        dc = self.dc
        solution = self._solver.getSolution()
        col_value = np.asarray(solution.col_value)
        row_value = np.asarray(solution.row_value)
        row_dual = np.asarray(solution.row_dual)
        bus_prices = -row_dual[self._bus_row_offset : self._bus_row_offset + self._n_b]
        bus_prices = _clean(bus_prices)
        location_prices = _clean(dc.location_weights.T @ bus_prices)
        extra = row_dual[self._extra_row_offset : self._extra_row_offset + self._n_x]
        binding = []
        tolerance = self.options.dual_tolerance
        n_e = len(dc.elements)
        element_rows = slice(self._element_row_offset, self._element_row_offset + n_e)
        for e in np.flatnonzero(np.abs(row_dual[element_rows]) > tolerance):
            flow = row_value[self._element_row_offset + e]
            upper, lower = self._upper[e], self._lower[e]
            direction = 1 if abs(flow - upper) <= abs(flow - lower) else -1
            binding.append(
                (
                    int(e),
                    -1,
                    direction,
                    float(flow),
                    float(upper if direction > 0 else lower),
                    float(abs(row_dual[self._element_row_offset + e])),
                )
            )
        cut_offset = self._element_row_offset + n_e
        for position, (e, c) in enumerate(self._cuts):
            dual = row_dual[cut_offset + position]
            if abs(dual) <= tolerance:
                continue
            flow = row_value[cut_offset + position]
            upper, lower = self._cont_upper[e, c], self._cont_lower[e, c]
            direction = 1 if abs(flow - upper) <= abs(flow - lower) else -1
            binding.append(
                (
                    e,
                    c,
                    direction,
                    float(flow),
                    float(upper if direction > 0 else lower),
                    float(abs(dual)),
                )
            )
        binding.sort(key=lambda item: (item[0], item[1]))
        return SftSolution(
            values=col_value[self._product_columns],
            objective=float(self._solver.getInfo().objective_function_value),
            bus_prices=bus_prices,
            location_prices=location_prices,
            extra_row_duals=extra.copy(),
            binding=tuple(binding),
            cuts=tuple(self._cuts),
            rounds=self._rounds,
            n_columns=self._solver.getNumCol(),
            n_rows=self._solver.getNumRow(),
        )


def _clean(values: np.ndarray) -> np.ndarray:
    """Turn solver noise below 1e-9 (and -0.0) into exact zeros."""
    out = np.where(np.abs(values) < 1e-9, 0.0, values)
    return out + 0.0


def _stack(blocks: list[list], widths: tuple[int, ...]) -> sp.csc_matrix:
    """Assemble a block matrix; ``None`` blocks are zero, column groups may be empty."""
    rows = []
    for block_row in blocks:
        height = next(b.shape[0] for b in block_row if b is not None)
        rows.append(
            sp.hstack(
                [
                    sp.csr_matrix((height, w)) if b is None else sp.csr_matrix(b)
                    for b, w in zip(block_row, widths, strict=True)
                ],
                format="csr",
            )
        )
    return sp.csc_matrix(sp.vstack(rows, format="csr"))
