"""The served spec files' ``maxItems`` are the reference's limits, whichever way they move.

A copy of the shipped specs with the auction's record limit raised above
the shipped one and its segment limit lowered is served: one item beyond
each new limit is refused with the limit's catalog code, and as many as the
new limit allow are accepted, so neither the HTTP layer nor the engine holds
a number of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crr_contract.limits import declared_limits
from crr_contract.operations import default_spec_files, load_specs
from crr_contract.pki import PkiLayout
from reference_impl.datasets.market_sim import MONTHLY_AUCTION, NP15, SP15
from reference_impl.server import ReferenceSystem, ServerSetupError
from tests.api.support import Api, error_codes, serving
from tests.spec_copies import raise_every_max_items, specs_with_limits

WRITER = "alpha_lse-rw"
SHIPPED = declared_limits(load_specs(default_spec_files()))
RECORDS = SHIPPED["auction_records"] + 2
"""More records than the shipped specs allow: only a limit read from the served file admits them."""
SEGMENTS = 3


def portfolio(name: str, bids: list[dict]) -> dict:
    return {
        "participantName": "ALPHA_LSE",
        "marketName": MONTHLY_AUCTION,
        "portfolioName": name,
        "bids": bids,
    }


def bids(count: int, segments: int = 1) -> list[dict]:
    curve = [{"mw": 10.0 + k, "price": 20.0 - k} for k in range(segments)]
    return [
        {"bidId": f"B{k}", "source": NP15, "sink": SP15, "timeOfUse": "ON", "segments": curve}
        for k in range(count)
    ]


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory, pki: PkiLayout) -> Iterator[Api]:
    directory = tmp_path_factory.mktemp("specs")
    files = specs_with_limits(directory, {"segments": SEGMENTS})
    auction = next(f for f in files if "_auction_" in f.name)
    raise_every_max_items(auction, SHIPPED["auction_records"], RECORDS)
    with serving(directory / "crr.sqlite3", pki, spec_files=files) as served:
        served.call(
            "operator",
            "simcontrol.openWindow",
            json_body={"windowName": MONTHLY_AUCTION},
            expect=200,
        )
        yield served


def test_as_many_records_as_the_served_spec_allows_are_accepted(changed: Api) -> None:
    body = portfolio("FULL", bids(RECORDS))
    response = changed.call(WRITER, "auction.portfolioCreation", json_body=body)
    assert response.status_code == 200, response.text
    assert len(response.json()["bids"]) == RECORDS


def test_one_record_beyond_the_served_spec_is_ser0030(changed: Api) -> None:
    body = portfolio("OVER", bids(RECORDS + 1))
    response = changed.call(WRITER, "auction.portfolioCreation", json_body=body)
    assert (response.status_code, error_codes(response)) == (400, ["SER0030"])


def test_a_lowered_segment_limit_holds_with_its_own_code(changed: Api) -> None:
    ok = changed.call(
        WRITER, "auction.portfolioCreation", json_body=portfolio("SEGS", bids(1, SEGMENTS))
    )
    assert ok.status_code == 200, ok.text
    over = changed.call(
        WRITER, "auction.portfolioCreation", json_body=portfolio("SEGS2", bids(1, SEGMENTS + 1))
    )
    assert (over.status_code, error_codes(over)) == (400, ["POR0003"])


def test_a_served_spec_without_the_limit_does_not_start(tmp_path: Path) -> None:
    files = specs_with_limits(tmp_path / "specs", {"conversion_records": None})
    with pytest.raises(ServerSetupError, match="submitConversionRequest request records"):
        ReferenceSystem(tmp_path / "crr.sqlite3", spec_files=files)
