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
