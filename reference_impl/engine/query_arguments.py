"""Checks of the plain arguments queries take: a year, a month, a market type, a period.

The HTTP layer validates requests against the spec before the engine sees
them, but the engine is also called directly (tests, the journal), so each
query still refuses a value outside its domain with SER0002 and the
argument's name, the same way wherever the argument appears.
"""

from __future__ import annotations

from reference_impl.engine.errors import DomainError
from reference_impl.engine.markets import MarketType, Period

__all__ = ["market_type", "month", "period", "year"]

FIRST_YEAR, LAST_YEAR = 1900, 2999
"""The years a CRR year argument may name: four digits, as market names write them."""


def year(value: object) -> int:
    """A four-digit year, else SER0002."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not FIRST_YEAR <= value <= LAST_YEAR
    ):
        raise DomainError("SER0002", f"Invalid year {value!r}.", "year")
    return value


def month(value: object) -> int:
    """A month number 1..12, else SER0002."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise DomainError("SER0002", f"Invalid month {value!r}.", "month")
    return value


def market_type(value: object) -> MarketType:
    """AUCTION or ALLOCATION, else SER0002."""
    if value not in MarketType.__members__:
        raise DomainError("SER0002", f"Invalid market type {value!r}.", "marketType")
    return MarketType(value)


def period(value: object | None) -> Period | None:
    """MONTHLY, ANNUAL or none, else SER0002."""
    if value is None:
        return None
    if value not in Period.__members__:
        raise DomainError("SER0002", f"Invalid period {value!r}.", "period")
    return Period(value)
