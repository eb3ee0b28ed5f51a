"""FUZ-001..003 on hand-made exchanges: what each rule accepts, what it reports, what it leaves alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crr_contract.error_catalog import ErrorCatalog
from crr_contract.operations import Operation, default_spec_files, load_specs
from harness.checks import REGISTRY, CheckContext, CheckFailed, NotApplicable
from harness.checks.fuzzing import (
    UPSTREAM,
    FuzzedExchange,
    documented_input_codes,
    request_problems,
)
from harness.client import Exchange
from harness.results import RecordedExchange, RecordedRequest, RecordedResponse
from harness.target.config import Participant

SPECS = load_specs(default_spec_files())
OPERATIONS = {op.name: op for spec in SPECS for op in spec.operations()}
CONTEXT = CheckContext(
    None,  # type: ignore[arg-type]  # the FUZ checks do not read the target config
    ErrorCatalog.load(Path("specs/errors/catalog.yaml")),
    Path("specs/schemas"),
)
ALPHA = Participant(
    "alpha_lse-rw", "ALPHA_LSE", "EXTERNAL CRR HOLDER READ/WRITE ACCESS", Path(), Path()
)
BASE = "https://crr.example:8443"


def _error(code: str, description: str = "what went wrong") -> dict[str, Any]:
    return {
        "errorDetails": [{"severity": "ERROR", "errorCode": code, "errorDescription": description}]
    }


def exchange(
    operation: str,
    *,
    query: str = "",
    body: Any = None,
    raw: bytes | None = None,
    content_type: str = "application/json",
    status: int = 200,
    answer: Any = None,
    upstream: dict[str, str] | None = None,
    generation: str = "positive",
) -> FuzzedExchange:
    op = OPERATIONS[operation]
    sent = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
    headers = {"content-type": content_type} if sent else {}
    request = RecordedRequest(
        op.method, f"{BASE}{op.path}{'?' + query if query else ''}", headers, sent
    )
    response = RecordedResponse(
        status, {"content-type": "application/json"}, json.dumps(answer or {}).encode()
    )
    record = RecordedExchange(ALPHA.id, request, response, 1.0)
    return FuzzedExchange(
        op, ALPHA, record, {}, body, generation=generation, upstream=upstream or {}
    )


def judge(check_id: str, fuzzed: Exchange) -> str | None:
    """None when the check holds; its message when it fails; ``NotApplicable`` propagates."""
    try:
        REGISTRY[check_id].function(fuzzed, CONTEXT)
    except CheckFailed as failure:
        return failure.message
    return None


GOOD_REFERENCE = {
    "participantName": "ALPHA_LSE",
    "marketName": "AUC_MN_2025_M10",
    "portfolioName": "P1",
}


def test_the_fuzz_checks_are_registered_with_requirements() -> None:
    for check_id in ("FUZ-001", "FUZ-002", "FUZ-003"):
        assert check_id in REGISTRY and REGISTRY[check_id].requirement
        assert UPSTREAM[check_id] in REGISTRY[check_id].requirement


def test_only_fuzzed_exchanges_are_judged() -> None:
    fuzzed = exchange("auction.getStatus", query="marketName=AUC_MN_2025_M10", status=500)
    plain = Exchange(fuzzed.operation, ALPHA, fuzzed.record, {})
    for check_id in ("FUZ-001", "FUZ-002", "FUZ-003"):
        with pytest.raises(NotApplicable):
            judge(check_id, plain)


def test_a_server_error_fails_fuz_001_whatever_the_input() -> None:
    crash = exchange("auction.getStatus", status=503, answer=_error("SER0029"))
    message = judge("FUZ-001", crash)
    assert message and "HTTP 503" in message and "SER0029" in message
    assert judge("FUZ-001", exchange("auction.getStatus", status=400)) is None


@pytest.mark.parametrize(
    ("status", "answer", "verdict"),
    [
        (400, _error("SER0002"), None),
        (403, _error("SEC0001"), None),
        (200, {}, "accepted it with HTTP 200"),
        (500, _error("SER0029"), "answered HTTP 500"),
        (400, {"message": "bad"}, "no catalog code"),
        (400, _error("XYZ9999"), "no catalog code"),
    ],
)
def test_invalid_input_must_get_a_4xx_with_a_catalog_code(
    status: int, answer: Any, verdict: str | None
) -> None:
    invalid = exchange(
        "auction.portfolioSubmission",
        body={**GOOD_REFERENCE, "portfolioName": "has space"},
        status=status,
        answer=answer,
        upstream={"negative_data_rejection": "Schema-invalid request accepted"},
        generation="negative",
    )
    message = judge("FUZ-002", invalid)
    if verdict is None:
        assert message is None
    else:
        assert message and verdict in message and "portfolioName" in message
        assert "schemathesis negative_data_rejection" in message


def test_the_oracle_not_the_generator_decides_what_is_invalid() -> None:
    # labelled positive, but the request as sent breaks the pattern: accepting it fails FUZ-002
    accepted = exchange(
        "auction.portfolioSubmission",
        body={**GOOD_REFERENCE, "portfolioName": "has space"},
        status=200,
        generation="positive",
    )
    assert "accepted it with HTTP 200" in (judge("FUZ-002", accepted) or "")
    assert accepted.request_problems() and accepted.problems is not None


def test_fuz_002_leaves_valid_input_to_fuz_003_even_when_schemathesis_calls_it_negative() -> None:
    valid = exchange(
        "auction.portfolioSubmission",
        body=GOOD_REFERENCE,
        status=200,
        upstream={"negative_data_rejection": "accepted"},
    )
    with pytest.raises(NotApplicable):
        judge("FUZ-002", valid)


@pytest.mark.parametrize(
    ("wire", "problem"),
    [
        ({"query": "marketName=AUC_MN_2025_M10&marketName=AUC_MN_2025_M10"}, "given 2 times"),
        ({"raw": b'{"mw": NaN}'}, "not JSON"),
        ({"raw": b"\x00"}, "not JSON"),
        ({"body": GOOD_REFERENCE, "content_type": "text/plain"}, "text/plain"),
        ({"query": "marketName=auc"}, "marketName"),
        ({"query": ""}, "marketName"),
    ],
)
def test_request_problems_read_the_request_as_sent(wire: dict[str, Any], problem: str) -> None:
    operation = "auction.getStatus" if "query" in wire else "auction.portfolioSubmission"
    fuzzed = exchange(operation, **wire)
    found = request_problems(fuzzed.operation, fuzzed.record.request)
    assert any(problem in p for p in found), found


def test_a_valid_request_has_no_problems() -> None:
    ok = exchange("auction.portfolioSubmission", body=GOOD_REFERENCE)
    assert request_problems(ok.operation, ok.record.request) == []
    ok = exchange("auction.getStatus", query="marketName=AUC_MN_2025_M10")
    assert request_problems(ok.operation, ok.record.request) == []


BID = {
    "source": "TH_NP15_GEN-APND",
    "sink": "TH_SP15_GEN-APND",
    "timeOfUse": "ON",
    "segments": [{"mw": 10.0, "price": 5.0}],
}

OFFER = {
    "participantName": "ALPHA_LSE",
    "crrId": "10000002",
    "mw": 1.0,
    "startDate": "2026-01-01T08:00:00Z",
    "endDate": "2026-01-01T08:00:00Z",
    "timeOfUse": "ON",
    "targetRespondingMps": [{"participantName": "BRAVO_TRADING", "price": 1.0}],
}


@pytest.mark.parametrize(
    ("operation", "body", "query", "answer", "fails"),
    [
        # schema refusals of valid input
        ("auction.portfolioSubmission", GOOD_REFERENCE, "", _error("GEN0003"), True),
        (
            "auction.getStatus",
            None,
            "marketName=AUC_MN_2025_M10",
            _error("SER0002", "marketName: does not match the pattern"),
            True,
        ),
        # business refusals
        ("auction.portfolioSubmission", GOOD_REFERENCE, "", _error("POR0012"), False),
        ("auction.getStatus", None, "marketName=AUC_MN_2025_M10", _error("MKT0001"), False),
        # a value rule the spec states: endDate 'after startDate'
        (
            "secondary_market.submitOffer",
            OFFER,
            "",
            _error("SER0002", "endDate must be after startDate."),
            False,
        ),
        # SER0001 documented for the operation (NewPortfolio: a portfolio with neither bids
        # nor offers returns SER0001). The schema now states that rule too (anyOf), so the
        # request is a schema-valid one and the documented code is what is judged
        (
            "auction.portfolioCreation",
            {**GOOD_REFERENCE, "bids": [BID]},
            "",
            _error("SER0001", "A portfolio needs at least one bid or offer."),
            False,
        ),
        # an SER0002 that names no field: whether it is a schema reason cannot be told
        ("auction.getStatus", None, "marketName=AUC_MN_2025_M10", _error("SER0002"), False),
    ],
)
def test_valid_input_is_not_refused_for_a_schema_reason(
    operation: str, body: Any, query: str, answer: Any, fails: bool
) -> None:
    fuzzed = exchange(operation, body=body, query=query, status=400, answer=answer)
    assert not request_problems(fuzzed.operation, fuzzed.record.request)
    message = judge("FUZ-003", fuzzed)
    assert (message is not None) is fails, message


def test_fuz_003_does_not_judge_invalid_input_or_other_statuses() -> None:
    invalid = exchange(
        "auction.portfolioSubmission",
        body={"participantName": "ALPHA_LSE"},
        status=400,
        answer=_error("SER0001"),
        generation="negative",
    )
    with pytest.raises(NotApplicable):
        judge("FUZ-003", invalid)
    # a schema refusal is checked against the oracle whatever the generator thought
    mislabelled = exchange(
        "auction.portfolioSubmission",
        body={"participantName": "ALPHA_LSE"},
        status=400,
        answer=_error("SER0001", "marketName is required"),
        generation="positive",
    )
    with pytest.raises(NotApplicable):
        judge("FUZ-003", mislabelled)
    with pytest.raises(NotApplicable):
        judge("FUZ-003", exchange("auction.portfolioSubmission", body=GOOD_REFERENCE, status=404))


def test_documented_codes_come_from_the_spec_prose() -> None:
    documented = {
        name: documented_input_codes(op)
        for name, op in OPERATIONS.items()
        if isinstance(op, Operation)
    }
    assert documented["auction.portfolioCreation"] == {"SER0001", "SER0002"}
    assert documented["market_data.getPublicDownload"] == {"SER0002"}
    assert documented["auction.getPortfolio"] == frozenset()
