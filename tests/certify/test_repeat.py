"""``certify --repeat N``: a failure that passes on a rerun is flaky, and still a failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.results import Status
from tests.certify.support import certify_embedded, failures
from tests.mutants.catalog import BY_NAME
from tests.mutants.rewrite import Answer, replace_code, rewrite_answers

PORTFOLIOS = "/nomination/v1.0/portfolioList"


def _broken_once() -> object:
    """The retired-error-code defect, on the first refusal only: a target that is flaky."""
    broken = replace_code("SEC0001", "ATH0002")
    calls = {"n": 0}

    def rewrite(answer: Answer) -> None:
        if answer.status >= 400 and b"SEC0001" in answer.body:
            calls["n"] += 1
            if calls["n"] == 1:
                broken(answer)

    return rewrite_answers(PORTFOLIOS, rewrite)


def test_a_failure_that_passes_on_a_rerun_is_flaky_and_the_verdict_stays_fail(
    tmp_path: Path,
) -> None:
    report = certify_embedded(tmp_path, wrap=_broken_once(), repeat=2)
    failing = failures(report)
    assert failing and str(report.verdict) == "FAIL"
    assert all(r.flaky and r.reruns == ("PASS", "PASS") for r in failing)
    assert all(r.status is Status.FAIL for r in failing)  # never PASS
    data = json.loads((tmp_path / "reports/latest/report.json").read_text())
    assert data["summary"]["flaky"] == len(failing) and data["summary"]["passed"] > 0
    flagged = [c for c in data["checks"] if c.get("flaky")]
    assert len(flagged) == len(failing) and all(c["status"] == "FAIL" for c in flagged)
    # the reruns are recorded on the check, not as results of their own
    assert len(data["checks"]) == len(report.results)
    page = (tmp_path / "reports/latest/report.html").read_text()
    assert page.count('<span class="badge flaky">FLAKY</span>') >= len(failing)
    junit = (tmp_path / "reports/latest/junit.xml").read_text()
    assert junit.count('message="flaky (passed 2 of 2 reruns)') == len(failing)


def test_a_failure_that_reproduces_is_not_flaky(tmp_path: Path) -> None:
    report = certify_embedded(tmp_path, wrap=BY_NAME["retired-error-code"].wrap, repeat=1)
    failing = failures(report)
    assert failing and not any(r.flaky for r in failing)
    assert all(r.reruns == ("FAIL",) for r in failing)


def test_a_negative_repeat_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["certify", "--reports", str(tmp_path), "--repeat", "-1"]) == 2
    assert "--repeat -1" in capsys.readouterr().err
