"""Downloads built from secondary market, TOR conversion, load migration and resource state.

Each download validates against the newest JSON Schema of its type, and a
private one holds only the requesting participant's records.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import Draft7Validator, FormatChecker

from crr_contract.files import by_key, find_schemas, load_document
from tests.engine.system.world import (
    ANNUAL_T1,
    MONTHLY_AUCTION,
    NP15,
    PGAE,
    YEAR_2026,
    raises_code,
)

SCHEMAS = Path(__file__).resolve().parents[3] / "specs" / "schemas"
OCT = ("2025-10-01T07:00:00Z", "2025-11-01T07:00:00Z")
LM_ANNUAL = "LM_AN_2026"


def valid(download_type: str, data: dict) -> dict:
    """``data`` after checking it against the newest schema of ``download_type``."""
    newest = by_key(find_schemas(SCHEMAS))[download_type][-1]
    schema = load_document(newest.path)
    Draft7Validator(schema, format_checker=FormatChecker()).validate(data)
    return data


def sm_offer(system, targets):
    return system.submit_offer("BRAVO_TRADING", "10000001", 10, OCT[0], OCT[1], "ON", targets)


def test_secondary_market_offers_of_the_offerer_and_of_each_target(system):
    made = sm_offer(
        system,
        [
            {"participantName": "ALPHA_LSE", "price": 1.25},
            {"participantName": "DELTA_TOR", "price": 2.0},
        ],
    )
    seller = valid(
        "CRRSecondaryMarketOffer",
        system.download("CRRSecondaryMarketOffer", MONTHLY_AUCTION, "BRAVO_TRADING"),
    )
    assert seller["ParticipantName"] == "BRAVO_TRADING"
    assert [(r["TargetParticipants"], r["Price"]) for r in seller["SecondaryMarketOffers"]] == [
        (["ALPHA_LSE"], 1.25),
        (["DELTA_TOR"], 2.0),
    ]
    digits = "".join(c for c in made["requestId"] if c.isdigit())
    assert {r["RequestID"] for r in seller["SecondaryMarketOffers"]} == {digits}
    assert {r["SmOfferStatus"] for r in seller["SecondaryMarketOffers"]} == {"PENDING_RESPONSE"}
    alpha = valid(
        "CRRSecondaryMarketOffer",
        system.download("CRRSecondaryMarketOffer", MONTHLY_AUCTION, "ALPHA_LSE"),
    )
    assert [r["TargetParticipants"] for r in alpha["SecondaryMarketOffers"]] == [["ALPHA_LSE"]]
    assert "DELTA_TOR" not in str(alpha)
    # Not a party: nothing. Outside the market's term: nothing.
    echo = system.download("CRRSecondaryMarketOffer", MONTHLY_AUCTION, "ECHO_LSE")
    assert valid("CRRSecondaryMarketOffer", echo)["SecondaryMarketOffers"] == []
    annual = system.download("CRRSecondaryMarketOffer", ANNUAL_T1, "BRAVO_TRADING")
    assert annual["SecondaryMarketOffers"] == []


def test_secondary_market_responses_after_an_acceptance(system):
    made = sm_offer(
        system,
        [
            {"participantName": "ALPHA_LSE", "price": 1.25},
            {"participantName": "DELTA_TOR", "price": 2.0},
        ],
    )
    system.respond_offer("ALPHA_LSE", made["requestId"], "ACCEPT", 1.25)
    alpha = valid(
        "CRRSecondaryMarketResponse",
        system.download("CRRSecondaryMarketResponse", MONTHLY_AUCTION, "ALPHA_LSE"),
    )
    assert [
        (r["RespondingParticipant"], r["OfferingParticipant"], r["Price"], r["SmResponseStatus"])
        for r in alpha["SecondaryMarketResponses"]
    ] == [("ALPHA_LSE", "BRAVO_TRADING", 1.25, "ACCEPTED")]
    assert alpha["SecondaryMarketResponses"][0]["CrrID"] == "10000001"
    # DELTA_TOR's entry was withdrawn by the acceptance: no response of its own.
    delta = system.download("CRRSecondaryMarketResponse", MONTHLY_AUCTION, "DELTA_TOR")
    assert valid("CRRSecondaryMarketResponse", delta)["SecondaryMarketResponses"] == []
    seller = system.download("CRRSecondaryMarketResponse", MONTHLY_AUCTION, "BRAVO_TRADING")
    assert [r["RespondingParticipant"] for r in seller["SecondaryMarketResponses"]] == ["ALPHA_LSE"]
    echo = system.download("CRRSecondaryMarketResponse", MONTHLY_AUCTION, "ECHO_LSE")
    assert echo["SecondaryMarketResponses"] == []
    offers = system.download("CRRSecondaryMarketOffer", MONTHLY_AUCTION, "BRAVO_TRADING")
    assert {r["SmOfferStatus"] for r in offers["SecondaryMarketOffers"]} == {"ACCEPTED"}


def tor_record(tou="ON", mw=40):
    return {
        "torContractId": "TOR-DELTA-0007",
        "source": NP15,
        "sink": PGAE,
        "mw": mw,
        "timeOfUse": tou,
        "startDate": YEAR_2026[0],
        "endDate": YEAR_2026[1],
    }


def test_tor_conversion_requests_of_the_holder_and_the_approver(system):
    system.open_window("TOR_AN_2026")
    request = system.submit_conversion_request(
        "DELTA_TOR", "TOR_AN_2026", [tor_record(), tor_record("OFF", 20)]
    )
    before = valid(
        "CRRTorConversionRequest",
        system.download("CRRTorConversionRequest", ANNUAL_T1, "DELTA_TOR"),
    )
    assert before["TorConversionWindowName"] == "TOR_AN_2026"
    assert [(r["TimeOfUse"], r["RequestStatus"]) for r in before["TorConversionRequests"]] == [
        ("ON", "SUBMITTED"),
        ("OFF", "SUBMITTED"),
    ]
    system.submit_conversion_approval(
        "ALPHA_LSE",
        "TOR_AN_2026",
        [{"requestId": request["requestId"], "torContractId": "TOR-DELTA-0007", "approved": True}],
    )
    after = valid(
        "CRRTorConversionRequest",
        system.download("CRRTorConversionRequest", ANNUAL_T1, "DELTA_TOR"),
    )
    rows = after["TorConversionRequests"]
    assert {r["RequestStatus"] for r in rows} == {"APPROVED"}
    assert {r["ApprovingParticipant"] for r in rows} == {"ALPHA_LSE"}
    assert all(r["CrrID"].isdigit() for r in rows)
    assert {r["RequestID"] for r in rows} == {
        "".join(c for c in request["requestId"] if c.isdigit())
    }
    approver = system.download("CRRTorConversionRequest", ANNUAL_T1, "ALPHA_LSE")
    assert len(valid("CRRTorConversionRequest", approver)["TorConversionRequests"]) == 2
    # Neither holder nor approver, or a market the 2026 term does not cover: nothing.
    bravo = system.download("CRRTorConversionRequest", ANNUAL_T1, "BRAVO_TRADING")
    assert valid("CRRTorConversionRequest", bravo)["TorConversionRequests"] == []
    october = system.download("CRRTorConversionRequest", MONTHLY_AUCTION, "DELTA_TOR")
    assert october["TorConversionRequests"] == []


def lm_record(mw=100.0):
    return {
        "fromLse": "ALPHA_LSE",
        "toLse": "ECHO_LSE",
        "sink": PGAE,
        "customerCount": 1200,
        "migratedLoadMw": mw,
        "effectiveDate": "2026-01-01T08:00:00Z",
    }


@pytest.fixture
def migrated(system):
    system.open_window("FCST_LOAD_AN_2026")
    system.submit_load_data(
        "ALPHA_LSE",
        "FCST_LOAD_AN_2026",
        "FORECAST",
        [{"sink": PGAE, "effectiveDate": "2026-01-15T08:00:00Z", "timeOfUse": "ON", "loadMw": 400}],
    )
    system.open_window(LM_ANNUAL)
    system.submit_load_migration("CHARLIE_UDC", LM_ANNUAL, [lm_record()])
    return system


def test_load_migration_results_are_mdt0002_until_posted(migrated):
    raises_code("MDT0002", migrated.download, "CRRLoadMigrationResult", LM_ANNUAL, "ECHO_LSE")
    migrated.close_window(LM_ANNUAL)
    raises_code("MDT0002", migrated.download, "CRRLoadMigrationResult", LM_ANNUAL, "ECHO_LSE")
    raises_code("MDT0002", migrated.download, "CRRLoadMigrationResult", ANNUAL_T1, "ECHO_LSE")
    raises_code("LMV1003", migrated.download, "CRRLoadMigrationResult", "LM_AN_1999", "ECHO_LSE")


def test_load_migration_results_once_posted(migrated):
    migrated.close_window(LM_ANNUAL)
    migrated.publish_results(LM_ANNUAL)
    echo = valid(
        "CRRLoadMigrationResult",
        migrated.download("CRRLoadMigrationResult", LM_ANNUAL, "ECHO_LSE"),
    )
    assert (echo["MarketName"], echo["ParticipantName"]) == (LM_ANNUAL, "ECHO_LSE")
    rows = {r["TimeOfUse"]: r for r in echo["LoadMigrationResults"]}
    assert {(r["Sink"], r["UDC"], r["NetMigratedLoadMW"]) for r in rows.values()} == {
        (PGAE, "CHARLIE_UDC", 100.0)
    }
    assert [
        (a["Source"], a["Sink"], a["MW"], a["CounterFlow"]) for a in rows["ON"]["CRRAdjustments"]
    ] == [(NP15, PGAE, 7.5, False)]
    assert rows["OFF"]["CRRAdjustments"] == []
    alpha = valid(
        "CRRLoadMigrationResult",
        migrated.download("CRRLoadMigrationResult", LM_ANNUAL, "ALPHA_LSE"),
    )
    alpha_on = next(r for r in alpha["LoadMigrationResults"] if r["TimeOfUse"] == "ON")
    assert alpha_on["NetMigratedLoadMW"] == -100.0
    assert [(a["Source"], a["CounterFlow"]) for a in alpha_on["CRRAdjustments"]] == [(PGAE, True)]
    # Each LSE sees only its own adjustments; a participant not migrated sees nothing.
    echo_ids = {a["CrrID"] for r in echo["LoadMigrationResults"] for a in r["CRRAdjustments"]}
    alpha_ids = {a["CrrID"] for r in alpha["LoadMigrationResults"] for a in r["CRRAdjustments"]}
    assert echo_ids and alpha_ids and not echo_ids & alpha_ids
    bravo = migrated.download("CRRLoadMigrationResult", LM_ANNUAL, "BRAVO_TRADING")
    assert valid("CRRLoadMigrationResult", bravo)["LoadMigrationResults"] == []
    # The allocation market the migration feeds names the same results.
    via_market = migrated.download("CRRLoadMigrationResult", ANNUAL_T1, "ECHO_LSE")
    assert (
        valid("CRRLoadMigrationResult", via_market)["LoadMigrationResults"]
        == (echo["LoadMigrationResults"])
    )
    assert via_market["MarketName"] == LM_ANNUAL


def test_resources_of_the_market_model(system):
    data = valid("CRRResource", system.download("CRRResource", MONTHLY_AUCTION))
    assert data["ModelName"] == "MN_2025_M10_V0"
    assert [r["ResourceID"] for r in data["Resources"]] == [
        "NP15GEN_7_UNIT 1",
        "SP15SOLAR_2_PV1",
        "ISLAND_1_HYDRO1",
    ]
    assert "ParticipantName" not in data
    system.set_model_release(ANNUAL_T1, "V1")
    annual = valid("CRRResource", system.download("CRRResource", ANNUAL_T1))
    assert annual["ModelName"] == "AN_2026_V1"


def test_a_malformed_resource_is_ser0002(system):
    raises_code(
        "SER0002",
        system.load_dataset,
        {"resources": [{"resourceId": "X_1", "apnodeName": "X_N1", "fuel": "COAL"}]},
    )
