"""The one comparison of SCN-001, OUT-001 and INV-*: what the spec means, not how it is printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from crr_contract.operations import default_spec_files, load_specs
from harness.client import Exchange
from harness.results import RecordedExchange, RecordedRequest, RecordedResponse
from harness.scenarios.answer_schema import SchemaNode, answer_schema
from harness.scenarios.equivalence import (
    RULES,
    canonical_instant,
    difference,
    instant,
    load_rules,
    meaning_of,
)
from harness.scenarios.invariants import awards_feasible, mw_conserved
from harness.scenarios.outcomes import DEFAULTS, compare_outcomes
from harness.scenarios.values import PathError, match, path_keys, resolve
from harness.target.config import Participant
from tests.conftest import SPECS_DIR

DOWNLOAD = {
    "type": "object",
    "properties": {
        "GeneratedAt": {"type": "string", "format": "date-time"},
        "Rows": {"type": "array", "items": {"$ref": "#/definitions/row"}},
    },
    "definitions": {
        "row": {
            "type": "object",
            "properties": {
                "NetMigratedLoadMW": {"type": "number", "description": "Net load migrated."},
                "Quantity": {"type": "number", "description": "Quantity, MW."},
                "Settlement": {"type": "number", "description": "Amount in $/MW."},
                "Factor": {"type": "number"},
                "Tier": {"type": "integer"},
                "Day": {"type": "string", "format": "date"},
                "Sink": {"allOf": [{"$ref": "#/definitions/name"}], "description": "a sink"},
            },
        },
        "name": {"type": "string", "maxLength": 50},
    },
}
ROOT = SchemaNode(DOWNLOAD, DOWNLOAD)
ROW = ROOT.descend(["Rows", 0])


def field(name: str) -> SchemaNode:
    return ROW.child(name)


@pytest.mark.parametrize(
    ("actual", "expected", "node", "same"),
    [
        # numbers by value; bool is never a number
        (-50, -50.0, None, True),
        (True, 1, None, False),
        (1, True, None, False),
        (False, False, None, True),
        (0, False, field("Tier"), False),
        # integers exactly, numbers within their type's and unit's tolerance
        (3, 3.0, field("Tier"), True),
        (3.0000001, 3, field("Tier"), False),
        (1.0000001, 1, field("Factor"), True),
        (1.00001, 1, field("Factor"), False),
        (-49.9995, -50, field("NetMigratedLoadMW"), True),  # MW by the name
        (-49.99, -50, field("NetMigratedLoadMW"), False),
        (10.0009, 10, field("Quantity"), True),  # MW by the description
        (10.002, 10, field("Quantity"), False),
        (6.009, 6, field("Settlement"), True),  # $ by the description, before MW
        (6.02, 6, field("Settlement"), False),
        # without a schema: two JSON integers exactly, otherwise a number of its name's unit
        (7, 7, None, True),
        (7, 8, None, False),
        (5.0000001, 5, None, True),
        (50.0004, 50, SchemaNode.unknown("AwardedMW"), True),
        # date-times as instants, whatever the offset and fraction digits
        ("2025-10-01T07:00:00+00:00", "2025-10-01T07:00:00Z", field("Day").child("x"), True),
        ("2025-10-01T00:00:00-07:00", "2025-10-01T07:00:00Z", ROOT.child("GeneratedAt"), True),
        ("2025-10-01T07:00:00.000Z", "2025-10-01T07:00:00Z", ROOT.child("GeneratedAt"), True),
        ("2025-10-01T07:00:01+00:00", "2025-10-01T07:00:00Z", ROOT.child("GeneratedAt"), False),
        ("2025-10-01T07:00:00.5Z", "2025-10-01T07:00:00.50Z", None, True),
        ("not a date", "2025-10-01T07:00:00Z", ROOT.child("GeneratedAt"), False),
        # everything else exactly
        ("2025-10-01", "2025-10-01", field("Day"), True),
        ("DLAP_PGAE-APND", "dlap_pgae-apnd", field("Sink"), False),
        ("OPEN", "OPEN", None, True),
        (None, 0, None, False),
        ("5", 5, None, False),
    ],
)
def test_values_compare_by_meaning(actual, expected, node, same: bool) -> None:
    assert (difference(actual, expected, node) is None) is same


def test_allof_keeps_the_type_of_its_reference_and_its_own_description() -> None:
    sink = field("Sink")
    assert (sink.type, sink.description, sink.name) == ("string", "a sink", "Sink")


def test_objects_and_lists_are_walked_with_their_schema() -> None:
    reference = {"Rows": [{"Tier": 1, "NetMigratedLoadMW": -50.0}]}
    assert difference({"Rows": [{"Tier": 1, "NetMigratedLoadMW": -50}]}, reference, ROOT) is None
    problem = difference({"Rows": [{"Tier": 2, "NetMigratedLoadMW": -50}]}, reference, ROOT)
    assert problem and problem.startswith("Rows: ")
    assert difference({"Rows": []}, reference, ROOT)
    assert difference({"Rows": [{"Tier": 1}]}, reference, ROOT) == "Rows: " + repr(
        [{"Tier": 1}]
    ) + " != " + repr(reference["Rows"])


def test_a_tolerance_comes_from_the_unit_not_from_a_list_of_names() -> None:
    assert meaning_of(field("NetMigratedLoadMW"), 1.0, 1.0).unit == "MW"
    assert meaning_of(field("Settlement"), 1.0, 1.0).unit == "price"
    assert meaning_of(field("Factor"), 1.0, 1.0).tolerance == RULES.number
    assert meaning_of(field("Tier"), 1.0, 1.0).kind == "integer"
    assert meaning_of(SchemaNode.unknown("requiredCredit"), 1.0, 2.0).unit == "credit"


def test_tolerances_are_read_from_the_data_file(tmp_path: Path) -> None:
    file = tmp_path / "outcomes.yaml"
    file.write_text(
        yaml.safe_dump(
            {"tolerances": {"number": 0.5, "MW": 2.0}, "units": {"MW": {"name": "(?i)mw"}}}
        ),
        encoding="utf-8",
    )
    rules = load_rules(file)
    assert difference(11.9, 10, SchemaNode.unknown("mw"), rules=rules) is None
    assert difference(10.4, 10, SchemaNode.unknown("other"), rules=rules) is None
    assert difference(10.6, 10, SchemaNode.unknown("other"), rules=rules) is not None


def test_instants() -> None:
    assert instant("2025-10-01T07:00:00Z") == instant("2025-10-01T09:00:00+02:00")
    assert instant("2025-10-01") is None and instant(20251001) is None
    assert instant("2025-13-01T07:00:00Z") is None
    assert canonical_instant("2025-10-01T09:00:00.250+02:00") == "2025-10-01T07:00:00.25Z"
    assert canonical_instant("2025-10-01T07:00:00.0000001Z") == "2025-10-01T07:00:00.0000001Z"
    assert canonical_instant("2025-10-01T07:00:00.000+00:00") == "2025-10-01T07:00:00Z"


def test_scenario_paths_walk_the_schema() -> None:
    assert path_keys("data.Rows[*].Quantity|sum") == ["data", "Rows", 0, "Quantity"]
    assert path_keys("[crrId=10000001].mw") == [0, "mw"]
    assert ROOT.descend(path_keys("Rows[0].Tier")).type == "integer"


@pytest.mark.parametrize(
    ("actual", "expected", "node", "ok"),
    [
        (50.0000002, 50, field("Quantity"), True),  # an aggregate, like MW|sum
        (50.002, 50, field("Quantity"), False),
        ([900.0000001, 980.0], [900, 980], ROW.child("Quantity"), True),
        ("2025-09-08T08:00:00+00:00", "2025-09-08T08:00:00Z", None, True),
        ("2025-09-08T08:00:00+00:00", {"lt": "2025-09-08T09:00:00+01:00"}, None, False),
        ("2025-09-08T07:59:59Z", {"lt": "2025-09-08T09:00:00+01:00"}, None, True),
        (49.9999999, {"gte": 50}, field("Quantity"), True),
        (49.99, {"gte": 50}, field("Quantity"), False),
        (50.0000001, {"gt": 50}, field("Quantity"), False),
        (50, {"approx": 50.0000001}, field("Quantity"), True),
        ("2025-10-01T07:00:00+00:00", {"in": ["2025-10-01T07:00:00Z"]}, None, True),
        ([1.0, 2.0], {"contains": 2}, None, True),
        (True, {"in": [1]}, None, False),
    ],
)
def test_matchers_use_the_same_comparison(actual, expected, node, ok: bool) -> None:
    assert (match(actual, expected, node) is None) is ok


def test_outcomes_compare_numbers_by_value_and_date_times_as_instants() -> None:
    reference = {
        "GeneratedAt": "2025-10-01T07:00:00Z",
        "Rows": [{"Tier": 1, "NetMigratedLoadMW": -50.0, "Day": "2025-10-01"}],
    }
    target = {
        "GeneratedAt": "2025-10-01T07:00:00+00:00",
        "Rows": [{"Tier": 1, "NetMigratedLoadMW": -50.0000001, "Day": "2025-10-01"}],
    }
    assert compare_outcomes(target, reference, ignore=[], schema=ROOT) == []
    target["Rows"][0]["NetMigratedLoadMW"] = -50.01
    target["GeneratedAt"] = "2025-10-01T07:00:01+00:00"
    differences = compare_outcomes(target, reference, schema=ROOT)
    assert any("NetMigratedLoadMW" in d and "-50.01" in d for d in differences), differences
    assert not any("GeneratedAt" in d for d in differences)  # an ignored stamp
    target["Rows"][0] |= {"NetMigratedLoadMW": -50, "Tier": 1.0000001}
    assert any("Tier" in d for d in compare_outcomes(target, reference, schema=ROOT))


def test_outcomes_pair_reordered_items_whatever_their_spelling() -> None:
    reference = [
        {"Sink": "A", "Quantity": 10.0, "Start": "2025-10-01T07:00:00Z"},
        {"Sink": "B", "Quantity": 20.0, "Start": "2025-11-01T07:00:00Z"},
    ]
    target = [
        {"Sink": "B", "Quantity": 20, "Start": "2025-11-01T07:00:00+00:00"},
        {"Sink": "A", "Quantity": 10.0000001, "Start": "2025-10-01T00:00:00-07:00"},
    ]
    node = ROOT.child("Rows")
    assert compare_outcomes(target, reference, ignore_order=True, schema=node) == []
    target[1]["Quantity"] = 10.5
    assert compare_outcomes(target, reference, ignore_order=True, schema=node)


def test_invariants_use_the_mw_tolerance_and_instants() -> None:
    saved = {"before": [40.0], "after": [39.9999999]}
    mw_conserved({"before": ["before"], "after": ["after"]}, saved, {})
    with pytest.raises(Exception, match="not a number"):
        mw_conserved({"before": ["before"], "after": ["flag"]}, saved | {"flag": True}, {})
    network = {
        "buses": ["N", "S"],
        "branches": [
            {"branchId": "N-S", "fromBus": "N", "toBus": "S", "reactance": 1, "limit": 50}
        ],
        "locations": [{"name": "GEN", "weights": {"N": 1}}, {"name": "LOAD", "weights": {"S": 1}}],
    }
    data = {
        "network": network,
        "existingCrrs": [
            {
                "source": "GEN",
                "sink": "LOAD",
                "timeOfUse": "ON",
                "mw": 10.0,
                "startDate": "2025-10-01T07:00:00Z",
                "endDate": "2025-11-01T07:00:00Z",
            }
        ],
    }
    award = {"source": "GEN", "sink": "LOAD", "timeOfUse": "ON", "mw": 40.0000001}
    october = ["2025-10-01T00:00:00-07:00", "2025-11-01T00:00:00-07:00"]
    args = {"awards": ["a"], "existing_crrs_in": october}
    assert "2 CRR(s)" in awards_feasible(args, {"a": [award]}, data)
    with pytest.raises(Exception, match="not simultaneously feasible"):
        awards_feasible(args, {"a": [award | {"mw": 40.01}]}, data)


def test_a_path_selects_items_by_meaning() -> None:
    document = [
        {"endDate": "2026-01-01T08:00:00+00:00", "mw": 40, "crrId": "10000001"},
        {"endDate": "2025-11-01T07:00:00+00:00", "mw": 25.0, "crrId": "10000002"},
    ]
    assert resolve(document, "[endDate=2026-01-01T08:00:00Z].mw") == 40
    assert resolve(document, "[mw=25].crrId") == "10000002"
    assert resolve(document, "[crrId=10000002].mw") == 25.0
    with pytest.raises(PathError):
        resolve(document, "[endDate=2026-01-01T08:00:01Z].mw")


def test_what_stays_exact_is_listed_with_its_reason() -> None:
    exact = DEFAULTS["exact"]
    assert {"integer", "string", "date", "boolean", "structure"} <= set(exact)
    assert all(isinstance(reason, str) and len(reason.split()) >= 5 for reason in exact.values())
    assert set(DEFAULTS["units"]) <= set(DEFAULTS["tolerances"])


def _download_exchange(body: dict) -> Exchange:
    specs = load_specs(default_spec_files(SPECS_DIR))
    operation = next(
        op
        for spec in specs
        for op in spec.operations()
        if op.name == "market_data.getPrivateDownload"
    )
    record = RecordedExchange(
        "alpha",
        RecordedRequest("GET", "https://target/marketData", {}),
        RecordedResponse(200, {"content-type": "application/json"}, json.dumps(body).encode()),
        1.0,
    )
    participant = Participant("alpha", "ALPHA_LSE", "lse", Path("a.pem"), Path("a.key"))
    return Exchange(operation, participant, record, {})


def test_an_answer_schema_is_its_documented_response_and_its_download_file() -> None:
    exchange = _download_exchange(
        {"schemaName": "CRRLoadMigrationResult", "schemaVersion": "1.0.1", "data": {}}
    )
    schema = answer_schema(exchange, SPECS_DIR / "schemas")
    assert schema.child("generatedAt").format == "date-time"  # the OpenAPI response
    row = schema.descend(path_keys("data.LoadMigrationResults[*]"))
    assert row.child("NetMigratedLoadMW").type == "number"  # the draft-07 download file
    assert row.child("StartDate").format == "date-time"
    assert row.child("Sink").type == "string"
    unknown = _download_exchange({"schemaName": "CRRNoSuchThing", "data": {}})
    assert answer_schema(unknown, SPECS_DIR / "schemas").child("data").child("X").type is None
