"""``crr-harness fuzz``: exit codes, reports, and the replay command a report hands out."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.target.embedded import embedded_target
from tests.fuzz.broken import SELECTION
from tests.mutants.catalog import BY_NAME


def _report(reports: Path) -> dict[str, Any]:
    return json.loads((reports / "latest" / "report.json").read_text())


def test_fuzzing_the_reference_exits_0_with_the_fuzzing_suite_alone(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    code = main(
        [
            "fuzz",
            "--reports",
            str(reports),
            "--max-examples",
            "4",
            "--no-stateful",
            "--seed",
            "5",
            "-k",
            "app_status",
        ]
    )
    assert code == 0
    report = _report(reports)
    assert report["seed"] == 5 and report["suites"] == ["fuzzing"]
    assert report["summary"]["verdict"] == "PASS"
    assert {c["suite"] for c in report["checks"]} == {"fuzzing"}
    assert {c["operation"] for c in report["checks"]} == {
        "app_status.getAppStatus",
        "app_status.getServiceStatus",
    }
    rerun = report["checks"][0]["rerun"]
    assert rerun.startswith("crr-harness fuzz ") and "--seed 5" in rerun


@pytest.mark.slow
def test_a_finding_exits_1_and_its_rerun_command_reproduces_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutant = BY_NAME["fuzz-2xx-on-negative-example"]
    reports = tmp_path / "reports"
    with embedded_target(tmp_path / "target", wrap=mutant.wrap) as config:
        assert config.source is not None
        code = main(
            [
                "fuzz",
                "--config",
                str(config.source),
                "--reports",
                str(reports),
                "--max-examples",
                "6",
                "-k",
                SELECTION[mutant.name],
            ]
        )
        assert code == 1
        finding = next(
            c
            for c in _report(reports)["checks"]
            if c["status"] == "FAIL" and c["id"] == mutant.caught_by
        )
        argv = shlex.split(finding["rerun"])
        assert argv[:2] == ["crr-harness", "fuzz"] and "--replay" in argv
        capsys.readouterr()
        assert main(argv[1:]) == 1
    out = capsys.readouterr().out
    assert f"{mutant.caught_by}@secondary_market.getOfferList reproduced" in out
    assert "-> HTTP 200" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--max-examples", "0"], "max_examples"),
        (["--time-budget", "-1"], "time_budget"),
        (["--replay", "FUZ-001@x", "--from-report", "absent.json"], "no such report"),
        (["-k", "no_such_operation_anywhere"], "no operation matched"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["fuzz", "--reports", str(tmp_path / "reports"), *argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert message in err[-1] and "Traceback" not in "\n".join(err)


def test_replaying_an_unknown_finding_lists_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = {
        "checks": [
            {
                "id": "FUZ-001",
                "operation": "auction.getStatus",
                "status": "FAIL",
                "evidence": [{"participant": "x", "request": {}}],
            }
        ]
    }
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    code = main(["fuzz", "--replay", "FUZ-002@auction.getStatus", "--from-report", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "FUZ-001@auction.getStatus" in err


def test_replaying_a_finding_without_a_request_record_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = {
        "checks": [
            {
                "id": "FUZ-001",
                "operation": "auction.getStatus",
                "status": "FAIL",
                "evidence": [{"participant": "alpha_lse-rw", "request": {}}],
            }
        ]
    }
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    code = main(
        [
            "fuzz",
            "--reports",
            str(tmp_path / "reports"),
            "--replay",
            "FUZ-001@auction.getStatus",
            "--from-report",
            str(path),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "holds no request record" in err and "Traceback" not in err
