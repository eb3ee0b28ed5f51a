"""Group commit: nothing is acknowledged before the fsync that covers it, and one fsync covers many.

The journal's ``commit`` (one SQLite transaction, one fsync with
``synchronous=FULL``) is held at a gate here, so each test can look at what
has been acknowledged while a commit is still on its way to the disk.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from reference_impl.datasets.market_sim import MONTHLY_AUCTION, NP15, SP15, START, dataset
from reference_impl.store.durable import DurableSystem, InitialData
from reference_impl.store.group_commit import GroupCommit
from reference_impl.store.journal import Journal, JournalRow, StoreError

WAIT = 10.0


class GatedJournal(Journal):
    """A journal whose commits wait at a gate; it counts the rows each commit wrote."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.batches: list[int] = []
        self.refuse = False

    def commit(self, rows: Sequence[JournalRow]) -> int:
        self.entered.set()
        assert self.gate.wait(WAIT)
        if self.refuse:
            raise StoreError("disk full")
        last = super().commit(rows)
        self.batches.append(len(rows))
        return last


def row(n: int) -> JournalRow:
    return Journal.record("2025-09-01T00:00:00Z", "advance_clock", {"seconds": n}, {"n": n})


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[GatedJournal]:
    journal = GatedJournal(tmp_path / "j.sqlite3")
    yield journal
    journal.gate.set()
    journal.close()


def acknowledged_in_thread(commits: GroupCommit, ticket: int) -> tuple[threading.Event, list]:
    done = threading.Event()
    errors: list[BaseException] = []

    def wait() -> None:
        try:
            commits.wait(ticket)
        except BaseException as exc:
            errors.append(exc)
        done.set()

    threading.Thread(target=wait, daemon=True).start()
    return done, errors


def test_no_row_is_acknowledged_before_the_commit_that_holds_it_returns(
    journal: GatedJournal,
) -> None:
    commits = GroupCommit(journal)
    journal.gate.clear()
    ticket = commits.submit(row(1))
    done, errors = acknowledged_in_thread(commits, ticket)
    assert journal.entered.wait(WAIT)
    assert not done.wait(0.3)
    assert len(journal) == 0
    journal.gate.set()
    assert done.wait(WAIT) and errors == []
    assert len(journal) == 1
    commits.close()


def test_rows_queued_during_a_commit_share_the_next_one(journal: GatedJournal) -> None:
    commits = GroupCommit(journal)
    journal.gate.clear()
    first = commits.submit(row(0))
    assert journal.entered.wait(WAIT)
    tickets = [commits.submit(row(n)) for n in range(1, 8)]
    waiters = [acknowledged_in_thread(commits, t) for t in tickets]
    assert not any(done.wait(0.05) for done, _ in waiters)
    journal.gate.set()
    commits.wait(first)
    for done, errors in waiters:
        assert done.wait(WAIT) and errors == []
    assert journal.batches == [1, 7]
    assert commits.commits == 2
    assert [e.kwargs["seconds"] for e in journal.entries()] == list(range(8))
    commits.close()


def test_the_event_loop_is_answered_only_after_the_commit(journal: GatedJournal) -> None:
    commits = GroupCommit(journal)
    journal.gate.clear()
    ticket = commits.submit(row(1))

    async def scenario() -> list[str]:
        seen = []
        waiting = asyncio.ensure_future(commits.wait_async(ticket))
        await asyncio.sleep(0.3)
        seen.append(f"done before the commit: {waiting.done()}")
        journal.gate.set()
        await asyncio.wait_for(waiting, WAIT)
        seen.append(f"rows on disk when acknowledged: {len(journal)}")
        return seen

    assert asyncio.run(scenario()) == [
        "done before the commit: False",
        "rows on disk when acknowledged: 1",
    ]
    commits.close()


def test_a_failed_commit_fails_its_rows_and_every_later_one_until_reset(
    journal: GatedJournal,
) -> None:
    commits = GroupCommit(journal)
    journal.gate.clear()
    journal.refuse = True
    lost = [commits.submit(row(n)) for n in range(3)]
    journal.gate.set()
    for ticket in lost:
        with pytest.raises(StoreError, match="disk full"):
            commits.wait(ticket)
    assert commits.broken
    with pytest.raises(StoreError):
        commits.submit(row(9))
    journal.refuse = False
    commits.reset()
    kept = commits.submit(row(4))
    commits.wait(kept)
    with pytest.raises(StoreError):
        commits.wait(lost[-1])
    assert [e.kwargs["seconds"] for e in journal.entries()] == [4]
    commits.close()


def portfolio(system: DurableSystem, name: str):  # type: ignore[no-untyped-def]
    return system.apply(
        "create_auction_portfolio",
        participant_name="ALPHA_LSE",
        market_name=MONTHLY_AUCTION,
        portfolio_name=name,
        bids=[
            {"source": NP15, "sink": SP15, "timeOfUse": "ON", "segments": [{"mw": 5, "price": 1}]}
        ],
    )


def test_a_read_that_saw_a_pending_write_waits_for_its_commit(tmp_path: Path) -> None:
    db = tmp_path / "crr.sqlite3"
    system = DurableSystem.open(db, InitialData(START, dataset()))
    system.run("open_window", name=MONTHLY_AUCTION)
    gate = threading.Event()
    commit = system._journal.commit

    def gated(rows: Sequence[JournalRow]) -> int:
        assert gate.wait(WAIT)
        return commit(rows)

    system._journal.commit = gated  # type: ignore[method-assign]
    write = portfolio(system, "P1")
    read = system.apply("list_auction_portfolios", participant_name="ALPHA_LSE")
    assert [p["portfolioName"] for p in read.value()] == ["P1"]
    assert read.ticket >= write.ticket
    done, errors = acknowledged_in_thread(system._commits, read.ticket)
    assert not done.wait(0.3)
    gate.set()
    assert done.wait(WAIT) and errors == []
    assert write.wait()["portfolioName"] == "P1"
    system.close()


def test_a_lost_commit_rolls_the_engine_back_to_the_journal(tmp_path: Path) -> None:
    db = tmp_path / "crr.sqlite3"
    system = DurableSystem.open(db, InitialData(START, dataset()))
    system.run("open_window", name=MONTHLY_AUCTION)

    def refuse(_rows: Sequence[JournalRow]) -> int:
        raise StoreError("disk full")

    commit = system._journal.commit
    system._journal.commit = refuse  # type: ignore[method-assign]
    with pytest.raises(StoreError):
        portfolio(system, "LOST").wait()
    system._journal.commit = commit  # type: ignore[method-assign]
    assert system.run("list_auction_portfolios", participant_name="ALPHA_LSE") == []
    portfolio(system, "KEPT").wait()
    system.close()
    again = DurableSystem.open(db, InitialData(START, dataset()))
    names = [
        p["portfolioName"]
        for p in again.run("list_auction_portfolios", participant_name="ALPHA_LSE")
    ]
    assert names == ["KEPT"]
    again.close()
