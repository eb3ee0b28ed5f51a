"""Allocation clearing: caps, max-min fair curtailment, tiers in sequence."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import linprog

from reference_impl.engine.clearing import (
    AllocationTier,
    EligibleQuantity,
    ExistingCRR,
    InvalidOrderError,
    Nomination,
    build_dc_model,
    capped_quantities,
    clear_allocation,
    clear_allocation_tier,
)
from reference_impl.engine.clearing.results import (
    ClearingStats,
    OrderAward,
    Side,
    SubMarketResult,
)
from reference_impl.engine.network import Branch, Network, NetworkLocation
from tests.engine.clearing.engine_checks import (
    ENGINE,
    MW_TOL,
    assert_feasible,
    dc_flows,
    element_bounds,
    networks,
)


def triangle() -> Network:
    """Equal reactances; only A-B limited to 100 MW. A->B loads it 2/3, C->B 1/3."""
    node = lambda bus: NetworkLocation(f"{bus}-APND", ((bus, 1.0),))  # noqa: E731
    return Network(
        buses=("A", "B", "C"),
        branches=(
            Branch("AB", "A", "B", 0.1, 100.0),
            Branch("BC", "B", "C", 0.1),
            Branch("AC", "A", "C", 0.1),
        ),
        locations=(node("A"), node("B"), node("C")),
    )


def nom(nomination_id, source, sink, mw, participant="LSE1", tou="ON"):
    return Nomination(nomination_id, participant, f"{source}-APND", f"{sink}-APND", tou, mw)


def test_uncongested_nominations_are_awarded_in_full():
    tier = AllocationTier("T1", (nom("n1", "A", "B", 30), nom("n2", "C", "B", 60)))
    result = clear_allocation_tier(triangle(), tier, "ON")
    assert [a.awarded_mw for a in result.awards] == pytest.approx([30.0, 60.0])
    assert result.binding_constraints == ()


def test_congested_nominations_get_the_same_fraction_by_hand():
    # 2/3 * 200 t + 1/3 * 300 t = 100  =>  t = 3/7 for both.
    tier = AllocationTier("T1", (nom("n1", "A", "B", 200), nom("n2", "C", "B", 300, "LSE2")))
    result = clear_allocation_tier(triangle(), tier, "ON")
    assert [a.fraction for a in result.awards] == pytest.approx([3 / 7, 3 / 7])
    assert [a.awarded_mw for a in result.awards] == pytest.approx([600 / 7, 900 / 7])


def test_nominations_off_the_bottleneck_keep_rising():
    # D hangs off C by an unlimited line: C->D never touches A-B, B->A relieves it.
    base = triangle()
    network = Network(
        buses=(*base.buses, "D"),
        branches=(*base.branches, Branch("CD", "C", "D", 0.1)),
        locations=(*base.locations, NetworkLocation("D-APND", (("D", 1.0),))),
    )
    tier = AllocationTier(
        "T1", (nom("n1", "A", "B", 300), nom("relief", "B", "A", 30), nom("free", "C", "D", 500))
    )
    result = clear_allocation_tier(network, tier, "ON")
    awards = {a.nomination_id: a for a in result.awards}
    # 2/3 * 300 t - 2/3 * 30 <= 100  =>  t = 0.6 for n1; the others are not held back by it.
    assert awards["n1"].fraction == pytest.approx(0.6)
    assert awards["relief"].fraction == pytest.approx(1.0)
    assert awards["free"].fraction == pytest.approx(1.0)
    assert result.fairness_rounds == 2


def test_caps_scale_a_participants_nominations_pro_rata():
    noms = [
        nom("a", "A", "B", 60, "LSE1"),
        nom("b", "C", "B", 40, "LSE1"),
        nom("c", "A", "C", 50, "LSE2"),
        nom("d", "A", "C", 50, "LSE3"),
    ]
    caps = [
        EligibleQuantity("LSE1", "ON", 50.0),
        EligibleQuantity("LSE2", "ON", 80.0),
        EligibleQuantity("LSE2", "ON", 20.0, sink="C-APND"),
    ]
    eligible, reasons = capped_quantities(noms, caps)
    assert eligible == pytest.approx([30.0, 20.0, 20.0, 0.0])
    assert reasons == [None, None, None, "NOT_ELIGIBLE"]
    with pytest.raises(InvalidOrderError, match="Duplicate"):
        capped_quantities(noms, [*caps, EligibleQuantity("LSE1", "ON", 1.0)])


def test_tiers_run_in_sequence_with_earlier_awards_fixed():
    tiers = [
        AllocationTier("T1", (nom("t1", "A", "B", 120),)),
        AllocationTier("T2", (nom("t2", "A", "B", 50), nom("t2-counter", "B", "A", 30))),
    ]
    result = clear_allocation(triangle(), tiers)
    t1 = result.tier("T1", "ON")
    t2 = result.tier("T2", "ON")
    assert t1.awards[0].awarded_mw == pytest.approx(120.0)
    awards = {a.nomination_id: a.awarded_mw for a in t2.awards}
    # T1 puts 80 MW on A-B; T2's 50 MW would add 33.3 alone, too much without
    # its 30 MW counterflow, which removes 20: together they fit (93.3 MW).
    assert awards["t2-counter"] == pytest.approx(30.0)
    assert awards["t2"] == pytest.approx(50.0)
    crrs = result.allocated_crrs()
    assert [c.crr_id for c in crrs] == ["T1/t1", "T2/t2", "T2/t2-counter"]
    assert all(c.crr_type in ("T1", "T2") for c in crrs)


def test_earlier_tier_award_blocks_a_later_one():
    tiers = [
        AllocationTier("T1", (nom("t1", "A", "B", 300),)),
        AllocationTier("T2", (nom("t2", "A", "B", 50),)),
    ]
    result = clear_allocation(triangle(), tiers)
    assert result.tier("T1", "ON").awards[0].awarded_mw == pytest.approx(150.0)
    assert result.tier("T2", "ON").awards[0].awarded_mw == pytest.approx(0.0)


def test_islanded_nomination_gets_nothing(sample_network):
    tier = AllocationTier(
        "T1",
        (
            Nomination("pocket", "LSE", "GEN_N09-APND", "LOAD_N11-APND", "ON", 10.0),
            Nomination("ok", "LSE", "GEN_N09-APND", "DLAP_SCE-APND", "ON", 10.0),
        ),
    )
    result = clear_allocation_tier(sample_network.with_outages(["L15"]), tier, "ON")
    awards = {a.nomination_id: a for a in result.awards}
    assert awards["pocket"].reason == "ISLANDED_LOCATION"
    assert awards["pocket"].awarded_mw == 0.0
    assert awards["ok"].awarded_mw == pytest.approx(10.0)


@st.composite
def allocation_cases(draw):
    network = draw(networks(max_buses=6))
    names = [location.name for location in network.locations]
    paths = st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True)
    nominations = []
    for i in range(draw(st.integers(1, 7))):
        source, sink = draw(paths)
        mw = float(draw(st.integers(1, 200)))
        nominations.append(Nomination(f"n{i}", f"L{i % 3}", source, sink, "ON", mw))
    baseload = []
    for i in range(draw(st.integers(0, 2))):
        source, sink = draw(paths)
        baseload.append(
            ExistingCRR(f"etc{i}", "ETC", source, sink, float(draw(st.integers(1, 50))), "ON")
        )
    return network, nominations, baseload


def _as_result(awards) -> SubMarketResult:
    """Wrap nomination awards so the auction feasibility checker can read them."""
    return SubMarketResult(
        time_of_use="ON",
        awards=tuple(
            OrderAward(
                a.nomination_id, Side.BUY, a.participant, a.source, a.sink, (a.awarded_mw,), 0.0
            )
            for a in awards
        ),
        rejected=(),
        location_prices={},
        path_prices={},
        binding_constraints=(),
        welfare=0.0,
        revenue=0.0,
        stats=ClearingStats(0, 0, 0, 0, 0, 0, 0, ()),
    )


def _independent_sft(network, modelled, nominations, baseload):
    """Dense SFT rows (A x within [lower, upper]) for every case, by brute force."""
    cases = [(False, ())] + [
        (True, c.outaged_branches) for c in network.contingencies if c.contingency_id in modelled
    ]
    rows, lower, upper = [], [], []
    for contingency, outaged in cases:
        bounds = element_bounds(network, contingency)
        base = dc_flows(
            network, _injections(network, [(c.source, c.sink, c.mw) for c in baseload]), outaged
        )
        columns = [
            dc_flows(network, _injections(network, [(n.source, n.sink, 1.0)]), outaged)
            for n in nominations
        ]
        for element, (lo, hi) in bounds.items():
            lo, hi = min(lo, base[element]), max(hi, base[element])
            rows.append([column[element] for column in columns])
            lower.append(lo - base[element])
            upper.append(hi - base[element])
    return np.array(rows).reshape(len(rows), len(nominations)), np.array(lower), np.array(upper)


def _injections(network, moves):
    out = dict.fromkeys(network.buses, 0.0)
    for source, sink, mw in moves:
        for bus, w in network.location(source).weights:
            out[bus] += mw * w
        for bus, w in network.location(sink).weights:
            out[bus] -= mw * w
    return out


@ENGINE
@given(allocation_cases())
def test_allocation_is_feasible_and_max_min_fair(case):
    """No nomination could get more without taking from one with an equal or smaller fraction."""
    network, nominations, baseload = case
    dc = build_dc_model(network)
    result = clear_allocation_tier(
        dc, AllocationTier("T1", tuple(nominations)), "ON", baseload=baseload
    )
    assert_feasible(network, _as_result(result.awards), baseload, dc.outages.ids)
    awards = {a.nomination_id: a for a in result.awards}
    ordered = [awards[n.nomination_id] for n in nominations]
    x = np.array([a.awarded_mw for a in ordered])
    e = np.array([a.eligible_mw for a in ordered])
    assert np.all(x <= e + MW_TOL)
    f = x / e
    a_matrix, lower, upper = _independent_sft(network, set(dc.outages.ids), nominations, baseload)
    a_ub = np.vstack([a_matrix, -a_matrix]) if len(a_matrix) else np.zeros((0, len(x)))
    b_ub = np.concatenate([upper, -lower]) + 1e-7 if len(a_matrix) else np.zeros(0)
    for i in range(len(x)):
        if f[i] >= 1 - 1e-7:
            continue
        bounds = [
            (x[j] - 1e-7, e[j]) if f[j] <= f[i] + 1e-7 and j != i else (0.0, e[j])
            for j in range(len(x))
        ]
        bounds[i] = (0.0, e[i])
        cost = np.zeros(len(x))
        cost[i] = -1.0
        best = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
        assert best.status == 0
        assert -best.fun <= x[i] + 1e-4 * max(1.0, e[i]), (
            f"{ordered[i].nomination_id} could rise from {x[i]} to {-best.fun}"
        )
