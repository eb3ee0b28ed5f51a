"""Deduplication: one result per operation and check, counted, with the smallest failing request."""

from __future__ import annotations

import dataclasses
import shlex
from pathlib import Path
from typing import Any

import pytest

from harness.fuzz.findings import Findings, curl_command, finding_id, parse_finding_id
from harness.results import RecordedExchange, RecordedRequest, Status
from harness.target.config import Participant, TargetConfig
from tests.fuzz.test_checks import CONTEXT, exchange

UNKNOWN = {
    "errorDetails": [
        {"severity": "ERROR", "errorCode": "MKT0001", "errorDescription": "no such market"}
    ]
}
FAKE_CONFIG = TargetConfig(
    base_url="https://crr.example:8443",
    ca_bundle=Path("/pki/ca.pem"),
    participants=(),
    services={},
)


def _results(findings: Findings, **overrides: Any):
    options: dict[str, Any] = {
        "suite": "fuzzing",
        "case": lambda op: f"{op}: fuzz",
        "seed": 42,
        "replay": lambda name: f"crr-harness fuzz --replay {name}",
        "rerun": lambda op: f"crr-harness fuzz -k {op}",
        "config": FAKE_CONFIG,
    }
    options.update(overrides)
    return findings.results(**options)


def test_many_failures_of_one_check_are_one_finding_with_a_count() -> None:
    findings = Findings(CONTEXT)
    long_name = "x" * 40
    for name in (long_name, "short", "medium-name"):
        findings.judge(
            exchange(
                "auction.portfolioSubmission",
                body={"participantName": "ALPHA_LSE", "marketName": "bad", "portfolioName": name},
                status=200,
            )
        )
    findings.judge(
        exchange(
            "auction.getStatus", query="marketName=AUC_MN_2025_M10", status=400, answer=UNKNOWN
        )
    )
    results = _results(findings)
    keys = [(r.id, r.operation) for r in results]
    assert len(keys) == len(set(keys))
    fuz2 = [r for r in results if r.id == "FUZ-002"]
    assert len(fuz2) == 1 and fuz2[0].status is Status.FAIL
    assert "failed on 3 of 3 request(s)" in fuz2[0].message and "run seed 42" in fuz2[0].message
    # the smallest failing request is the evidence
    assert b'"short"' in fuz2[0].evidence[-1].request.body
    assert fuz2[0].rerun == "crr-harness fuzz --replay FUZ-002@auction.portfolioSubmission"
    passed = [r for r in results if r.operation == "auction.getStatus"]
    assert passed and all(r.status is Status.PASS for r in passed)
    assert all(r.rerun == "crr-harness fuzz -k auction.getStatus" for r in passed)


def test_setup_operations_are_reported_only_when_something_failed() -> None:
    findings = Findings(CONTEXT)
    findings.judge(
        exchange(
            "auction.getStatus", query="marketName=AUC_MN_2025_M10", status=400, answer=UNKNOWN
        )
    )
    findings.judge(exchange("auction.getPortfolioList", status=500))
    results = _results(findings, wanted=lambda operation: False)
    assert {r.operation for r in results} == {"auction.getPortfolioList"}
    assert all(r.status is not Status.PASS for r in results)


def test_overruled_schemathesis_verdicts_are_counted_not_failed() -> None:
    findings = Findings(CONTEXT)
    findings.judge(
        exchange(
            "auction.portfolioSubmission",
            body={
                "participantName": "ALPHA_LSE",
                "marketName": "AUC_MN_2025_M10",
                "portfolioName": "P",
            },
            status=400,
            answer={
                "errorDetails": [
                    {"severity": "ERROR", "errorCode": "POR0012", "errorDescription": "closed"}
                ]
            },
            upstream={"positive_data_acceptance": "Valid data should have been accepted"},
        )
    )
    fuz3 = next(r for r in _results(findings) if r.id == "FUZ-003")
    assert fuz3.status is Status.PASS and "flagged 1" in fuz3.message


@pytest.mark.parametrize("text", ["FUZ-001@auction.getStatus", "RSP-003@a.b"])
def test_finding_ids_round_trip(text: str) -> None:
    assert finding_id(*parse_finding_id(text)) == text


@pytest.mark.parametrize("text", ["FUZ-001", "@op", "FUZ-001@"])
def test_a_malformed_finding_id_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_finding_id(text)


def test_the_curl_line_presents_the_certificate_and_keeps_the_bytes(tmp_path: Path) -> None:
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    config = TargetConfig(
        base_url="https://crr.example:8443",
        ca_bundle=tmp_path / "ca.pem",
        participants=(Participant("p1", "ALPHA_LSE", "R", cert, key),),
        services={},
    )
    body = b'{"a": "it\'s"}\x00\xff'
    record = RecordedExchange(
        "p1",
        RecordedRequest(
            "POST",
            "https://crr.example:8443/auction/v1.0/portfolioSubmission?x=1&y=a%20b",
            {"content-type": "application/json", "x-client-cert": "secret-ish"},
            body,
        ),
        None,
        1.0,
    )
    line = curl_command(record, config)
    assert f"--cert {cert}" in line and f"--key {key}" in line and "--cacert" in line
    assert "x-client-cert" not in line
    assert "\\x00\\xff" in line and "\\x27" in line  # bytes escaped in $'...'
    text = RecordedExchange("p1", RecordedRequest("GET", "https://h/p?a=1", {}, b""), None, 1.0)
    assert shlex.split(curl_command(text, config))[-1] == "https://h/p?a=1"
    proxied = curl_command(text, dataclasses.replace(config, client_cert_header=True))
    assert "X-Client-Cert: $(python3" in proxied and "--cert " not in proxied
