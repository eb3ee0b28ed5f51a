"""Shared test helpers: random small networks and orders, and an independent DC solver.

The brute-force checks here rebuild the DC power flow from scratch with
dense numpy for every case (each contingency by actually removing its
branches), so they share no code with the engine's sparse matrices, outage
factors or LP.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from reference_impl.engine.clearing import (
    Bid,
    BidSegment,
    ExistingCRR,
    SellOffer,
    Side,
    SubMarketResult,
    TimeOfUse,
)
from reference_impl.engine.network import (
    Branch,
    Contingency,
    Interface,
    Network,
    NetworkLocation,
    NetworkLocationKind,
)

settings.register_profile(
    "crr-engine",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ENGINE = settings.get_profile("crr-engine")
"""Hypothesis settings for engine property tests: modest, reproducible, no deadline."""

MW_TOL = 1e-5
PRICE_TOL = 1e-5


# -- random networks and orders ---------------------------------------------------


@st.composite
def networks(draw, *, min_buses: int = 3, max_buses: int = 7) -> Network:
    """A connected network with limits, an interface, single and double contingencies."""
    n = draw(st.integers(min_buses, max_buses))
    buses = [f"B{i}" for i in range(n)]
    edges = [(draw(st.integers(0, i - 1)), i) for i in range(1, n)]
    extra = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda e: e[0] != e[1]),
            max_size=n,
        )
    )
    edges += extra
    branches = []
    for k, (a, b) in enumerate(edges):
        limit = draw(st.one_of(st.none(), st.integers(10, 150).map(float)))
        emergency = None if limit is None else draw(st.sampled_from([None, limit * 1.2]))
        branches.append(
            Branch(
                branch_id=f"L{k}",
                from_bus=buses[a],
                to_bus=buses[b],
                reactance=draw(st.integers(1, 50)) / 100.0,
                limit=limit,
                emergency_limit=emergency,
            )
        )
    interfaces = ()
    if len(branches) >= 2 and draw(st.booleans()):
        picked = draw(
            st.lists(st.sampled_from(range(len(branches))), min_size=2, max_size=3, unique=True)
        )
        terms = tuple((f"L{k}", draw(st.sampled_from([1.0, -1.0]))) for k in picked)
        limit = float(draw(st.integers(10, 200)))
        interfaces = (Interface("IF0", terms, limit, draw(st.sampled_from([None, limit / 2]))),)
    contingencies = [Contingency(f"C{b.branch_id}", (b.branch_id,)) for b in branches]
    if len(branches) >= 3:
        pair = draw(
            st.lists(st.sampled_from(range(len(branches))), min_size=2, max_size=2, unique=True)
        )
        contingencies.append(Contingency("CDOUBLE", tuple(f"L{k}" for k in pair)))
    locations = [
        NetworkLocation(f"{bus}-APND", ((bus, 1.0),), NetworkLocationKind.APNODE) for bus in buses
    ]
    members = draw(st.lists(st.sampled_from(buses), min_size=2, max_size=3, unique=True))
    weights = tuple((bus, float(draw(st.integers(1, 5)))) for bus in members)
    locations.append(NetworkLocation("HUB-APND", weights, NetworkLocationKind.TRADING_HUB))
    return Network(
        buses=tuple(buses),
        branches=tuple(branches),
        interfaces=interfaces,
        contingencies=tuple(contingencies),
        locations=tuple(locations),
        slack_bus=buses[0],
        name="random",
    )


@st.composite
def segment_curves(draw, *, rising: bool = False, max_segments: int = 3) -> tuple[BidSegment, ...]:
    """A bid curve with strictly monotone prices (generic, so optima are unique)."""
    k = draw(st.integers(1, max_segments))
    start = draw(st.integers(-20, 60))
    steps = draw(st.lists(st.integers(1, 15), min_size=k, max_size=k))
    prices = []
    price = float(start)
    for step in steps:
        prices.append(price)
        price = price + step if rising else price - step
    mws = draw(st.lists(st.integers(1, 120).map(float), min_size=k, max_size=k))
    return tuple(BidSegment(mw, p) for mw, p in zip(mws, prices, strict=True))


@st.composite
def markets(draw, *, with_offers: bool = True, with_baseload: bool = True):
    """(network, bids, offers, baseload) for the ON sub-market, prices made generic."""
    network = draw(networks())
    names = [location.name for location in network.locations]
    paths = st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True)
    if draw(st.booleans()):
        # A planned outage that keeps the network in one piece.
        spare = [b.branch_id for b in network.branches if connected(network, [b.branch_id])]
        if spare:
            network = network.with_outages([draw(st.sampled_from(spare))])
    n_bids = draw(st.integers(1, 8))
    bids = []
    for i in range(n_bids):
        source, sink = draw(paths)
        curve = draw(segment_curves())
        bids.append(Bid(f"b{i}", f"p{i % 3}", source, sink, TimeOfUse.ON, _generic(curve, i)))
    baseload = []
    if with_baseload:
        for i in range(draw(st.integers(0, 3))):
            source, sink = draw(paths)
            baseload.append(
                ExistingCRR(f"crr{i}", f"h{i}", source, sink, float(draw(st.integers(1, 60))), "ON")
            )
    offers = []
    if with_offers and baseload:
        for i in range(draw(st.integers(0, 2))):
            crr = baseload[i % len(baseload)]
            curve = draw(segment_curves(rising=True, max_segments=2))
            total = sum(s.mw for s in curve)
            scale = min(1.0, crr.mw / total) / 2
            curve = tuple(BidSegment(s.mw * scale, s.price) for s in curve)
            offers.append(
                SellOffer(f"s{i}", crr.holder, crr.crr_id, "ON", _generic(curve, 100 + i))
            )
    return network, bids, offers, baseload


_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79)


def _generic(curve: tuple[BidSegment, ...], salt: int) -> tuple[BidSegment, ...]:
    """Add tiny irrational offsets so no two bids tie (keeps the optimum unique)."""
    offset = 1e-3 * np.sqrt(_PRIMES[salt % len(_PRIMES)]) * (1 + salt // len(_PRIMES))
    return tuple(BidSegment(s.mw, s.price + offset) for s in curve)


# -- independent DC power flow ------------------------------------------------------


def bus_injections(network: Network, flows: Iterable[tuple[str, str, float]]) -> dict[str, float]:
    """Bus injections of MW moved from source to sink locations (no islanding assumed)."""
    out = dict.fromkeys(network.buses, 0.0)
    for source, sink, mw in flows:
        for bus, weight in network.location(source).weights:
            out[bus] += mw * weight
        for bus, weight in network.location(sink).weights:
            out[bus] -= mw * weight
    return out


def dc_flows(network: Network, injections: dict[str, float], outaged: Iterable[str] = ()) -> dict:
    """Branch and interface flows with ``outaged`` branches removed (dense solve)."""
    removed = set(outaged) | set(network.outages)
    buses = list(network.buses)
    position = {bus: i for i, bus in enumerate(buses)}
    reference = position[network.reference_bus]
    matrix = np.zeros((len(buses), len(buses)))
    live = [b for b in network.branches if b.branch_id not in removed]
    for branch in live:
        f, t, y = position[branch.from_bus], position[branch.to_bus], 1.0 / branch.reactance
        matrix[f, f] += y
        matrix[t, t] += y
        matrix[f, t] -= y
        matrix[t, f] -= y
    keep = [i for i in range(len(buses)) if i != reference]
    p = np.array([injections.get(bus, 0.0) for bus in buses])
    theta = np.zeros(len(buses))
    theta[keep] = np.linalg.solve(matrix[np.ix_(keep, keep)], p[keep])
    flows = {b.branch_id: 0.0 for b in network.branches}
    for branch in live:
        flows[branch.branch_id] = (
            theta[position[branch.from_bus]] - theta[position[branch.to_bus]]
        ) / branch.reactance
    for interface in network.interfaces:
        flows[interface.interface_id] = sum(c * flows[b] for b, c in interface.terms)
    return flows


def connected(network: Network, outaged: Iterable[str] = ()) -> bool:
    """Whether all buses stay connected with ``outaged`` branches removed (plain BFS)."""
    removed = set(outaged) | set(network.outages)
    neighbours: dict[str, set[str]] = {bus: set() for bus in network.buses}
    for branch in network.branches:
        if branch.branch_id not in removed:
            neighbours[branch.from_bus].add(branch.to_bus)
            neighbours[branch.to_bus].add(branch.from_bus)
    seen = {network.buses[0]}
    frontier = [network.buses[0]]
    while frontier:
        bus = frontier.pop()
        for other in neighbours[bus] - seen:
            seen.add(other)
            frontier.append(other)
    return len(seen) == len(network.buses)


def element_bounds(network: Network, contingency: bool) -> dict[str, tuple[float, float]]:
    """(lower, upper) of every monitored element, normal or emergency."""
    bounds = {}
    for branch in network.branches:
        if branch.limit is not None:
            limit = branch.contingency_limit if contingency else branch.limit
            bounds[branch.branch_id] = (-limit, limit)
    for interface in network.interfaces:
        bounds[interface.interface_id] = (interface.lower_limit, interface.limit)
    return bounds


def award_flows(result: SubMarketResult) -> list[tuple[str, str, float]]:
    """(source, sink, MW) of the injections awards add: buys add, sells remove."""
    out = []
    for award in result.awards:
        mw = award.awarded_mw
        if award.side is Side.BUY:
            out.append((award.source, award.sink, mw))
        else:
            out.append((award.source, award.sink, -mw))
    return out


def assert_feasible(
    network: Network,
    result: SubMarketResult,
    baseload: Iterable[ExistingCRR],
    modelled: Iterable[str],
) -> None:
    """Every monitored element within its limit (widened to the baseload flow) in every case."""
    base_flows = [(c.source, c.sink, c.mw) for c in baseload]
    total = bus_injections(network, base_flows + award_flows(result))
    only_base = bus_injections(network, base_flows)
    cases = [(None, ())] + [
        (c.contingency_id, c.outaged_branches)
        for c in network.contingencies
        if c.contingency_id in set(modelled)
    ]
    for name, outaged in cases:
        flows = dc_flows(network, total, outaged)
        base = dc_flows(network, only_base, outaged)
        for element, (lower, upper) in element_bounds(network, name is not None).items():
            lower, upper = min(lower, base[element]), max(upper, base[element])
            slack = MW_TOL * max(1.0, abs(upper), abs(lower))
            assert lower - slack <= flows[element] <= upper + slack, (
                f"{element} flow {flows[element]} outside [{lower}, {upper}] in case {name}"
            )


def assert_complementary_slackness(result: SubMarketResult, bids, offers) -> None:
    """Full segments bid at least the path price, empty ones at most, partial ones equal."""
    curves = {(b.bid_id, Side.BUY): b.segments for b in bids}
    curves.update({(o.offer_id, Side.SELL): o.segments for o in offers})
    for award in result.awards:
        price = award.clearing_price
        for segment, mw in zip(curves[(award.order_id, award.side)], award.segment_mw, strict=True):
            # A sell segment is a buy of the reverse path at minus the ask.
            value, path = (
                (segment.price, price) if award.side is Side.BUY else (-segment.price, -price)
            )
            tol = PRICE_TOL * max(1.0, abs(value), abs(path))
            if mw >= segment.mw - MW_TOL:
                assert value >= path - tol, f"{award.order_id}: full at {value} < {path}"
            elif mw <= MW_TOL:
                assert value <= path + tol, f"{award.order_id}: empty at {value} > {path}"
            else:
                assert abs(value - path) <= tol, f"{award.order_id}: partial at {value} != {path}"


def location_ptdf(network: Network, element: str, location: str, outaged: Iterable[str]) -> float:
    """Flow on ``element`` per MW injected at ``location`` and withdrawn at the reference bus."""
    injection = dict.fromkeys(network.buses, 0.0)
    for bus, weight in network.location(location).weights:
        injection[bus] += weight
    injection[network.reference_bus] -= 1.0
    return dc_flows(network, injection, outaged)[element]
