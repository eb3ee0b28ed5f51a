"""The network model: canonical order, validation, islanding, biddability, DC factors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference_impl.engine.clearing import build_dc_model
from reference_impl.engine.network import (
    Biddability,
    Branch,
    Contingency,
    Interface,
    Network,
    NetworkError,
    NetworkLocation,
    location_biddability,
    select_branch_contingencies,
)
from tests.engine.clearing.engine_checks import ENGINE, connected, dc_flows, networks


def test_construction_order_does_not_matter(sample_network):
    shuffled = Network(
        buses=tuple(reversed(sample_network.buses)),
        branches=tuple(reversed(sample_network.branches)),
        interfaces=tuple(reversed(sample_network.interfaces)),
        contingencies=tuple(reversed(sample_network.contingencies)),
        locations=tuple(reversed(sample_network.locations)),
        slack_bus=sample_network.slack_bus,
        name=sample_network.name,
    )
    assert shuffled == sample_network
    assert [b.branch_id for b in shuffled.branches] == sorted(
        b.branch_id for b in shuffled.branches
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda n: {"branches": (*n.branches, Branch("LX", "N01", "NOPE", 0.1))}, "unknown bus"),
        (lambda n: {"branches": (*n.branches, n.branches[0])}, "Duplicate branch"),
        (lambda n: {"outages": ("NOPE",)}, "unknown branch"),
        (lambda n: {"contingencies": (Contingency("C", ("NOPE",)),)}, "unknown branch"),
        (lambda n: {"interfaces": (Interface("I", (("NOPE", 1.0),), 10.0),)}, "unknown branch"),
        (
            lambda n: {"interfaces": (Interface("L01", (("L02", 1.0),), 10.0),)},
            "differ from branch",
        ),
        (lambda n: {"locations": (NetworkLocation("X", (("NOPE", 1.0),)),)}, "unknown bus"),
        (lambda n: {"slack_bus": "NOPE"}, "Slack bus"),
    ],
)
def test_bad_references_are_rejected(sample_network, change, message):
    with pytest.raises(NetworkError, match=message):
        dataclasses.replace(sample_network, **change(sample_network))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Branch("L", "A", "B", 0.0), "non-zero reactance"),
        (lambda: Branch("L", "A", "A", 0.1), "to itself"),
        (lambda: Branch("L", "A", "B", 0.1, limit=-1.0), "non-negative"),
        (lambda: Branch("L", "A", "B", float("nan")), "finite"),
        (lambda: NetworkLocation("X", (("A", 0.0),)), "no positive weight"),
        (lambda: NetworkLocation("X", (("A", -1.0), ("B", 2.0))), "negative weight"),
        (lambda: Contingency("C", ()), "no branch"),
    ],
)
def test_bad_values_are_rejected(build, message):
    with pytest.raises(NetworkError, match=message):
        build()


def test_location_weights_are_normalised():
    location = NetworkLocation("H", (("B", 3.0), ("A", 1.0), ("B", 1.0)))
    assert location.weights == (("A", 0.2), ("B", 0.8))


def test_radial_outage_islands_the_pocket_and_its_locations(sample_network):
    outaged = sample_network.with_outages(["L15"])
    assert outaged.islanded_buses() == frozenset({"N11"})
    assert outaged.main_island == frozenset(sample_network.buses) - {"N11"}
    # DLAP_SDGE keeps N10, so only the pure N11 node is islanded.
    assert outaged.islanded_locations() == ("LOAD_N11-APND",)
    biddability = location_biddability(outaged, baseload_locations=())
    assert biddability["LOAD_N11-APND"] is Biddability.NOT_BIDDABLE
    assert biddability["DLAP_SDGE-APND"] is Biddability.BIDDABLE
    with_baseload = location_biddability(outaged, baseload_locations=["LOAD_N11-APND"])
    assert with_baseload["LOAD_N11-APND"] is Biddability.SELL_ONLY


def test_contingency_islands_only_what_it_cuts_off(sample_network):
    by_id = {c.contingency_id: c for c in sample_network.contingencies}
    assert sample_network.contingency_islands(by_id["CTG_L15"]) == frozenset({"N11"})
    assert sample_network.contingency_islands(by_id["CTG_L05"]) == frozenset()


def test_partially_islanded_aggregate_is_renormalised(sample_network):
    dc = build_dc_model(sample_network.with_outages(["L15"]))
    column = dc.location_weights[:, dc.location_position("DLAP_SDGE-APND")].toarray().ravel()
    assert column.sum() == pytest.approx(1.0)
    assert column[dc.buses.index("N10")] == pytest.approx(1.0)
    assert "LOAD_N11-APND" in dc.islanded_locations
    assert "N11" not in dc.buses


@ENGINE
@given(networks())
def test_bridges_are_exactly_the_branches_whose_outage_disconnects(network):
    expected = {b.branch_id for b in network.branches if not connected(network, [b.branch_id])}
    assert network.bridges == expected


@ENGINE
@given(networks(), st.integers(1, 6))
def test_selected_contingencies_never_island(network, count):
    chosen = select_branch_contingencies(network, count)
    assert len(chosen) <= count
    for contingency in chosen:
        assert connected(network, contingency.outaged_branches)
    ratings = [
        network.branches[network.branch_index[c.outaged_branches[0]]].contingency_limit
        for c in chosen
    ]
    assert ratings == sorted(ratings, reverse=True)
    assert select_branch_contingencies(network, count) == chosen


@ENGINE
@given(networks(), st.data())
def test_outage_factors_match_a_rebuilt_network(network, data):
    """Post-contingency flows from the outage factors equal a fresh solve without the branches."""
    dc = build_dc_model(network)
    injection = {
        bus: data.draw(st.floats(-100, 100, allow_nan=False), label=bus) for bus in network.buses
    }
    injection[network.reference_bus] -= sum(injection.values())
    theta = dc.angles(np.array([injection[bus] for bus in dc.buses]))
    branch_flows = dc.branch_flows(theta)
    base = dict(zip(dc.elements.ids, dc.elements.matrix @ branch_flows, strict=True))
    reference = dc_flows(network, injection)
    for element, flow in base.items():
        assert flow == pytest.approx(reference[element], abs=1e-7)
    post = dc.outages.post_flows(dc.elements.matrix @ branch_flows, branch_flows)
    by_id = {c.contingency_id: c for c in network.contingencies}
    for column, contingency_id in enumerate(dc.outages.ids):
        expected = dc_flows(network, injection, by_id[contingency_id].outaged_branches)
        for row, element in enumerate(dc.elements.ids):
            assert post[row, column] == pytest.approx(expected[element], abs=1e-6)


@ENGINE
@given(networks())
def test_shift_factors_match_a_dense_inverse(network):
    dc = build_dc_model(network)
    ptdf = dc.ptdf(dc.elements.matrix)
    for column, bus in enumerate(dc.buses):
        injection = dict.fromkeys(network.buses, 0.0)
        injection[bus] += 1.0
        injection[network.reference_bus] -= 1.0
        flows = dc_flows(network, injection)
        for row, element in enumerate(dc.elements.ids):
            assert ptdf[row, column] == pytest.approx(flows[element], abs=1e-8)
