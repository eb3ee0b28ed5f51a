"""``pytest <dir>`` collects scenario files as items, with allure steps per scenario step."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

DATASET = Path(__file__).resolve().parents[2] / "scenarios" / "datasets" / "market-sim-2025-10.yaml"


def _scenario(expected_status: int) -> dict:
    return {
        "id": "T-PLUGIN-01",
        "title": "market info as a reader",
        "dataset": str(DATASET),
        "actors": {
            "reader": {"participant": "BRAVO_TRADING", "role": "EXTERNAL CRR HOLDER READ ACCESS"}
        },
        "steps": [
            {"operator": "open", "window": "AUC_MN_2025_M10"},
            {
                "name": "the auction is open",
                "as": "reader",
                "call": "market_info.getMarket",
                "requirement": "T-REQ-1",
                "params": {"marketName": "AUC_MN_2025_M10"},
                "expect": {"status": expected_status, "fields": {"status": "OPEN"}},
            },
        ],
    }


def _run(tmp_path: Path, expected_status: int) -> subprocess.CompletedProcess[str]:
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    (scenarios / "t.yaml").write_text(yaml.safe_dump(_scenario(expected_status)))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(scenarios),
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            "--alluredir",
            str(tmp_path / "allure"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


@pytest.mark.slow
def test_a_scenario_file_is_a_pytest_item_with_allure_steps(tmp_path: Path) -> None:
    run = _run(tmp_path, 200)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    results = [json.loads(p.read_text()) for p in (tmp_path / "allure").glob("*-result.json")]
    assert [r["name"] for r in results] == ["T-PLUGIN-01"]
    steps = [s["name"] for s in results[0]["steps"]]
    assert steps == ["1. open", "2. the auction is open"]


@pytest.mark.slow
def test_a_failing_step_fails_the_item_and_names_the_check(tmp_path: Path) -> None:
    run = _run(tmp_path, 404)
    assert run.returncode == 1
    assert "SCN-001" in run.stdout and "status 200, expected 404" in run.stdout
