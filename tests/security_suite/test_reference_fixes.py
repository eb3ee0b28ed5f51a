"""Defects of the reference implementation the security suite found, each pinned down.

1. A body nested deeper than Python's recursion limit crashed JSON parsing:
   HTTP 500 SER0029 instead of a 400 with a catalog code.
2. Request bodies had no size limit: a body of any size was read into memory
   and, when it was valid JSON, accepted.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest

from crr_contract.pki import PkiLayout, init_pki
from reference_impl.api.validation import DEFAULT_BODY_LIMIT, body_limit
from reference_impl.datasets.market_sim import MONTHLY_AUCTION
from tests.api.support import Api, serving

CREATE = "/auction/v1.0/portfolioCreation"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    pki: PkiLayout = init_pki(tmp_path_factory.mktemp("pki"))
    with serving(tmp_path_factory.mktemp("db") / "crr.sqlite3", pki) as served:
        served.call("operator", "simcontrol.openWindow", json_body={"windowName": MONTHLY_AUCTION})
        yield served


def portfolio(name: str) -> dict:
    return {
        "participantName": "ALPHA_LSE",
        "marketName": MONTHLY_AUCTION,
        "portfolioName": name,
        "bids": [
            {
                "bidId": "B1",
                "source": "TH_NP15_GEN-APND",
                "sink": "TH_SP15_GEN-APND",
                "timeOfUse": "ON",
                "hedgeType": "OBLIGATION",
                "segments": [{"mw": 10.0, "price": 45.0}],
            }
        ],
    }


def post(api: Api, content: bytes) -> tuple[int, list[str]]:
    response = api.client("alpha_lse-rw").post(
        CREATE, content=content, headers={"content-type": "application/json"}
    )
    codes = [d["errorCode"] for d in response.json().get("errorDetails", [])]
    return response.status_code, codes


def healthy(api: Api) -> bool:
    return api.client("alpha_lse-rw").get("/appStatus/v1.0/status").status_code == 200


def padded(body: dict, size: int) -> bytes:
    text = json.dumps(body).encode("utf-8")
    return text[:-1] + b" " * (size - len(text)) + b"}"


def test_deep_nesting_is_a_400_gen0003_not_a_500(api: Api) -> None:
    deep = json.dumps({**portfolio("DEEP"), "bids": "X"}).replace(
        '"X"', "[" * 50_000 + "]" * 50_000
    )
    assert post(api, deep.encode()) == (400, ["GEN0003"])
    assert healthy(api)


def test_nesting_a_parser_can_follow_is_still_judged_by_the_schema(api: Api) -> None:
    shallow = json.dumps({**portfolio("SHALLOW"), "bids": "X"}).replace('"X"', "[" * 50 + "]" * 50)
    assert post(api, shallow.encode()) == (400, ["SER0002"])


def test_a_body_over_the_limit_is_refused_unread(api: Api) -> None:
    status, codes = post(api, padded(portfolio("BIG"), DEFAULT_BODY_LIMIT + 1))
    assert (status, codes) == (400, ["GEN0003"])
    assert healthy(api)
    listed = api.client("alpha_lse-rw").get(
        "/auction/v1.0/portfolioList", params={"participantName": "ALPHA_LSE"}
    )
    assert "BIG" not in {row["portfolioName"] for row in listed.json()}


def test_a_body_at_the_limit_is_accepted(api: Api) -> None:
    assert post(api, padded(portfolio("AT_LIMIT"), DEFAULT_BODY_LIMIT)) == (200, [])


def test_a_chunked_body_over_the_limit_is_refused_too(api: Api) -> None:
    chunk = b" " * (1024 * 1024)
    text = json.dumps(portfolio("CHUNKED")).encode("utf-8")

    def stream() -> Iterator[bytes]:
        yield text[:-1]
        for _ in range(5):
            yield chunk
        yield b"}"

    response = api.client("alpha_lse-rw").post(
        CREATE, content=stream(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errorDetails"][0]["errorCode"] == "GEN0003"


def test_the_limit_is_the_specs_when_it_states_one(api: Api) -> None:
    operation = api.operation("auction.portfolioCreation")
    assert body_limit(operation) == DEFAULT_BODY_LIMIT
    info = {**operation.spec.document["info"], "x-max-body-bytes": 1000}
    spec = dataclasses.replace(operation.spec, document={**operation.spec.document, "info": info})
    assert body_limit(dataclasses.replace(operation, spec=spec)) == 1000
    own = dataclasses.replace(operation, definition={**operation.definition, "x-max-body-bytes": 7})
    assert body_limit(own) == 7


def test_the_harness_and_the_reference_agree_on_the_limit(api: Api) -> None:
    from harness.checks.robustness import documented_body_limit

    for operation in api.operations():
        assert documented_body_limit(operation) == body_limit(operation)
