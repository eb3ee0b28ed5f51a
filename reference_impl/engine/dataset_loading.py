"""Loading a market-sim data set into the engine's state, all of it or nothing.

:mod:`~reference_impl.engine.dataset` reads plain data into engine records;
this module adds them to the books. Every section is read and every name
checked against the books and against the rest of the data set first, so a
data set with one bad entry adds nothing. After adding, locations islanded by
a market's network outages are marked unavailable in that market.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from reference_impl.engine.dataset import (
    expand_calendar,
    read_credit_margins,
    read_existing_crr,
    read_load_migration_market,
    read_load_window,
    read_location,
    read_market,
    read_network,
    read_participant,
    read_section,
    read_tor_contract,
    read_tor_window,
)
from reference_impl.engine.downloads import read_resource
from reference_impl.engine.errors import DomainError
from reference_impl.engine.holdings import CRR
from reference_impl.engine.load import LoadWindow
from reference_impl.engine.load_migration import LoadMigrationMarket
from reference_impl.engine.locations import Availability, Location
from reference_impl.engine.markets import Market
from reference_impl.engine.participants import Participant
from reference_impl.engine.state import EngineState
from reference_impl.engine.tor_conversion import TorContract, TorWindow

__all__ = ["load_dataset", "mark_islanded_locations"]


def load_dataset(state: EngineState, data: dict) -> dict:
    """Add a data set to the books; the answer counts what each section added."""
    if not isinstance(data, dict):
        raise DomainError("SER0002", "A data set must be an object.", "data")
    data = expand_calendar(copy.deepcopy(data))
    participants = read_section(data, "participants", read_participant)
    locations = read_section(data, "locations", read_location)
    markets = read_section(data, "markets", read_market)
    load_windows = read_section(data, "loadWindows", read_load_window)
    tor_windows = read_section(data, "torWindows", read_tor_window)
    migration_markets = read_section(data, "loadMigrationMarkets", read_load_migration_market)
    contracts = read_section(data, "torContracts", read_tor_contract)
    crrs = read_section(data, "existingCrrs", read_existing_crr)
    resources = read_section(data, "resources", read_resource)
    margins = read_credit_margins(data["creditMargins"]) if "creditMargins" in data else None
    networks: dict[str, dict] = {}
    if "network" in data:
        networks["*"] = data["network"]
    networks.update(data.get("marketNetworks", {}))
    built = {name: read_network(network) for name, network in networks.items()}
    _check_new(
        state,
        participants,
        locations,
        markets,
        load_windows,
        tor_windows,
        migration_markets,
        contracts,
        crrs,
    )
    for participant in participants:
        state.participants.add(participant)
    for location in locations:
        state.locations.add(location)
    for market in markets:
        state.markets.add(market)
    for window in load_windows:
        state.load.add_window(window)
    for window in tor_windows:
        state.tor.add_window(window)
    for market in migration_markets:
        state.migration.add_market(market)
    for contract in contracts:
        state.tor.add_contract(contract)
    for crr in crrs:
        state.holdings.add(crr)
    state.resources.extend(resources)
    if margins is not None:
        state.auction.margins = margins
    state.network_data.update(networks)
    state.networks.update(built)
    mark_islanded_locations(state)
    return {
        "participants": len(participants),
        "locations": len(locations),
        "markets": len(markets),
        "loadWindows": len(load_windows),
        "torWindows": len(tor_windows),
        "loadMigrationMarkets": len(migration_markets),
        "torContracts": len(contracts),
        "existingCrrs": len(crrs),
        "networks": len(networks),
        "resources": len(resources),
    }


def _check_new(
    state: EngineState,
    participants: list[Participant],
    locations: list[Location],
    markets: list[Market],
    load_windows: list[LoadWindow],
    tor_windows: list[TorWindow],
    migration_markets: list[LoadMigrationMarket],
    contracts: list[TorContract],
    crrs: list[CRR],
) -> None:
    """Refuse names defined twice (in the books or the data set) and unknown participants."""

    def unique(names: list[str], existing: Callable[[str], bool], what: str) -> None:
        seen: set[str] = set()
        for name in names:
            if name in seen or existing(name):
                raise DomainError("SER0002", f"{what} {name} is defined twice.", what)
            seen.add(name)

    unique([p.name for p in participants], state.participants.__contains__, "participant")
    unique([loc.name for loc in locations], state.locations.__contains__, "location")
    unique([m.name for m in markets], state.markets.__contains__, "market")
    known_load = {w.name for w in state.load.windows()}
    unique([w.name for w in load_windows], known_load.__contains__, "loadWindow")
    known_tor = {w.name for w in state.tor.windows()}
    unique([w.name for w in tor_windows], known_tor.__contains__, "torWindow")
    known_lm = {m.name for m in state.migration.all_markets()}
    unique([m.name for m in migration_markets], known_lm.__contains__, "loadMigrationMarket")
    known_contracts = {c.contract_id for c in state.tor.contracts()}
    unique([c.contract_id for c in contracts], known_contracts.__contains__, "torContract")
    unique([c.crr_id for c in crrs], lambda i: state.holdings.get(i) is not None, "crr")
    registered = {p.name for p in participants} | {p.name for p in state.participants}
    for contract in contracts:
        for who in (contract.holder, contract.approver):
            if who not in registered:
                raise DomainError(
                    "SER0002",
                    f"TOR contract {contract.contract_id} names unknown participant {who}.",
                    "torContracts",
                )
    for crr in crrs:
        if crr.owner not in registered:
            raise DomainError(
                "SER0002", f"CRR {crr.crr_id} names unknown owner {crr.owner}.", "existingCrrs"
            )


def mark_islanded_locations(state: EngineState) -> None:
    """Locations islanded by a market's network outages are not biddable there (POR0010)."""
    for market in state.markets:
        network = state.network_for(market.name)
        if network is None:
            continue
        for name in network.islanded_locations():
            location = state.locations.find(name)
            if location is not None and market.name not in location.unavailable:
                state.locations.mark_unavailable(name, market.name, Availability.ISLANDED)
