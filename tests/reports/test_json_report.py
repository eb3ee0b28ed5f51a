"""report.json is RunReport.to_dict() on disk, in the model's key order."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path

from harness.reports.json_report import render_json, write_json
from harness.results import Status
from tests.reports.sample import EXPECTED, NOT_UTF8, run_report


def test_report_json_round_trips_to_the_model_dict(tmp_path: Path) -> None:
    report = run_report()
    path = write_json(report, tmp_path / "report.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == report.to_dict()
    assert list(data) == list(report.to_dict())  # the model's order, not sorted


def test_summary_matches_the_counts_of_the_checks(tmp_path: Path) -> None:
    data = json.loads(write_json(run_report(), tmp_path / "report.json").read_text())
    summary = data["summary"]
    assert {key: summary[key] for key in EXPECTED} == EXPECTED
    assert summary["verdict"] == "FAIL"
    statuses = [check["status"] for check in data["checks"]]
    assert statuses.count("PASS") == summary["passed"]
    assert statuses.count("FAIL") == summary["failed"]
    assert statuses.count("ERROR") == summary["errors"]
    assert statuses.count("SKIP") == summary["skipped"]
    assert len(statuses) == summary["total"]


def test_a_body_that_is_not_utf8_is_kept_as_base64(tmp_path: Path) -> None:
    data = json.loads(write_json(run_report(), tmp_path / "report.json").read_text())
    failing = next(check for check in data["checks"] if check["id"] == "ERR-CATALOG-004")
    body = failing["evidence"][1]["response"]["body"]
    assert "text" not in body
    assert base64.b64decode(body["base64"]) == NOT_UTF8


def test_text_is_indented_by_two_and_ends_with_a_newline() -> None:
    text = render_json(run_report())
    assert text.startswith('{\n  "run_id": ')
    assert text.endswith("}\n")


def test_a_lone_surrogate_does_not_lose_the_report(tmp_path: Path) -> None:
    report = run_report()
    report.results[0] = type(report.results[0])(
        id="X-1", suite="conformance", case="c", requirement="r", status=Status.PASS,
        message="bad \udcff byte",
    )  # fmt: skip
    data = json.loads(write_json(report, tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["checks"][0]["message"] == "bad \udcff byte"


def test_pass_evidence_is_shared_by_reference_and_failures_keep_their_own() -> None:
    report = run_report()
    first, second = report.results[0], report.results[1]
    assert first.status == second.status == Status.PASS
    report.results[1] = replace(second, evidence=first.evidence)  # two checks, one exchange
    data = json.loads(render_json(report))
    refs = []
    for check in data["checks"]:
        if check["status"] in ("PASS", "SKIP"):
            assert all(set(item) == {"ref"} for item in check["evidence"]), check["key"]
            refs += [item["ref"] for item in check["evidence"]]
        else:
            assert check["evidence"] and all("request" in item for item in check["evidence"])
    assert refs[0] == refs[1]
    assert set(refs) == set(data["exchanges"])
    assert data["exchanges"][refs[0]] == first.evidence[0].to_dict(first.body_limit)
