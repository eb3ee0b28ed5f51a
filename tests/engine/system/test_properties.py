"""Properties over random command scripts: replay determinism and privacy."""

from __future__ import annotations

import copy
import json
from datetime import datetime

from hypothesis import HealthCheck, given, settings

from reference_impl.engine.clock import SettableClock
from reference_impl.engine.errors import DomainError
from reference_impl.engine.system import COMMANDS, CRRSystem
from tests.engine.system.scripted import FINISH, PARTICIPANTS, SETUP, run, scripts
from tests.engine.system.world import DATASET, LIMITS, MONTHLY_AUCTION, START, new_system

PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def replay(journal: list[tuple[str, str, dict]]) -> CRRSystem:
    """A new system fed the journal: the clock set to each entry's time, then the command."""
    clock = SettableClock(START)
    system = CRRSystem(clock, limits=LIMITS)
    for at, method, kwargs in journal:
        clock.set(datetime.fromisoformat(at))
        getattr(system, method)(**copy.deepcopy(kwargs))
    return system


@PROPERTY_SETTINGS
@given(scripts)
def test_replaying_the_journal_gives_the_same_state(script):
    original = CRRSystem(SettableClock(START), limits=LIMITS)
    journal = run(
        original, [("load_dataset", {"data": copy.deepcopy(DATASET)}), *SETUP, *script, *FINISH]
    )
    assert all(method in COMMANDS for _at, method, _kwargs in journal)
    replayed = replay(json.loads(json.dumps(journal)))
    first, second = original.snapshot(), replayed.snapshot()
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_snapshot_is_plain_json():
    system = new_system()
    run(system, [*SETUP, *FINISH])
    snapshot = system.snapshot()
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot["markets"] and snapshot["holdings"] and snapshot["messages"]


def _owned_everywhere(system: CRRSystem, me: str) -> None:
    """Every participant-scoped query answers with ``me``'s records only."""
    for summary in system.list_auction_portfolios(me):
        portfolio = system.get_auction_portfolio(
            me, summary["marketName"], summary["portfolioName"]
        )
        assert portfolio["participantName"] == me
    for crr in system.get_crr_holdings(me):
        assert crr["owner"] == me
    for offer in system.list_offers(me):
        targets = [t["participantName"] for t in offer["targetRespondingMps"]]
        assert offer["participantName"] == me or targets == [me]
        for response in system.get_offer_responses(me, offer["requestId"]):
            assert me in (offer["participantName"], response["participantName"])
    for message in system.list_messages(me):
        assert message["visibility"] == "PUBLIC" or message["participantName"] == me
    for message in system.list_private_messages(me):
        assert message["participantName"] == me
    try:
        load = system.get_load_data(me, "HIST_LOAD_MN_2025_M10")
        assert load["participantName"] == me
    except DomainError as error:
        assert error.code == "SER0028"
    mine = {p["portfolioName"] for p in system.list_auction_portfolios(me, MONTHLY_AUCTION)}
    try:
        rows = system.download("CRRPrivateAuction", MONTHLY_AUCTION, me)["AwardedBids"]
    except DomainError as error:
        assert error.code == "MDT0002"
        rows = []
    assert {row["PortfolioName"] for row in rows} <= mine
    assert system.download("CRRExistingCRRs", MONTHLY_AUCTION).get("ExistingCRRs") is not None
    assert all(
        "Owner" not in row
        for row in system.download("CRRExistingCRRs", MONTHLY_AUCTION)["ExistingCRRs"]
    )


def _no_reach_into_others(system: CRRSystem, me: str) -> None:
    """Naming another participant's portfolio or offer never returns it."""
    snapshot = system.snapshot()
    for portfolio in snapshot["auctionPortfolios"]:
        if portfolio["participantName"] == me:
            continue
        try:
            seen = system.get_auction_portfolio(
                me, portfolio["marketName"], portfolio["portfolioName"]
            )
        except DomainError as error:
            assert error.code == "SER0028"
        else:
            assert seen["participantName"] == me
    for offer in snapshot["secondaryMarket"]:
        parties = {
            offer["participantName"],
            *(t["participantName"] for t in offer["targetRespondingMps"]),
        }
        if me in parties:
            continue
        try:
            system.get_offer(me, offer["requestId"])
        except DomainError as error:
            assert error.code == "SMT0082"
        else:
            raise AssertionError(f"{me} read offer {offer['requestId']}")


@PROPERTY_SETTINGS
@given(scripts)
def test_no_query_by_one_participant_returns_anothers_records(script):
    system = new_system()
    run(system, [*SETUP, *script, *FINISH])
    for me in PARTICIPANTS:
        _owned_everywhere(system, me)
        _no_reach_into_others(system, me)


def test_replay_across_a_reset_that_restarts_the_clock():
    original = CRRSystem(SettableClock(START), limits=LIMITS)
    script = [
        ("load_dataset", {"data": copy.deepcopy(DATASET)}),
        ("advance_clock", {"seconds": 7200}),
        ("reset", {"clock_time": "2025-08-01T00:00:00Z"}),
        ("load_dataset", {"data": copy.deepcopy(DATASET)}),
        *SETUP,
        ("post_message", {"subject": "after reset", "body": "b"}),
    ]
    journal = run(original, script)
    assert [method for _at, method, _kwargs in journal] == [method for method, _ in script]
    assert replay(journal).snapshot() == original.snapshot()
