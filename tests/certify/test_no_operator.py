"""Certifying a target nobody drives: the reference declared without the operator API.

The reference starts with its clock before every window, so without sim
control no market is open on it. Each suite must still run to its end on
this correct server: no FAIL, no ERROR, verdict PASS, and every case that
could not run a SKIP that says which state it needed and when it comes.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from harness.certify.preflight import evaluate, load_needs, print_table, run_preflight
from harness.market_state import TargetState, Window
from harness.results import RunReport, Status, Verdict
from harness.target.embedded import embedded_target
from tests.certify.support import certify_embedded, failures

SUITES = ["connectivity", "scenarios", "security", "fuzzing", "reliability"]


def _skips(report: RunReport, suite: str) -> list:
    return [r for r in report.results if r.suite == suite and r.status is Status.SKIP]


def _written(workdir: Path) -> dict:
    return json.loads((workdir / "reports" / "latest" / "report.json").read_text())


def _assert_clean(report: RunReport, workdir: Path) -> None:
    assert failures(report) == []
    assert report.verdict is Verdict.PASS
    written = _written(workdir)
    assert written["summary"]["verdict"] == "PASS"
    skipped = [c for c in written["checks"] if c["status"] == "SKIP"]
    assert len(skipped) == written["summary"]["skipped"]
    assert all(c["message"].strip() for c in skipped), skipped


def test_declaration_without_operator_has_no_operator(tmp_path: Path) -> None:
    with embedded_target(tmp_path, sim_control=False) as config:
        assert not config.sim_control
        assert config.operator is None
        assert all(p.role != "CRR SIM OPERATOR" for p in config.participants)


@pytest.fixture(scope="module")
def every_suite(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunReport, Path]:
    """One full certify of the reference declared without the operator API."""
    workdir = tmp_path_factory.mktemp("no-operator")
    return certify_embedded(workdir, suites=SUITES, sim_control=False), workdir


@pytest.mark.slow
def test_every_suite_runs_to_the_end_with_verdict_pass(every_suite) -> None:
    report, workdir = every_suite
    _assert_clean(report, workdir)
    assert {r.suite for r in report.results} == set(SUITES)
    assert not report.interrupted


@pytest.mark.slow
def test_security_suite_skips_what_needs_a_window(every_suite) -> None:
    report, _workdir = every_suite
    skipped = {r.case: r.message for r in _skips(report, "security")}
    auction = skipped["private records: planted: auction portfolio"]
    assert "AUC_MN_2025_M10 bid window is PREP; opens 2025-09-18T08:00:00Z" in auction
    assert "no sim control" in auction
    assert "private records: planted: nomination portfolio" in skipped
    # the oracle's business codes that need an open market are declared skips, each saying so
    oracle = {case: message for case, message in skipped.items() if ": provoke " in case}
    assert (
        "auction.portfolioCreation: provoke POR0006 with the data set's portfolioCreation request"
        in oracle
    )
    assert all("no sim control" in message for message in oracle.values()), oracle
    # what needs no window was planted and read: the offer on a held CRR
    assert any(
        r.id == "PRV-002" and r.suite == "security" and r.status is Status.PASS
        for r in report.results
    )


@pytest.mark.slow
def test_fuzzing_reports_the_chain_it_could_not_run(every_suite) -> None:
    report, _workdir = every_suite
    skipped = {r.case: r for r in _skips(report, "fuzzing")}
    chain = skipped["stateful portfolio chain (auction)"]
    assert chain.declared_skip
    assert "bid window is PREP; opens" in chain.message
    assert "stateful offer chain (secondary_market)" not in skipped


@pytest.mark.slow
def test_scenarios_that_cannot_run_now_are_skips_with_the_state_they_need(every_suite) -> None:
    report, _workdir = every_suite
    runnable = {
        r.case.split(":")[0]: r.message for r in _skips(report, "scenarios") if r.id == "SCN-003"
    }
    assert runnable["W2-AUC-01"].startswith(
        "not runnable now: AUC_MN_2025_M10 bid window is PREP; opens 2025-09-18T08:00:00Z"
    )
    assert "the target's clock says 2025-09-01T00:00:00Z" in runnable["W1-TOR-01"]
    # no scenario waited: the default bound is none, and every reason says so
    assert all("beyond --wait-for-calendar 0 s" in m for m in runnable.values()), runnable


@pytest.mark.slow
def test_reliability_load_is_a_declared_skip(every_suite) -> None:
    report, _workdir = every_suite
    load = [r for r in _skips(report, "reliability") if r.case.startswith("load:")]
    assert load and all(r.declared_skip and "bid window is PREP" in r.message for r in load)


def test_wait_for_calendar_takes_a_duration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.cli import main

    code = main(["certify", "--reports", str(tmp_path), "--wait-for-calendar", "5x"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "--wait-for-calendar '5x'" in err[0]


def test_certify_preflight_runs_no_suite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.cli import main

    code = main(["certify", "--reports", str(tmp_path / "reports"), "--preflight"])
    out = capsys.readouterr().out
    assert code == 0
    assert "preflight: target state from the sim-control state" in out
    assert not (tmp_path / "reports").exists()


def test_preflight_lists_the_missing_open_markets(tmp_path: Path) -> None:
    with embedded_target(tmp_path, sim_control=False) as config:
        out = io.StringIO()
        rows = run_preflight(config, SUITES, out)
    missing = {(r.suite, r.need.split(" (")[0]) for r in rows if not r.found}
    assert ("security", "an open bid window") in missing
    assert ("scenarios", "an open nomination window") in missing
    assert ("fuzzing", "an open bid window") in missing
    held = next(r for r in rows if r.suite == "fuzzing" and r.need.startswith("held CRRs"))
    assert held.found and "BRAVO_TRADING" in held.detail
    text = out.getvalue()
    assert "target state from the CAISO read APIs" in text
    assert "MISSING  no bid window is open: AUC_MN_2025_M10 bid window is PREP" in text


def test_preflight_with_the_operator_finds_windows_it_can_open(tmp_path: Path) -> None:
    with embedded_target(tmp_path) as config:
        rows = run_preflight(config, SUITES, io.StringIO())
    assert all(r.found for r in rows), [r for r in rows if not r.found]
    assert any("the operator can open" in r.detail for r in rows)


def test_preflight_needs_are_judged_against_the_state(tmp_path: Path) -> None:
    with embedded_target(tmp_path, sim_control=False) as config:
        state = TargetState(
            source="a test",
            windows=[Window("AUC_X", "AUCTION_MARKET", "OPEN", None, "2025-09-19T00:00:00Z")],
        )
        rows = evaluate(config, state, ["fuzzing"], load_needs())
    found = {r.need.split(" (")[0]: r for r in rows}
    assert found["an open bid window"].found
    assert "AUC_X bid window is OPEN" in found["an open bid window"].detail
    assert not found["held CRRs"].found
    out = io.StringIO()
    print_table(rows, state, out)
    assert "MISSING" in out.getvalue()


def test_bad_needs_file_is_the_users_error(tmp_path: Path) -> None:
    from harness.errors import InputError

    bad = tmp_path / "needs.yaml"
    bad.write_text("security:\n  - {need: open_window}\n")
    with pytest.raises(InputError, match="need open_window takes kinds"):
        load_needs(bad)


def test_report_carries_the_preflight(tmp_path: Path) -> None:
    report = certify_embedded(tmp_path, suites=("connectivity",), sim_control=False)
    _assert_clean(report, tmp_path)
    rows = _written(tmp_path)["preflight"]
    assert rows and {"suite", "need", "found", "detail"} <= set(rows[0])
    assert any(not row["found"] and "bid window" in row["need"] for row in rows)
    html = (tmp_path / "reports" / "latest" / "report.html").read_text()
    assert "Preflight: test data" in html and "MISSING" in html
