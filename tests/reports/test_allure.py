"""allure-results: one result per case, its checks as steps, statuses mapped, failures' evidence attached."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness.reports.allure import write_allure_results
from harness.results import Status
from tests.reports.sample import (
    ADVANCE,
    BASE_URL,
    DOWNLOAD,
    EXPECTED,
    HOSTILE,
    PORTFOLIO,
    SUBMIT,
    run_report,
)

STATUS = {"PASS": "passed", "FAIL": "failed", "ERROR": "broken", "SKIP": "skipped"}


def load_results(directory: Path) -> dict[str, dict[str, Any]]:
    """The result files of ``directory``, keyed by fullName (the case)."""
    loaded = [json.loads(p.read_text(encoding="utf-8")) for p in directory.glob("*-result.json")]
    return {result["fullName"]: result for result in loaded}


def labels(result: dict[str, Any], name: str) -> list[str]:
    return [label["value"] for label in result["labels"] if label["name"] == name]


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_allure_results(run_report(), tmp_path_factory.mktemp("run") / "allure-results")


def step(result: dict[str, Any], check_id: str) -> dict[str, Any]:
    (found,) = [s for s in result["steps"] if s["name"].startswith(f"{check_id}: ")]
    return found


def test_one_result_file_per_case_with_one_step_per_check(directory: Path) -> None:
    report = run_report()
    results = load_results(directory)
    cases = {r.case for r in report.results}
    assert len(list(directory.glob("*-result.json"))) == len(cases) == EXPECTED["total"] - 1
    assert set(results) == cases
    for check in report.results:
        found = step(results[check.case], check.id)
        assert found["status"] == STATUS[str(check.status)], check.key
        assert found["name"] == f"{check.id}: {check.requirement}"
    assert sum(len(r["steps"]) for r in results.values()) == EXPECTED["total"]


def test_a_case_is_as_bad_as_its_worst_check(directory: Path) -> None:
    results = load_results(directory)
    assert results[PORTFOLIO]["status"] == "passed"
    assert results[SUBMIT]["status"] == "failed"
    assert results[DOWNLOAD]["status"] == "broken"
    assert results[ADVANCE]["status"] == "skipped"
    report = run_report()
    mixed = [r for r in report.results if r.case == PORTFOLIO]
    report.results = [mixed[0], replace(mixed[1], status=Status.FAIL, message="bad status")]
    worse = load_results(write_allure_results(report, directory.parent / "mixed"))[PORTFOLIO]
    assert worse["status"] == "failed"
    assert worse["statusDetails"]["message"] == "bad status"
    assert [s["status"] for s in worse["steps"]] == ["passed", "failed"]


def test_labels_name_suite_service_operation_and_check(directory: Path) -> None:
    submit = load_results(directory)[SUBMIT]
    assert labels(submit, "suite") == ["conformance"]
    assert labels(submit, "feature") == ["auction"]
    assert labels(submit, "story") == ["auction.submitBid"]
    assert "ERR-CATALOG-004" in labels(submit, "tag")
    assert labels(submit, "severity") == ["normal"]
    assert submit["name"] == SUBMIT
    assert labels(load_results(directory)[PORTFOLIO], "tag") == [
        "RESP-SCHEMA-001",
        "HTTP-STATUS-001",
    ]


def test_status_details_carry_message_clause_and_rerun(directory: Path) -> None:
    result = load_results(directory)[SUBMIT]
    assert step(result, "ERR-CATALOG-004")["statusDetails"] == result["statusDetails"]
    details = result["statusDetails"]
    assert details["message"] == "Expected errorCode SER0031 but got a text/html body"
    assert "clause: caiso_crr_error_catalog_v1.0.0.yaml#/codes/SER0031" in details["trace"]
    assert f"rerun: crr-harness certify --only '{SUBMIT}'" in details["trace"]


def test_history_id_is_stable_across_writes(directory: Path, tmp_path: Path) -> None:
    again = load_results(write_allure_results(run_report(), tmp_path / "allure-results"))
    first = load_results(directory)
    assert {k: v["historyId"] for k, v in first.items()} == {
        k: v["historyId"] for k, v in again.items()
    }
    assert len({v["historyId"] for v in first.values()}) == EXPECTED["total"] - 1


def _attachments(directory: Path, result: dict[str, Any], check_id: str) -> list[dict]:
    found = step(result, check_id).get("attachments", [])
    for attachment in found:
        assert attachment["type"] == "application/json"
    return [json.loads((directory / a["source"]).read_text(encoding="utf-8")) for a in found]


def test_the_evidence_of_failures_is_attached_as_json_files_on_disk(directory: Path) -> None:
    report = run_report()
    results = load_results(directory)
    for check in report.results:
        stored = _attachments(directory, results[check.case], check.id)
        if check.status in (Status.FAIL, Status.ERROR):
            assert stored == [exchange.to_dict() for exchange in check.evidence], check.key
        else:
            assert stored == [], check.key
    submit = _attachments(directory, results[SUBMIT], "ERR-CATALOG-004")[0]
    assert submit["response"]["body"]["text"] == HOSTILE
    assert len(list(directory.glob("*-attachment.json"))) == sum(
        len(check.evidence) for check in report.results if check.status in ("FAIL", "ERROR")
    )


def test_evidence_all_attaches_every_check_s_exchanges(tmp_path: Path) -> None:
    report = run_report()
    directory = write_allure_results(report, tmp_path / "all", evidence="all")
    results = load_results(directory)
    for check in report.results:
        stored = _attachments(directory, results[check.case], check.id)
        assert stored == [e.to_dict(check.body_limit) for e in check.evidence], check.key
    # the two PORTFOLIO checks saw different exchanges (elapsed times differ): two files
    assert len(list(directory.glob("*-attachment.json"))) == sum(
        len(check.evidence) for check in report.results
    )
    with pytest.raises(ValueError, match="evidence"):
        write_allure_results(report, tmp_path / "bad", evidence="some")


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
    assert len(list(directory.glob("*-result.json"))) == 2  # three checks in two cases
    assert {r["status"] for r in load_results(directory).values()} == {"passed"}
