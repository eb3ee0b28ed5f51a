"""Against a target without sim control, operator steps wait for the market status API."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import yaml

from crr_contract.operations import load_specs
from harness.certify.run import certify
from harness.client import TargetClient
from harness.results import Status
from harness.target.embedded import embedded_target


def test_operator_steps_wait_for_a_live_market(tmp_path: Path) -> None:
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    (scenarios / "live.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "T-LIVE-01",
                "title": "a live market",
                "actors": {
                    "alpha": {
                        "participant": "ALPHA_LSE",
                        "role": "EXTERNAL CRR HOLDER READ/WRITE ACCESS",
                    }
                },
                "dataset": str(
                    Path(__file__).resolve().parents[2]
                    / "scenarios/datasets/market-sim-2025-10.yaml"
                ),
                "steps": [
                    {"operator": "open", "window": "AUC_MN_2025_M10", "timeout": 5},
                    {
                        "name": "the auction is open",
                        "as": "alpha",
                        "call": "market_info.getMarket",
                        "params": {"marketName": "AUC_MN_2025_M10"},
                        "expect": {"fields": {"status": "OPEN"}},
                    },
                    {"operator": "close", "window": "AUC_MN_2025_M10", "timeout": 0.5},
                ],
            }
        )
    )
    with embedded_target(tmp_path / "target") as config:
        with TargetClient(config) as operator_client:
            ops = {op.name: op for s in load_specs(config.spec_files()) for op in s.operations()}
            opened = operator_client.call(
                "operator", ops["simcontrol.openWindow"], body={"windowName": "AUC_MN_2025_M10"}
            )
            assert opened.status == 200
        live = dataclasses.replace(
            config,
            services={k: v for k, v in config.services.items() if k != "simcontrol"},
            operator=None,
            features=frozenset({"market-sim-dataset"}),
        )
        report = certify(
            live,
            suites=["scenarios"],
            reports_root=tmp_path / "reports",
            out=io.StringIO(),
            options={"scenarios_dir": scenarios},
        )
    by_case = {(r.case, r.id): r for r in report.results}
    opened_step = by_case[("T-LIVE-01: 01 open", "SCN-002")]
    assert opened_step.status is Status.PASS and "is OPEN" in opened_step.message
    assert by_case[("T-LIVE-01: 02 the auction is open", "SCN-001")].status is Status.PASS
    closed_step = by_case[("T-LIVE-01: 03 close", "SCN-002")]
    assert closed_step.status is Status.ERROR
    assert "never reached CLOSED within 0.5 s (last status OPEN)" in closed_step.message
