"""The scenario runner's parts: paths and matchers, outcome comparison, invariants, waits, files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.checks.registry import CheckFailed
from harness.errors import InputError
from harness.scenarios.invariants import awards_feasible, mw_conserved
from harness.scenarios.model import load_scenario
from harness.scenarios.operator import apply_operator_step
from harness.scenarios.outcomes import compare_outcomes
from harness.scenarios.values import PathError, interpolate, match, resolve

DATASET = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "scenarios/datasets/market-sim-2025-10.yaml").read_text()
)["dataset"]

HOLDINGS = [
    {"crrId": "10000001", "owner": "BRAVO_TRADING", "mw": 35.0},
    {"crrId": "20000001", "owner": "BRAVO_TRADING", "mw": 5.0},
]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("[0].mw", 35.0),
        ("[crrId=20000001].mw", 5.0),
        ("[*].mw", [35.0, 5.0]),
        ("[*].mw|sum", 40.0),
        ("$|len", 2),
        ("[-1].owner", "BRAVO_TRADING"),
    ],
)
def test_paths_walk_answers(path: str, value: object) -> None:
    assert resolve(HOLDINGS, path) == value


@pytest.mark.parametrize("path", ["[2].mw", "[crrId=3].mw", "[0].price", "x", "[0].mw|avg"])
def test_a_path_that_leads_nowhere_says_so(path: str) -> None:
    with pytest.raises(PathError):
        resolve(HOLDINGS, path)


def test_saved_values_keep_their_type_when_whole() -> None:
    saved = {"id": "SM-1", "mw": 5.0}
    assert interpolate({"requestId": "${id}", "mw": "${mw}", "note": "offer ${id}"}, saved) == {
        "requestId": "SM-1",
        "mw": 5.0,
        "note": "offer SM-1",
    }
    with pytest.raises(PathError, match="not saved"):
        interpolate("${nothing}", saved)


@pytest.mark.parametrize(
    ("actual", "expected", "ok"),
    [
        (5.0, 5, True),
        (5.1, 5, False),
        (5.004, {"approx": 5, "tol": 0.01}, True),
        (5.02, {"approx": 5, "tol": 0.01}, False),
        (3, {"gte": 3}, True),
        (2, {"gte": 3}, False),
        ([1, 2], {"len": 2}, True),
        (["A", "B"], {"contains": "C"}, False),
        ("OPEN", {"in": ["OPEN", "CLOSED"]}, True),
        ("DRAFT", "SUBMITTED", False),
    ],
)
def test_matchers(actual: object, expected: object, ok: bool) -> None:
    assert (match(actual, expected) is None) is ok


def test_outcomes_differ_beyond_tolerance_only() -> None:
    reference = {"AwardedMW": 50.0, "ClearingPrice": 3.0, "requestId": "A", "rows": [1, 2]}
    close = {"AwardedMW": 50.0004, "ClearingPrice": 3.004, "requestId": "B", "rows": [1, 2]}
    assert compare_outcomes(close, reference) == []
    far = {"AwardedMW": 51.0, "ClearingPrice": 3.0, "requestId": "B", "rows": [1, 2, 3]}
    differences = compare_outcomes(far, reference)
    assert any("AwardedMW" in d and "51.0" in d for d in differences)
    assert any("rows" in d for d in differences)
    assert compare_outcomes({"x": [2, 1]}, {"x": [1, 2]}, ignore_order=True) == []


def test_mw_conserved() -> None:
    saved = {"seller_before": 40.0, "buyer_before": 0.0, "seller_after": 35.0, "buyer_after": 5.0}
    args = {"before": ["seller_before", "buyer_before"], "after": ["seller_after", "buyer_after"]}
    assert "40 MW" in mw_conserved(args, saved, {})
    saved["buyer_after"] = 6.0
    with pytest.raises(CheckFailed, match=r"\+1 MW created"):
        mw_conserved(args, saved, {})


def _award(mw: float, tou: str = "ON") -> dict:
    return {
        "Source": "TH_NP15_GEN-APND",
        "Sink": "TH_SP15_GEN-APND",
        "TimeOfUse": tou,
        "AwardedMW": mw,
    }


def test_awards_feasible_uses_the_data_set_network() -> None:
    october = ["2025-10-01T07:00:00Z", "2025-11-01T07:00:00Z"]
    # N-S carries 2/3 of an N->S transfer; 60 MW limit, 40 MW held by the existing CRR
    ok = {"awards": [_award(50.0)]}
    assert "within" in awards_feasible(
        {"awards": ["a"], "existing_crrs_in": october}, ok | {"a": [_award(50.0)]}, DATASET
    )
    with pytest.raises(CheckFailed, match="branch N-S"):
        awards_feasible(
            {"awards": ["a"], "existing_crrs_in": october}, {"a": [_award(51.0)]}, DATASET
        )
    # without the existing CRR the same 51 MW fit
    awards_feasible({"awards": ["a"]}, {"a": [_award(51.0)]}, DATASET)


def test_without_sim_control_an_operator_step_waits_for_the_market() -> None:
    step = load_step({"operator": "close", "window": "AUC_MN_2025_M10"})
    statuses = iter(["OPEN", "OPEN", "CLOSED"])
    now = [0.0]
    outcome = apply_operator_step(
        step,
        call_simcontrol=None,
        read_status=lambda name: (next(statuses), None),
        timeout=60,
        poll_every=5,
        sleep=lambda s: now.__setitem__(0, now[0] + s),
        clock=lambda: now[0],
    )
    assert outcome.ok and outcome.waited and now[0] == 10


def test_a_market_that_never_moves_is_reported_not_assumed() -> None:
    step = load_step({"operator": "publish", "market": "AUC_MN_2025_M10"})
    now = [0.0]
    outcome = apply_operator_step(
        step,
        call_simcontrol=None,
        read_status=lambda name: ("CLOSED", None),
        timeout=30,
        poll_every=10,
        sleep=lambda s: now.__setitem__(0, now[0] + s),
        clock=lambda: now[0],
    )
    assert not outcome.ok
    assert "never reached PUBLISHED within 30 s" in outcome.message


def load_step(raw: dict, tmp: Path | None = None):
    import tempfile

    directory = Path(tmp or tempfile.mkdtemp())
    path = directory / "s.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "id": "T-1",
                "title": "t",
                "dataset": None,
                "actors": {"a": {"participant": "ALPHA_LSE", "role": "R"}},
                "steps": [raw],
            }
        )
    )
    return load_scenario(path).steps[0]


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"call": "auction.getPortfolio", "as": "nobody"}, "is not an actor"),
        ({"call": "getPortfolio", "as": "a"}, "service.operationId"),
        ({"operator": "open"}, "needs window"),
        ({"operator": "teleport"}, "operator 'teleport'"),
        ({"operator": "clock"}, "needs now or advance"),
        (
            {"call": "auction.getPortfolio", "as": "a", "expect": {"stat": 200}},
            "unknown key 'stat'",
        ),
        ({"call": "a.b", "operator": "open", "window": "X", "as": "a"}, "exactly one of"),
    ],
)
def test_a_bad_scenario_file_names_the_step(tmp_path: Path, step: dict, message: str) -> None:
    with pytest.raises(InputError, match="step 1") as raised:
        load_step(step, tmp_path)
    assert message in str(raised.value)
