"""Each defect only fuzzing meets is found, reported once with a count, and its replay reproduces it.

The four broken variants of tests/fuzz/broken.py touch four different
operations, so one target carries all of them and one fuzz run (each
mutant's ``-k`` joined with ``or``) has to find each; the replays go to a
second, fresh broken target, and one to the intact reference.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from harness.fuzz.replay import replay_finding
from harness.results import RunReport, Status, Verdict
from harness.target.config import TargetConfig
from harness.target.embedded import embedded_target
from tests.fuzz.broken import SELECTION
from tests.fuzz.support import failures, fuzz_embedded, written_report
from tests.mutants.catalog import MUTANTS

FUZZ_MUTANTS = [m for m in MUTANTS if m.suites == ("fuzzing",)]


def _all_defects(app: Any) -> Any:
    for mutant in FUZZ_MUTANTS:
        app = mutant.wrap(app)
    return app


def _path_query(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path, parts.query


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunReport, dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("broken-run")
    expression = " or ".join(f"({SELECTION[m.name]})" for m in FUZZ_MUTANTS)
    report = fuzz_embedded(workdir, wrap=_all_defects, expression=expression)
    return report, written_report(workdir)


@pytest.fixture(scope="module")
def fresh_broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TargetConfig]:
    with embedded_target(tmp_path_factory.mktemp("broken-replay"), wrap=_all_defects) as config:
        yield config


def test_the_fuzzing_mutants_cover_the_four_defects() -> None:
    assert {m.name for m in FUZZ_MUTANTS} == set(SELECTION)
    assert {m.caught_by for m in FUZZ_MUTANTS} == {"FUZ-001", "ERR-003", "FUZ-002", "RSP-003"}


@pytest.mark.slow
@pytest.mark.parametrize("mutant", FUZZ_MUTANTS, ids=lambda m: m.name)
def test_a_defect_is_found_once_and_its_replay_reproduces_it(
    broken_run: tuple[RunReport, dict[str, Any]], fresh_broken: TargetConfig, mutant
) -> None:
    report, stored = broken_run
    assert report.verdict is Verdict.FAIL
    operation = SELECTION[mutant.name].strip("'")
    found = [
        r
        for r in failures(report)
        if r.id == mutant.caught_by and (r.operation == operation or operation == "portfolio chain")
    ]
    # deduplicated: one result per operation and check, however many requests failed it
    assert len(found) == 1, [(r.id, r.operation) for r in failures(report)]
    finding = found[0]
    keys = [(r.id, r.operation) for r in report.results]
    assert len(keys) == len(set(keys))
    counts = finding.message.splitlines()[1]
    assert counts.startswith("failed on ") and f"run seed {report.seed}" in counts
    failed, total = (int(n) for n in counts.split()[2:5:2])
    assert 1 <= failed <= total
    name = f"{mutant.caught_by}@{finding.operation}"
    assert finding.rerun and f"--replay {name}" in finding.rerun
    curl = next(line for line in finding.message.splitlines() if line.startswith("curl: "))
    assert "--cert " in curl and "--key " in curl and "--cacert " in curl
    assert finding.evidence and finding.evidence[-1].response is not None

    # the stored requests, sent again to a fresh broken target, fail the same check
    replayed = replay_finding(fresh_broken, stored, name)
    assert replayed.reproduced, replayed.message
    assert replayed.status is Status.FAIL and replayed.check_id == mutant.caught_by
    sent = [e.record.request for e in replayed.exchanges]
    kept = [e.request for e in finding.evidence]
    assert [(r.method, r.body) for r in sent] == [(r.method, r.body) for r in kept]
    assert [_path_query(r.url) for r in sent] == [_path_query(r.url) for r in kept]


@pytest.mark.slow
def test_the_missing_property_is_met_only_deep_in_a_stateful_chain(
    broken_run: tuple[RunReport, dict[str, Any]],
) -> None:
    report, _stored = broken_run
    finding = next(r for r in failures(report) if r.id == "RSP-003")
    assert finding.operation == "auction.getPortfolioStatus"
    steps = [e.request.url for e in finding.evidence]
    assert len(steps) >= 2 and "portfolioCreation" in steps[0]
    assert "stateful" in finding.message.splitlines()[1]


@pytest.mark.slow
def test_a_replay_against_the_intact_reference_does_not_reproduce(
    broken_run: tuple[RunReport, dict[str, Any]], tmp_path: Path
) -> None:
    report, stored = broken_run
    finding = next(r for r in failures(report) if r.id == "FUZ-001")
    with embedded_target(tmp_path) as intact:
        replayed = replay_finding(intact, stored, f"FUZ-001@{finding.operation}")
    assert not replayed.reproduced
    assert replayed.exchanges[-1].status == 400
