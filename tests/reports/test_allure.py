"""allure-results: one result per CheckResult, statuses mapped, evidence attached."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.reports.allure import write_allure_results
from harness.results import Status
from tests.reports.sample import BASE_URL, EXPECTED, HOSTILE, SUBMIT, run_report

STATUS = {"PASS": "passed", "FAIL": "failed", "ERROR": "broken", "SKIP": "skipped"}


def load_results(directory: Path) -> dict[str, dict[str, Any]]:
    """The result files of ``directory``, keyed by fullName (the CheckResult key)."""
    loaded = [json.loads(p.read_text(encoding="utf-8")) for p in directory.glob("*-result.json")]
    return {result["fullName"]: result for result in loaded}


def labels(result: dict[str, Any], name: str) -> list[str]:
    return [label["value"] for label in result["labels"] if label["name"] == name]


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_allure_results(run_report(), tmp_path_factory.mktemp("run") / "allure-results")


def test_one_result_file_per_check_with_its_status(directory: Path) -> None:
    report = run_report()
    results = load_results(directory)
    assert len(list(directory.glob("*-result.json"))) == EXPECTED["total"]
    assert set(results) == {r.key for r in report.results}
    for check in report.results:
        assert results[check.key]["status"] == STATUS[str(check.status)], check.key


def test_labels_name_suite_service_operation_and_check(directory: Path) -> None:
    submit = load_results(directory)[f"{SUBMIT} [ERR-CATALOG-004]"]
    assert labels(submit, "suite") == ["conformance"]
    assert labels(submit, "feature") == ["auction"]
    assert labels(submit, "story") == ["auction.submitBid"]
    assert "ERR-CATALOG-004" in labels(submit, "tag")
    assert labels(submit, "severity") == ["normal"]
    assert submit["name"] == f"ERR-CATALOG-004: {SUBMIT}"


def test_status_details_carry_message_clause_and_rerun(directory: Path) -> None:
    details = load_results(directory)[f"{SUBMIT} [ERR-CATALOG-004]"]["statusDetails"]
    assert details["message"] == "Expected errorCode SER0031 but got a text/html body"
    assert "clause: caiso_crr_error_catalog_v1.0.0.yaml#/codes/SER0031" in details["trace"]
    assert f"rerun: crr-harness certify --only '{SUBMIT}'" in details["trace"]


def test_history_id_is_stable_across_writes(directory: Path, tmp_path: Path) -> None:
    again = load_results(write_allure_results(run_report(), tmp_path / "allure-results"))
    first = load_results(directory)
    assert {k: v["historyId"] for k, v in first.items()} == {
        k: v["historyId"] for k, v in again.items()
    }
    assert len({v["historyId"] for v in first.values()}) == EXPECTED["total"]


def test_evidence_is_attached_as_json_files_on_disk(directory: Path) -> None:
    report = run_report()
    results = load_results(directory)
    for check in report.results:
        attachments = results[check.key].get("attachments", [])
        assert len(attachments) == len(check.evidence), check.key
        for attachment, exchange in zip(attachments, check.evidence, strict=True):
            assert attachment["type"] == "application/json"
            stored = json.loads((directory / attachment["source"]).read_text(encoding="utf-8"))
            assert stored == exchange.to_dict()
    submit = results[f"{SUBMIT} [ERR-CATALOG-004]"]["attachments"][0]
    body = json.loads((directory / submit["source"]).read_text())["response"]["body"]
    assert body["text"] == HOSTILE
    assert len(list(directory.glob("*-attachment.json"))) == sum(
        len(check.evidence) for check in report.results
    )


def test_environment_properties(directory: Path) -> None:
    lines = (directory / "environment.properties").read_text(encoding="utf-8").splitlines()
    values = dict(line.split("=", 1) for line in lines)
    assert values["harness.version"] == "0.1.0"
    assert values["target.base_url"] == BASE_URL
    assert values["verdict"] == "FAIL"


def test_rewriting_clears_the_previous_results(tmp_path: Path) -> None:
    directory = tmp_path / "allure-results"
    report = run_report()
    write_allure_results(report, directory)
    report.results = [r for r in report.results if r.status == Status.PASS]
    write_allure_results(report, directory)
    assert len(list(directory.glob("*-result.json"))) == 3
    assert {r["status"] for r in load_results(directory).values()} == {"passed"}
