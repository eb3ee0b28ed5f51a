"""Every operation of the served specs, called over mutual TLS through a market-sim walkthrough.

One walkthrough (module fixture) plays the market simulation against the
default data set: the operator opens windows; participants submit load,
create, submit, retract and delete auction and nomination portfolios, make
and answer secondary market offers, request and approve TOR conversions,
submit load migration; the operator clears and publishes the auction; then
everybody reads messages and downloads. Every answer is checked as it
arrives (``support.check_conformance``: documented status, response schema,
catalog status, listed codes); the tests below check the outcomes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from crr_contract.operations import DEFAULT_SPECS_DIR
from reference_impl.datasets.market_sim import (
    MONTHLY_AUCTION,
    MONTHLY_T1,
    NP15,
    PGAE,
    SDG1,
    SP15,
    YEAR_2026,
)
from tests.api.support import Api

ALPHA, BRAVO, CHARLIE, DELTA = "alpha_lse-rw", "bravo_trading-rw", "charlie_udc-rw", "delta_tor-rw"
READER, NDA, OPERATOR = "bravo_trading-read", "echo_nda-nda", "operator"
HIST, FCST = "HIST_LOAD_MN_2025_M10", "FCST_LOAD_MN_2025_M10"
LM_MARKET, TOR_WINDOW = "LM_MN_2025_M10", "TOR_AN_2026"


def _bid(mw: float = 10.0, price: float = 5.0, source: str = NP15, sink: str = SP15) -> dict:
    return {
        "source": source,
        "sink": sink,
        "timeOfUse": "ON",
        "segments": [{"mw": mw, "price": price}],
    }


def _reference(participant: str, market: str, portfolio: str) -> dict:
    return {"participantName": participant, "marketName": market, "portfolioName": portfolio}


def _walk(api: Api) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def op(name: str, credential: str, expect: int = 200, **kwargs: Any) -> Any:
        response = api.call(credential, name, expect=expect, **kwargs)
        return response.json()

    # App status, clock, state.
    seen["app"] = op("app_status.getAppStatus", READER)
    seen["service"] = op("app_status.getServiceStatus", NDA, params={"serviceName": "auction"})
    seen["clock"] = op("simcontrol.getClock", OPERATOR)
    op("simcontrol.getSimState", OPERATOR)

    # Load: the historical and forecast windows open, ALPHA_LSE submits.
    for window in (HIST, FCST):
        op("simcontrol.openWindow", OPERATOR, json_body={"windowName": window})
    seen["hist_windows"] = op("historical_forecasted_load.openHistLoadSubmissionWindow", NDA)
    op(
        "historical_forecasted_load.openForecastLoadSubmissionWindow",
        READER,
        params={"loadType": "FORECAST"},
    )
    records = [
        {"sink": PGAE, "effectiveDate": "2025-10-01T07:00:00Z", "timeOfUse": "ON", "loadMw": 800},
        {"sink": SDG1, "effectiveDate": "2025-10-01T07:00:00Z", "timeOfUse": "ON", "loadMw": 200},
    ]
    for window, load_type in ((HIST, "HISTORICAL"), (FCST, "FORECAST")):
        seen[f"load_{load_type}"] = op(
            "historical_forecasted_load.submitLoadData",
            ALPHA,
            json_body={
                "participantName": "ALPHA_LSE",
                "windowName": window,
                "loadType": load_type,
                "records": records,
            },
        )
    seen["load_data"] = op(
        "historical_forecasted_load.getLoadData",
        ALPHA,
        params={"participantName": "ALPHA_LSE", "windowName": HIST},
    )

    # Auction: create, read, submit, retract, delete; and one portfolio to clear.
    op("simcontrol.openWindow", OPERATOR, json_body={"windowName": MONTHLY_AUCTION})
    created = op(
        "auction.portfolioCreation",
        ALPHA,
        json_body={**_reference("ALPHA_LSE", MONTHLY_AUCTION, "P1"), "bids": [_bid()]},
    )
    seen["auction_created"] = created
    query = _reference("ALPHA_LSE", MONTHLY_AUCTION, "P1")
    op("auction.getPortfolio", ALPHA, params=query)
    seen["auction_list"] = op(
        "auction.getPortfolioList", ALPHA, params={"participantName": "ALPHA_LSE"}
    )
    op("auction.getPortfolioStatus", ALPHA, params=query)
    op("auction.getPortfolioRequiredCredit", ALPHA, params=query)
    op("auction.getStatus", NDA, params={"marketName": MONTHLY_AUCTION})
    seen["auction_submitted"] = op("auction.portfolioSubmission", ALPHA, json_body=query)
    seen["auction_retracted"] = op("auction.postPortfolioRetraction", ALPHA, json_body=query)
    seen["auction_deleted"] = op("auction.deletePortfolio", ALPHA, json_body=query)
    cleared = _reference("BRAVO_TRADING", MONTHLY_AUCTION, "TO_CLEAR")
    op("auction.portfolioCreation", BRAVO, json_body={**cleared, "bids": [_bid(20.0, 8.0)]})
    op("auction.portfolioSubmission", BRAVO, json_body=cleared)

    # Nomination on the monthly tier 1.
    op("simcontrol.openWindow", OPERATOR, json_body={"windowName": MONTHLY_T1})
    nomination = _reference("ALPHA_LSE", MONTHLY_T1, "N1")
    seen["nomination_created"] = op(
        "nomination.portfolioCreation",
        ALPHA,
        json_body={
            **nomination,
            "nominations": [
                {"source": NP15, "sink": PGAE, "timeOfUse": "ON", "mw": 100.0, "priority": 1}
            ],
        },
    )
    op("nomination.getPortfolio", ALPHA, params=nomination)
    op("nomination.getPortfolioList", ALPHA, params={"participantName": "ALPHA_LSE"})
    op("nomination.getPortfolioStatus", ALPHA, params=nomination)
    op("nomination.getStatus", READER, params={"marketName": MONTHLY_T1})
    op("nomination.portfolioSubmission", ALPHA, json_body=nomination)
    op("nomination.postPortfolioRetraction", ALPHA, json_body=nomination)
    seen["nomination_deleted"] = op("nomination.deletePortfolio", ALPHA, json_body=nomination)

    # Load migration by the UDC.
    op("simcontrol.openWindow", OPERATOR, json_body={"windowName": LM_MARKET})
    seen["lm_submitted"] = op(
        "load_migration.submitLoadMigration",
        CHARLIE,
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
    )
    op(
        "load_migration.getLoadMigrationSubmission",
        CHARLIE,
        params={
            "participantName": "CHARLIE_UDC",
            "submissionId": seen["lm_submitted"]["submissionId"],
        },
    )
    seen["lm_markets"] = op("load_migration.getLoadMigrationMarkets", READER)
    op(
        "load_migration.getLoadMigrationResult",
        ALPHA,
        params={"participantName": "ALPHA_LSE", "marketName": LM_MARKET},
    )

    # Secondary market: BRAVO offers part of CRR 10000001 to ALPHA, who accepts.
    def offer(mw: float) -> dict:
        return {
            "participantName": "BRAVO_TRADING",
            "crrId": "10000001",
            "mw": mw,
            "startDate": "2025-10-01T07:00:00Z",
            "endDate": "2025-11-01T07:00:00Z",
            "timeOfUse": "ON",
            "targetRespondingMps": [{"participantName": "ALPHA_LSE", "price": 2.5}],
        }

    seen["offer"] = op("secondary_market.submitOffer", BRAVO, json_body=offer(5.0))
    request_id = seen["offer"]["requestId"]
    op(
        "secondary_market.getOffer",
        ALPHA,
        params={"participantName": "ALPHA_LSE", "requestId": request_id},
    )
    op("secondary_market.getOfferList", READER, params={"participantName": "BRAVO_TRADING"})
    seen["accepted"] = op(
        "secondary_market.submitResponse",
        ALPHA,
        json_body={
            "participantName": "ALPHA_LSE",
            "requestId": request_id,
            "action": "ACCEPT",
            "price": 2.5,
        },
    )
    op(
        "secondary_market.getResponse",
        BRAVO,
        params={"participantName": "BRAVO_TRADING", "requestId": request_id},
    )
    seen["holdings"] = op(
        "secondary_market.getCrrHoldings", ALPHA, params={"participantName": "ALPHA_LSE"}
    )
    second = op("secondary_market.submitOffer", BRAVO, json_body=offer(3.0))
    seen["withdrawn"] = op(
        "secondary_market.withdrawOffer",
        BRAVO,
        json_body={"participantName": "BRAVO_TRADING", "requestId": second["requestId"]},
    )

    # TOR conversion: DELTA requests, ALPHA (the approver) approves.
    op("simcontrol.openWindow", OPERATOR, json_body={"windowName": TOR_WINDOW})
    op("tor_conversion.getConversionWindow", READER, params={"windowName": TOR_WINDOW})
    op("tor_conversion.getConversionWindowList", READER, params={"status": "OPEN"})
    seen["tor_request"] = op(
        "tor_conversion.submitConversionRequest",
        DELTA,
        json_body={
            "participantName": "DELTA_TOR",
            "windowName": TOR_WINDOW,
            "records": [
                {
                    "torContractId": "TOR-DELTA-0007",
                    "source": NP15,
                    "sink": PGAE,
                    "mw": 40,
                    "timeOfUse": "ON",
                    "startDate": YEAR_2026[0],
                    "endDate": YEAR_2026[1],
                }
            ],
        },
    )
    tor_id = seen["tor_request"]["requestId"]
    op(
        "tor_conversion.getConversionRequestList",
        ALPHA,
        params={"participantName": "ALPHA_LSE", "windowName": TOR_WINDOW},
    )
    seen["tor_approval"] = op(
        "tor_conversion.submitConversionApproval",
        ALPHA,
        json_body={
            "participantName": "ALPHA_LSE",
            "windowName": TOR_WINDOW,
            "records": [{"requestId": tor_id, "torContractId": "TOR-DELTA-0007", "approved": True}],
        },
    )
    seen["tor_after"] = op(
        "tor_conversion.getConversionRequest",
        DELTA,
        params={"participantName": "DELTA_TOR", "requestId": tor_id},
    )

    # Market info.
    op("market_info.getActiveAllocationMarkets", NDA, params={"period": "MONTHLY"})
    seen["auction_markets"] = op(
        "market_info.getActiveAuctionMarkets", ALPHA, params={"participantName": "ALPHA_LSE"}
    )
    op("market_info.getMarket", READER, params={"marketName": MONTHLY_AUCTION})
    seen["calendar"] = op(
        "market_info.getMarketCalendar",
        READER,
        params={"from": "2025-09-01T00:00:00Z", "to": "2025-09-30T00:00:00Z"},
    )

    # The operator moves the clock past the auction's close, clears and publishes it.
    seen["advanced"] = op("simcontrol.setClock", OPERATOR, json_body={"advanceSeconds": 3600})
    op("simcontrol.closeWindow", OPERATOR, json_body={"windowName": MONTHLY_AUCTION})
    seen["cleared"] = op(
        "simcontrol.runClearing", OPERATOR, json_body={"marketName": MONTHLY_AUCTION}
    )
    seen["published"] = op(
        "simcontrol.publishResults", OPERATOR, json_body={"marketName": MONTHLY_AUCTION}
    )

    # Messages.
    seen["public_messages"] = op("messages.getPublicMessages", NDA)
    seen["private_messages"] = op(
        "messages.getPrivateMessages", ALPHA, params={"participantName": "ALPHA_LSE"}
    )
    first = seen["public_messages"]["messages"][0]["messageId"]
    op("messages.getMessage", NDA, params={"messageId": first})

    # Downloads.
    seen["download_types"] = op("market_data.getDownloadTypes", NDA)
    seen["downloads"] = [
        op(
            "market_data.getPublicDownload",
            READER,
            params={"downloadType": kind, "marketName": MONTHLY_AUCTION},
        )
        for kind in ("CRRExistingCRRs", "CRRPublicAuctionResult", "CRRSourceandSinkNameMapping")
    ]
    seen["downloads"].append(
        op(
            "market_data.getPrivateDownload",
            BRAVO,
            params={
                "downloadType": "CRRPrivateAuction",
                "marketName": MONTHLY_AUCTION,
                "participantName": "BRAVO_TRADING",
            },
        )
    )
    for kind, market in (
        ("CRRMEQResult", MONTHLY_T1),
        ("CRRHistoricalForecastLoad", MONTHLY_T1),
        ("CRRSEQResult", "ALLOC_AN_2026_T1"),
        ("CRRUpperBoundResult", "ALLOC_AN_2026_T1"),
    ):
        seen["downloads"].append(
            op(
                "market_data.getPrivateDownload",
                ALPHA,
                params={"downloadType": kind, "marketName": market, "participantName": "ALPHA_LSE"},
            )
        )
    seen["restricted"] = op(
        "market_data.getRestrictedDownload",
        NDA,
        params={"downloadType": "CRRResource", "marketName": MONTHLY_AUCTION},
    )

    # Operator set-up calls last: a second data set, a clock move, then the reset.
    seen["dataset"] = op(
        "simcontrol.loadDataset",
        OPERATOR,
        json_body={
            "name": "extra-trader",
            "dataset": {"participants": [{"name": "FOXTROT_TRADING", "kinds": ["CRR_HOLDER"]}]},
        },
    )
    op("simcontrol.setClock", OPERATOR, json_body={"now": "2025-10-15T00:00:00Z"})
    seen["reset"] = op(
        "simcontrol.resetSystem",
        OPERATOR,
        json_body={"confirm": True, "now": "2025-07-07T07:00:00Z"},
    )
    return seen


@pytest.fixture(scope="module")
def walk(api: Api) -> dict[str, Any]:
    return _walk(api)


def test_every_served_operation_answers_with_a_documented_success(api: Api, walk: dict) -> None:
    answered = {x.operation.name for x in api.exchanges if x.response.status_code == 200}
    every = {op.name for op in api.operations()}
    assert len(api.specs) == 11
    assert every - answered == set()


def test_the_restricted_download_lists_the_model_resources(walk: dict) -> None:
    data = walk["restricted"]["data"]
    assert data["ModelName"] == "MN_2025_M10_V0"
    assert data["Resources"]


def test_app_status_lists_every_served_service(api: Api, walk: dict) -> None:
    assert {s["serviceName"]: s["specVersion"] for s in walk["app"]["services"]} == {
        spec.service: spec.version for spec in api.specs
    }
    assert walk["service"]["serviceName"] == "auction"


def test_auction_portfolio_life_cycle(walk: dict) -> None:
    assert walk["auction_created"]["status"] == "CREATED"
    assert walk["auction_submitted"]["status"] == "SUBMITTED"
    assert walk["auction_retracted"]["status"] == "RETRACTED"
    assert walk["auction_deleted"]["portfolioName"] == "P1"
    assert [p["portfolioName"] for p in walk["auction_list"]] == ["P1"]


def test_load_submission_is_accepted_and_stored(walk: dict) -> None:
    assert walk["load_HISTORICAL"]["loadSubmissionStatus"] == "ACCEPTED"
    assert len(walk["load_data"]["records"]) == 2
    assert [w["windowName"] for w in walk["hist_windows"]] == [HIST]


def test_secondary_market_offer_accepted_moves_mw(walk: dict) -> None:
    assert walk["offer"]["status"] == "PENDING_RESPONSE"
    assert walk["accepted"]["responseStatus"] == "ACCEPTED"
    assert any(h["mw"] == 5.0 and h["source"] == NP15 for h in walk["holdings"])
    assert walk["withdrawn"]["status"] == "WITHDRAWN"


def test_tor_request_approved(walk: dict) -> None:
    assert walk["tor_request"]["status"] == "SUBMITTED"
    assert walk["tor_approval"]["records"][0]["status"] == "APPROVED"
    assert walk["tor_after"]["status"] == "APPROVED"


def test_load_migration_submission_recorded(walk: dict) -> None:
    assert walk["lm_submitted"]["recordCount"] == 1
    assert {m["marketName"] for m in walk["lm_markets"]} >= {LM_MARKET}


def test_clearing_and_publication(walk: dict) -> None:
    assert walk["cleared"]["marketName"] == MONTHLY_AUCTION
    assert {t["timeOfUse"] for t in walk["cleared"]["timesOfUse"]} <= {"ON", "OFF"}
    assert walk["published"]["status"] == "PUBLISHED"


def test_messages_carry_window_and_offer_notices(walk: dict) -> None:
    categories = {m["category"] for m in walk["public_messages"]["messages"]}
    assert {"WINDOW_OPENED", "RESULTS_PUBLISHED"} <= categories
    private = walk["private_messages"]["messages"]
    assert private and all(m["participantName"] == "ALPHA_LSE" for m in private)


def test_downloads_validate_against_their_json_schemas(walk: dict) -> None:
    assert {d["downloadType"] for d in walk["downloads"]} == {
        "CRRExistingCRRs",
        "CRRPublicAuctionResult",
        "CRRSourceandSinkNameMapping",
        "CRRPrivateAuction",
        "CRRMEQResult",
        "CRRHistoricalForecastLoad",
        "CRRSEQResult",
        "CRRUpperBoundResult",
    }
    for download in walk["downloads"]:
        name = f"{download['schemaName']}_v{download['schemaVersion']}.draft-07.schema.json"
        schema = json.loads((DEFAULT_SPECS_DIR / "schemas" / name).read_text())
        jsonschema.Draft7Validator(schema).validate(download["data"])


def test_download_types_name_existing_schema_files(walk: dict) -> None:
    schemas = Path(DEFAULT_SPECS_DIR / "schemas")
    for entry in walk["download_types"]:
        name = f"{entry['schemaName']}_v{entry['schemaVersion']}.draft-07.schema.json"
        assert (schemas / name).is_file(), name


def test_operator_clock_and_reset(walk: dict) -> None:
    assert walk["clock"] == {"now": "2025-09-01T00:00:00Z", "mode": "VIRTUAL"}
    assert walk["advanced"]["now"] == "2025-09-01T01:00:00Z"
    assert walk["dataset"]["participants"] == 1
    assert walk["reset"] == {"now": "2025-07-07T07:00:00Z", "mode": "VIRTUAL"}
