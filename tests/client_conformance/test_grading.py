"""The client checks on hand-made recordings: each rule fails on what breaks it and only then."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.client_conformance import GradingPolicy, grade, load_recordings
from harness.errors import InputError
from harness.results import Status


def line(t: float, status: int | None = 200, **changes: object) -> dict:
    base: dict = {
        "t": t,
        "participant": "ALPHA_LSE",
        "method": "POST",
        "path": "/auction/v1.0/portfolioCreation",
        "query": [],
        "operation": "auction.portfolioCreation",
        "body": "{}",
        "body_sha256": "a" * 64,
        "status": status,
        "codes": [],
        "violations": [],
        "fault": None,
        "dropped": False,
    }
    base.update(changes)
    return base


def write(directory: Path, lines: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(item) + "\n" for item in lines)
    (directory / "ALPHA_LSE.jsonl").write_text(text, encoding="utf-8")
    return directory


def failed(directory: Path, policy: GradingPolicy | None = None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for result in grade(load_recordings(directory), policy or GradingPolicy()):
        if result.status is Status.FAIL:
            found.setdefault(result.id, []).append(result.message)
    return found


def test_one_clean_creation_fails_nothing(tmp_path: Path) -> None:
    assert failed(write(tmp_path, [line(1.0)])) == {}


def test_growing_gaps_after_500s_are_back_off(tmp_path: Path) -> None:
    lines = [line(0.0, 500), line(0.1, 500), line(0.3, 500), line(0.7, 200)]
    assert failed(write(tmp_path, lines)) == {}


def test_shrinking_gaps_after_500s_are_no_back_off(tmp_path: Path) -> None:
    lines = [line(0.0, 500), line(0.2, 500), line(0.25, 200)]
    assert list(failed(write(tmp_path, lines))) == ["CLI-006"]


def test_dropped_connections_count_as_server_errors(tmp_path: Path) -> None:
    lines = [line(0.0, 200, dropped=True), line(0.2, 200, dropped=True), line(0.21, 200)]
    assert list(failed(write(tmp_path, lines))) == ["CLI-006"]


def test_more_retries_than_the_policy_allows_is_a_storm(tmp_path: Path) -> None:
    lines = [line(float(2**n), 500) for n in range(4)] + [line(100.0, 200)]  # 4 retries
    directory = write(tmp_path, lines)
    assert failed(directory, GradingPolicy(max_retries=4)) == {}
    assert failed(directory, GradingPolicy(max_retries=3)) == {
        "CLI-006": ["4 retries after a server error (at most 3)"]
    }


def test_a_different_request_after_a_500_is_no_retry(tmp_path: Path) -> None:
    b = {"body_sha256": "b" * 64}
    lines = [line(0.0, 500), line(0.1, 500, **b), line(0.3, 500, **b), line(0.31, 200, **b)]
    lines.append(line(0.5, 200))
    assert failed(write(tmp_path, lines)) == {
        "CLI-006": ["no back-off: the gaps between retries do not grow (200 ms, 10 ms)"]
    }
    lines[2]["body_sha256"] = "c" * 64  # no longer the same request: b was retried once
    assert failed(write(tmp_path, lines)) == {}


def test_the_same_portfolio_created_twice_is_a_duplicate(tmp_path: Path) -> None:
    lines = [line(0.0), line(60.0)]
    assert failed(write(tmp_path, lines)) == {"CLI-007": ["the same portfolio was created 2 times"]}


def test_the_same_request_after_a_4xx_is_a_retry(tmp_path: Path) -> None:
    lines = [line(0.0, 400, codes=["POR0003"]), line(5.0, 400, codes=["POR0003"])]
    assert sorted(failed(write(tmp_path, lines))) == ["CLI-004", "CLI-005"]


def test_refusals_by_the_fault_schedule_are_not_held_against_the_client(tmp_path: Path) -> None:
    lines = [line(0.0, 403, codes=["SEC0001"], fault="403"), line(1.0, 200, body_sha256="b" * 64)]
    assert failed(write(tmp_path, lines)) == {}
    lines[0]["fault"] = None
    assert list(failed(write(tmp_path, lines))) == ["CLI-003"]


def test_spec_violations_group_by_operation_rule_and_field(tmp_path: Path) -> None:
    broken = {"rule": "maxItems", "where": "bids[0].segments", "message": "too long"}
    other = {"rule": "maxItems", "where": "bids[3].segments", "message": "too long"}
    lines = [line(0.0, 400, violations=[broken]), line(1.0, 400, violations=[other])]
    results = [r for r in grade(load_recordings(write(tmp_path, lines))) if r.id == "CLI-001"]
    assert [(r.case, r.status) for r in results] == [
        ("ALPHA_LSE: auction.portfolioCreation: maxItems at bids[].segments", Status.FAIL)
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such directory"),
        ("", "no recorded exchanges"),
        ("not json\n", "ALPHA_LSE.jsonl:1: not a JSON line"),
        ('{"t": 1}\n', "not a recorded exchange"),
    ],
)
def test_unusable_recordings_are_input_errors(
    tmp_path: Path, content: str | None, message: str
) -> None:
    directory = tmp_path / "recorded"
    if content is not None:
        directory.mkdir()
        if content:
            (directory / "ALPHA_LSE.jsonl").write_text(content)
    with pytest.raises(InputError, match=message):
        load_recordings(directory)


def test_client_report_on_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["client-report", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("crr-harness client-report: ")
    write(tmp_path / "rec", [line(0.0)])
    assert main(["client-report", str(tmp_path / "rec"), "--participant", "NOBODY"]) == 2


def test_client_report_exit_codes_follow_the_verdict(tmp_path: Path) -> None:
    reports = ["--reports", str(tmp_path / "reports")]
    assert main(["client-report", str(write(tmp_path / "ok", [line(0.0)])), *reports]) == 0
    bad = write(tmp_path / "bad", [line(0.0, 403, codes=["SEC0002"])])
    assert main(["client-report", str(bad), *reports]) == 1
    report = json.loads((tmp_path / "reports" / "latest" / "report.json").read_text())
    assert report["summary"]["verdict"] == "FAIL"
    assert report["suites"] == ["client-report"]
