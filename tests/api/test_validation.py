"""Request validation at the edge: each kind of bad request gets its catalog code."""

from __future__ import annotations

import pytest

from reference_impl.datasets.market_sim import MONTHLY_AUCTION, NP15, SP15
from tests.api.support import Api, error_codes

WRITER = "alpha_lse-rw"


def portfolio(name: str, bids: list | None = None, **extra: object) -> dict:
    return {
        "participantName": "ALPHA_LSE",
        "marketName": MONTHLY_AUCTION,
        "portfolioName": name,
        "bids": bids if bids is not None else [bid()],
        **extra,
    }


def bid(segments: int = 1) -> dict:
    return {
        "source": NP15,
        "sink": SP15,
        "timeOfUse": "ON",
        "segments": [{"mw": 10.0 + k, "price": 20.0 - k} for k in range(segments)],
    }


@pytest.fixture(scope="module", autouse=True)
def open_auction(api: Api) -> None:
    api.call(
        "operator", "simcontrol.openWindow", json_body={"windowName": MONTHLY_AUCTION}, expect=200
    )


def test_missing_required_parameter_is_ser0001(api: Api) -> None:
    response = api.call(
        WRITER, "auction.getPortfolioStatus", params={"participantName": "ALPHA_LSE"}
    )
    assert response.status_code == 400
    assert error_codes(response) == ["SER0001", "SER0001"]
    assert "marketName" in response.text and "portfolioName" in response.text


def test_missing_required_field_is_ser0001(api: Api) -> None:
    body = portfolio("NO_MARKET")
    del body["marketName"]
    response = api.call(WRITER, "auction.portfolioCreation", json_body=body)
    assert (response.status_code, error_codes(response)) == (400, ["SER0001"])


def test_bad_enum_value_is_ser0002(api: Api) -> None:
    response = api.call(
        "bravo_trading-read",
        "secondary_market.getOfferList",
        params={"participantName": "BRAVO_TRADING", "status": "MAYBE"},
    )
    assert (response.status_code, error_codes(response)) == (400, ["SER0002"])


def test_bad_enum_in_body_is_ser0002(api: Api) -> None:
    body = portfolio("BAD_TOU", [bid() | {"timeOfUse": "24HR"}])
    response = api.call(WRITER, "auction.portfolioCreation", json_body=body)
    assert (response.status_code, error_codes(response)) == (400, ["SER0002"])
    assert "bids[0].timeOfUse" in response.text


def test_bad_pattern_is_ser0002(api: Api) -> None:
    response = api.call(
        "echo_nda-nda", "market_info.getMarket", params={"marketName": "NOT_A_MARKET"}
    )
    assert (response.status_code, error_codes(response)) == (400, ["SER0002"])


def test_repeated_parameter_is_ser0002(api: Api) -> None:
    response = api.client(WRITER).get(
        "/auction/v1.0/portfolioList?participantName=ALPHA_LSE&participantName=BRAVO_TRADING"
    )
    assert (response.status_code, error_codes(response)) == (400, ["SER0002"])


def test_malformed_json_is_gen0003(api: Api) -> None:
    response = api.call(
        WRITER,
        "auction.portfolioCreation",
        content=b'{"participantName": "ALPHA_LSE",',
        headers={"content-type": "application/json"},
    )
    assert (response.status_code, error_codes(response)) == (400, ["GEN0003"])


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"participantName": "ALPHA_LSE"}', "text/plain"),
        (b"", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"text"', "application/json"),
        (b'{"mw": NaN}', "application/json"),
    ],
    ids=["wrong-content-type", "empty", "array", "string", "nan"],
)
def test_unreadable_body_is_gen0003(api: Api, content: bytes, content_type: str) -> None:
    response = api.call(
        WRITER, "auction.portfolioCreation", content=content, headers={"content-type": content_type}
    )
    assert (response.status_code, error_codes(response)) == (400, ["GEN0003"])


def test_unknown_field_is_refused(api: Api) -> None:
    response = api.call(
        WRITER, "auction.portfolioCreation", json_body=portfolio("EXTRA", note="hi")
    )
    assert response.status_code == 400
    assert error_codes(response) == ["GEN0003"]
    assert "note" in response.text


def test_unknown_nested_field_is_refused(api: Api) -> None:
    body = portfolio("EXTRA2", [bid() | {"colour": "blue"}])
    response = api.call(WRITER, "auction.portfolioCreation", json_body=body)
    assert (response.status_code, error_codes(response)) == (400, ["GEN0003"])


@pytest.mark.parametrize(
    "records", [{"bids": []}, {"bids": [], "offers": []}, {}], ids=["empty", "both-empty", "none"]
)
def test_a_portfolio_without_a_bid_or_offer_is_ser0001(api: Api, records: dict) -> None:
    body = portfolio("EMPTY") | records
    if not records:
        del body["bids"]
    response = api.call(WRITER, "auction.portfolioCreation", json_body=body)
    assert (response.status_code, error_codes(response)) == (400, ["SER0001"])
    assert "bids" in response.text and "offers" in response.text


def test_501_records_is_ser0030(api: Api) -> None:
    response = api.call(
        WRITER, "auction.portfolioCreation", json_body=portfolio("BIG", [bid()] * 501)
    )
    assert (response.status_code, error_codes(response)) == (400, ["SER0030"])


def test_500_records_are_accepted(api: Api) -> None:
    bids = [bid() | {"sink": SP15, "bidId": f"B{k}"} for k in range(500)]
    response = api.call(WRITER, "auction.portfolioCreation", json_body=portfolio("FULL", bids))
    assert response.status_code == 200, response.text
    assert len(response.json()["bids"]) == 500


def test_21_segments_is_por0003(api: Api) -> None:
    response = api.call(WRITER, "auction.portfolioCreation", json_body=portfolio("SEGS", [bid(21)]))
    assert (response.status_code, error_codes(response)) == (400, ["POR0003"])


def test_20_segments_are_accepted(api: Api) -> None:
    response = api.call(
        WRITER, "auction.portfolioCreation", json_body=portfolio("SEGS20", [bid(20)])
    )
    assert response.status_code == 200, response.text


def test_engine_rules_come_back_with_their_codes(api: Api) -> None:
    body = portfolio("SAME", [bid() | {"sink": NP15}])
    response = api.call(WRITER, "auction.portfolioCreation", json_body=body)
    assert (response.status_code, error_codes(response)) == (400, ["POR0006"])


def test_several_problems_are_reported_together(api: Api) -> None:
    body = portfolio("MANY", [bid() | {"timeOfUse": "X"}, bid(21)])
    response = api.call(WRITER, "auction.portfolioCreation", json_body=body)
    assert sorted(error_codes(response)) == ["POR0003", "SER0002"]


def test_unknown_path_is_404_ser0028(api: Api) -> None:
    response = api.client(WRITER).get("/auction/v1.0/noSuchOperation")
    assert (response.status_code, error_codes(response)) == (404, ["SER0028"])
    assert response.headers["content-type"] == "application/json"


def test_undefined_method_on_a_spec_path_is_404_ser0028(api: Api) -> None:
    response = api.client(WRITER).delete("/auction/v1.0/portfolio")
    assert (response.status_code, error_codes(response)) == (404, ["SER0028"])


def test_role_is_checked_before_the_request_is_read(api: Api) -> None:
    response = api.call(
        "bravo_trading-read",
        "auction.portfolioCreation",
        content=b"not json",
        headers={"content-type": "application/json"},
    )
    assert (response.status_code, error_codes(response)) == (403, ["SEC0001"])


def test_validation_comes_before_the_participant_check(api: Api) -> None:
    response = api.call(WRITER, "auction.getPortfolioList", params={"participantName": "bad name"})
    assert (response.status_code, error_codes(response)) == (400, ["SER0002"])
