"""Kill -9 in the middle of a stream of writes: every acknowledged write survives the restart.

``crr-harness serve`` runs as a subprocess on a temporary database. Four
clients write as fast as they can (auction portfolios and load migration
submissions, which get IDs); once enough writes were acknowledged the
server is killed with SIGKILL while requests are still in flight. A new
server on the same database must hold every acknowledged write, complete,
and hand out IDs that continue after the acknowledged ones.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from crr_contract.pki import PkiLayout, init_pki
from reference_impl.datasets.market_sim import MONTHLY_AUCTION, NP15, PGAE, SP15
from reference_impl.security.tls import client_context_for

LM_MARKET = "LM_MN_2025_M10"
WRITERS = 4
KILL_AFTER = 80
"""Acknowledged writes before the kill."""


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    line: str


@dataclass
class Acknowledged:
    portfolios: set[str] = field(default_factory=set)
    submissions: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return len(self.portfolios) + len(self.submissions)


def start(db: Path, pki: PkiLayout) -> Server:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "serve",
            "--port",
            "0",
            "--db",
            str(db),
            "--pki-dir",
            str(pki.directory),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"listening on (https://127\.0\.0\.1:\d+)", line)
    if found is None:
        process.kill()
        raise AssertionError(f"no listening line: {line!r} {process.stderr.read()}")  # type: ignore[union-attr]
    return Server(process, found.group(1), line)


def client(server: Server, pki: PkiLayout, credential: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, verify=client_context_for(pki, credential), timeout=10)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    return init_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def server_factory(pki: PkiLayout) -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
        server.process.wait(timeout=10)


def portfolio(name: str) -> dict:
    return {
        "participantName": "ALPHA_LSE",
        "marketName": MONTHLY_AUCTION,
        "portfolioName": name,
        "bids": [
            {"source": NP15, "sink": SP15, "timeOfUse": "ON", "segments": [{"mw": 5, "price": 1}]}
        ],
    }


def migration() -> dict:
    return {
        "participantName": "CHARLIE_UDC",
        "marketName": LM_MARKET,
        "records": [
            {
                "fromLse": "ALPHA_LSE",
                "toLse": "ECHO_LSE",
                "sink": PGAE,
                "customerCount": 3,
                "migratedLoadMw": 5.0,
                "effectiveDate": "2025-10-01T07:00:00Z",
            }
        ],
    }


def write_until_killed(server: Server, pki: PkiLayout, writer: int, acked: Acknowledged) -> None:
    with client(server, pki, "alpha_lse-rw") as alpha, client(server, pki, "charlie_udc-rw") as udc:
        for i in range(10_000):
            try:
                if i % 2:
                    response = udc.post("/loadMigration/v1.0/udcSubmission", json=migration())
                    if response.status_code == 200:
                        with acked.lock:
                            acked.submissions.add(response.json()["submissionId"])
                else:
                    name = f"W{writer}_{i}"
                    response = alpha.post("/auction/v1.0/portfolioCreation", json=portfolio(name))
                    if response.status_code == 200:
                        with acked.lock:
                            acked.portfolios.add(name)
                assert response.status_code == 200, response.text
            except httpx.TransportError:
                return


@pytest.mark.slow
def test_acknowledged_writes_survive_sigkill(
    tmp_path: Path, pki: PkiLayout, server_factory: list[Server]
) -> None:
    db = tmp_path / "crr.sqlite3"
    first = start(db, pki)
    server_factory.append(first)
    assert f"PKI {pki.directory}" in first.line and f"database {db}" in first.line
    with client(first, pki, "operator") as operator:
        for window in (MONTHLY_AUCTION, LM_MARKET):
            opened = operator.post("/simcontrol/v1.0/windowOpening", json={"windowName": window})
            assert opened.status_code == 200, opened.text
    acked = Acknowledged()
    writers = [
        threading.Thread(target=write_until_killed, args=(first, pki, n, acked), daemon=True)
        for n in range(WRITERS)
    ]
    for thread in writers:
        thread.start()
    deadline = time.monotonic() + 60
    while acked.count() < KILL_AFTER and time.monotonic() < deadline:
        time.sleep(0.005)
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    for thread in writers:
        thread.join(timeout=20)
    assert acked.count() >= KILL_AFTER

    second = start(db, pki)
    server_factory.append(second)
    replayed = int(re.search(r"\((\d+) command\(s\) replayed\)", second.line).group(1))  # type: ignore[union-attr]
    assert replayed >= 3 + acked.count()
    with client(second, pki, "alpha_lse-rw") as alpha, client(second, pki, "charlie_udc-rw") as udc:
        listed = alpha.get("/auction/v1.0/portfolioList", params={"participantName": "ALPHA_LSE"})
        names = [p["portfolioName"] for p in listed.json()]
        assert len(names) == len(set(names))
        assert acked.portfolios <= set(names)
        for name in names:
            one = alpha.get(
                "/auction/v1.0/portfolio",
                params={
                    "participantName": "ALPHA_LSE",
                    "marketName": MONTHLY_AUCTION,
                    "portfolioName": name,
                },
            ).json()
            assert one["status"] == "CREATED" and len(one["bids"]) == 1
        for submission in acked.submissions:
            found = udc.get(
                "/loadMigration/v1.0/udcSubmission",
                params={"participantName": "CHARLIE_UDC", "submissionId": submission},
            )
            assert found.status_code == 200 and found.json()["recordCount"] == 1
        after = udc.post("/loadMigration/v1.0/udcSubmission", json=migration()).json()[
            "submissionId"
        ]
        assert after not in acked.submissions
        assert after > max(acked.submissions)
        again = alpha.post("/auction/v1.0/portfolioCreation", json=portfolio("AFTER_RESTART"))
        assert again.status_code == 200
    print(
        f"\n{acked.count()} writes acknowledged before SIGKILL ({len(acked.portfolios)} "
        f"portfolios, {len(acked.submissions)} load migration submissions); {replayed} "
        f"commands replayed; {len(names)} portfolios present after restart; next ID {after}"
    )
