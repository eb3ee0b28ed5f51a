"""CRR allocation clearing: tiers in sequence, each awarding nominations as far as the SFT allows.

Steps for each tier and each time-of-use block:

1. **Caps.** A participant's nominations covered by an eligible quantity
   (SEQ/MEQ, upper bound, tier cap) are scaled down pro rata when together
   they exceed it: every nomination under cap q keeps the share
   min(1, q / Σ nominated under q), the smallest share over the caps that
   cover it. A tier with caps gives nothing to a nomination no cap covers.
2. **Feasibility with max-min fair curtailment.** Let e_n be the capped
   quantity and x_n the award. The tier maximises the smallest award
   fraction x_n / e_n over all nominations, subject to the SFT with all
   earlier rights fixed. The nominations that cannot go above that level
   without lowering another (those whose fairness row has a positive dual:
   tightening it would lower the optimum) are frozen there; the others keep
   rising in the next round. The result is the lexicographic max-min fair
   allocation of fractions (progressive filling): no nomination can get more
   without taking from one that already has an equal or smaller fraction, and
   when the network is not congested every nomination is fully awarded.
   Counterflow nominations are awarded too and relieve others.
3. **Sequence.** The tier's awards become existing CRRs (``crr_type`` = tier
   name) fixed in the SFT of every later tier.

Nominations at islanded locations get nothing (``ISLANDED_LOCATION``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from reference_impl.engine.clearing.auction import SUB_MARKETS, binding_constraints, snap_to_bounds
from reference_impl.engine.clearing.dcflow import DcModel, build_dc_model
from reference_impl.engine.clearing.highs import SolverError
from reference_impl.engine.clearing.options import ClearingOptions
from reference_impl.engine.clearing.orderbook import baseload_injection
from reference_impl.engine.clearing.records import (
    AllocationTier,
    EligibleQuantity,
    ExistingCRR,
    InvalidOrderError,
    Nomination,
    TimeOfUse,
)
from reference_impl.engine.clearing.results import BindingConstraint
from reference_impl.engine.clearing.sft import Products, SftLp
from reference_impl.engine.network import Network

__all__ = [
    "AllocationResult",
    "NominationAward",
    "TierResult",
    "capped_quantities",
    "clear_allocation",
    "clear_allocation_tier",
]

_FULL = 1.0 - 1e-9


@dataclass(frozen=True, slots=True)
class NominationAward:
    """A nomination's capped (eligible) MW and awarded MW; ``reason`` says why it got nothing."""

    nomination_id: str
    participant: str
    source: str
    sink: str
    time_of_use: TimeOfUse
    nominated_mw: float
    eligible_mw: float
    awarded_mw: float
    reason: str | None = None

    @property
    def fraction(self) -> float:
        """Awarded share of the eligible MW (1.0 when nothing was eligible)."""
        return 1.0 if self.eligible_mw <= 0 else self.awarded_mw / self.eligible_mw


@dataclass(frozen=True)
class TierResult:
    """One tier's awards in one time-of-use block."""

    tier: str
    time_of_use: TimeOfUse
    awards: tuple[NominationAward, ...]
    binding_constraints: tuple[BindingConstraint, ...]
    fairness_rounds: int

    @property
    def awarded_mw(self) -> float:
        """Total MW awarded in the tier and block."""
        return math.fsum(award.awarded_mw for award in self.awards)


@dataclass(frozen=True)
class AllocationResult:
    """Every tier's results, in sequence order, ON before OFF within a tier."""

    tiers: tuple[TierResult, ...]

    def tier(self, name: str, time_of_use: TimeOfUse | str) -> TierResult:
        """The result of tier ``name`` in one time-of-use block."""
        wanted = TimeOfUse(time_of_use)
        for result in self.tiers:
            if result.tier == name and result.time_of_use is wanted:
                return result
        raise KeyError((name, wanted))

    def allocated_crrs(self) -> tuple[ExistingCRR, ...]:
        """The awards as existing CRRs, ready to baseload a later market."""
        return tuple(crr for result in self.tiers for crr in _as_crrs(result))


def _as_crrs(result: TierResult) -> list[ExistingCRR]:
    return [
        ExistingCRR(
            crr_id=f"{result.tier}/{award.nomination_id}",
            holder=award.participant,
            source=award.source,
            sink=award.sink,
            mw=award.awarded_mw,
            time_of_use=award.time_of_use,
            crr_type=result.tier,
        )
        for award in result.awards
        if award.awarded_mw > 0
    ]


def capped_quantities(
    nominations: Sequence[Nomination], caps: Sequence[EligibleQuantity] | None
) -> tuple[list[float], list[str | None]]:
    """Eligible MW per nomination after pro-rata scaling to the caps (step 1 of the module doc)."""
    if caps is None:
        return [n.mw for n in nominations], [None] * len(nominations)
    keyed: dict[tuple[str, TimeOfUse, str | None], float] = {}
    for cap in caps:
        key = (cap.participant, cap.time_of_use, cap.sink)
        if key in keyed:
            raise InvalidOrderError(f"Duplicate eligible quantity for {key}")
        keyed[key] = cap.mw
    covered: dict[tuple[str, TimeOfUse, str | None], float] = dict.fromkeys(keyed, 0.0)
    matching = []
    for nomination in nominations:
        keys = [
            key
            for key in (
                (nomination.participant, nomination.time_of_use, nomination.sink),
                (nomination.participant, nomination.time_of_use, None),
            )
            if key in keyed
        ]
        matching.append(keys)
        for key in keys:
            covered[key] += nomination.mw
    share = {key: 1.0 if covered[key] <= keyed[key] else keyed[key] / covered[key] for key in keyed}
    eligible, reasons = [], []
    for nomination, keys in zip(nominations, matching, strict=True):
        if not keys:
            eligible.append(0.0)
            reasons.append("NOT_ELIGIBLE")
        else:
            eligible.append(nomination.mw * min(share[key] for key in keys))
            reasons.append(None)
    return eligible, reasons


def clear_allocation(
    network: Network | DcModel,
    tiers: Sequence[AllocationTier],
    *,
    baseload: Iterable[ExistingCRR] = (),
    options: ClearingOptions | None = None,
) -> AllocationResult:
    """Clear allocation tiers in order (e.g. ETC, T1, LT, T2, T3), each on top of the earlier ones."""
    dc = network if isinstance(network, DcModel) else build_dc_model(network)
    fixed = list(baseload)
    results: list[TierResult] = []
    for tier in tiers:
        tier_results = [
            clear_allocation_tier(dc, tier, tou, baseload=fixed, options=options)
            for tou in SUB_MARKETS
        ]
        for result in tier_results:
            fixed.extend(_as_crrs(result))
        results.extend(tier_results)
    return AllocationResult(tuple(results))


def clear_allocation_tier(
    network: Network | DcModel,
    tier: AllocationTier,
    time_of_use: TimeOfUse | str,
    *,
    baseload: Iterable[ExistingCRR] = (),
    options: ClearingOptions | None = None,
) -> TierResult:
    """Award one tier's nominations of one TOU block by max-min fair curtailment."""
    options = options or ClearingOptions()
    dc = network if isinstance(network, DcModel) else build_dc_model(network)
    tou = TimeOfUse(time_of_use)
    nominations = sorted(
        (n for n in tier.nominations if n.time_of_use is tou), key=lambda n: n.nomination_id
    )
    for first, second in itertools.pairwise(nominations):
        if first.nomination_id == second.nomination_id:
            raise InvalidOrderError(f"Duplicate nomination {first.nomination_id!r}")
    caps = None if tier.caps is None else [c for c in tier.caps if c.time_of_use is tou]
    eligible, reasons = capped_quantities(nominations, caps)
    index = dc.network.location_index
    for i, nomination in enumerate(nominations):
        if nomination.source not in index or nomination.sink not in index:
            eligible[i], reasons[i] = 0.0, "UNKNOWN_LOCATION"
        elif nomination.source in dc.islanded_locations or nomination.sink in dc.islanded_locations:
            eligible[i], reasons[i] = 0.0, "ISLANDED_LOCATION"
    active = [i for i, e in enumerate(eligible) if e > 0]
    awarded = [0.0] * len(nominations)
    binding: tuple[BindingConstraint, ...] = ()
    rounds = 0
    if active:
        awarded_active, binding, rounds = _max_min_fair(
            dc,
            [nominations[i] for i in active],
            np.array([eligible[i] for i in active]),
            baseload_injection(dc, tou, list(baseload)),
            options,
        )
        for i, value in zip(active, awarded_active, strict=True):
            awarded[i] = value
    awards = tuple(
        NominationAward(
            nomination_id=n.nomination_id,
            participant=n.participant,
            source=n.source,
            sink=n.sink,
            time_of_use=tou,
            nominated_mw=n.mw,
            eligible_mw=eligible[i],
            awarded_mw=awarded[i],
            reason=reasons[i],
        )
        for i, n in enumerate(nominations)
    )
    return TierResult(tier.name, tou, awards, binding, rounds)


def _max_min_fair(
    dc: DcModel,
    nominations: list[Nomination],
    eligible: np.ndarray,
    baseload: np.ndarray,
    options: ClearingOptions,
) -> tuple[list[float], tuple[BindingConstraint, ...], int]:
    """Progressive filling: raise a common award fraction t, freezing blocked nominations."""
    n = len(nominations)
    index = dc.network.location_index
    source = np.array([index[x.source] for x in nominations] + [-1], dtype=np.int64)
    sink = np.array([index[x.sink] for x in nominations] + [-1], dtype=np.int64)
    cost = np.zeros(n + 1)
    cost[n] = -1.0
    fairness = sp.csr_matrix(
        (
            np.concatenate([np.ones(n), -eligible]),
            (
                np.concatenate([np.arange(n), np.arange(n)]),
                np.concatenate([np.arange(n), np.full(n, n)]),
            ),
        ),
        shape=(n, n + 1),
    )
    products = Products(
        source=source,
        sink=sink,
        cost=cost,
        lower=np.zeros(n + 1),
        upper=np.concatenate([eligible, [1.0]]),
        extra_rows=fairness,
        extra_lower=np.zeros(n),
        extra_upper=np.full(n, np.inf),
    )
    lp = SftLp(dc, products, options=options, baseload_injection=baseload)
    frozen = np.zeros(n, dtype=bool)
    values = np.zeros(n)
    rounds = 0
    solution = None
    while not frozen.all():
        rounds += 1
        solution = lp.solve()
        level = solution.values[n]
        current = np.clip(solution.values[:n], 0.0, eligible)
        if level >= _FULL:
            blocked = ~frozen
            current = np.where(blocked, eligible, current)
        else:
            weight = np.abs(solution.extra_row_duals) * eligible
            blocked = ~frozen & (weight > 1e-9)
            if not blocked.any():
                candidates = np.where(frozen, -np.inf, weight)
                blocked = np.zeros(n, dtype=bool)
                blocked[int(np.argmax(candidates))] = True
            if rounds > n + 1:
                raise SolverError("Max-min fair allocation did not converge")
        newly = np.flatnonzero(blocked)
        values[newly] = current[newly]
        frozen[newly] = True
        lp.set_product_bounds(newly, values[newly], values[newly])
        lp.set_extra_row_bounds(newly, np.full(len(newly), -np.inf), np.full(len(newly), np.inf))
    values = snap_to_bounds(values, eligible)
    return values.tolist(), binding_constraints(dc, solution), rounds
