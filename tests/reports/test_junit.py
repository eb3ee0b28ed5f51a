"""junit.xml: totals, one testsuite per suite, one testcase per CheckResult."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from harness.reports.junit import render_junit, write_junit
from harness.results import CheckResult, Status
from tests.reports.sample import AWARDS, EXPECTED, SUBMIT, run_report


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> ET.Element:
    path = write_junit(run_report(), tmp_path_factory.mktemp("junit") / "junit.xml")
    return ET.parse(path).getroot()


def properties(element: ET.Element) -> dict[str, str]:
    return {p.get("name", ""): p.get("value", "") for p in element.findall("properties/property")}


def test_totals_equal_the_counts(root: ET.Element) -> None:
    assert root.tag == "testsuites"
    assert int(root.get("tests", "-1")) == EXPECTED["total"]
    assert int(root.get("failures", "-1")) == EXPECTED["failed"]
    assert int(root.get("errors", "-1")) == EXPECTED["errors"]
    assert int(root.get("skipped", "-1")) == EXPECTED["skipped"]
    assert len(root.findall("testsuite/testcase")) == EXPECTED["total"]


def test_one_testsuite_per_suite_with_its_own_totals(root: ET.Element) -> None:
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert list(suites) == ["conformance", "scenarios"]
    conformance, scenarios = suites["conformance"], suites["scenarios"]
    assert (conformance.get("tests"), conformance.get("failures")) == ("5", "1")
    assert (conformance.get("errors"), conformance.get("skipped")) == ("1", "1")
    assert (scenarios.get("tests"), scenarios.get("failures")) == ("2", "1")


def test_failures_carry_the_check_id_clause_and_rerun(root: ET.Element) -> None:
    failures = {
        case.get("name"): case.find("failure") for case in root.iter("testcase")
    }  # fmt: skip
    submit = failures[f"{SUBMIT} [ERR-CATALOG-004]"]
    assert submit is not None
    assert submit.get("type") == "ERR-CATALOG-004"
    assert submit.get("message") == "Expected errorCode SER0031 but got a text/html body"
    assert "clause: caiso_crr_error_catalog_v1.0.0.yaml#/codes/SER0031" in (submit.text or "")
    assert f"rerun: crr-harness certify --only '{SUBMIT}'" in (submit.text or "")
    awards = failures[f"{AWARDS} [BIZ-AWARD-002]"]
    assert awards is not None and awards.get("type") == "BIZ-AWARD-002"
    types = sorted(f.get("type", "") for f in root.iter("failure"))
    assert types == ["BIZ-AWARD-002", "ERR-CATALOG-004"]


def test_error_and_skip_elements(root: ET.Element) -> None:
    errors = list(root.iter("error"))
    assert [e.get("type") for e in errors] == ["DL-SCHEMA-002"]
    skipped = list(root.iter("skipped"))
    assert [s.get("message") for s in skipped] == ["the target declares no sim-control API"]


def test_classname_is_suite_and_operation_and_time_is_the_evidence(root: ET.Element) -> None:
    cases = {case.get("name"): case for case in root.iter("testcase")}
    submit = cases[f"{SUBMIT} [ERR-CATALOG-004]"]
    assert submit.get("classname") == "conformance.auction.submitBid"
    assert float(submit.get("time", "0")) == pytest.approx(
        0.1455, abs=6e-4
    )  # 120.5 ms + 25 ms, to the ms
    awards = cases[f"{AWARDS} [BIZ-AWARD-002]"]
    assert awards.get("classname") == "scenarios.run"


def test_properties_name_the_verdict_version_and_seed(root: ET.Element) -> None:
    expected = {"verdict": "FAIL", "harness_version": "0.1.0", "seed": "424242"}
    assert expected.items() <= properties(root).items()
    for suite in root.findall("testsuite"):
        assert expected.items() <= properties(suite).items()


def test_characters_xml_cannot_carry_are_escaped_not_fatal() -> None:
    report = run_report()
    report.results.append(
        CheckResult(
            id="CTL-1",
            suite="conformance",
            case="control characters",
            requirement="r",
            status=Status.FAIL,
            message="body had \x00 and \x1b[31m",
        )
    )
    root = ET.fromstring(render_junit(report))
    failure = next(f for f in root.iter("failure") if f.get("type") == "CTL-1")
    assert failure.get("message") == "body had \\x00 and \\x1b[31m"
