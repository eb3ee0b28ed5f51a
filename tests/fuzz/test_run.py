"""A run is reproducible from its seed, bounded by its budget, and sent as the target declares."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.client import CLIENT_CERT_HEADER
from harness.fuzz.options import FuzzOptions
from harness.results import Status
from tests.fuzz.support import failures, fuzz_embedded

Seen = list[tuple[str, str, bytes, bytes, bool]]


def recording(seen: Seen) -> Callable[[Any], Any]:
    """An ASGI layer noting each request (method, path, query, body, certificate header)."""

    def wrap(app: Any) -> Any:
        async def wrapped(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            chunks: list[bytes] = []
            more = True
            while more:
                message = await receive()
                chunks.append(message.get("body", b""))
                more = message.get("more_body", False)
            headers = {k.decode().lower() for k, _ in scope.get("headers", [])}
            seen.append(
                (
                    scope["method"],
                    scope["path"],
                    scope.get("query_string", b""),
                    b"".join(chunks),
                    CLIENT_CERT_HEADER.lower() in headers,
                )
            )
            replayed = False

            async def again():
                nonlocal replayed
                if replayed:
                    return {"type": "http.disconnect"}
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

            return await app(scope, again, send)

        return wrapped

    return wrap


ONE_OPERATION = FuzzOptions(max_examples=8, stateful=False)


def _fuzzed(seen: Seen) -> list[tuple[str, str, bytes, bytes]]:
    return [(m, p, q, b) for m, p, q, b, _ in seen if p.endswith("/portfolioSubmission")]


@pytest.mark.slow
def test_the_same_seed_sends_the_same_requests(tmp_path: Path) -> None:
    runs: list[Seen] = [[], [], []]
    for index, seed in enumerate((11, 11, 12)):
        fuzz_embedded(
            tmp_path / str(index),
            wrap=recording(runs[index]),
            expression="auction.portfolioSubmission",
            options=ONE_OPERATION,
            seed=seed,
        )
    first, again, other = (_fuzzed(seen) for seen in runs)
    assert len(first) >= 8
    assert first == again
    assert first != other


def test_the_time_budget_bounds_the_run_and_every_operation_gets_a_share(tmp_path: Path) -> None:
    started = time.monotonic()
    report = fuzz_embedded(
        tmp_path,
        expression="market_info",
        options=FuzzOptions(max_examples=10_000, time_budget=3.0, stateful=False),
    )
    elapsed = time.monotonic() - started
    assert elapsed < 3.0 + 12, elapsed  # the budget plus setup, never the 10,000 examples
    judged = {r.operation for r in report.results if r.id == "FUZ-001"}
    assert judged == {
        "market_info.getActiveAllocationMarkets",
        "market_info.getActiveAuctionMarkets",
        "market_info.getMarket",
        "market_info.getMarketCalendar",
    }
    assert failures(report) == []


def test_header_mode_sends_the_certificate_in_the_header(tmp_path: Path) -> None:
    seen: Seen = []
    report = fuzz_embedded(
        tmp_path,
        wrap=recording(seen),
        expression="auction.getStatus",
        options=FuzzOptions(max_examples=6, stateful=False, forbidden_share=2),
        client_cert_header=True,
    )
    assert report.target["base_url"].startswith("http://")
    fuzzed = [s for s in seen if s[1].endswith("/auction/v1.0/status")]
    assert fuzzed and all(header for *_rest, header in fuzzed)
    assert all(r.status is Status.PASS for r in report.results)
    # forbidden roles were among the callers: SEC-001 judged them
    assert any(r.id == "SEC-001" for r in report.results)
