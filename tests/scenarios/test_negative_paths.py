"""Every negative path of the scenarios fails its scenario when a target wrongly accepts it."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.results import Status
from harness.scenarios.model import load_scenario
from harness.scenarios.runner import scenario_files
from harness.suites.scenarios import DEFAULT_SCENARIOS
from tests.certify.support import certify_embedded
from tests.mutants.catalog import BY_NAME

SCENARIOS = [load_scenario(path) for path in scenario_files(DEFAULT_SCENARIOS)]
NEGATIVE_STEPS = {
    f"{s.id}: {step.index:02d} {step.name}": step.expect.errors
    for s in SCENARIOS
    for step in s.steps
    if step.expect.errors
}

# The negative paths the market simulation must script, by the codes that refuse them.
REQUIRED_NEGATIVE_PATHS = {
    "submission after window close": {"POR0012", "LHFV0001", "LMV1004", "TOR0003"},
    "21 segments": {"POR0003"},
    "501 records": {"SER0030"},
    "credit short by one dollar": {"AUC0001"},
    "offer price mismatch": {"SMT0145"},
    "unknown request ID": {"SMT0016"},
    "wrong asset owner": {"SMT0063", "AUC0002"},
    "unknown market or window name": {"MKT0001", "LMV1003", "TOR0016"},
    "read-only role writing": {"SEC0001"},
    "another participant's name": {"SEC0002"},
}


def test_the_required_negative_paths_are_scripted() -> None:
    scripted = {code for codes in NEGATIVE_STEPS.values() for code in codes}
    missing = [name for name, codes in REQUIRED_NEGATIVE_PATHS.items() if not codes & scripted]
    assert not missing, f"no scenario step scripts: {', '.join(missing)}"


@pytest.mark.slow
def test_each_negative_path_fails_when_the_target_accepts_it(tmp_path: Path) -> None:
    mutant = BY_NAME["accepts-refusals"]
    report = certify_embedded(
        tmp_path, wrap=mutant.wrap, suites=mutant.suites, options={"no_reference": True}
    )
    verdicts = {r.case: r.status for r in report.results if r.id == "SCN-001"}
    not_caught = [case for case in NEGATIVE_STEPS if verdicts.get(case) is not Status.FAIL]
    assert NEGATIVE_STEPS and not not_caught, not_caught
