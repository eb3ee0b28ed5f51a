"""The fault schedule: refused when malformed (one line, exit 2), applied as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.client_conformance import FaultRule, load_faults


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("faults: []", "non-empty list 'faults'"),
        ("faults: [{answer: 418}]", "answer must be one of"),
        ("faults: [{answer: '500', times: 0}]", "times must be a positive integer"),
        ("faults: [{answer: delay}]", "a delay needs seconds > 0"),
        ("faults: [{answer: '500', when: later}]", "unknown field"),
        ("faults: [", "not YAML"),
    ],
)
def test_a_malformed_schedule_is_one_line_and_exit_2(
    tmp_path: Path, text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text(text)
    assert main(["serve", "--port", "0", "--faults", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


def test_a_schedule_loads_in_file_order(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text(
        "faults:\n"
        "  - {participant: ALPHA_LSE, operation: auction.portfolioCreation, answer: '500', "
        "times: 2}\n"
        "  - {answer: delay, seconds: 0.5}\n"
    )
    rules = load_faults(path)
    assert [(r.answer, r.times, r.participant, r.seconds) for r in rules] == [
        ("500", 2, "ALPHA_LSE", 0.0),
        ("delay", 1, None, 0.5),
    ]


def test_a_rule_matches_its_participant_and_operation_until_spent() -> None:
    rule = FaultRule("404", times=1, participant="ALPHA_LSE", operation="getPortfolio")
    assert not rule.matches("BRAVO_TRADING", "auction.getPortfolio")
    assert not rule.matches("ALPHA_LSE", "auction.getPortfolioList")
    assert rule.matches("ALPHA_LSE", "auction.getPortfolio")
    rule.remaining -= 1
    assert not rule.matches("ALPHA_LSE", "auction.getPortfolio")


def test_a_record_path_that_is_a_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("not a directory")
    assert main(["serve", "--port", "0", "--record", str(taken)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "exists and is not a directory" in err[0], err
