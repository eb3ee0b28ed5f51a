"""``certify --min-coverage``: a run that tested too little is not conformant, and says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.reports.writer import load_report

SELECTION = ["-k", "getAppStatus"]
"""A few cases: every check passes, yet only a sliver of the (operation, code) pairs is hit."""


def _run(tmp_path: Path, *argv: str) -> tuple[int, dict]:
    reports = tmp_path / "reports"
    code = main(["certify", "--reports", str(reports), *SELECTION, *argv])
    return code, load_report(reports / "latest" / "report.json")


def test_below_the_minimum_exits_1_and_names_what_was_missed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = _run(tmp_path, "--min-coverage", "0.5")
    err = capsys.readouterr().err
    assert code == 1
    assert report["summary"]["verdict"] == "FAIL"
    assert report["summary"]["below_min_coverage"] is True
    assert all(check["status"] == "PASS" for check in report["checks"])
    paragraph = next(line for line in err.splitlines() if "--min-coverage" in line)
    assert "is below --min-coverage 0.5; not provoked: " in paragraph
    assert "secondary_market.getCrrHoldings SER0001" in paragraph
    assert "app_status.getAppStatus SEC0001" not in paragraph  # the role refusal provoked it


def test_at_or_above_the_minimum_the_verdict_stands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = _run(tmp_path, "--min-coverage", "0")
    assert code == 0
    assert report["summary"]["verdict"] == "PASS"
    assert report["summary"]["below_min_coverage"] is False
    assert "not provoked" not in capsys.readouterr().err


@pytest.mark.parametrize("ratio", ["1.5", "-0.1", "half", "nan"])
def test_a_ratio_outside_0_to_1_is_one_line_and_exit_2(
    tmp_path: Path, ratio: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["certify", "--reports", str(tmp_path / "reports"), "--min-coverage", ratio])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == [f"crr-harness certify: --min-coverage {ratio}: a ratio from 0 to 1 (e.g. 0.5)"]
    assert not (tmp_path / "reports").exists()


def test_check_coverage_counts_only_what_certify_produces(tmp_path: Path) -> None:
    """connect's CNX checks and client-report's CLI checks are never certify's to run, so
    they neither count as untested nor dilute the ratio."""
    _code, report = _run(tmp_path)
    listed = {row["id"] for row in report["coverage"]["checks"]}
    assert "RSP-001" in listed and "SCN-001" in listed
    assert not {i for i in listed if i.startswith(("CNX-", "CLI-"))}
    assert report["coverage"]["totals"]["checks"]["total"] == len(listed)
