"""Properties of auction clearing on random small networks and orders."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import assume, given

from reference_impl.engine.clearing import ClearingOptions, build_dc_model, clear_sub_market
from reference_impl.engine.clearing.dense import clear_sub_market_dense
from tests.engine.clearing.engine_checks import (
    ENGINE,
    MW_TOL,
    assert_complementary_slackness,
    assert_feasible,
    award_flows,
    bus_injections,
    connected,
    dc_flows,
    element_bounds,
    location_ptdf,
    markets,
)

WORKING_SET = ClearingOptions(
    working_set_threshold=0,
    working_set_minimum=1,
    working_set_fraction=0.2,
    warm_start_limit=2,
    large_model_method="simplex",
)


@ENGINE
@given(markets())
def test_awards_are_feasible_in_the_base_case_and_every_modelled_contingency(market):
    network, bids, offers, baseload = market
    dc = build_dc_model(network)
    result = clear_sub_market(dc, "ON", bids, offers, baseload)
    assert_feasible(network, result, baseload, dc.outages.ids)
    # A contingency is left out exactly when it islands part of the network.
    skipped = dict(dc.outages.skipped)
    for contingency in network.contingencies:
        islands = not connected(network, contingency.outaged_branches)
        assert islands == (skipped.get(contingency.contingency_id) == "ISLANDING")


@ENGINE
@given(markets())
def test_segments_clear_by_complementary_slackness_against_their_path_price(market):
    network, bids, offers, baseload = market
    result = clear_sub_market(network, "ON", bids, offers, baseload)
    assert_complementary_slackness(result, bids, offers)


@ENGINE
@given(markets(with_offers=False))
def test_revenue_is_never_negative_when_only_buy_bids_clear(market):
    network, bids, _, baseload = market
    result = clear_sub_market(network, "ON", bids, (), baseload)
    assert result.revenue >= -1e-6 * max(1.0, abs(result.welfare))
    assert result.revenue == pytest.approx(
        sum(a.awarded_mw * a.clearing_price for a in result.awards), abs=1e-6
    )


@ENGINE
@given(markets())
def test_location_prices_are_the_shadow_prices_times_shift_factors(market):
    """pi_L = -sum over binding k of mu_k * s_k * PTDF_k(L), with PTDFs recomputed by brute force."""
    network, bids, offers, baseload = market
    result = clear_sub_market(network, "ON", bids, offers, baseload)
    outaged = {c.contingency_id: c.outaged_branches for c in network.contingencies}
    for location in network.locations:
        expected = -sum(
            b.shadow_price
            * b.direction
            * location_ptdf(network, b.element_id, location.name, outaged.get(b.contingency_id, ()))
            for b in result.binding_constraints
        )
        assert result.location_prices[location.name] == pytest.approx(expected, abs=1e-6)
    for binding in result.binding_constraints:
        assert binding.shadow_price > 0
        assert binding.flow == pytest.approx(binding.limit, abs=1e-5 * max(1, abs(binding.limit)))


@ENGINE
@given(markets())
def test_removing_a_non_binding_line_limit_changes_nothing(market):
    network, bids, offers, baseload = market
    dc = build_dc_model(network)
    result = clear_sub_market(dc, "ON", bids, offers, baseload)
    total = bus_injections(
        network, [(c.source, c.sink, c.mw) for c in baseload] + award_flows(result)
    )
    cases = [()] + [
        c.outaged_branches for c in network.contingencies if c.contingency_id in dc.outages.ids
    ]
    flows = [dc_flows(network, total, outaged) for outaged in cases]
    binding = {b.element_id for b in result.binding_constraints}
    slack = [
        branch
        for branch in network.branches
        if branch.limit is not None
        and branch.branch_id not in binding
        and all(
            abs(case[branch.branch_id]) < min(branch.limit, branch.contingency_limit) - 1.0
            for case in flows
        )
    ]
    assume(slack)
    loose = slack[0]
    relaxed_network = dataclasses.replace(
        network,
        branches=tuple(
            dataclasses.replace(b, limit=None, emergency_limit=None) if b == loose else b
            for b in network.branches
        ),
    )
    relaxed = clear_sub_market(relaxed_network, "ON", bids, offers, baseload)
    assert relaxed.welfare == pytest.approx(result.welfare, rel=1e-7, abs=1e-6)
    for before, after in zip(result.awards, relaxed.awards, strict=True):
        assert after.order_id == before.order_id
        assert after.segment_mw == pytest.approx(before.segment_mw, abs=1e-6)
    assert {b.element_id for b in relaxed.binding_constraints} == binding


@ENGINE
@given(markets())
def test_working_set_solve_reaches_the_full_optimum(market):
    network, bids, offers, baseload = market
    dc = build_dc_model(network)
    full = clear_sub_market(dc, "ON", bids, offers, baseload)
    restricted = clear_sub_market(dc, "ON", bids, offers, baseload, options=WORKING_SET)
    assert restricted.welfare == pytest.approx(full.welfare, rel=1e-7, abs=1e-6)
    assert_feasible(network, restricted, baseload, dc.outages.ids)
    assert_complementary_slackness(restricted, bids, offers)


@ENGINE
@given(markets())
def test_dense_ptdf_formulation_gives_the_same_auction(market):
    network, bids, offers, baseload = market
    dc = build_dc_model(network)
    sparse = clear_sub_market(dc, "ON", bids, offers, baseload)
    dense = clear_sub_market_dense(dc, "ON", bids, offers, baseload)
    assert dense.welfare == pytest.approx(sparse.welfare, rel=1e-7, abs=1e-6)
    for a, b in zip(sparse.awards, dense.awards, strict=True):
        assert a.segment_mw == pytest.approx(b.segment_mw, abs=1e-5)
    assert_complementary_slackness(dense, bids, offers)


@ENGINE
@given(markets())
def test_order_of_inputs_does_not_change_a_single_bit(market):
    network, bids, offers, baseload = market
    forward = clear_sub_market(network, "ON", bids, offers, baseload)
    shuffled_network = dataclasses.replace(
        network,
        buses=tuple(reversed(network.buses)),
        branches=tuple(reversed(network.branches)),
        locations=tuple(reversed(network.locations)),
        contingencies=tuple(reversed(network.contingencies)),
    )
    backward = clear_sub_market(
        shuffled_network,
        "ON",
        list(reversed(bids)),
        list(reversed(offers)),
        list(reversed(baseload)),
    )
    assert backward == forward


def test_element_bounds_cover_every_monitored_element(sample_network):
    """The brute-force checker itself must see every limit the engine enforces."""
    dc = build_dc_model(sample_network)
    assert set(element_bounds(sample_network, False)) == set(dc.elements.ids)
    assert MW_TOL < 1e-3
