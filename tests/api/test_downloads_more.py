"""Load migration results over HTTP: the operator posts them, the LSE downloads them."""

from __future__ import annotations

from pathlib import Path

from jsonschema import Draft7Validator, FormatChecker

from crr_contract.files import by_key, find_schemas, load_document
from reference_impl.datasets.market_sim import MONTHLY_T1, PGAE
from tests.api.support import Api, error_codes

OPERATOR, ALPHA, CHARLIE = "operator", "alpha_lse-rw", "charlie_udc-rw"
LM_MARKET = "LM_MN_2025_M10"
SCHEMAS = Path(__file__).resolve().parents[2] / "specs" / "schemas"


def _private_download(api: Api, expect: int):
    return api.call(
        ALPHA,
        "market_data.getPrivateDownload",
        params={
            "downloadType": "CRRLoadMigrationResult",
            "marketName": MONTHLY_T1,
            "participantName": "ALPHA_LSE",
        },
        expect=expect,
    )


def test_posted_load_migration_results_are_a_private_download(api: Api) -> None:
    api.call(OPERATOR, "simcontrol.openWindow", json_body={"windowName": LM_MARKET}, expect=200)
    api.call(
        CHARLIE,
        "load_migration.submitLoadMigration",
        json_body={
            "participantName": "CHARLIE_UDC",
            "marketName": LM_MARKET,
            "records": [
                {
                    "fromLse": "ALPHA_LSE",
                    "toLse": "ECHO_LSE",
                    "sink": PGAE,
                    "customerCount": 120,
                    "migratedLoadMw": 50.0,
                    "effectiveDate": "2025-10-01T07:00:00Z",
                }
            ],
        },
        expect=200,
    )
    assert error_codes(_private_download(api, 400)) == ["MDT0002"]
    api.call(OPERATOR, "simcontrol.closeWindow", json_body={"windowName": LM_MARKET}, expect=200)
    # Clearing stays for allocation markets and auctions only.
    api.call(OPERATOR, "simcontrol.runClearing", json_body={"marketName": LM_MARKET}, expect=400)
    assert error_codes(_private_download(api, 400)) == ["MDT0002"]

    posted = api.call(
        OPERATOR, "simcontrol.publishResults", json_body={"marketName": LM_MARKET}, expect=200
    ).json()
    assert (posted["marketName"], posted["status"]) == (LM_MARKET, "PUBLISHED")
    assert posted["publishedAt"]

    body = _private_download(api, 200).json()
    assert (body["schemaName"], body["participantName"]) == ("CRRLoadMigrationResult", "ALPHA_LSE")
    schema_file = by_key(find_schemas(SCHEMAS))["CRRLoadMigrationResult"][-1]
    assert body["schemaVersion"] == str(schema_file.version)
    data = body["data"]
    Draft7Validator(load_document(schema_file.path), format_checker=FormatChecker()).validate(data)
    assert (data["MarketName"], data["ParticipantName"]) == (LM_MARKET, "ALPHA_LSE")
    assert {
        (r["Sink"], r["UDC"], r["TimeOfUse"], r["NetMigratedLoadMW"])
        for r in data["LoadMigrationResults"]
    } == {(PGAE, "CHARLIE_UDC", "ON", -50.0), (PGAE, "CHARLIE_UDC", "OFF", -50.0)}
    result = api.call(
        ALPHA,
        "load_migration.getLoadMigrationResult",
        params={"participantName": "ALPHA_LSE", "marketName": LM_MARKET},
        expect=200,
    ).json()
    assert result["netMigrations"] == [{"lse": "ALPHA_LSE", "sink": PGAE, "netMigratedMw": -50.0}]


def test_posting_an_unknown_or_open_load_migration_market_is_refused(api: Api) -> None:
    unknown = api.call(
        OPERATOR, "simcontrol.publishResults", json_body={"marketName": "LM_AN_1999"}, expect=400
    )
    assert error_codes(unknown) == ["MKT0001"]
    api.call(OPERATOR, "simcontrol.openWindow", json_body={"windowName": "LM_AN_2026"}, expect=200)
    still_open = api.call(
        OPERATOR, "simcontrol.publishResults", json_body={"marketName": "LM_AN_2026"}, expect=400
    )
    assert error_codes(still_open) == ["SIM0001"]
