"""CRR markets: their names, kinds, terms and lifecycle.

Market names are structured keys, spelled exactly as CAISO spells them:

- ``ALLOC_MN_YYYY_Mxx_{ETC,T1,T2}``: monthly allocation tiers,
- ``AUC_MN_YYYY_Mxx``: the monthly auction,
- ``ALLOC_AN_YYYY_{ETC,T1,LT,T2,T3}``: annual allocation tiers,
- ``AUC_AN_YYYY``: the annual auction.

:func:`parse_market_name` and :meth:`MarketKey.name` convert both ways; a
name that does not parse, or that parses but is not set up, is MKT0001.
Each market has a term (the month, or the year for the annual process), the
times of use it clears, the network model release it uses and a
:class:`~reference_impl.engine.windows.Window` for its nomination or bid
window.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from operator import itemgetter

from reference_impl.engine.clock import format_utc
from reference_impl.engine.errors import DomainError
from reference_impl.engine.pacific_time import month_term, year_term
from reference_impl.engine.windows import Window, WindowStatus

__all__ = [
    "ANNUAL_TIERS",
    "MODEL_RELEASES",
    "MONTHLY_TIERS",
    "SUB_MARKETS",
    "Market",
    "MarketBook",
    "MarketKey",
    "MarketType",
    "Period",
    "Tier",
    "TimeOfUse",
    "parse_market_name",
]


class MarketType(StrEnum):
    """Allocation (nominations by LSEs) or auction (bids and offers)."""

    ALLOCATION = "ALLOCATION"
    AUCTION = "AUCTION"


class Period(StrEnum):
    """The monthly or the annual process."""

    MONTHLY = "MONTHLY"
    ANNUAL = "ANNUAL"


class Tier(StrEnum):
    """Allocation tier; tiers of one process clear in this order, earlier awards fixed."""

    ETC = "ETC"
    T1 = "T1"
    LT = "LT"
    T2 = "T2"
    T3 = "T3"


class TimeOfUse(StrEnum):
    """Time-of-use block: on-peak and off-peak each clear as their own sub-market.

    ``H24`` (``24HR``) only appears on existing rights a clearing takes as
    baseload, fixed in both sub-markets; everything participants submit or
    hold in the books is ON or OFF (:meth:`sub_market`, :data:`SUB_MARKETS`).
    """

    ON = "ON"
    OFF = "OFF"
    H24 = "24HR"

    def applies_to(self, sub_market: TimeOfUse) -> bool:
        """Whether a right of this TOU is fixed in ``sub_market``."""
        return self is sub_market or self is TimeOfUse.H24

    @classmethod
    def sub_market(cls, value: object) -> TimeOfUse:
        """``value`` as ON or OFF; ``ValueError`` for anything else, 24HR included."""
        if value not in SUB_MARKETS:
            raise ValueError(f"Expected a time of use ON or OFF but got {value!r}")
        return cls(value)


SUB_MARKETS: tuple[TimeOfUse, ...] = (TimeOfUse.ON, TimeOfUse.OFF)
"""The sub-markets every market clears, in the order results list them."""


MONTHLY_TIERS: tuple[Tier, ...] = (Tier.ETC, Tier.T1, Tier.T2)
ANNUAL_TIERS: tuple[Tier, ...] = (Tier.ETC, Tier.T1, Tier.LT, Tier.T2, Tier.T3)
MODEL_RELEASES: tuple[str, ...] = ("V0", "V1", "V2", "V3")

_NAME = re.compile(
    r"^(?:ALLOC_MN_(?P<amy>\d{4})_M(?P<amm>0[1-9]|1[0-2])_(?P<amt>ETC|T1|T2)"
    r"|ALLOC_AN_(?P<aay>\d{4})_(?P<aat>ETC|T1|LT|T2|T3)"
    r"|AUC_MN_(?P<umy>\d{4})_M(?P<umm>0[1-9]|1[0-2])"
    r"|AUC_AN_(?P<uay>\d{4}))$"
)


@dataclass(frozen=True, slots=True)
class MarketKey:
    """What a market name says: type, period, year, month (monthly) and tier (allocation)."""

    market_type: MarketType
    period: Period
    year: int
    month: int | None = None
    tier: Tier | None = None

    def __post_init__(self) -> None:
        if (self.period is Period.MONTHLY) != (self.month is not None):
            raise ValueError("A monthly market has a month and an annual one has none")
        if (self.market_type is MarketType.ALLOCATION) != (self.tier is not None):
            raise ValueError("An allocation market has a tier and an auction has none")
        if self.period is Period.MONTHLY and self.tier not in (None, *MONTHLY_TIERS):
            raise ValueError(f"Tier {self.tier} is not a monthly tier")

    @property
    def name(self) -> str:
        """The CAISO market name."""
        prefix = "ALLOC" if self.market_type is MarketType.ALLOCATION else "AUC"
        period = f"MN_{self.year:04d}_M{self.month:02d}" if self.month else f"AN_{self.year:04d}"
        return f"{prefix}_{period}_{self.tier}" if self.tier else f"{prefix}_{period}"

    def term(self) -> tuple[datetime, datetime]:
        """The CRR term the market covers (UTC): its month, or the year."""
        if self.month is not None:
            return month_term(self.year, self.month)
        return year_term(self.year)


def parse_market_name(name: object, field: str | None = "marketName") -> MarketKey:
    """Read a market name; anything that is not a CAISO market name is MKT0001."""
    match = _NAME.match(name) if isinstance(name, str) else None
    if match is None:
        raise DomainError("MKT0001", f"Market {name!r} does not exist.", field)
    g = match.groupdict()
    if g["amy"]:
        return MarketKey(
            MarketType.ALLOCATION, Period.MONTHLY, int(g["amy"]), int(g["amm"]), Tier(g["amt"])
        )
    if g["aay"]:
        return MarketKey(MarketType.ALLOCATION, Period.ANNUAL, int(g["aay"]), None, Tier(g["aat"]))
    if g["umy"]:
        return MarketKey(MarketType.AUCTION, Period.MONTHLY, int(g["umy"]), int(g["umm"]))
    return MarketKey(MarketType.AUCTION, Period.ANNUAL, int(g["uay"]))


@dataclass(slots=True)
class Market:
    """One allocation market or auction as set up in the calendar."""

    key: MarketKey
    window: Window
    times_of_use: tuple[TimeOfUse, ...] = (TimeOfUse.ON, TimeOfUse.OFF)
    model_release: str = "V0"
    start_date: datetime = field(init=False)
    end_date: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.start_date, self.end_date = self.key.term()
        self.times_of_use = tuple(TimeOfUse.sub_market(t) for t in self.times_of_use)
        if self.model_release not in MODEL_RELEASES:
            raise DomainError(
                "SER0002", f"Model release {self.model_release!r} is not one of {MODEL_RELEASES}."
            )

    @property
    def name(self) -> str:
        """The CAISO market name."""
        return self.key.name

    @property
    def status(self) -> WindowStatus:
        """PREP, OPEN, CLOSED or PUBLISHED."""
        return self.window.status

    @property
    def is_auction(self) -> bool:
        """Whether the market is an auction."""
        return self.key.market_type is MarketType.AUCTION

    def to_dict(self) -> dict:
        """The market as the Market Info ``Market`` schema lays it out."""
        record = {
            "marketName": self.name,
            "marketType": str(self.key.market_type),
            "period": str(self.key.period),
            "status": str(self.status),
            "windowOpenTime": format_utc(self.window.open_time),
            "windowCloseTime": format_utc(self.window.close_time),
            "startDate": format_utc(self.start_date),
            "endDate": format_utc(self.end_date),
            "timesOfUse": [str(t) for t in self.times_of_use],
            "modelRelease": self.model_release,
        }
        if self.key.tier is not None:
            record["tier"] = str(self.key.tier)
        return record

    def status_detail(self) -> dict:
        """The market as the ``MarketStatusDetail`` schema lays it out (a part of :meth:`to_dict`)."""
        body = self.to_dict()
        return {
            k: body[k]
            for k in ("marketName", "status", "windowOpenTime", "windowCloseTime", "timesOfUse")
        }


class MarketBook:
    """The markets set up in the system, by name."""

    def __init__(self) -> None:
        self._markets: dict[str, Market] = {}

    def add(self, market: Market) -> None:
        """Set up a market; a name may be set up once."""
        if market.name in self._markets:
            raise DomainError("SER0002", f"Market {market.name} is already set up.", "marketName")
        self._markets[market.name] = market

    def get(self, name: object, field: str | None = "marketName") -> Market:
        """The market called ``name``; a malformed or unknown name is MKT0001."""
        if isinstance(name, str) and name in self._markets:
            return self._markets[name]  # a name set up here is already canonical
        key = parse_market_name(name, field)
        market = self._markets.get(key.name)
        if market is None:
            raise DomainError("MKT0001", f"Market {key.name} does not exist.", field)
        return market

    def get_of_type(self, name: object, market_type: MarketType) -> Market:
        """The market called ``name`` if it is of ``market_type``; otherwise MKT0001.

        An allocation market does not exist as far as the auction service is
        concerned, and vice versa.
        """
        market = self.get(name)
        if market.key.market_type is not market_type:
            raise DomainError(
                "MKT0001",
                f"Market {market.name} is not an {market_type.value.lower()} market.",
                "marketName",
            )
        return market

    def __iter__(self) -> Iterator[Market]:
        return (market for _name, market in self.named())

    def named(self) -> list[tuple[str, Market]]:
        """Every market with its name, by name (names are the keys: none is worked out again)."""
        return sorted(self._markets.items(), key=itemgetter(0))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._markets

    def active(self, market_type: MarketType, period: Period | None = None) -> list[Market]:
        """Markets of a type in PREP, OPEN or CLOSED (the Market Status "active" lists)."""
        active = (WindowStatus.PREP, WindowStatus.OPEN, WindowStatus.CLOSED)
        return [
            m
            for m in self
            if m.key.market_type is market_type
            and m.status in active
            and (period is None or m.key.period is period)
        ]

    def same_process(self, market: Market) -> Iterable[Market]:
        """The other markets of the same process (same period, year and month)."""
        return [
            m
            for m in self
            if m.key.period is market.key.period
            and m.key.year == market.key.year
            and m.key.month == market.key.month
            and m.name != market.name
        ]
