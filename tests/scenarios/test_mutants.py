"""Each broken variant the scenarios exist for fails them, on the check named for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.results import Status, Verdict
from harness.selection import Selection
from tests.certify.support import certify_embedded, failures
from tests.mutants.catalog import SCENARIO_MUTANTS

SELECTION = {
    "wrong-clearing-price": "W2-AUC-01",
    "window-not-enforced": "W2-AUC-01",
    "transfer-creates-mw": "W1-SM-01",
    "wrong-awarded-mw": "W2-AUC-01",
    "meq-cap-too-low": "W1-CAPS-01",
}
"""The scenarios each mutant is certified with (-k), to keep the run short."""

MUTANTS = [m for m in SCENARIO_MUTANTS if m.name != "accepts-refusals"]


def test_every_scenario_mutant_has_a_selection() -> None:
    assert {m.name for m in MUTANTS} == set(SELECTION)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_the_scenarios_catch_it(tmp_path: Path, mutant) -> None:
    report = certify_embedded(
        tmp_path,
        wrap=mutant.wrap,
        suites=mutant.suites,
        selection=Selection(SELECTION[mutant.name]),
    )
    assert report.verdict is Verdict.FAIL
    failed = failures(report)
    assert mutant.caught_by in {r.id for r in failed}, [(r.id, r.message) for r in failed]
    caught = next(r for r in failed if r.id == mutant.caught_by)
    if caught.id == "OUT-001":
        assert len(caught.evidence) == 2  # the target's answer and the reference's
    assert caught.message and caught.rerun


def test_an_outcome_failure_says_what_differs(tmp_path: Path) -> None:
    mutant = next(m for m in MUTANTS if m.name == "wrong-clearing-price")
    report = certify_embedded(
        tmp_path, wrap=mutant.wrap, suites=mutant.suites, selection=Selection("W2-AUC-01")
    )
    failed = [r for r in report.results if r.id == "OUT-001" and r.status is Status.FAIL]
    message = failed[0].message
    assert "['ClearingPrice']: reference " in message and ", target " in message
