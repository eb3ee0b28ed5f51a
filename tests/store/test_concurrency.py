"""Many clients writing at once over mTLS: nothing acknowledged is lost, nothing is doubled."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from crr_contract.pki import PkiLayout, init_pki
from reference_impl.datasets.market_sim import MONTHLY_AUCTION, NP15, PGAE, SP15
from reference_impl.security.tls import client_context_for
from reference_impl.server import ReferenceSystem
from tests.api.support import serving

THREADS = 8
PER_THREAD = 20
LM_MARKET = "LM_MN_2025_M10"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    return init_pki(tmp_path_factory.mktemp("pki"))


def bids() -> list[dict]:
    return [{"source": NP15, "sink": SP15, "timeOfUse": "ON", "segments": [{"mw": 5, "price": 1}]}]


def migration() -> dict:
    return {
        "participantName": "CHARLIE_UDC",
        "marketName": LM_MARKET,
        "records": [
            {
                "fromLse": "ALPHA_LSE",
                "toLse": "ECHO_LSE",
                "sink": PGAE,
                "customerCount": 1,
                "migratedLoadMw": 1.0,
                "effectiveDate": "2025-10-01T07:00:00Z",
            }
        ],
    }


def test_concurrent_writers(tmp_path: Path, pki: PkiLayout) -> None:
    db = tmp_path / "crr.sqlite3"
    acknowledged: list[str] = []
    submission_ids: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    with serving(db, pki) as api:
        operator = api.client("operator")
        for window in (MONTHLY_AUCTION, LM_MARKET):
            operator.post("/simcontrol/v1.0/windowOpening", json={"windowName": window})
        start = threading.Barrier(THREADS)

        def writer(n: int) -> None:
            context_rw = client_context_for(pki, "alpha_lse-rw")
            context_udc = client_context_for(pki, "charlie_udc-rw")
            with (
                httpx.Client(base_url=api.server.url, verify=context_rw, timeout=30) as alpha,
                httpx.Client(base_url=api.server.url, verify=context_udc, timeout=30) as udc,
            ):
                start.wait()
                for i in range(PER_THREAD):
                    name = f"T{n}_{i}"
                    created = alpha.post(
                        "/auction/v1.0/portfolioCreation",
                        json={
                            "participantName": "ALPHA_LSE",
                            "marketName": MONTHLY_AUCTION,
                            "portfolioName": name,
                            "bids": bids(),
                        },
                    )
                    submitted = udc.post("/loadMigration/v1.0/udcSubmission", json=migration())
                    with lock:
                        if created.status_code == 200:
                            acknowledged.append(name)
                        else:
                            failures.append(created.text)
                        if submitted.status_code == 200:
                            submission_ids.append(submitted.json()["submissionId"])
                        else:
                            failures.append(submitted.text)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert len(acknowledged) == THREADS * PER_THREAD
        assert len(set(submission_ids)) == len(submission_ids) == THREADS * PER_THREAD
        listed = api.client("alpha_lse-rw").get(
            "/auction/v1.0/portfolioList", params={"participantName": "ALPHA_LSE"}
        )
        names = [p["portfolioName"] for p in listed.json()]
        assert sorted(names) == sorted(acknowledged)
        before = api.system.engine.snapshot()
        journaled = api.system.engine.journal_length()
    assert journaled == 1 + 2 + 2 * THREADS * PER_THREAD
    with ReferenceSystem(db) as restarted:
        assert restarted.engine.snapshot() == before
