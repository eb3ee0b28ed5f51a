"""Data sets, the clock, reset, and the command list of the facade."""

from __future__ import annotations

import copy
import inspect
from datetime import UTC, datetime

import pytest

from reference_impl.engine.clock import FixedClock, SettableClock, format_utc, parse_utc
from reference_impl.engine.errors import DomainError
from reference_impl.engine.system import COMMANDS, CRRSystem
from tests.engine.system.world import DATASET, LIMITS, START, new_system, raises_code


def test_commands_are_methods_of_the_facade():
    methods = {name for name, _ in inspect.getmembers(CRRSystem, inspect.isfunction)}
    assert methods >= COMMANDS
    reads = {m for m in methods - COMMANDS if not m.startswith("_")}
    assert all(
        m.startswith(
            (
                "get_",
                "list_",
                "active_",
                "market_",
                "open_load",
                "load_migration_",
                "download",
                "snapshot",
                "now",
                "source_sink",
            )
        )
        for m in reads
    ), reads


def test_a_bad_data_set_adds_nothing():
    system = CRRSystem(SettableClock(START), limits=LIMITS)
    broken = copy.deepcopy(DATASET)
    broken["existingCrrs"].append({**broken["existingCrrs"][0], "crrId": "X", "owner": "NOBODY"})
    raises_code("SER0002", system.load_dataset, broken)
    assert system.snapshot()["participants"] == []
    assert system.load_dataset(copy.deepcopy(DATASET))["participants"] == 6


def test_loading_the_same_names_twice_is_refused(system):
    raises_code(
        "SER0002", system.load_dataset, {"participants": [{"name": "ALPHA_LSE", "kinds": ["LSE"]}]}
    )


def test_malformed_entries_name_their_section(system):
    error = raises_code("SER0002", system.load_dataset, {"locations": [{"name": "X"}]})
    assert error.field == "locations[0]"


def test_clock_only_moves_forward(system):
    system.advance_clock(3600)
    assert system.now() == datetime(2025, 9, 1, 1, tzinfo=UTC)
    raises_code("SER0002", system.set_clock, "2025-08-01T00:00:00Z")
    raises_code("SER0002", system.advance_clock, -1)


def test_a_fixed_clock_cannot_be_set():
    system = CRRSystem(FixedClock(START), limits=LIMITS)
    raises_code("SER0002", system.set_clock, "2025-10-01T00:00:00Z")


def test_reset_forgets_everything_and_may_restart_the_clock(system):
    system.reset("2025-01-01T00:00:00Z")
    assert system.now() == datetime(2025, 1, 1, tzinfo=UTC)
    assert system.snapshot()["markets"] == []


def test_times_are_utc_without_fractions():
    assert format_utc(parse_utc("2025-07-01T00:00:00.123-07:00")) == "2025-07-01T07:00:00Z"
    with pytest.raises(DomainError):
        parse_utc("2025-07-01T00:00:00")


def test_same_commands_at_same_times_give_same_ids():
    a, b = new_system(), new_system()
    for system in (a, b):
        system.open_window("AUC_MN_2025_M10")
        system.submit_offer(
            "BRAVO_TRADING",
            "10000001",
            5,
            "2025-10-01T07:00:00Z",
            "2025-11-01T07:00:00Z",
            "ON",
            [{"participantName": "ALPHA_LSE", "price": 1}],
        )
    assert a.snapshot() == b.snapshot()


def test_downloads(system):
    raises_code("MDT0001", system.download, "CRRNothing", "AUC_MN_2025_M10")
    raises_code("MKT0001", system.download, "CRRExistingCRRs", "AUC_MN_2099_M10")
    raises_code("SER0001", system.download, "CRRPrivateAuction", "AUC_MN_2025_M10")
    raises_code("MDT0002", system.download, "CRRPublicAuctionResult", "AUC_MN_2025_M10")
    existing = system.download("CRRExistingCRRs", "AUC_MN_2025_M10")["ExistingCRRs"]
    assert {row["CrrID"] for row in existing} == {"10000001", "10000003"}
    mapping = system.download("CRRSourceandSinkNameMapping", "AUC_MN_2025_M10")
    assert {row["APnodeName"] for row in mapping["SourceSinkMappings"]} >= {"DLAP_PGAE-APND"}
