"""Reading a market-sim data set: plain data in, engine records out.

A data set is a JSON-able dict, so the store and the scenario files can hold
it as they hold everything else. Every section is optional:

``participants``
    ``[{name, kinds: [CRR_HOLDER|LSE|UDC|TOR_HOLDER|CEC], creditLimit?,
    loadLocations?: [sink | {sink, peakLoadMw}]}]``
``locations``
    ``[{name, type: SOURCE|SINK|BOTH, kind?: APNODE|TRADING_HUB|DLAP|SLAP|MLAP,
    effectiveStartDate?, effectiveEndDate?, unavailable?: {marketName:
    ISLANDED|RETIRED}, retiredRemapTarget?, aggregateOf?}]``
``calendar``
    ``{week1Monday: YYYY-MM-DD, monthly?: [year, month], annualYear?}``: the
    market-sim layout of :mod:`~reference_impl.engine.calendar`, added to the
    sections below.
``markets``
    ``[{marketName, openTime, closeTime, modelRelease?, timesOfUse?}]``
``loadWindows``
    ``[{windowName, marketName, loadType, openTime, closeTime}]``
``torWindows`` / ``loadMigrationMarkets``
    ``[{windowName | marketName, openTime, closeTime}]``
``torContracts``
    ``[{torContractId, holder, approver, source, sink, mw, startDate, endDate}]``
``existingCrrs``
    ``[{crrId, owner, source, sink, mw, timeOfUse, startDate, endDate,
    crrType?, hedgeType?, marketName, marketTerm}]``
``creditMargins``
    ``{default, paths?: [{source, sink, margin}]}``
``network`` and ``marketNetworks``
    the network model for every market, and per-market replacements:
    ``{name?, buses, branches: [{branchId, fromBus, toBus, reactance, limit?,
    emergencyLimit?}], interfaces?: [{interfaceId, terms: [[branchId,
    coefficient]], limit, reverseLimit?}], contingencies?: [{contingencyId,
    outagedBranches}], locations: [{name, weights: {bus: weight}, kind?}],
    outages?, slackBus?}``

Anything malformed is SER0002 naming the section and entry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from reference_impl.engine.calendar import market_sim_calendar
from reference_impl.engine.clock import parse_utc
from reference_impl.engine.credit import CreditMarginTable
from reference_impl.engine.errors import DomainError
from reference_impl.engine.holdings import CRR
from reference_impl.engine.load import LoadWindow
from reference_impl.engine.load_migration import LoadMigrationMarket
from reference_impl.engine.locations import Location
from reference_impl.engine.markets import Market, parse_market_name
from reference_impl.engine.network import (
    Branch,
    Contingency,
    Interface,
    Network,
    NetworkError,
    NetworkLocation,
)
from reference_impl.engine.participants import MARKET_SIM_CREDIT_LIMIT, Participant
from reference_impl.engine.tor_conversion import TorContract, TorWindow
from reference_impl.engine.windows import Window

__all__ = [
    "expand_calendar",
    "read_credit_margins",
    "read_existing_crr",
    "read_load_migration_market",
    "read_load_window",
    "read_location",
    "read_market",
    "read_network",
    "read_participant",
    "read_section",
    "read_tor_contract",
    "read_tor_window",
]

T = TypeVar("T")


def read_section(data: dict, section: str, reader: Callable[[dict], T]) -> list[T]:
    """Read every entry of a list section, naming the entry in any error."""
    entries = data.get(section, [])
    if not isinstance(entries, list):
        raise DomainError("SER0002", f"Data set section {section} must be a list.", section)
    result = []
    for i, entry in enumerate(entries):
        where = f"{section}[{i}]"
        if not isinstance(entry, dict):
            raise DomainError("SER0002", f"{where} must be an object.", where)
        try:
            result.append(reader(entry))
        except DomainError as error:
            raise DomainError(error.code, f"{where}: {error.message}", where) from None
        except (KeyError, TypeError, ValueError, NetworkError) as error:
            raise DomainError("SER0002", f"{where}: invalid entry ({error}).", where) from None
    return result


def expand_calendar(data: dict) -> dict:
    """The data set with its ``calendar`` section laid out into the window sections."""
    calendar = data.get("calendar")
    if calendar is None:
        return data
    try:
        monday = date.fromisoformat(calendar["week1Monday"])
        monthly = tuple(calendar.get("monthly", (monday.year, monday.month)))
        annual = int(calendar.get("annualYear", monday.year + 1))
        laid_out = market_sim_calendar(monday, (int(monthly[0]), int(monthly[1])), annual)
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise DomainError("SER0002", f"Invalid calendar section ({error}).", "calendar") from None
    merged = dict(data)
    for section, entries in laid_out.items():
        merged[section] = [*entries, *data.get(section, [])]
    return merged


def _window(entry: dict) -> Window:
    return Window(
        parse_utc(entry["openTime"], "openTime"), parse_utc(entry["closeTime"], "closeTime")
    )


def read_participant(entry: dict) -> Participant:
    """A participant entry."""
    locations: dict[str, float | None] = {}
    for item in entry.get("loadLocations", []):
        if isinstance(item, str):
            locations[item] = None
        else:
            peak = item.get("peakLoadMw")
            locations[item["sink"]] = None if peak is None else float(peak)
    return Participant(
        name=entry["name"],
        kinds=frozenset(entry["kinds"]),
        credit_limit=entry.get("creditLimit", MARKET_SIM_CREDIT_LIMIT),
        load_locations=locations,
    )


def read_location(entry: dict) -> Location:
    """A source and sink list entry."""
    start = entry.get("effectiveStartDate")
    end = entry.get("effectiveEndDate")
    return Location(
        name=entry["name"],
        role=entry["type"],
        kind=entry.get("kind", "APNODE"),
        effective_start=parse_utc(start, "effectiveStartDate") if start else None,
        effective_end=parse_utc(end, "effectiveEndDate") if end else None,
        unavailable=dict(entry.get("unavailable", {})),
        retired_remap_target=entry.get("retiredRemapTarget"),
        aggregate_of=tuple(entry.get("aggregateOf", ())),
    )


def read_market(entry: dict) -> Market:
    """A market entry."""
    return Market(
        key=parse_market_name(entry["marketName"]),
        window=_window(entry),
        times_of_use=tuple(entry.get("timesOfUse", ("ON", "OFF"))),
        model_release=entry.get("modelRelease", "V0"),
    )


def read_load_window(entry: dict) -> LoadWindow:
    """A load window entry."""
    return LoadWindow(entry["windowName"], entry["marketName"], entry["loadType"], _window(entry))


def read_tor_window(entry: dict) -> TorWindow:
    """A TOR conversion window entry."""
    return TorWindow(entry["windowName"], _window(entry))


def read_load_migration_market(entry: dict) -> LoadMigrationMarket:
    """A load migration market entry."""
    return LoadMigrationMarket(entry["marketName"], _window(entry))


def read_tor_contract(entry: dict) -> TorContract:
    """A TOR contract entry."""
    return TorContract(
        contract_id=entry["torContractId"],
        holder=entry["holder"],
        approver=entry["approver"],
        source=entry["source"],
        sink=entry["sink"],
        mw=float(entry["mw"]),
        start=parse_utc(entry["startDate"], "startDate"),
        end=parse_utc(entry["endDate"], "endDate"),
    )


def read_existing_crr(entry: dict) -> CRR:
    """An existing (baseload) CRR entry."""
    return CRR(
        crr_id=str(entry["crrId"]),
        owner=entry["owner"],
        source=entry["source"],
        sink=entry["sink"],
        mw=entry["mw"],
        time_of_use=entry["timeOfUse"],
        start=parse_utc(entry["startDate"], "startDate"),
        end=parse_utc(entry["endDate"], "endDate"),
        market_name=entry.get("marketName", "SYSTEM"),
        market_term=entry.get("marketTerm", "SYSTEM"),
        crr_type=entry.get("crrType"),
        hedge_type=entry.get("hedgeType", "OBLIGATION"),
    )


def read_credit_margins(data: dict | None) -> CreditMarginTable:
    """The credit margin table ($/MW); margin 0 when the data set gives none."""
    if not data:
        return CreditMarginTable(default=0.0)
    try:
        paths = {(p["source"], p["sink"]): float(p["margin"]) for p in data.get("paths", [])}
        return CreditMarginTable(default=float(data.get("default", 0.0)), paths=paths)
    except (KeyError, TypeError, ValueError) as error:
        raise DomainError(
            "SER0002", f"Invalid creditMargins section ({error}).", "creditMargins"
        ) from None


def read_network(data: dict) -> Network:
    """A network model from plain data."""
    try:
        return Network(
            buses=tuple(data["buses"]),
            branches=tuple(
                Branch(
                    b["branchId"],
                    b["fromBus"],
                    b["toBus"],
                    b["reactance"],
                    b.get("limit"),
                    b.get("emergencyLimit"),
                )
                for b in data["branches"]
            ),
            interfaces=tuple(
                Interface(
                    i["interfaceId"],
                    tuple((t[0], t[1]) for t in i["terms"]),
                    i["limit"],
                    i.get("reverseLimit"),
                )
                for i in data.get("interfaces", [])
            ),
            contingencies=tuple(
                Contingency(c["contingencyId"], tuple(c["outagedBranches"]))
                for c in data.get("contingencies", [])
            ),
            locations=tuple(
                NetworkLocation(
                    loc["name"], tuple(loc["weights"].items()), loc.get("kind", "APNODE")
                )
                for loc in data.get("locations", [])
            ),
            outages=tuple(data.get("outages", ())),
            slack_bus=data.get("slackBus"),
            name=data.get("name", ""),
        )
    except (KeyError, TypeError, ValueError, NetworkError) as error:
        raise DomainError("SER0002", f"Invalid network model ({error}).", "network") from None
