"""Against the reference implementation the fuzzing suite finds nothing, and gets deep doing so."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from crr_contract.operations import default_spec_files, load_specs
from harness.fuzz.options import FuzzOptions
from harness.results import RunReport, Status
from tests.fuzz.support import failures, fuzz_embedded


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunReport, str]:
    out = io.StringIO()
    report = fuzz_embedded(
        tmp_path_factory.mktemp("reference"),
        options=FuzzOptions(max_examples=4, stateful_examples=4),
        seed=2,
        out=out,
    )
    return report, out.getvalue()


@pytest.mark.slow
def test_the_reference_implementation_fuzzes_clean(reference_run: tuple[RunReport, str]) -> None:
    report, _out = reference_run
    found = failures(report)
    assert found == [], "\n\n".join(f"{r.id} {r.operation}\n{r.message}" for r in found)


@pytest.mark.slow
def test_every_caiso_operation_was_fuzzed_and_judged(reference_run: tuple[RunReport, str]) -> None:
    report, _out = reference_run
    operations = {
        op.name
        for spec in load_specs(default_spec_files())
        for op in spec.operations()
        if op.service != "simcontrol"
    }
    judged = {r.operation for r in report.results if r.id == "FUZ-001"}
    assert judged == operations
    passed = {r.id for r in report.results if r.status is Status.PASS}
    # invalid input, valid input and forbidden roles were all met
    assert {"FUZ-001", "FUZ-002", "FUZ-003", "SEC-001", "SEC-002", "RSP-003"} <= passed
    # schemathesis' positive_data_acceptance flags business refusals; the oracle overrules them
    assert any("which the harness's oracle finds correct" in r.message for r in report.results)


def _reached(out: str, chain: str) -> dict[str, int]:
    line = next(line for line in out.splitlines() if f"stateful {chain} chain" in line)
    return {
        f"{op} {status}": int(count)
        for op, status, count in re.findall(r"(\w+) (\d+|None) x(\d+)", line)
    }


@pytest.mark.slow
def test_the_portfolio_chain_reaches_submission_and_retraction(
    reference_run: tuple[RunReport, str],
) -> None:
    _report, out = reference_run
    reached = _reached(out, "portfolio")
    for step in ("portfolioCreation", "portfolioSubmission", "getPortfolioStatus"):
        assert reached.get(f"{step} 200", 0) >= 1, reached
    assert reached.get("postPortfolioRetraction 200", 0) >= 1, reached


@pytest.mark.slow
def test_the_offer_chain_reaches_acceptance_and_withdrawal(tmp_path: Path) -> None:
    out = io.StringIO()
    # checks off: the chain's depth, not the verdicts, is under test here
    fuzz_embedded(
        tmp_path,
        expression="'offer chain'",
        options=FuzzOptions(max_examples=4, stateful_examples=4, run_checks=False),
        seed=2,
        out=out,
    )
    reached = _reached(out.getvalue(), "offer")
    for step in ("submitOffer", "getOffer", "submitResponse", "withdrawOffer"):
        assert reached.get(f"{step} 200", 0) >= 1, reached
