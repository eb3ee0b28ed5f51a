"""The source and sink list: which locations a CRR may start and end at, per market.

Every location (an APnode, a trading hub such as ``TH_NP15_GEN-APND``, a
default or sub load aggregation point such as ``DLAP_PGAE-APND`` or
``SLAP_SDG1-APND``) is a SOURCE, a SINK or BOTH, and is effective from a date
(and possibly until one). For a given market a location may also be
unavailable: islanded by the market's outages, or retired (then CAISO names
the biddable location it is remapped to). An unavailable location is not
biddable (POR0010), except that sell offers stay allowed at an islanded
location, since the CRR being sold is a baseloading CRR there (DOMAIN.md
section 1.5).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from reference_impl.engine.clock import format_utc
from reference_impl.engine.errors import DomainError, Finding

__all__ = [
    "Availability",
    "Location",
    "LocationBook",
    "LocationKind",
    "LocationRole",
    "MarketTerm",
]


class LocationRole(StrEnum):
    """Whether a location may be a CRR source, a sink, or both."""

    SOURCE = "SOURCE"
    SINK = "SINK"
    BOTH = "BOTH"

    def allows(self, wanted: LocationRole) -> bool:
        """Whether a location of this role may be used as ``wanted``."""
        return self is LocationRole.BOTH or self is wanted


class LocationKind(StrEnum):
    """What the location stands for."""

    APNODE = "APNODE"
    TRADING_HUB = "TRADING_HUB"
    DLAP = "DLAP"
    SLAP = "SLAP"
    MLAP = "MLAP"


class Availability(StrEnum):
    """Why a location cannot be bid in a market."""

    ISLANDED = "ISLANDED"
    RETIRED = "RETIRED"


@dataclass(slots=True)
class Location:
    """One entry of the source and sink list."""

    name: str
    role: LocationRole
    kind: LocationKind = LocationKind.APNODE
    effective_start: datetime | None = None
    effective_end: datetime | None = None
    unavailable: Mapping[str, Availability] = field(default_factory=dict)
    """Market name -> why the location is not biddable in that market."""
    retired_remap_target: str | None = None
    aggregate_of: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.role = LocationRole(self.role)
        self.kind = LocationKind(self.kind)
        self.unavailable = {m: Availability(a) for m, a in sorted(self.unavailable.items())}
        self.aggregate_of = tuple(self.aggregate_of)

    @property
    def is_load_zone(self) -> bool:
        """Whether the location is a load aggregation point (a sink for load data)."""
        return self.kind in (LocationKind.DLAP, LocationKind.SLAP, LocationKind.MLAP)

    def effective_for(self, start: datetime, end: datetime) -> bool:
        """Whether the location is on the list for a term starting ``start``."""
        if self.effective_start is not None and self.effective_start > start:
            return False
        return self.effective_end is None or self.effective_end >= end

    def to_dict(self) -> dict:
        """The location in the shape of the CRRSourceandSinkNameMapping download."""
        record: dict = {
            "APnodeName": self.name,
            "Type": str(self.role),
            "Kind": str(self.kind),
            "EffectiveStartDate": format_utc(self.effective_start)
            if self.effective_start
            else None,
            "EffectiveEndDate": format_utc(self.effective_end) if self.effective_end else None,
            "Unavailable": {m: str(a) for m, a in self.unavailable.items()},
        }
        if self.aggregate_of:
            record["AggregateOf"] = list(self.aggregate_of)
        if self.retired_remap_target:
            record["RetiredRemapTarget"] = self.retired_remap_target
        return record


@dataclass(frozen=True, slots=True)
class MarketTerm:
    """The market a path is checked for: its name and CRR term."""

    name: str
    start: datetime
    end: datetime


class LocationBook:
    """The source and sink list."""

    def __init__(self) -> None:
        self._locations: dict[str, Location] = {}

    def add(self, location: Location) -> None:
        """Put a location on the list; a name may appear once."""
        if location.name in self._locations:
            raise DomainError("SER0002", f"Location {location.name} is listed twice.", "name")
        self._locations[location.name] = location

    def find(self, name: object) -> Location | None:
        """The location called ``name``, or None."""
        return self._locations.get(name) if isinstance(name, str) else None

    def __iter__(self) -> Iterator[Location]:
        return iter(sorted(self._locations.values(), key=lambda loc: loc.name))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._locations

    def mark_unavailable(self, name: str, market_name: str, why: Availability) -> None:
        """Record that ``name`` is islanded or retired in ``market_name`` (a list update)."""
        location = self.find(name)
        if location is None:
            raise DomainError("SER0002", f"Location {name!r} is not on the list.", "location")
        unavailable = dict(location.unavailable)
        unavailable[market_name] = Availability(why)
        location.unavailable = dict(sorted(unavailable.items()))

    def check_path(
        self,
        source: object,
        sink: object,
        market: MarketTerm,
        where: str,
        *,
        sell: bool = False,
    ) -> list[Finding]:
        """Findings for a CRR path in a market: POR0006, POR0005, POR0010 (empty when fine)."""
        findings: list[Finding] = []
        if source == sink:
            findings.append(
                Finding("POR0006", f"Source and sink are both {source!r}.", f"{where}.sink")
            )
            return findings
        for name, role, part in (
            (source, LocationRole.SOURCE, "source"),
            (sink, LocationRole.SINK, "sink"),
        ):
            finding = self.check_location(name, role, market, f"{where}.{part}", sell=sell)
            if finding is not None:
                findings.append(finding)
        return findings

    def check_location(
        self,
        name: object,
        role: LocationRole,
        market: MarketTerm,
        field: str,
        *,
        sell: bool = False,
    ) -> Finding | None:
        """A finding when ``name`` cannot be used as ``role`` in ``market``, else None."""
        location = self.find(name)
        if location is None:
            return Finding("POR0005", f"{name!r} is not on the source and sink list.", field)
        if not location.role.allows(role):
            return Finding(
                "POR0005", f"{location.name} is a {location.role} location, not a {role}.", field
            )
        if not location.effective_for(market.start, market.end):
            return Finding(
                "POR0005", f"{location.name} is not effective for market {market.name}.", field
            )
        why = location.unavailable.get(market.name)
        if why is None or (sell and why is Availability.ISLANDED):
            return None
        remap = (
            f"; use {location.retired_remap_target}"
            if why is Availability.RETIRED and location.retired_remap_target
            else ""
        )
        return Finding(
            "POR0010",
            f"{location.name} is {why.value.lower()} in market {market.name}{remap}.",
            field,
        )
