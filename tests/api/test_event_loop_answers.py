"""Requests answered on the event loop: never before their commit, never stuck behind a busy engine.

Short requests run on the server's event loop; a request that finds the
engine busy goes to a worker thread and waits there, so the loop keeps
answering everything else; a write is acknowledged only once the commit
holding its journal row has returned.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from reference_impl.datasets.market_sim import MONTHLY_AUCTION, NP15, SP15
from reference_impl.store.journal import JournalRow
from tests.api.support import Api

HOLD = 0.6


@pytest.fixture(scope="module", autouse=True)
def open_auction(api: Api) -> None:
    api.call(
        "operator", "simcontrol.openWindow", json_body={"windowName": MONTHLY_AUCTION}, expect=200
    )


def create(api: Api, name: str) -> dict:
    return {
        "participantName": "ALPHA_LSE",
        "marketName": MONTHLY_AUCTION,
        "portfolioName": name,
        "bids": [
            {"source": NP15, "sink": SP15, "timeOfUse": "ON", "segments": [{"mw": 5, "price": 1}]}
        ],
    }


def test_a_request_that_finds_the_engine_busy_waits_off_the_loop(api: Api) -> None:
    lock = api.system.engine._lock
    reader = api.client("alpha_lse-rw")
    other = api.client("bravo_trading-rw")
    answered: dict[str, float] = {}

    def read() -> None:
        response = reader.get(
            "/auction/v1.0/portfolioList", params={"participantName": "ALPHA_LSE"}
        )
        assert response.status_code == 200
        answered["read"] = time.monotonic()

    with lock:
        held_at = time.monotonic()
        thread = threading.Thread(target=read)
        thread.start()
        time.sleep(0.1)
        # The loop is free: a request that needs no engine is answered while the read waits.
        specs = other.get("/specs")
        answered["specs"] = time.monotonic()
        time.sleep(HOLD)
        released_at = time.monotonic()
    thread.join(10)
    assert specs.status_code == 200
    assert answered["specs"] - held_at < HOLD
    assert answered["read"] >= released_at


def test_a_write_is_acknowledged_only_after_its_commit(api: Api) -> None:
    journal = api.system.engine._journal
    gate = threading.Event()
    entered = threading.Event()
    commit = journal.commit

    def gated(rows: Sequence[JournalRow]) -> int:
        entered.set()
        assert gate.wait(10)
        return commit(rows)

    journal.commit = gated  # type: ignore[method-assign]
    try:
        answers: list[int] = []
        writer = api.client("alpha_lse-rw")
        thread = threading.Thread(
            target=lambda: answers.append(
                writer.post(
                    "/auction/v1.0/portfolioCreation", json=create(api, "GATED")
                ).status_code
            )
        )
        before = len(journal)
        thread.start()
        assert entered.wait(10)
        time.sleep(0.3)
        assert answers == []
        assert len(journal) == before
        gate.set()
        thread.join(10)
    finally:
        gate.set()
        journal.commit = commit  # type: ignore[method-assign]
    assert answers == [200]
    assert len(journal) == before + 1
