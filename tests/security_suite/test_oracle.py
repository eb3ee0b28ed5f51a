"""The error-code oracle: provocations as data, played against every operation (ERR-006)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError
from harness.results import Status
from harness.selection import Selection
from harness.suites.security.oracle import load_provocations
from tests.certify.support import certify_embedded
from tests.mutants.rewrite import replace_code, rewrite_answers


def test_the_shipped_file_plays_the_three_body_and_parameter_codes() -> None:
    rows = load_provocations()
    assert {row.code for row in rows if row.run} == {"SER0001", "SER0002", "GEN0003"}
    assert {"SER0028", "MKT0001", "SEC0001", "SEC0002"} <= {row.code for row in rows}


def test_an_unknown_mutation_is_one_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("provocations:\n  - {code: SER0001, provoke: x, how: guess}\n")
    with pytest.raises(InputError, match="unknown how 'guess'"):
        load_provocations(bad)


def _oracle(report) -> dict[str, Status]:
    return {r.case: r.status for r in report.results if r.id == "ERR-006"}


def test_the_reference_answers_every_provocation_exactly(tmp_path: Path) -> None:
    report = certify_embedded(tmp_path, suites=("security",), selection=Selection("provoke"))
    found = _oracle(report)
    codes = {case.split("provoke ")[1].split()[0] for case in found}
    assert codes == {"SER0001", "SER0002", "GEN0003"}
    assert len(found) > 50 and set(found.values()) == {Status.PASS}
    assert "auction.portfolioCreation: provoke SER0001 without body marketName" in found


def test_a_target_that_answers_another_code_fails_err_006(tmp_path: Path) -> None:
    wrap = rewrite_answers("/auction/v1.0/portfolioStatus", replace_code("SER0002", "SER0001"))
    report = certify_embedded(
        tmp_path,
        suites=("security",),
        selection=Selection("getPortfolioStatus and provoke"),
        wrap=wrap,
    )
    found = _oracle(report)
    failed = {case for case, status in found.items() if status is Status.FAIL}
    assert failed and all("provoke SER0002" in case for case in failed)
    assert any(status is Status.PASS for status in found.values())  # SER0001 still exact
