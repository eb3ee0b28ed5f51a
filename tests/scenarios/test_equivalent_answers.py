"""A target that answers what the reference answers, printed differently as the specs allow,
passes the scenarios; one that changes a value beyond the spec's allowance fails them."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.results import Verdict
from harness.selection import Selection
from tests.certify.support import certify_embedded, failures
from tests.scenarios.equivalent_answers import EQUIVALENT, NEAR_MISS

SELECTION = "W1-LM-01 or W1-DL-01 or W1-CEC-01"
"""Scenarios whose steps match and compare every kind of field the rewrites touch: integral MW
(netMigratedMw), date-times in matchers and outcomes (openTime, postedAt, StartDate), an
aggregate (ExistingCRRs[*].MW|sum) and download results (NetMigratedLoadMW)."""

JUDGED_BY = {"SCN-001", "OUT-001", "INV-001", "INV-002"}


@pytest.mark.slow
@pytest.mark.parametrize("rewrite", sorted(EQUIVALENT))
def test_an_answer_the_spec_means_the_same_passes(tmp_path: Path, rewrite: str) -> None:
    report = certify_embedded(
        tmp_path, suites=("scenarios",), wrap=EQUIVALENT[rewrite], selection=Selection(SELECTION)
    )
    judged = [r for r in report.results if r.id in {"SCN-001", "OUT-001"}]
    assert len(judged) > 20  # the selection ran and compared
    assert failures(report) == []
    assert report.verdict is Verdict.PASS


@pytest.mark.slow
@pytest.mark.parametrize("rewrite", sorted(NEAR_MISS))
def test_a_value_changed_beyond_the_allowance_fails(tmp_path: Path, rewrite: str) -> None:
    report = certify_embedded(
        tmp_path, suites=("scenarios",), wrap=NEAR_MISS[rewrite], selection=Selection(SELECTION)
    )
    assert report.verdict is Verdict.FAIL
    failed = failures(report)
    assert {r.id for r in failed} <= JUDGED_BY, [(r.id, r.message) for r in failed]
    assert {"SCN-001", "OUT-001"} <= {r.id for r in failed}
