"""The coverage section: counted from the run's exchanges, untested cells with a reason."""

from __future__ import annotations

import json

import pytest

from crr_contract.operations import default_spec_files, load_specs
from harness.coverage import RunScope, ScenarioRequirement, compute_coverage
from harness.reports.coverage_html import coverage_section
from harness.results import (
    CheckResult,
    RecordedExchange,
    RecordedRequest,
    RecordedResponse,
    RunReport,
    Status,
)

BASE = "https://127.0.0.1:8443"
STATUS_PATH = "/appStatus/v1.0/status"
ROLE_RW = "EXTERNAL CRR HOLDER READ/WRITE ACCESS"


@pytest.fixture(scope="module")
def specs():
    return load_specs(default_spec_files())


def _exchange(participant: str, status: int, body: object = None) -> RecordedExchange:
    return RecordedExchange(
        participant=participant,
        request=RecordedRequest("GET", BASE + STATUS_PATH + "?x=1", {}),
        response=RecordedResponse(status, {}, json.dumps(body or {}).encode()),
        elapsed_ms=1.0,
    )


def _report(*results: CheckResult) -> RunReport:
    return RunReport(
        run_id="r",
        command="certify",
        harness_version="0",
        target={
            "base_url": BASE,
            "participants": [
                {"id": "alpha", "role": ROLE_RW},
                {"id": "op", "role": "CAISO OPERATOR"},
            ],
        },
        specs=[],
        started_at="2026-01-01T00:00:00Z",
        seed=1,
        suites=["connectivity"],
        results=list(results),
    )


def _result(case: str, *evidence: RecordedExchange, status: Status = Status.PASS, **kw):
    return CheckResult("RSP-001", "connectivity", case, "r", status, evidence=evidence, **kw)


def _operation(coverage, name: str):
    return next(op for op in coverage.operations if op.name == name)


def test_cells_are_counted_from_the_exchanges(specs) -> None:
    refused = {"errorDetails": [{"errorCode": "SEC0001", "severity": "ERROR"}]}
    report = _report(
        _result("ok", _exchange("alpha", 200)),
        _result("refused", _exchange("op", 403, refused)),
    )
    coverage = compute_coverage(report, specs, check_ids=["RSP-001", "RSP-002"])
    status = _operation(coverage, "app_status.getAppStatus")
    tested = {
        d: {c.value for c in status.cells(d) if c.tested} for d in ("statuses", "codes", "roles")
    }
    assert tested == {"statuses": {"200", "403"}, "codes": {"SEC0001"}, "roles": {ROLE_RW}}
    assert next(c for c in status.codes if c.value == "SEC0001").cases == ("refused",)
    assert "app_status.getAppStatus SER0028" in coverage.uncovered("codes")
    rows = {row.id: row.status for row in coverage.checks}
    assert rows == {"RSP-001": "PASS", "RSP-002": "not run"}
    tested_codes, total_codes = coverage.tally("codes")
    assert tested_codes == 1 and total_codes > 100
    assert coverage.sentence("codes").startswith(f"1 of {total_codes} (operation, code) pairs")


def test_an_untested_cell_says_why(specs) -> None:
    skip = _result(
        "holdings",
        status=Status.SKIP,
        message="the target has no holdings",
        operation="secondary_market.getCrrHoldings",
    )
    coverage = compute_coverage(
        _report(skip),
        specs,
        check_ids=[],
        scope=RunScope("-k 'status'", ("fuzzing",)),
    )
    holdings = _operation(coverage, "secondary_market.getCrrHoldings")
    assert holdings.codes[0].reason == "skipped: the target has no holdings"
    status = _operation(coverage, "app_status.getAppStatus")
    assert status.codes[0].reason == "never called; the run was narrowed by -k 'status'"
    plain = compute_coverage(_report(), specs, check_ids=[], scope=RunScope(None, ("fuzzing",)))
    assert _operation(plain, "app_status.getAppStatus").roles[0].reason == (
        "never called; suites not run: fuzzing"
    )


def test_scenario_requirements_by_scenario_and_step(specs) -> None:
    step = CheckResult("SCN-001", "scenarios", "w1-a: 01 buy", "MS-A-STEP: text", Status.FAIL)
    other = CheckResult("SCN-001", "scenarios", "w1-a: 02 sell", "text", Status.PASS)
    coverage = compute_coverage(
        _report(step, other),
        specs,
        check_ids=[],
        scenario_requirements=[
            ScenarioRequirement("MS-A", "w1-a"),
            ScenarioRequirement("MS-A-STEP", "w1-a", 1),
            ScenarioRequirement("MS-B", "w1-b"),
        ],
    )
    rows = {row.id: (row.status, row.results) for row in coverage.scenario_requirements}
    assert rows == {"MS-A": ("FAIL", 2), "MS-A-STEP": ("FAIL", 1), "MS-B": ("not run", 0)}
    assert coverage.totals()["scenario_requirements"] == {"tested": 2, "total": 3, "ratio": 0.6667}


def test_the_html_section_names_untested_cells_and_escapes(specs) -> None:
    coverage = compute_coverage(
        _report(_result("ok", _exchange("alpha", 200))),
        specs,
        check_ids=["RSP-001"],
        scope=RunScope("-k '<b>'"),
    ).to_dict()
    page = coverage_section(coverage)
    assert page.startswith('<details class="coverage" id="coverage">')
    assert "<code>SER0028</code>" in page and "&lt;b&gt;" in page and "<b>" not in page
    assert coverage_section(None) == ""


def test_below_the_minimum_the_verdict_fails(specs) -> None:
    report = _report(_result("ok", _exchange("alpha", 200)))
    report.coverage = compute_coverage(report, specs, check_ids=[]).to_dict()
    assert str(report.verdict) == "PASS"
    report.min_coverage = 0.5
    assert str(report.verdict) == "FAIL" and report.summary()["below_min_coverage"] is True
    report.min_coverage = 0.0
    assert str(report.verdict) == "PASS"


def test_unprovokable_and_not_played_codes_say_why_and_stay_in_the_ratio(specs) -> None:
    """Marking a code unprovokable explains its cells; it never removes them from the ratio."""
    reasons = {
        ("*", "SER0029"): ("no request makes a conformant server fail", True),
        ("app_status.getAppStatus", "SER0028"): ("needs a state", False),
    }
    plain = compute_coverage(_report(), specs, check_ids=[])
    coverage = compute_coverage(_report(), specs, check_ids=[], code_reasons=reasons)
    status = _operation(coverage, "app_status.getAppStatus")
    cells = {cell.value: cell for cell in status.codes}
    assert cells["SER0029"].unprovokable and not cells["SER0029"].tested
    assert cells["SER0029"].reason == "unprovokable: no request makes a conformant server fail"
    assert cells["SER0029"].to_dict()["unprovokable"] is True
    assert (
        cells["SER0028"].reason == "not played: needs a state" and not cells["SER0028"].unprovokable
    )
    assert coverage.tally("codes") == plain.tally("codes")
    totals = coverage.totals()["codes"]
    ser0029 = sum(1 for op in specs for o in op.operations() if "SER0029" in o.error_codes)
    assert totals["unprovokable"] == ser0029
    assert totals["provokable"]["total"] == totals["total"] - ser0029
    assert "provokable" not in plain.totals()["codes"]
    html = coverage_section(coverage.to_dict())
    assert f"0 of {totals['total']} (0%), 0 of {totals['total'] - ser0029} provokable" in html


def test_an_exchange_off_every_declared_path_counts_for_the_operation_its_case_names(
    specs,
) -> None:
    """The oracle's unknown resource is a path one segment past the operation's: no route
    matches it, so the result's operation says which operation answered SER0028."""
    missing = {"errorDetails": [{"errorCode": "SER0028", "severity": "ERROR"}]}
    exchange = RecordedExchange(
        participant="alpha",
        request=RecordedRequest("GET", BASE + STATUS_PATH + "/NO_SUCH_RESOURCE", {}),
        response=RecordedResponse(404, {}, json.dumps(missing).encode()),
        elapsed_ms=1.0,
    )
    named = _result("unknown", exchange, operation="app_status.getAppStatus")
    unnamed = _result("stray", exchange)
    status = _operation(
        compute_coverage(_report(named), specs, check_ids=[]), "app_status.getAppStatus"
    )
    assert next(c for c in status.codes if c.value == "SER0028").cases == ("unknown",)
    stray = compute_coverage(_report(unnamed), specs, check_ids=[])
    assert stray.tally("codes")[0] == 0
