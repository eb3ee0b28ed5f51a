"""The verdict: PASS for the reference implementation, FAIL with the right check for a defect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.results import Status, Verdict
from tests.certify.support import certify_embedded, failures
from tests.mutants.catalog import BY_NAME


@pytest.mark.slow
def test_reference_implementation_is_conformant(tmp_path: Path) -> None:
    report = certify_embedded(tmp_path)
    assert failures(report) == []
    assert report.verdict is Verdict.PASS
    checked = {r.id for r in report.results if r.status is Status.PASS}
    # every family of checks had something to judge, not only error answers
    for check_id in (
        "RSP-001",
        "RSP-003",
        "ERR-003",
        "ERR-004",
        "DL-001",
        "SEC-001",
        "SEC-003",
        "PRV-001",
    ):
        assert check_id in checked, check_id
    written = json.loads((tmp_path / "reports" / "latest" / "report.json").read_text())
    assert written["summary"]["verdict"] == "PASS"
    assert written["summary"]["passed"] == len(report.results)


@pytest.mark.parametrize(
    "name",
    ["undocumented-status", "wrong-error-code", "retired-error-code", "missing-required-property"],
)
def test_a_defect_fails_the_verdict_with_its_check(tmp_path: Path, name: str) -> None:
    mutant = BY_NAME[name]
    report = certify_embedded(tmp_path, wrap=mutant.wrap, suites=mutant.suites)
    assert report.verdict is Verdict.FAIL
    failed = failures(report)
    assert mutant.caught_by in {r.id for r in failed}, [(r.id, r.message) for r in failed]
    caught = next(r for r in failed if r.id == mutant.caught_by)
    assert caught.evidence and caught.evidence[0].response is not None
    assert caught.clause and caught.rerun and "-k" in caught.rerun
