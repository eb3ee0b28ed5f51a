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
from typing import Any

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
from reference_impl.engine.locations import Availability
from reference_impl.engine.participants import Participant
from reference_impl.engine.state import EngineState
from reference_impl.engine.tor_conversion import TorContract

__all__ = ["load_dataset", "mark_islanded_locations"]


_SECTIONS: dict[str, tuple[Callable[[Any], Any], Callable[[EngineState, Any], None]]] = {
    "participants": (read_participant, lambda s, x: s.participants.add(x)),
    "locations": (read_location, lambda s, x: s.locations.add(x)),
    "markets": (read_market, lambda s, x: s.markets.add(x)),
    "loadWindows": (read_load_window, lambda s, x: s.load.add_window(x)),
    "torWindows": (read_tor_window, lambda s, x: s.tor.add_window(x)),
    "loadMigrationMarkets": (read_load_migration_market, lambda s, x: s.migration.add_market(x)),
    "torContracts": (read_tor_contract, lambda s, x: s.tor.add_contract(x)),
    "existingCrrs": (read_existing_crr, lambda s, x: s.holdings.add(x)),
}
"""The data set's sections of named records: each one's reader and how a record joins the books.

They are read, checked and added in this order; the answer counts each by its key."""


def load_dataset(state: EngineState, data: dict) -> dict:
    """Add a data set to the books; the answer counts what each section added."""
    if not isinstance(data, dict):
        raise DomainError("SER0002", "A data set must be an object.", "data")
    data = expand_calendar(copy.deepcopy(data))
    sections = {key: read_section(data, key, read) for key, (read, _add) in _SECTIONS.items()}
    resources = read_section(data, "resources", read_resource)
    margins = read_credit_margins(data["creditMargins"]) if "creditMargins" in data else None
    networks: dict[str, dict] = {}
    if "network" in data:
        networks["*"] = data["network"]
    networks.update(data.get("marketNetworks", {}))
    built = {name: read_network(network) for name, network in networks.items()}
    _check_new(state, sections)
    for key, (_read, add) in _SECTIONS.items():
        for record in sections[key]:
            add(state, record)
    state.resources.extend(resources)
    if margins is not None:
        state.auction.margins = margins
    state.network_data.update(networks)
    state.networks.update(built)
    mark_islanded_locations(state)
    counts = {key: len(records) for key, records in sections.items()}
    return counts | {"networks": len(networks), "resources": len(resources)}


def _check_new(state: EngineState, sections: dict[str, list]) -> None:
    """Refuse names defined twice (in the books or the data set) and unknown participants."""
    participants: list[Participant] = sections["participants"]
    contracts: list[TorContract] = sections["torContracts"]
    crrs: list[CRR] = sections["existingCrrs"]

    def unique(names: list[str], existing: Callable[[str], bool], what: str) -> None:
        seen: set[str] = set()
        for name in names:
            if name in seen or existing(name):
                raise DomainError("SER0002", f"{what} {name} is defined twice.", what)
            seen.add(name)

    unique([p.name for p in participants], state.participants.__contains__, "participant")
    unique([loc.name for loc in sections["locations"]], state.locations.__contains__, "location")
    unique([m.name for m in sections["markets"]], state.markets.__contains__, "market")
    known_load = {w.name for w in state.load.windows()}
    unique([w.name for w in sections["loadWindows"]], known_load.__contains__, "loadWindow")
    known_tor = {w.name for w in state.tor.windows()}
    unique([w.name for w in sections["torWindows"]], known_tor.__contains__, "torWindow")
    known_lm = {m.name for m in state.migration.all_markets()}
    migration_markets = [m.name for m in sections["loadMigrationMarkets"]]
    unique(migration_markets, known_lm.__contains__, "loadMigrationMarket")
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
