"""DurableSystem: journal before acknowledging, replay on start, roll back on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from reference_impl.datasets.market_sim import MONTHLY_AUCTION, NP15, SP15, START, dataset
from reference_impl.engine.clock import SettableClock
from reference_impl.engine.errors import DomainError
from reference_impl.engine.system import CRRSystem
from reference_impl.store.durable import DurableSystem, InitialData, ReplayError
from reference_impl.store.journal import Journal, StoreError


def initial() -> InitialData:
    return InitialData(START, dataset())


def create(system: DurableSystem, name: str, who: str = "ALPHA_LSE") -> dict:
    return system.run(
        "create_auction_portfolio",
        participant_name=who,
        market_name=MONTHLY_AUCTION,
        portfolio_name=name,
        bids=[
            {"source": NP15, "sink": SP15, "timeOfUse": "ON", "segments": [{"mw": 5, "price": 1}]}
        ],
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "crr.sqlite3"


def test_an_empty_database_starts_with_the_data_set(db: Path) -> None:
    system = DurableSystem.open(db, initial())
    assert system.replayed == 0
    assert system.now() == START
    assert system.journal_length() == 1
    assert system.run("get_market", market_name=MONTHLY_AUCTION)["status"] == "PREP"
    system.close()
    entries = list(Journal(db).entries())
    assert [(e.method, e.clock_time) for e in entries] == [("load_dataset", "2025-09-01T00:00:00Z")]


def test_a_restart_replays_to_the_same_state_and_clock(db: Path) -> None:
    system = DurableSystem.open(db, initial())
    system.run("open_window", name=MONTHLY_AUCTION)
    create(system, "P1")
    system.run("advance_clock", seconds=7200)
    create(system, "P2", "BRAVO_TRADING")
    before = system.snapshot()
    system.close()
    again = DurableSystem.open(db, initial())
    assert again.replayed == 5
    assert again.snapshot() == before
    assert again.now() == START.replace(hour=2)
    again.close()


def test_reads_and_refused_commands_are_not_journaled(db: Path) -> None:
    system = DurableSystem.open(db, initial())
    system.run("list_auction_portfolios", participant_name="ALPHA_LSE")
    with pytest.raises(DomainError):
        create(system, "CLOSED_MARKET")
    assert system.journal_length() == 1
    system.close()


def test_the_journal_holds_what_was_asked_not_what_the_engine_did_with_it(db: Path) -> None:
    system = DurableSystem.open(db, initial())
    system.run("open_window", name=MONTHLY_AUCTION)
    create(system, "P1")
    system.close()
    entry = list(Journal(db).entries())[-1]
    assert entry.kwargs["bids"] == [
        {"source": NP15, "sink": SP15, "timeOfUse": "ON", "segments": [{"mw": 5, "price": 1}]}
    ]
    assert entry.response["portfolioName"] == "P1"


class Exploding(CRRSystem):
    """A system whose portfolio creation breaks half-way, as a defect would."""

    armed = False

    def create_auction_portfolio(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = super().create_auction_portfolio(*args, **kwargs)
        if Exploding.armed:
            raise RuntimeError("defect after the change")
        return result


def test_a_defect_in_a_command_rolls_the_state_back_to_the_journal(db: Path) -> None:
    system = DurableSystem.open(db, initial(), system_factory=Exploding)
    system.run("open_window", name=MONTHLY_AUCTION)
    before = system.snapshot()
    Exploding.armed = True
    try:
        with pytest.raises(RuntimeError):
            create(system, "HALF")
    finally:
        Exploding.armed = False
    assert system.snapshot() == before
    assert system.journal_length() == 2
    system.close()


def test_a_journal_failure_rolls_the_state_back(db: Path) -> None:
    system = DurableSystem.open(db, initial())
    system.run("open_window", name=MONTHLY_AUCTION)
    before = system.snapshot()

    def refuse(*_args: object) -> int:
        raise StoreError("disk full")

    system._journal.commit = refuse  # type: ignore[method-assign]
    with pytest.raises(StoreError):
        create(system, "NOT_RECORDED")
    assert system.snapshot() == before
    assert system.run("list_auction_portfolios", participant_name="ALPHA_LSE") == []


def test_only_public_engine_operations_can_be_run(db: Path) -> None:
    system = DurableSystem.open(db, initial())
    with pytest.raises(AttributeError):
        system.run("_sync")
    with pytest.raises(AttributeError):
        system.run("no_such_operation")
    system.close()


def test_an_empty_database_without_data_set_starts_empty(db: Path) -> None:
    system = DurableSystem.open(db, InitialData(START))
    assert system.journal_length() == 0
    assert system.snapshot()["participants"] == []
    system.close()


def test_a_journal_that_no_longer_replays_is_refused(db: Path) -> None:
    system = DurableSystem.open(db, initial())
    system.close()
    journal = Journal(db)
    journal.append("2025-09-01T00:00:00Z", "open_window", {"name": "NO_SUCH_WINDOW"}, {})
    journal.close()
    with pytest.raises(ReplayError, match="no longer replays"):
        DurableSystem.open(db, initial())


def test_a_reset_in_the_journal_replays(db: Path) -> None:
    system = DurableSystem.open(db, initial())
    system.run("set_clock", time="2025-09-20T00:00:00Z")
    system.run("reset", clock_time="2025-07-01T00:00:00Z")
    system.run("load_dataset", data=dataset())
    before = system.snapshot()
    system.close()
    again = DurableSystem.open(db, initial())
    assert again.snapshot() == before
    assert again.snapshot()["now"] == "2025-07-01T00:00:00Z"
    again.close()


def test_replay_uses_a_settable_clock(db: Path) -> None:
    system = DurableSystem.open(db, initial())
    assert isinstance(system._clock, SettableClock)
    system.close()
