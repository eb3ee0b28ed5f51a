"""The reliability suite: the reference passes load and crash; its broken variants fail them."""

from __future__ import annotations

from pathlib import Path

import pytest

import harness.suites.reliability as reliability
from harness.checks.reliability import acknowledged_problems, percentile
from harness.results import Status, Verdict
from harness.suites.reliability.crash import ServerProcess, ServerStartError
from harness.target.embedded import embedded_target
from tests.mutants.catalog import MUTANTS
from tests.security_suite.support import failures, mutant_target, results, run_suites


@pytest.fixture(autouse=True)
def short_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reliability, "LOAD_SECONDS", 1.5)
    monkeypatch.setattr(reliability, "CRASH_KILL_AFTER", 0.8)


@pytest.mark.slow
def test_the_reference_passes_load_and_crash(tmp_path: Path) -> None:
    features = frozenset({"reliability", "restart"})
    with embedded_target(tmp_path / "target", features=features) as config:
        report = run_suites(config, tmp_path, ["reliability"])
    assert failures(report) == [], [(r.id, r.message) for r in failures(report)]
    assert report.verdict is Verdict.PASS
    load = results(report, "REL-001")[0]
    assert "req/s" in load.message and "p50/p95/p99" in load.message
    acknowledged = int(load.message.split(" portfolios acknowledged")[0].rsplit("; ", 1)[1])
    assert acknowledged > 10
    assert (
        f"all {acknowledged} acknowledged portfolios present"
        in results(report, "REL-002")[0].message
    )
    crash = results(report, "REL-003")[0]
    assert "SIGKILL" in crash.message and "replayed" in crash.message
    before = int(crash.message.split(" portfolios acknowledged")[0].rsplit(": ", 1)[1])
    assert before > 0


def test_a_target_that_does_not_declare_reliability_is_skipped(tmp_path: Path) -> None:
    with embedded_target(tmp_path / "target", features=frozenset()) as config:
        report = run_suites(config, tmp_path, ["reliability"])
    assert report.verdict is Verdict.PASS
    assert {r.id for r in report.results} == {"REL-001", "REL-002", "REL-003"}
    assert all(r.status is Status.SKIP and r.declared_skip for r in report.results)


def test_the_crash_case_needs_restart_declared(tmp_path: Path) -> None:
    features = frozenset({"market-sim-dataset", "reliability"})  # not restart
    with embedded_target(tmp_path / "target", features=features) as config:
        report = run_suites(config, tmp_path, ["reliability"], "crash")
    (skip,) = report.results
    assert skip.id == "REL-003" and skip.status is Status.SKIP and skip.declared_skip
    assert "restart" in skip.message


RELIABILITY_MUTANTS = [m for m in MUTANTS if m.suites == ("reliability",)]
SELECTION = {"REL-001": "load", "REL-002": "load", "REL-003": "crash"}


@pytest.mark.slow
@pytest.mark.parametrize("mutant", RELIABILITY_MUTANTS, ids=lambda m: m.name)
def test_the_reliability_suite_catches_it(tmp_path: Path, mutant) -> None:
    with mutant_target(tmp_path, mutant) as config:
        report = run_suites(config, tmp_path, mutant.suites, SELECTION[mutant.caught_by])
    assert report.verdict is Verdict.FAIL
    failed = {r.id: r for r in failures(report)}
    assert mutant.caught_by in failed, [(r.id, r.message) for r in report.results]
    assert failed[mutant.caught_by].message


def test_there_are_reliability_mutants_for_every_check() -> None:
    assert {m.caught_by for m in RELIABILITY_MUTANTS} == {"REL-001", "REL-002", "REL-003"}


def test_percentiles_and_acknowledgement_problems() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([], 0.5) == 0.0
    assert acknowledged_problems(["a", "b"], ["a", "b"]) == []
    assert acknowledged_problems(["a", "b"], ["a", "c", "c"]) == ["b missing", "c present 2 times"]


def test_a_server_that_never_listens_is_reported(tmp_path: Path) -> None:
    server = ServerProcess(
        tmp_path / "db.sqlite3",
        tmp_path / "pki",
        tmp_path / "server.log",
        ("python3", "-c", "import sys; print('no server here', file=sys.stderr)"),
    )
    with pytest.raises(ServerStartError, match="no server here"):
        server.start()
