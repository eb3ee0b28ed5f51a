"""The error-code oracle: provocations as data, played against every operation (ERR-006)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError
from harness.results import Status
from harness.selection import Selection
from harness.suites.security.oracle import coverage_reasons, load_provocations, load_unplayed
from tests.certify.support import certify_embedded
from tests.mutants.rewrite import replace_code, rewrite_answers


def test_the_shipped_file_plays_every_family_and_business_codes() -> None:
    rows = load_provocations()
    played = {row.code for row in rows if row.run}
    assert {"SER0001", "SER0002", "GEN0003", "SER0028", "MKT0001", "SEC0001", "SEC0002"} <= played
    assert {"POR0005", "POR0006", "POR0007", "POR0013", "MDT0001", "SIM0001"} <= played
    business = [row for row in rows if row.how == "request"]
    assert business and all(row.requests for row in business)


def test_what_is_not_played_says_why_and_ser0029_is_unprovokable() -> None:
    entries = load_unplayed()
    assert all(entry.reason.strip() for entry in entries)
    unprovokable = {entry.code for entry in entries if entry.unprovokable}
    assert unprovokable == {"SER0029"}
    reasons = coverage_reasons()
    assert reasons[("*", "SER0029")][1] is True
    assert reasons[("simcontrol.closeWindow", "SIM0001")][1] is False


def test_a_business_row_without_requests_is_one_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("provocations:\n  - {code: POR0006, provoke: x, how: request, run: true}\n")
    with pytest.raises(InputError, match="how: request needs requests"):
        load_provocations(bad)
    bad.write_text("unprovokable:\n  - {code: SER0029}\n")
    with pytest.raises(InputError, match="needs code and reason"):
        load_unplayed(bad)


def test_an_unknown_mutation_is_one_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("provocations:\n  - {code: SER0001, provoke: x, how: guess}\n")
    with pytest.raises(InputError, match="unknown how 'guess'"):
        load_provocations(bad)


def _results(report):
    return [r for r in report.results if r.id == "ERR-006"]


def _oracle(report) -> dict[str, Status]:
    return {r.case: r.status for r in report.results if r.id == "ERR-006"}


def test_the_reference_answers_every_provocation_exactly(tmp_path: Path) -> None:
    report = certify_embedded(tmp_path, suites=("security",), selection=Selection("provoke"))
    found = _oracle(report)
    codes = {case.split("provoke ")[1].split()[0] for case in found}
    played = {row.code for row in load_provocations() if row.run}
    assert codes == played
    assert len(found) > 300 and set(found.values()) == {Status.PASS}
    assert "auction.portfolioCreation: provoke SER0001 without body marketName" in found
    assert any(case.startswith("auction.getStatus: provoke SER0028 at ") for case in found)
    # every exact answer is a tested cell of the coverage, an unknown resource's included
    cells = {
        (op["operation"], cell["value"]): cell
        for op in report.coverage["operations"]
        for cell in op["codes"]
    }
    asserted = {(r.operation, r.case.split("provoke ")[1].split()[0]) for r in _results(report)}
    assert asserted and all(cells[pair]["tested"] for pair in asserted)
    assert cells[("auction.getStatus", "SER0029")]["unprovokable"] is True


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
