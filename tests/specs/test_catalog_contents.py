"""The shipped spec catalog meets the requirements it was written to (issue: foundation).

These tests read specs/ as a user would and check the properties every
other part of the harness relies on: ten services with a version history,
complete operations, the seed's facts reproduced where the seeds state them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from crr_contract.files import by_key, find_openapi, find_schemas, load_document
from crr_contract.version import SpecVersion
from harness.cli import main
from harness.lint.openapi_rules import iter_operations, resolve_local

SPECS = Path(__file__).resolve().parents[2] / "specs"
SERVICES = {
    "app_status",
    "market_info",
    "messages",
    "market_data",
    "historical_forecasted_load",
    "auction",
    "nomination",
    "load_migration",
    "secondary_market",
    "tor_conversion",
}
ERROR_STATUSES = ("400", "403", "404", "500")
MILLISECONDS = re.compile(r"\d{2}:\d{2}:\d{2}\.\d+Z")


def service_files() -> dict[str, list]:
    return by_key(find_openapi(SPECS / "openapi"))


def latest_documents() -> list[tuple[str, dict]]:
    return [(key, load_document(files[-1].path)) for key, files in sorted(service_files().items())]


def operations(document: dict) -> dict[str, dict]:
    return {op["operationId"]: op for _, _, op in iter_operations(document)}


def walk(node: Any):
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def enum_values(document: dict) -> set:
    return {
        value for node in walk(document) if isinstance(node, dict) for value in node.get("enum", [])
    }


def error_codes(document: dict) -> set[str]:
    return {code for _, _, op in iter_operations(document) for code in op.get("x-error-codes", [])}


def test_lint_is_clean_on_the_shipped_catalog(capsys) -> None:
    code = main(["lint", str(SPECS)])
    out = capsys.readouterr().out
    assert code == 0, out


def test_all_ten_services_have_a_version_history() -> None:
    files = service_files()
    assert set(files) == SERVICES
    for key, versions in files.items():
        assert len(versions) >= 2, f"{key} has only {versions}"
        assert versions[0].version == SpecVersion(1, 0, 0), key


def test_every_operation_documents_every_response() -> None:
    for key, document in latest_documents():
        for op_id, op in operations(document).items():
            statuses = set(op["responses"])
            missing = {"200", *ERROR_STATUSES} - statuses
            assert not missing, f"{key} {op_id} lacks {sorted(missing)}"
            for status in ERROR_STATUSES:
                response = resolve_local(document, op["responses"][status])
                schema = response["content"]["application/json"]["schema"]
                assert (
                    resolve_local(document, schema)
                    is document["components"]["schemas"]["CRRServiceException"]
                )


def test_auction_has_the_operations_the_seeds_name() -> None:
    auction = load_document(service_files()["auction"][-1].path)
    seed_ops = {
        "getPortfolio",
        "getPortfolioList",
        "getPortfolioRequiredCredit",
        "getPortfolioStatus",
        "getStatus",
        "deletePortfolio",
        "portfolioCreation",
        "portfolioSubmission",
        "postPortfolioRetraction",
    }
    assert seed_ops <= set(operations(auction))
    assert "/auction/v1.0/portfolio" in auction["paths"]
    assert auction["paths"]["/auction/v1.0/portfolio"]["get"]["operationId"] == "getPortfolio"


def test_write_operations_are_read_write_role_only() -> None:
    write_role = "EXTERNAL CRR HOLDER READ/WRITE ACCESS"
    for key, document in latest_documents():
        for op_id, op in operations(document).items():
            if "write" in op["tags"]:
                assert op["x-roles"] == [write_role], f"{key} {op_id}"


def test_request_bodies_reject_unknown_fields() -> None:
    for key, document in latest_documents():
        for op_id, op in operations(document).items():
            if "requestBody" not in op:
                continue
            body = resolve_local(document, op["requestBody"])
            schema = resolve_local(document, body["content"]["application/json"]["schema"])
            assert schema.get("additionalProperties") is False, f"{key} {op_id}"


def test_business_limits_are_stated() -> None:
    auction = load_document(service_files()["auction"][-1].path)
    limits = {
        (n.get("maxItems")) for n in walk(auction["components"]["schemas"]) if isinstance(n, dict)
    }
    assert {20, 500} <= limits


def test_current_date_time_examples_have_no_milliseconds() -> None:
    for files in service_files().values():
        text = files[-1].path.read_text()
        assert not MILLISECONDS.search(text), (
            f"{files[-1].path.name} has a date-time with milliseconds"
        )


def test_seed_renames_are_reproduced() -> None:
    hfl = service_files()["historical_forecasted_load"]
    old, new = (load_document(f.path) for f in (hfl[0], hfl[-1]))
    assert "activeHistLoadSubmissionWindow" in operations(old)
    assert "openHistLoadSubmissionWindow" in operations(new)
    assert "openForecastLoadSubmissionWindow" in operations(new)
    sm = service_files()["secondary_market"]
    old_enums, new_enums = (enum_values(load_document(f.path)) for f in (sm[0], sm[-1]))
    assert "PENDING_MP_RESPONSE" in old_enums
    assert "PENDING_RESPONSE" in new_enums
    assert "PENDING_MP_RESPONSE" not in new_enums


def test_tor_conversion_mini_release_removes_approval_dates() -> None:
    tor = {str(f.version): load_document(f.path) for f in service_files()["tor_conversion"]}
    before = tor["1.2.0"]["components"]["schemas"]["ConversionApprovalRecord"]["properties"]
    after = tor["1.2.1"]["components"]["schemas"]["ConversionApprovalRecord"]["properties"]
    assert {"startDate", "endDate"} <= set(before)
    assert not {"startDate", "endDate"} & set(after)


def test_retired_codes_appear_only_before_their_retirement() -> None:
    for key, files in service_files().items():
        old, new = (load_document(f.path) for f in (files[0], files[-1]))
        assert "ATH0002" in error_codes(old), key
        assert "ATH0002" not in error_codes(new), key
        assert "SEC0001" in error_codes(new), key


def test_fifteen_download_types_with_history() -> None:
    schemas = by_key(find_schemas(SPECS / "schemas"))
    assert len(schemas) == 15
    latest = {key: str(files[-1].version) for key, files in schemas.items()}
    assert latest["CRRPrivateAllocation"] == "1.1.3"
    assert latest["CRRHistoricalForecastLoad"] == "1.0.2"
    assert latest["CRRMEQResult"] == "1.2.0"
    assert all(len(files) >= 2 for files in schemas.values())
    allocation = load_document(schemas["CRRPrivateAllocation"][-1].path)
    assert "TER" in str(allocation)
