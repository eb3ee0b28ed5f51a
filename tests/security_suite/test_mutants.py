"""Each broken variant the security suite exists for fails it, on the check named for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.results import Verdict
from tests.mutants.catalog import MUTANTS
from tests.security_suite.support import failures, mutant_target, run_suites

SELECTION = {
    "role-unchecked-on-deletion": "deletePortfolio",
    "sim-state-open-to-participants": "getSimState",
    "other-participant-name-accepted": "nomination.getPortfolioList",
    "portfolio-list-leak": "auction.getPortfolioList",
    "revoked-certificate-accepted": "mTLS",
    "tls-1.1-accepted": "TLS:",
    "21-segments-accepted": "segments",
    "oversized-body-500": "byte",
    "deep-nesting-wedges-server": "nested",
    "ser0002-for-missing-field": "getPortfolioStatus and SER0001",
    "400-for-unknown-resource": "provoke and SER0028 and auction",
    "ser0002-for-malformed-json": "nomination.portfolioCreation and GEN0003",
    "por0005-for-por0006": "auction.portfolioCreation and POR0006",
}
"""The cases each mutant is certified with (-k), to keep the run short."""

SECURITY_MUTANTS = [m for m in MUTANTS if m.suites == ("security",)]


def test_every_security_mutant_has_a_selection() -> None:
    assert len(SECURITY_MUTANTS) >= 6
    assert {m.name for m in SECURITY_MUTANTS} == set(SELECTION)


@pytest.mark.parametrize("mutant", SECURITY_MUTANTS, ids=lambda m: m.name)
def test_the_security_suite_catches_it(tmp_path: Path, mutant) -> None:
    with mutant_target(tmp_path, mutant) as config:
        report = run_suites(config, tmp_path, mutant.suites, SELECTION[mutant.name])
    assert report.verdict is Verdict.FAIL
    failed = failures(report)
    assert mutant.caught_by in {r.id for r in failed}, [(r.id, r.message) for r in failed]
    caught = next(r for r in failed if r.id == mutant.caught_by)
    assert caught.message and caught.rerun and "-k" in caught.rerun
