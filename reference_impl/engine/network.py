"""DC network model for the CRR simultaneous feasibility test (SFT).

A CRR market clears on a DC model of the full network: buses joined by
branches (lines and transformers, each with a series reactance and, when
monitored, a thermal limit), interfaces (weighted sums of branch flows with
their own limit), contingencies (sets of branches that trip together), and
the pricing locations market participants bid on: APnodes and aggregates such
as trading hubs and load aggregation points (LAPs), each a weighted set of
buses.

The model is canonical: every collection is sorted by its ID when the network
is built, so the order in which a caller lists buses, branches or locations
never changes a clearing result.

Islanding matters for biddability. Branches out of service for a market
(planned outages) can split the network; the largest connected part is the
*main island* and every other bus is islanded. A location whose whole weight
sits on islanded buses is not biddable, except for sell offers where
baseloading CRRs exist at that location (DOMAIN.md §1.5).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

__all__ = [
    "Biddability",
    "Branch",
    "Contingency",
    "Interface",
    "Network",
    "NetworkError",
    "NetworkLocation",
    "NetworkLocationKind",
    "location_biddability",
    "select_branch_contingencies",
]


class NetworkError(ValueError):
    """A network model refers to something it does not define, or holds a bad value."""


class NetworkLocationKind(StrEnum):
    """What a pricing location stands for (same values as the source and sink list's kinds)."""

    APNODE = "APNODE"
    TRADING_HUB = "TRADING_HUB"
    DLAP = "DLAP"
    SLAP = "SLAP"
    MLAP = "MLAP"


class Biddability(StrEnum):
    """Which orders a location accepts in a market, given islanding."""

    BIDDABLE = "BIDDABLE"
    SELL_ONLY = "SELL_ONLY"
    NOT_BIDDABLE = "NOT_BIDDABLE"


def _finite(value: float, what: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise NetworkError(f"Expected a finite {what} but got {value!r}")
    return number


def _limit(value: float | None, what: str) -> float | None:
    if value is None:
        return None
    number = _finite(value, what)
    if number < 0:
        raise NetworkError(f"Expected a non-negative {what} but got {value!r}")
    return number


@dataclass(frozen=True, slots=True)
class Branch:
    """A line or transformer: DC flow from ``from_bus`` to ``to_bus`` is (θ_from - θ_to) / reactance.

    ``limit`` is the normal rating in MW; ``None`` means the branch is not
    monitored. ``emergency_limit`` is the post-contingency rating and defaults
    to ``limit``. Transformer taps are folded into ``reactance`` by loaders.
    """

    branch_id: str
    from_bus: str
    to_bus: str
    reactance: float
    limit: float | None = None
    emergency_limit: float | None = None

    def __post_init__(self) -> None:
        reactance = _finite(self.reactance, f"reactance for branch {self.branch_id}")
        if reactance == 0:
            raise NetworkError(f"Expected a non-zero reactance for branch {self.branch_id}")
        if self.from_bus == self.to_bus:
            raise NetworkError(f"Branch {self.branch_id} connects bus {self.from_bus} to itself")
        object.__setattr__(self, "reactance", reactance)
        object.__setattr__(self, "limit", _limit(self.limit, f"limit for {self.branch_id}"))
        object.__setattr__(
            self,
            "emergency_limit",
            _limit(self.emergency_limit, f"emergency limit for {self.branch_id}"),
        )

    @property
    def monitored(self) -> bool:
        """Whether the SFT enforces a limit on this branch."""
        return self.limit is not None

    @property
    def contingency_limit(self) -> float | None:
        """The rating enforced after a contingency: the emergency limit, else the normal one."""
        return self.limit if self.emergency_limit is None else self.emergency_limit


@dataclass(frozen=True, slots=True)
class Interface:
    """A monitored flowgate: flow = Σ coefficient * branch flow, limited in both directions.

    ``limit`` bounds the flow in the positive direction and ``reverse_limit``
    (default: ``limit``) in the negative one, since transfer paths often have
    different ratings each way.
    """

    interface_id: str
    terms: tuple[tuple[str, float], ...]
    limit: float
    reverse_limit: float | None = None

    def __post_init__(self) -> None:
        if not self.terms:
            raise NetworkError(f"Interface {self.interface_id} has no branches")
        merged: dict[str, float] = {}
        for branch_id, coefficient in self.terms:
            merged[str(branch_id)] = merged.get(str(branch_id), 0.0) + _finite(
                coefficient, f"coefficient in interface {self.interface_id}"
            )
        object.__setattr__(self, "terms", tuple(sorted(merged.items())))
        object.__setattr__(self, "limit", _limit(self.limit, f"limit for {self.interface_id}"))
        object.__setattr__(
            self,
            "reverse_limit",
            _limit(self.reverse_limit, f"reverse limit for {self.interface_id}"),
        )

    @property
    def lower_limit(self) -> float:
        """The most negative flow allowed."""
        return -(self.limit if self.reverse_limit is None else self.reverse_limit)


@dataclass(frozen=True, slots=True)
class Contingency:
    """Branches that trip together; the SFT checks every monitored element after the trip."""

    contingency_id: str
    outaged_branches: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.outaged_branches:
            raise NetworkError(f"Contingency {self.contingency_id} outages no branch")
        object.__setattr__(self, "outaged_branches", tuple(sorted(set(self.outaged_branches))))


@dataclass(frozen=True, slots=True)
class NetworkLocation:
    """An APnode or aggregate: a CRR injecting 1 MW here injects ``weight`` MW at each bus.

    Weights are normalised to sum to one, which is how distribution factors of
    trading hubs and LAPs are defined.
    """

    name: str
    weights: tuple[tuple[str, float], ...]
    kind: NetworkLocationKind = NetworkLocationKind.APNODE

    def __post_init__(self) -> None:
        merged: dict[str, float] = {}
        for bus, weight in self.weights:
            value = _finite(weight, f"weight in location {self.name}")
            if value < 0:
                raise NetworkError(f"Location {self.name} has negative weight {weight!r} at {bus}")
            if value > 0:
                merged[str(bus)] = merged.get(str(bus), 0.0) + value
        total = math.fsum(merged.values())
        if total <= 0:
            raise NetworkError(f"Location {self.name} has no positive weight")
        object.__setattr__(
            self, "weights", tuple((bus, w / total) for bus, w in sorted(merged.items()))
        )
        object.__setattr__(self, "kind", NetworkLocationKind(self.kind))


@dataclass(frozen=True)
class Network:
    """A CRR full network model for one market, with planned outages applied by ``outages``.

    Build it with any order of elements: the constructor sorts them and checks
    every reference, so two networks with the same content compare equal and
    clear identically.
    """

    buses: tuple[str, ...]
    branches: tuple[Branch, ...]
    interfaces: tuple[Interface, ...] = ()
    contingencies: tuple[Contingency, ...] = ()
    locations: tuple[NetworkLocation, ...] = ()
    outages: tuple[str, ...] = ()
    slack_bus: str | None = None
    name: str = ""

    def __post_init__(self) -> None:
        buses = tuple(sorted({str(bus) for bus in self.buses}))
        if len(buses) != len(self.buses):
            raise NetworkError("Bus IDs must be unique")
        if not buses:
            raise NetworkError("A network needs at least one bus")
        object.__setattr__(self, "buses", buses)
        known = set(buses)
        branches = _unique_sorted(self.branches, "branch_id", "branch")
        for branch in branches:
            for bus in (branch.from_bus, branch.to_bus):
                if bus not in known:
                    raise NetworkError(f"Branch {branch.branch_id} refers to unknown bus {bus}")
        object.__setattr__(self, "branches", branches)
        branch_ids = {branch.branch_id for branch in branches}
        interfaces = _unique_sorted(self.interfaces, "interface_id", "interface")
        for interface in interfaces:
            for branch_id, _ in interface.terms:
                if branch_id not in branch_ids:
                    raise NetworkError(
                        f"Interface {interface.interface_id} refers to unknown branch {branch_id}"
                    )
        if branch_ids & {interface.interface_id for interface in interfaces}:
            raise NetworkError("Interface IDs must differ from branch IDs")
        object.__setattr__(self, "interfaces", interfaces)
        contingencies = _unique_sorted(self.contingencies, "contingency_id", "contingency")
        for contingency in contingencies:
            for branch_id in contingency.outaged_branches:
                if branch_id not in branch_ids:
                    raise NetworkError(
                        f"Contingency {contingency.contingency_id} refers to unknown branch {branch_id}"
                    )
        object.__setattr__(self, "contingencies", contingencies)
        locations = _unique_sorted(self.locations, "name", "location")
        for location in locations:
            for bus, _ in location.weights:
                if bus not in known:
                    raise NetworkError(f"Location {location.name} refers to unknown bus {bus}")
        object.__setattr__(self, "locations", locations)
        outages = tuple(sorted(set(self.outages)))
        for branch_id in outages:
            if branch_id not in branch_ids:
                raise NetworkError(f"Outage refers to unknown branch {branch_id}")
        object.__setattr__(self, "outages", outages)
        if self.slack_bus is not None and self.slack_bus not in known:
            raise NetworkError(f"Slack bus {self.slack_bus} is not a bus of the network")

    # -- lookups -----------------------------------------------------------

    @cached_property
    def bus_index(self) -> Mapping[str, int]:
        """Position of each bus in ``buses``."""
        return {bus: i for i, bus in enumerate(self.buses)}

    @cached_property
    def branch_index(self) -> Mapping[str, int]:
        """Position of each branch in ``branches``."""
        return {branch.branch_id: i for i, branch in enumerate(self.branches)}

    @cached_property
    def location_index(self) -> Mapping[str, int]:
        """Position of each location in ``locations``."""
        return {location.name: i for i, location in enumerate(self.locations)}

    def location(self, name: str) -> NetworkLocation:
        """The location called ``name``; raises ``NetworkError`` when there is none."""
        try:
            return self.locations[self.location_index[name]]
        except KeyError:
            raise NetworkError(f"Unknown location {name!r}") from None

    def with_outages(self, branch_ids: Iterable[str]) -> Network:
        """The same network with ``branch_ids`` out of service instead of the current outages."""
        return replace(self, outages=tuple(branch_ids))

    @cached_property
    def in_service(self) -> np.ndarray:
        """Boolean mask over ``branches``: in service for this market."""
        mask = np.ones(len(self.branches), dtype=bool)
        for branch_id in self.outages:
            mask[self.branch_index[branch_id]] = False
        return mask

    # -- topology ------------------------------------------------------------

    def _components(self, extra_outages: Iterable[str] = ()) -> np.ndarray:
        mask = self.in_service.copy()
        for branch_id in extra_outages:
            mask[self.branch_index[branch_id]] = False
        index = self.bus_index
        rows = np.fromiter(
            (index[b.from_bus] for b, on in zip(self.branches, mask, strict=True) if on),
            dtype=np.int64,
        )
        cols = np.fromiter(
            (index[b.to_bus] for b, on in zip(self.branches, mask, strict=True) if on),
            dtype=np.int64,
        )
        n = len(self.buses)
        graph = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
        _, labels = connected_components(graph, directed=False)
        return labels

    @cached_property
    def main_island(self) -> frozenset[str]:
        """Buses of the largest connected part under the planned outages.

        Ties go to the part holding the slack bus, then to the part holding the
        smallest bus ID, so the choice never depends on input order.
        """
        labels = self._components()
        counts = np.bincount(labels)
        best = int(counts.max())
        candidates = sorted(int(c) for c in np.flatnonzero(counts == best))
        chosen = candidates[0]
        if self.slack_bus is not None:
            slack_label = int(labels[self.bus_index[self.slack_bus]])
            if slack_label in candidates:
                chosen = slack_label
        return frozenset(
            bus for bus, label in zip(self.buses, labels, strict=True) if label == chosen
        )

    @cached_property
    def reference_bus(self) -> str:
        """The angle reference of the main island: the slack bus when it is there."""
        if self.slack_bus is not None and self.slack_bus in self.main_island:
            return self.slack_bus
        return min(self.main_island)

    def islanded_buses(self, extra_outages: Iterable[str] = ()) -> frozenset[str]:
        """Buses not connected to the reference bus once ``extra_outages`` trip too.

        Without ``extra_outages`` these are the buses the planned outages cut
        off the main island.
        """
        labels = self._components(extra_outages)
        reference = labels[self.bus_index[self.reference_bus]]
        return frozenset(
            bus for bus, label in zip(self.buses, labels, strict=True) if label != reference
        )

    def contingency_islands(self, contingency: Contingency) -> frozenset[str]:
        """Main-island buses that ``contingency`` disconnects from the reference bus."""
        return self.islanded_buses(contingency.outaged_branches) & self.main_island

    @cached_property
    def bridges(self) -> frozenset[str]:
        """Branches of the main island whose single outage would split it."""
        return _bridges(self)

    def islanded_locations(self, extra_outages: Iterable[str] = ()) -> tuple[str, ...]:
        """Names of locations whose whole weight lies on islanded buses."""
        islanded = self.islanded_buses(extra_outages)
        return tuple(
            location.name
            for location in self.locations
            if all(bus in islanded for bus, _ in location.weights)
        )


def _unique_sorted(items: Iterable, key: str, what: str) -> tuple:
    ordered = tuple(sorted(items, key=lambda item: getattr(item, key)))
    for first, second in itertools.pairwise(ordered):
        if getattr(first, key) == getattr(second, key):
            raise NetworkError(f"Duplicate {what} ID {getattr(first, key)!r}")
    return ordered


def location_biddability(
    network: Network, baseload_locations: Iterable[str] = ()
) -> dict[str, Biddability]:
    """Biddability of every location for a market, after its planned outages.

    An islanded location is not biddable, except that sell offers stay allowed
    where baseloading CRRs (existing CRRs fixed in the SFT) source or sink,
    so that holders can still sell what they hold there (DOMAIN.md §1.5).
    """
    islanded = set(network.islanded_locations())
    with_baseload = set(baseload_locations)
    result: dict[str, Biddability] = {}
    for location in network.locations:
        if location.name not in islanded:
            result[location.name] = Biddability.BIDDABLE
        elif location.name in with_baseload:
            result[location.name] = Biddability.SELL_ONLY
        else:
            result[location.name] = Biddability.NOT_BIDDABLE
    return result


def select_branch_contingencies(network: Network, count: int) -> tuple[Contingency, ...]:
    """Up to ``count`` single-branch contingencies that do not island any bus.

    Public test grids ship without contingency lists, so this picks a
    reproducible set: in-service branches of the main island, highest
    contingency rating first, ties by branch ID; an outage that would cut off
    part of the main island is skipped because its post-contingency flows are
    undefined in a DC model.
    """
    if count <= 0:
        return ()
    island = network.main_island
    candidates = [
        branch
        for branch, on in zip(network.branches, network.in_service, strict=True)
        if on and branch.from_bus in island and branch.contingency_limit is not None
    ]
    candidates.sort(key=lambda b: (-(b.contingency_limit or 0.0), b.branch_id))
    bridges = network.bridges
    chosen = []
    for branch in candidates:
        if branch.branch_id in bridges:
            continue
        chosen.append(Contingency(f"CTG_{branch.branch_id}", (branch.branch_id,)))
        if len(chosen) == count:
            break
    return tuple(chosen)


def _bridges(network: Network) -> frozenset[str]:
    """Branch IDs whose single outage splits the main island (iterative Tarjan)."""
    island = network.main_island
    adjacency: dict[str, list[tuple[str, str]]] = {bus: [] for bus in sorted(island)}
    for branch, on in zip(network.branches, network.in_service, strict=True):
        if on and branch.from_bus in island:
            adjacency[branch.from_bus].append((branch.to_bus, branch.branch_id))
            adjacency[branch.to_bus].append((branch.from_bus, branch.branch_id))
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    bridges: set[str] = set()
    for root in adjacency:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack: list[tuple[str, str | None, int]] = [(root, None, 0)]
        while stack:
            bus, via, position = stack[-1]
            neighbours = adjacency[bus]
            if position < len(neighbours):
                stack[-1] = (bus, via, position + 1)
                other, branch_id = neighbours[position]
                if branch_id == via:
                    continue
                if other in order:
                    low[bus] = min(low[bus], order[other])
                else:
                    order[other] = low[other] = len(order)
                    stack.append((other, branch_id, 0))
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[bus])
                    if low[bus] > order[parent]:
                        bridges.add(str(via))
    return frozenset(bridges)
