"""RSP-004: a response property the schema does not define is named; forbidden ones FAIL."""

from __future__ import annotations

import json

import pytest

from crr_contract.operations import default_spec_files, load_specs
from harness.checks.registry import CheckFailed
from harness.checks.response import no_undocumented_property, undocumented_properties
from harness.client import Exchange
from harness.results import RecordedExchange, RecordedRequest, RecordedResponse

DOCUMENT = {
    "components": {
        "schemas": {
            "Open": {"type": "object", "properties": {"a": {"type": "string"}}},
            "Closed": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"b": {"$ref": "#/components/schemas/Open"}},
            },
        }
    }
}


def _paths(schema: object, value: object) -> list[tuple[str, bool]]:
    return [(u.path, u.closed) for u in undocumented_properties(DOCUMENT, schema, value)]


def test_open_and_closed_objects_through_refs_and_arrays() -> None:
    closed = {"$ref": "#/components/schemas/Closed"}
    body = [{"b": {"a": "x", "extra": 1}, "c": 2}, {"c": 3}]
    assert _paths({"type": "array", "items": closed}, body) == [
        ("[]/b/extra", False),
        ("[]/c", True),
    ]


def test_composition_documents_what_any_branch_defines() -> None:
    schema = {"allOf": [{"$ref": "#/components/schemas/Open"}, {"properties": {"d": {}}}]}
    assert _paths(schema, {"a": "x", "d": 1, "e": 2}) == [("/e", False)]
    closed_branch = {"allOf": [{"$ref": "#/components/schemas/Closed"}]}
    assert _paths(closed_branch, {"b": {}, "e": 2}) == [("/e", True)]


def test_free_form_and_typed_additional_properties_are_not_judged() -> None:
    assert _paths({"type": "object"}, {"anything": 1}) == []
    typed = {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Open"}}
    assert _paths(typed, {"k": {"a": "x", "z": 1}}) == [("/k/z", False)]


HOLDING = {
    "crrId": "1",
    "source": "A",
    "sink": "B",
    "mw": 1,
    "timeOfUse": "ON",
    "startDate": "2025-08-01T07:00:00Z",
    "endDate": "2025-09-01T07:00:00Z",
    "crrType": "AUCTION",
    "marketName": "M",
    "owner": "ALPHA_LSE",
    "hedgeType": "OBLIGATION",
    "marketTerm": "Monthly",
    "originId": "1",
}


@pytest.fixture(scope="module")
def holdings():
    return next(
        op
        for spec in load_specs(default_spec_files())
        for op in spec.operations()
        if op.name == "secondary_market.getCrrHoldings"
    )


def _exchange(operation, body: object) -> Exchange:
    record = RecordedExchange(
        participant="alpha",
        request=RecordedRequest("GET", "https://t/secondaryMarket/v1.0/crrHoldings", {}),
        response=RecordedResponse(
            200, {"Content-Type": "application/json"}, json.dumps(body).encode()
        ),
        elapsed_ms=1.0,
    )
    return Exchange(operation, None, record, {})  # type: ignore[arg-type]


def test_the_reference_holdings_are_documented(holdings) -> None:
    body = [HOLDING]
    assert no_undocumented_property(_exchange(holdings, body), None) is None  # type: ignore[arg-type]


def test_an_undefined_property_is_a_noted_pass(holdings) -> None:
    item = HOLDING | {"colour": "blue"}
    body = [item]
    note = no_undocumented_property(_exchange(holdings, body), None)  # type: ignore[arg-type]
    assert note is not None and note.endswith("(allowed, undocumented): []/colour")


def test_a_forbidden_property_fails(holdings, monkeypatch: pytest.MonkeyPatch) -> None:
    schemas = holdings.spec.document["components"]["schemas"]
    monkeypatch.setitem(
        schemas, "CrrHolding", dict(schemas["CrrHolding"]) | {"additionalProperties": False}
    )
    item = HOLDING | {"colour": "blue"}
    body = [item]
    with pytest.raises(CheckFailed, match=r"additionalProperties: false\): .*/colour"):
        no_undocumented_property(_exchange(holdings, body), None)  # type: ignore[arg-type]


ANSWERS = {
    "historical_forecasted_load.submitLoadData": {
        "submissionId": "LS-2025-000001",
        "participantName": "ALPHA_LSE",
        "windowName": "HIST_LOAD_MN_2025_M10",
        "loadSubmissionStatus": "ACCEPTED",
        "submittedAt": "2025-09-09T16:00:00Z",
        "sinkResults": [
            {
                "sink": "DLAP_PGAE-APND",
                "status": "ACCEPTED",
                "submittedMw": 800.0,
                "exceedanceLimitMw": 1100.0,
            }
        ],
    },
    "historical_forecasted_load.openForecastLoadSubmissionWindow": [
        {
            "windowName": "CEC_LOAD_AN_2026",
            "marketName": "ALLOC_AN_2026_T1",
            "loadType": "CEC_FORECAST",
            "submissionWindow": "OPEN",
            "status": "OPEN",
            "openTime": "2025-09-08T08:00:00Z",
            "closeTime": "2025-09-09T00:00:00Z",
        }
    ],
    "tor_conversion.getConversionRequest": {
        "requestId": "TORC-20250908-0001",
        "participantName": "DELTA_TOR",
        "windowName": "TOR_AN_2026",
        "status": "APPROVED",
        "submittedAt": "2025-09-08T16:00:00Z",
        "records": [
            {
                "torContractId": "TOR-DELTA-0007",
                "source": "TH_NP15_GEN-APND",
                "sink": "DLAP_PGAE-APND",
                "mw": 40.0,
                "timeOfUse": "ON",
                "startDate": "2026-01-01T08:00:00Z",
                "endDate": "2027-01-01T08:00:00Z",
                "status": "APPROVED",
                "approverName": "ALPHA_LSE",
                "crrId": "10000004",
            }
        ],
        "updatedAt": "2025-09-10T16:00:00Z",
    },
}
"""Answers of the reference as a certify run recorded them (one record or row each)."""
ANSWERS["historical_forecasted_load.openHistLoadSubmissionWindow"] = ANSWERS[
    "historical_forecasted_load.openForecastLoadSubmissionWindow"
]
ANSWERS["historical_forecasted_load.getLoadData"] = {
    "participantName": "ALPHA_LSE",
    "windowName": "HIST_LOAD_MN_2025_M10",
    "loadType": "HISTORICAL",
    "records": [],
    "latestSubmission": ANSWERS["historical_forecasted_load.submitLoadData"],
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_the_reference_load_and_conversion_answers_are_documented(name: str) -> None:
    """What RSP-004 noted on a full certify of the reference (a load window's status, a load
    result's participantName, a converted record's crrId) is documented in the specs now."""
    operation = next(
        op
        for spec in load_specs(default_spec_files())
        for op in spec.operations()
        if op.name == name
    )
    assert no_undocumented_property(_exchange(operation, ANSWERS[name]), None) is None  # type: ignore[arg-type]
