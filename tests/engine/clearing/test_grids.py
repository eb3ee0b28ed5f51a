"""Loaders: the YAML sample network, MATPOWER cases, the credit margin table."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from reference_impl.engine.clearing import build_dc_model
from reference_impl.engine.network import NetworkLocationKind
from reference_impl.grids import (
    SAMPLE_NETWORK_PATH,
    GridFileError,
    load_credit_margins,
    load_matpower_case,
    load_network_yaml,
    network_from_mapping,
    network_from_matpower,
    parse_matpower,
)


def test_sample_network_has_what_the_tests_and_market_sim_rely_on(sample_network):
    assert sample_network.name == "SAMPLE_11BUS"
    assert len(sample_network.buses) == 11
    assert {i.interface_id for i in sample_network.interfaces} == {"PATH15", "PATH26"}
    kinds = {loc.name: loc.kind for loc in sample_network.locations}
    assert kinds["TH_NP15_GEN-APND"] is NetworkLocationKind.TRADING_HUB
    assert kinds["DLAP_SCE-APND"] is NetworkLocationKind.DLAP
    assert sample_network.main_island == frozenset(sample_network.buses)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(surprise=1), "unknown keys"),
        (lambda d: d["branches"][0].pop("x"), "lacks"),
        (lambda d: d["branches"][0].update(rating=5), "unknown keys"),
        (lambda d: d["branches"][0].update(to="NOPE"), "unknown bus"),
        (lambda d: d["locations"][0].update(weights={}), "non-empty mapping"),
        (lambda d: d.update(branches="L01"), "must be a list"),
    ],
)
def test_bad_network_yaml_is_reported_with_its_source(edit, message):
    data = yaml.safe_load(SAMPLE_NETWORK_PATH.read_text())
    edit(data)
    with pytest.raises(GridFileError, match=message) as error:
        network_from_mapping(data, "bad.yaml")
    assert str(error.value).startswith("bad.yaml")


def test_missing_file_is_a_grid_file_error(tmp_path):
    with pytest.raises(GridFileError):
        load_network_yaml(tmp_path / "none.yaml")


def test_matpower_parser_reads_comments_infinities_and_row_separators():
    text = """
    function mpc = tiny
    mpc.baseMVA = 100;
    mpc.bus = [
        1 3 0 0 0 0 1 1 0 230 1 1.1 0.9; % slack
        2 1 50 0 0 0 1 1 0 230 2 1.1 0.9; 3 1 25 0 0 0 2 1 0 230 2 1.1 0.9;
    ];
    mpc.gen = [ 1 0 0 0 0 1 100 1 Inf 0; ];
    mpc.branch = [
        1 2 0 0.1 0 100 0 0 0 0 1 -360 360;
        2 3 0 0.2 0 0 0 0 0.5 0 1 -360 360;
        1 3 0 0.1 0 50 60 0 0 0 0 -360 360;
    ];
    """
    case = parse_matpower(text, "tiny")
    assert case.bus.shape == (3, 13)
    assert np.isinf(case.gen[0, 8])
    network = network_from_matpower(case)
    assert [b.branch_id for b in network.branches] == ["1-2-1", "2-3-1"]  # 1-3 is out of service
    by_id = {b.branch_id: b for b in network.branches}
    assert by_id["2-3-1"].reactance == pytest.approx(0.1)  # x * tap
    assert by_id["2-3-1"].limit is None
    assert network.slack_bus == "1"
    names = {loc.name for loc in network.locations}
    assert {"N1-APND", "DLAP_Z2-APND"} <= names
    assert "TH_A1_GEN-APND" not in names  # its only generator has an infinite Pmax
    assert "DLAP_Z1-APND" not in names  # zone 1 has no load


@pytest.mark.parametrize(
    ("case", "buses", "branches"),
    [("case14", 14, 20), ("case118", 118, 186), ("case300", 300, 411), ("case2383wp", 2383, 2896)],
)
def test_public_matpower_cases_load_and_factor(case, buses, branches):
    network = load_matpower_case(case, contingencies=10, unrated_limit=500.0)
    assert (len(network.buses), len(network.branches)) == (buses, branches)
    assert len(network.contingencies) == 10
    dc = build_dc_model(network)
    assert dc.outages.skipped == ()
    assert len(dc.elements) == branches


def test_unknown_matpower_case_is_reported():
    with pytest.raises(GridFileError, match="No MATPOWER case"):
        load_matpower_case("case_does_not_exist")


def test_credit_margin_table_ships_as_data():
    table = load_credit_margins()
    assert table.margin("TH_NP15_GEN-APND", "DLAP_SCE-APND") == 6.0
    assert table.margin("DLAP_SCE-APND", "TH_SP15_GEN-APND") == 1.5
    assert table.margin("GEN_N01-APND", "GEN_N02-APND") == table.default == 2.5


def test_bad_credit_margin_file_is_reported(tmp_path):
    path = tmp_path / "margins.yaml"
    path.write_text("default: 1\npaths:\n  - {source: A, margin: 2}\n")
    with pytest.raises(GridFileError, match="bad credit margin entry"):
        load_credit_margins(path)
    path.write_text("paths: []\n")
    with pytest.raises(GridFileError, match="default"):
        load_credit_margins(path)
