"""write_reports lays out reports/<run-id>/ and reports/latest; load_report reads it back."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from harness.errors import InputError
from harness.reports import load_report, write_reports
from harness.results import Status
from tests.reports.sample import EXPECTED, passing_report, run_report

OUTPUTS = {"report.json", "junit.xml", "allure-results", "report.html"}


def test_writes_the_four_outputs_under_the_run_id(tmp_path: Path) -> None:
    report = run_report()
    run_dir = write_reports(report, tmp_path / "reports")
    assert run_dir == tmp_path / "reports" / report.run_id
    assert {p.name for p in run_dir.iterdir()} == OUTPUTS
    assert (run_dir / "allure-results").is_dir()


def test_latest_is_a_relative_link_to_the_run(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    run_dir = write_reports(run_report(), root)
    latest = root / "latest"
    assert latest.is_symlink()
    assert os.readlink(latest) == run_dir.name
    assert latest.resolve() == run_dir.resolve()
    second = write_reports(passing_report(), root)
    assert os.readlink(latest) == second.name
    assert json.loads((latest / "report.json").read_text())["summary"]["verdict"] == "PASS"
    assert {p.name for p in root.iterdir()} == {run_dir.name, second.name, "latest"}


def test_repeated_writes_replace_rather_than_add(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    report = run_report(results=[])
    kept = run_report().results
    for count in range(1, len(kept) + 1):  # the runner rewrites after each suite
        report.results = kept[:count]
        run_dir = write_reports(report, root)
        allure = run_dir / "allure-results"
        assert len(list(allure.glob("*-result.json"))) == len({r.case for r in kept[:count]})
    assert load_report(run_dir)["summary"]["total"] == EXPECTED["total"]
    attachments = sum(len(r.evidence) for r in kept if r.status in ("FAIL", "ERROR"))
    assert len(list(allure.glob("*-attachment.json"))) == attachments
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(OUTPUTS)  # no temp left over
    assert sorted(p.name for p in root.iterdir()) == sorted([report.run_id, "latest"])


def test_an_interrupted_run_is_written_as_such(tmp_path: Path) -> None:
    report = run_report(interrupted=True, finished_at=None)
    data = load_report(write_reports(report, tmp_path))
    assert data["summary"]["interrupted"] is True
    assert data["summary"]["verdict"] == "FAIL"


def test_latest_that_is_a_real_directory_is_reported_not_clobbered(tmp_path: Path) -> None:
    (tmp_path / "latest").mkdir()
    (tmp_path / "latest" / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="not a link"):
        write_reports(run_report(), tmp_path)
    assert (tmp_path / "latest" / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("run_id", ["", "..", "latest", "a/b"])
def test_a_run_id_that_is_not_a_directory_name_is_refused(tmp_path: Path, run_id: str) -> None:
    with pytest.raises(InputError, match="run id"):
        write_reports(run_report(run_id), tmp_path)


def test_load_report_reads_the_file_or_its_directory(tmp_path: Path) -> None:
    report = run_report()
    run_dir = write_reports(report, tmp_path)
    written = report.to_dict()
    assert json.loads((run_dir / "report.json").read_text(encoding="utf-8")) == written
    from_file = load_report(run_dir / "report.json")
    assert load_report(tmp_path / "latest") == from_file
    # references into the shared exchanges come back resolved, in full
    for check, result in zip(from_file["checks"], report.results, strict=True):
        assert check["evidence"] == [e.to_dict(result.body_limit) for e in result.evidence]
    assert {k: v for k, v in from_file.items() if k != "checks"} == {
        k: v for k, v in written.items() if k != "checks"
    }
    failed = [c["id"] for c in from_file["checks"] if c["status"] == str(Status.FAIL)]
    assert failed == ["ERR-CATALOG-004", "BIZ-AWARD-002"]


def test_load_report_takes_a_check_without_evidence(tmp_path: Path) -> None:
    run_dir = write_reports(run_report(), tmp_path)
    data = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
    for check in data["checks"]:
        del check["evidence"]
    (run_dir / "report.json").write_text(json.dumps(data), encoding="utf-8")
    loaded = load_report(run_dir)
    assert loaded["checks"] and all(c["evidence"] == [] for c in loaded["checks"])


def test_load_report_on_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "report.json"
    with pytest.raises(InputError) as caught:
        load_report(missing)
    assert str(caught.value) == f"no report at {missing}"
    with pytest.raises(InputError, match="no report at"):
        load_report(tmp_path)  # a directory without report.json


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"run_id": "x"}', "missing summary, checks"),
        ('{"run_id": "x", "summary": {}, "checks": [{"id": "A"}]}', "each check needs"),
        ("\udcff", "cannot read report"),
    ],
)
def test_load_report_on_something_else_is_a_one_line_input_error(
    tmp_path: Path, text: str, reason: str
) -> None:
    path = tmp_path / "report.json"
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    with pytest.raises(InputError, match=reason) as caught:
        load_report(path)
    assert "\n" not in str(caught.value)


def test_leftovers_of_an_interrupted_write_are_cleared(tmp_path: Path) -> None:
    run_dir = write_reports(run_report(), tmp_path)
    (run_dir / ".allure-results.abc123" / "x-result.json").parent.mkdir()
    (run_dir / ".allure-results.abc123" / "x-result.json").write_text("{}")
    write_reports(run_report(), tmp_path)
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(OUTPUTS)
