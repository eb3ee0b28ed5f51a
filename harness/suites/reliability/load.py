"""Concurrent load: several participants creating auction portfolios and reading them back.

Each worker acts as one participant through its own recorded client (so the
same TLS or client-certificate-header path as every other suite) and, until
the time is up or ``stop`` is set, creates a portfolio in the open auction
market (a unique name, 1 to 4 bids from the spec example) and reads its
portfolio list. A creation answered 200 is *acknowledged*; every answer's
latency, every 5xx and every request left without an answer is counted.
``verify`` then reads each participant's list and says what is missing,
doubled or incomplete.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from harness.checks.reliability import acknowledged_problems, percentile
from harness.client import TargetClient
from harness.results import RecordedExchange
from harness.suites.security.malformed import grow
from harness.suites.target_calls import Reach, allowed, find, portfolio_request
from harness.target.config import Participant

__all__ = ["LoadRun", "Submission", "load_participants", "run_load", "verify"]

MAX_KEPT_FAILURES = 5


@dataclass(frozen=True, slots=True)
class Submission:
    """A portfolio a worker sent: whose, its name, how many bids it carried."""

    participant: str
    name: str
    bids: int


@dataclass
class LoadRun:
    """What a load run sent and got back."""

    participants: list[Participant]
    market: str
    prefix: str
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    acknowledged: list[Submission] = field(default_factory=list)
    attempted: list[Submission] = field(default_factory=list)
    failures: list[RecordedExchange] = field(default_factory=list)
    failure_count: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def figures(self) -> str:
        """Throughput and latency percentiles, one line."""
        every = [v for values in self.latencies.values() for v in values]
        rate = self.requests / self.seconds if self.seconds else 0.0
        parts = [
            f"{self.requests} requests in {self.seconds:.1f} s by {len(self.participants)} "
            f"participants ({rate:.0f} req/s)",
            f"{len(self.acknowledged)} portfolios acknowledged",
            "latency ms p50/p95/p99/max "
            + "/".join(f"{percentile(every, q):.1f}" for q in (0.5, 0.95, 0.99))
            + f"/{max(every, default=0.0):.1f}",
        ]
        for kind, values in sorted(self.latencies.items()):
            parts.append(
                f"{kind} p50/p95 {percentile(values, 0.5):.1f}/{percentile(values, 0.95):.1f}"
            )
        return "; ".join(parts)

    def _note(self, kind: str, record: RecordedExchange, submission: Submission | None) -> None:
        status = record.response.status if record.response else None
        with self._lock:
            self.latencies.setdefault(kind, []).append(record.elapsed_ms)
            self.statuses[f"{kind} {status if status is not None else 'no answer'}"] += 1
            if submission is not None:
                self.attempted.append(submission)
                if status == 200:
                    self.acknowledged.append(submission)
            if status is None or status >= 500:
                self.failure_count += 1
                if len(self.failures) < MAX_KEPT_FAILURES:
                    self.failures.append(record)


def load_participants(target: Reach) -> list[Participant]:
    """One participant per name that may create auction portfolios and list them."""
    create = find(target, "auction", "portfolioCreation")
    listing = find(target, "auction", "getPortfolioList")
    if create is None or listing is None:
        return []
    found: dict[str, Participant] = {}
    for participant in allowed(target, create):
        if participant.role in listing.roles and participant.id != target.config.operator:
            found.setdefault(participant.name, participant)
    return list(found.values())


def run_load(
    target: Reach,
    market: str,
    prefix: str,
    *,
    seconds: float,
    workers_per_participant: int = 1,
    stop: threading.Event | None = None,
    started: threading.Event | None = None,
) -> LoadRun:
    """Load ``target`` for at most ``seconds`` (or until ``stop``); names start with ``prefix``."""
    create = find(target, "auction", "portfolioCreation")
    listing = find(target, "auction", "getPortfolioList")
    participants = load_participants(target)
    run = LoadRun(participants, market, prefix)
    if create is None or listing is None or not participants:
        return run
    stop = stop or threading.Event()
    deadline = time.monotonic() + seconds

    def work(participant: Participant, worker: int) -> None:
        with TargetClient(target.config) as client:
            index = 0
            while not stop.is_set() and time.monotonic() < deadline:
                index += 1
                name = f"{prefix}{participant.name}_{worker}_{index}"
                bids = 1 + index % 4
                body = _body(create, participant.name, market, name, bids)
                exchange = client.call(participant, create, body=body)
                run._note("create", exchange.record, Submission(participant.name, name, bids))
                if started is not None:
                    started.set()
                if stop.is_set():
                    break
                read = client.call(
                    participant,
                    listing,
                    params={"participantName": participant.name, "marketName": market},
                )
                run._note("list", read.record, None)
                client.log.clear()

    threads = [
        threading.Thread(target=work, args=(p, w), name=f"load-{p.name}-{w}", daemon=True)
        for p in participants
        for w in range(workers_per_participant)
    ]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.monotonic() - began
    return run


def _body(operation: Any, participant: str, market: str, name: str, bids: int) -> dict[str, Any]:
    body = portfolio_request(operation, participant, market, name)
    return grow(body, ("bids",), bids) or body


def verify(target: Reach, run: LoadRun, *, read_each: bool = False) -> tuple[list[str], int]:
    """What is wrong after ``run`` (missing, doubled, incomplete), and how many were present.

    Completeness is the bid count: the list's ``bidCount`` where it has
    one, or (``read_each``) each portfolio read in full.
    """
    listing = find(target, "auction", "getPortfolioList")
    single = find(target, "auction", "getPortfolio")
    assert listing is not None
    sent = {(s.participant, s.name): s.bids for s in run.attempted}
    problems: list[str] = []
    present_total = 0
    for participant in run.participants:
        answer = target.client.call(
            participant,
            listing,
            params={"participantName": participant.name, "marketName": run.market},
        )
        if answer.status != 200 or not isinstance(answer.json(), list):
            problems.append(f"{participant.name}'s portfolio list: HTTP {answer.status}")
            continue
        rows = [
            row
            for row in answer.json()
            if isinstance(row, dict) and str(row.get("portfolioName", "")).startswith(run.prefix)
        ]
        names = [str(row["portfolioName"]) for row in rows]
        present_total += len(names)
        acknowledged = [s.name for s in run.acknowledged if s.participant == participant.name]
        problems += [f"{participant.name}: {p}" for p in acknowledged_problems(acknowledged, names)]
        for row in rows:
            expected = sent.get((participant.name, str(row["portfolioName"])))
            found = row.get("bidCount")
            if read_each and single is not None:
                full = target.client.call(
                    participant,
                    single,
                    params={
                        "participantName": participant.name,
                        "marketName": run.market,
                        "portfolioName": row["portfolioName"],
                    },
                ).json()
                bids = full.get("bids") if isinstance(full, dict) else None
                found = len(bids) if isinstance(bids, list) else None
            if expected is None:
                problems.append(f"{participant.name}: {row['portfolioName']} was never sent")
            elif isinstance(found, int) and found != expected:
                problems.append(
                    f"{participant.name}: {row['portfolioName']} holds {found} of its "
                    f"{expected} bids (half-written)"
                )
        target.client.log.clear()
    return problems, present_total
