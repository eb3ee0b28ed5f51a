"""DC power-flow matrices for the SFT: sparse B, branch incidence, outage factors.

Everything here is computed once per network and reused by every clearing of
that network: the susceptance matrix B of the main island and its sparse LU
factors, the branch-flow matrix B_f (flow = B_f θ), the monitored elements
(branches and interfaces) as rows over branches, the location weights, and
for each contingency the factors that turn base-case branch flows into
post-contingency element flows.

Post-contingency flows use the outage-transfer identity: outaging branch set
K is the same as injecting transfers t_K across their ends such that they
carry exactly their own flow, t_K = (I - Φ_KK)⁻¹ f_K, where Φ_K holds the
flows caused by 1 MW transfers across each outaged branch. Element flows
after the outage are then C f + C L_K f_K with L_K = Φ_K (I - Φ_KK)⁻¹ and
the outaged branches' own rows set to -I (they carry nothing afterwards).
Only |K| sparse solves per contingency are needed, never a full PTDF matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as sla

from reference_impl.engine.network import Network, NetworkError

__all__ = ["DcModel", "MonitoredElements", "OutageFactors", "build_dc_model"]


@dataclass(frozen=True, eq=False)
class MonitoredElements:
    """Monitored branches and interfaces as rows over the model's branches.

    ``matrix`` maps branch flows to element flows. Limits are per element:
    ``upper``/``lower`` in the base case, ``cont_upper``/``cont_lower`` after a
    contingency.
    """

    ids: tuple[str, ...]
    kinds: tuple[str, ...]
    matrix: sp.csr_matrix
    upper: np.ndarray
    lower: np.ndarray
    cont_upper: np.ndarray
    cont_lower: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, eq=False)
class OutageFactors:
    """Post-contingency factors for the contingencies the SFT can model.

    Contingency ``c`` outages model branches ``outaged[starts[c]:starts[c+1]]``;
    the matching columns of ``element_factors`` (elements * outaged columns)
    give its element flow change per MW of pre-outage flow on each of them.
    ``skipped`` lists contingencies left out, with the reason.
    """

    ids: tuple[str, ...]
    outaged: np.ndarray
    starts: np.ndarray
    element_factors: np.ndarray
    skipped: tuple[tuple[str, str], ...]

    def __len__(self) -> int:
        return len(self.ids)

    def post_flows(self, element_flows: np.ndarray, branch_flows: np.ndarray) -> np.ndarray:
        """Element flows after each contingency: an (elements * contingencies) array."""
        if len(self.ids) == 0:
            return np.zeros((len(element_flows), 0))
        change = self.element_factors * branch_flows[self.outaged][None, :]
        per_contingency = np.add.reduceat(change, self.starts[:-1], axis=1)
        return element_flows[:, None] + per_contingency


@dataclass(frozen=True, eq=False)
class DcModel:
    """The DC model of a network's main island, ready for clearing.

    Buses off the main island (cut off by planned outages) are left out: no
    injection there can reach a monitored element. Location weights are
    renormalised over the buses that remain; a location with none left is
    islanded and has an all-zero column in ``location_weights``.
    """

    network: Network
    buses: tuple[str, ...]
    reference: int
    branch_ids: tuple[str, ...]
    from_bus: np.ndarray
    to_bus: np.ndarray
    susceptance: np.ndarray
    branch_matrix: sp.csr_matrix
    susceptance_matrix: sp.csc_matrix
    location_names: tuple[str, ...]
    location_weights: sp.csc_matrix
    islanded_locations: frozenset[str]
    elements: MonitoredElements
    outages: OutageFactors
    _factor: object

    @property
    def n_buses(self) -> int:
        """Buses in the main island."""
        return len(self.buses)

    @property
    def n_branches(self) -> int:
        """In-service branches of the main island."""
        return len(self.branch_ids)

    def location_position(self, name: str) -> int:
        """Column of location ``name`` in ``location_weights``."""
        return self.network.location_index[name]

    def angles(self, injections: np.ndarray) -> np.ndarray:
        """Bus angles for net injections (buses * k); the reference bus absorbs any mismatch."""
        injections = np.asarray(injections, dtype=float)
        keep = np.ones(self.n_buses, dtype=bool)
        keep[self.reference] = False
        theta = np.zeros_like(injections)
        if self.n_buses > 1:
            theta[keep] = self._factor.solve(np.ascontiguousarray(injections[keep]))
        return theta

    def branch_flows(self, theta: np.ndarray) -> np.ndarray:
        """Branch flows for bus angles θ."""
        return self.branch_matrix @ theta

    def ptdf(self, rows: sp.spmatrix) -> np.ndarray:
        """Dense shift factors of ``rows`` (any rows over branches) w.r.t. the reference bus.

        Costs one sparse solve per row: use it for a few rows (tests, pricing
        checks, the dense comparison formulation), not for the whole network.
        """
        over_buses = sp.csr_matrix(rows) @ self.branch_matrix
        dense = over_buses.toarray().T
        return self.angles(dense).T


def build_dc_model(network: Network) -> DcModel:
    """Factor the network's main island and precompute element and outage factors."""
    island = network.main_island
    buses = tuple(bus for bus in network.buses if bus in island)
    position = {bus: i for i, bus in enumerate(buses)}
    reference = position[network.reference_bus]
    kept = [
        branch
        for branch, on in zip(network.branches, network.in_service, strict=True)
        if on and branch.from_bus in island
    ]
    branch_ids = tuple(branch.branch_id for branch in kept)
    branch_position = {branch_id: i for i, branch_id in enumerate(branch_ids)}
    from_bus = np.array([position[b.from_bus] for b in kept], dtype=np.int64)
    to_bus = np.array([position[b.to_bus] for b in kept], dtype=np.int64)
    susceptance = np.array([1.0 / b.reactance for b in kept], dtype=float)
    n_bus, n_branch = len(buses), len(kept)
    arange = np.arange(n_branch)
    branch_matrix = sp.csr_matrix(
        (
            np.concatenate([susceptance, -susceptance]),
            (np.concatenate([arange, arange]), np.concatenate([from_bus, to_bus])),
        ),
        shape=(n_branch, n_bus),
    )
    incidence = sp.csr_matrix(
        (
            np.concatenate([np.ones(n_branch), -np.ones(n_branch)]),
            (np.concatenate([arange, arange]), np.concatenate([from_bus, to_bus])),
        ),
        shape=(n_branch, n_bus),
    )
    susceptance_matrix = sp.csc_matrix(incidence.T @ branch_matrix)
    keep = np.ones(n_bus, dtype=bool)
    keep[reference] = False
    factor = None
    if n_bus > 1:
        reduced = susceptance_matrix[keep][:, keep].tocsc()
        factor = sla.splu(reduced, permc_spec="COLAMD")
        if not np.all(np.isfinite(factor.U.diagonal())) or np.any(factor.U.diagonal() == 0):
            raise NetworkError("The susceptance matrix of the main island is singular")

    weights_rows, weights_cols, weights_vals = [], [], []
    islanded: set[str] = set()
    for column, location in enumerate(network.locations):
        inside = [(position[bus], w) for bus, w in location.weights if bus in position]
        total = sum(w for _, w in inside)
        if not inside or total <= 0:
            islanded.add(location.name)
            continue
        for row, w in inside:
            weights_rows.append(row)
            weights_cols.append(column)
            weights_vals.append(w / total)
    location_weights = sp.csc_matrix(
        (weights_vals, (weights_rows, weights_cols)), shape=(n_bus, len(network.locations))
    )

    elements = _monitored_elements(network, branch_position)
    model = DcModel(
        network=network,
        buses=buses,
        reference=reference,
        branch_ids=branch_ids,
        from_bus=from_bus,
        to_bus=to_bus,
        susceptance=susceptance,
        branch_matrix=branch_matrix,
        susceptance_matrix=susceptance_matrix,
        location_names=tuple(location.name for location in network.locations),
        location_weights=location_weights,
        islanded_locations=frozenset(islanded),
        elements=elements,
        outages=OutageFactors(
            (), np.zeros(0, np.int64), np.zeros(1, np.int64), np.zeros((0, 0)), ()
        ),
        _factor=factor,
    )
    outages = _outage_factors(model, branch_position)
    object.__setattr__(model, "outages", outages)
    return model


def _monitored_elements(network: Network, branch_position: dict[str, int]) -> MonitoredElements:
    ids, kinds, rows, cols, vals = [], [], [], [], []
    upper, lower, cont_upper, cont_lower = [], [], [], []
    for branch in network.branches:
        if branch.limit is None or branch.branch_id not in branch_position:
            continue
        rows.append(len(ids))
        cols.append(branch_position[branch.branch_id])
        vals.append(1.0)
        ids.append(branch.branch_id)
        kinds.append("BRANCH")
        emergency = branch.contingency_limit
        upper.append(branch.limit)
        lower.append(-branch.limit)
        cont_upper.append(emergency)
        cont_lower.append(-emergency)
    for interface in network.interfaces:
        terms = [(branch_position[b], c) for b, c in interface.terms if b in branch_position]
        if not terms:
            continue
        for column, coefficient in terms:
            rows.append(len(ids))
            cols.append(column)
            vals.append(coefficient)
        ids.append(interface.interface_id)
        kinds.append("INTERFACE")
        upper.append(interface.limit)
        lower.append(interface.lower_limit)
        cont_upper.append(interface.limit)
        cont_lower.append(interface.lower_limit)
    matrix = sp.csr_matrix((vals, (rows, cols)), shape=(len(ids), len(branch_position)))
    return MonitoredElements(
        ids=tuple(ids),
        kinds=tuple(kinds),
        matrix=matrix,
        upper=np.array(upper, dtype=float),
        lower=np.array(lower, dtype=float),
        cont_upper=np.array(cont_upper, dtype=float),
        cont_lower=np.array(cont_lower, dtype=float),
    )


def _outage_factors(model: DcModel, branch_position: dict[str, int]) -> OutageFactors:
    network = model.network
    modelled: list[tuple[str, list[int]]] = []
    skipped: list[tuple[str, str]] = []
    bridges = network.bridges
    for contingency in network.contingencies:
        names = [b for b in contingency.outaged_branches if b in branch_position]
        if not names:
            skipped.append((contingency.contingency_id, "OUT_OF_SERVICE"))
            continue
        islanding = (
            names[0] in bridges
            if len(names) == 1
            else bool(network.contingency_islands(contingency))
        )
        if islanding:
            skipped.append((contingency.contingency_id, "ISLANDING"))
        else:
            modelled.append((contingency.contingency_id, [branch_position[b] for b in names]))
    n_elements = len(model.elements)
    if not modelled:
        return OutageFactors(
            (),
            np.zeros(0, np.int64),
            np.zeros(1, np.int64),
            np.zeros((n_elements, 0)),
            tuple(skipped),
        )
    unique = sorted({k for _, ks in modelled for k in ks})
    column = {k: i for i, k in enumerate(unique)}
    transfers = np.zeros((model.n_buses, len(unique)))
    for k, i in column.items():
        transfers[model.from_bus[k], i] += 1.0
        transfers[model.to_bus[k], i] -= 1.0
    phi = model.branch_matrix @ model.angles(transfers)

    outaged = np.array([k for _, ks in modelled for k in ks], dtype=np.int64)
    lengths = np.array([len(ks) for _, ks in modelled], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    line_factors = phi[:, [column[k] for k in outaged]]
    single = np.flatnonzero(lengths == 1)
    if len(single):
        positions = starts[single]
        ks = outaged[positions]
        block = line_factors[:, positions] / (1.0 - line_factors[ks, positions])[None, :]
        block[ks, np.arange(len(ks))] = -1.0
        line_factors[:, positions] = block
    for c in np.flatnonzero(lengths > 1):
        cols = np.arange(starts[c], starts[c + 1])
        ks = outaged[cols]
        phi_k = line_factors[:, cols]
        factors = np.linalg.solve((np.eye(len(ks)) - phi_k[ks, :]).T, phi_k.T).T
        factors[ks, :] = -np.eye(len(ks))
        line_factors[:, cols] = factors
    return OutageFactors(
        ids=tuple(cid for cid, _ in modelled),
        outaged=outaged,
        starts=starts,
        element_factors=np.asarray(model.elements.matrix @ line_factors),
        skipped=tuple(skipped),
    )
