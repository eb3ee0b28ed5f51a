"""Pacific wall-clock time: how CAISO states windows and terms, converted to UTC.

CAISO's calendar says "opens 1 am, closes 5 pm" in Pacific time, and CRR
terms start at midnight Pacific on the first day of a month, quarter or year.
The engine stores UTC, so every such time goes through :func:`pacific_to_utc`,
which uses the IANA zone ``America/Los_Angeles`` and is therefore right on
both sides of a daylight-saving change (1 am PDT is 08:00Z, 1 am PST is 09:00Z).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

__all__ = [
    "PACIFIC",
    "month_term",
    "pacific_date",
    "pacific_to_utc",
    "season_of",
    "season_term",
    "year_term",
]

PACIFIC = ZoneInfo("America/Los_Angeles")


def pacific_to_utc(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """The UTC instant of ``hour:minute`` Pacific wall-clock time on ``day``."""
    return datetime.combine(day, time(hour, minute), tzinfo=PACIFIC).astimezone(UTC)


def pacific_date(instant: datetime) -> date:
    """The Pacific calendar date of a UTC instant (the operating day it falls in)."""
    return instant.astimezone(PACIFIC).date()


def month_term(year: int, month: int) -> tuple[datetime, datetime]:
    """The term of a monthly CRR: midnight Pacific on the 1st to midnight on the next 1st (UTC)."""
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return pacific_to_utc(date(year, month, 1)), pacific_to_utc(nxt)


def year_term(year: int) -> tuple[datetime, datetime]:
    """The term of the annual process: 1 January to 1 January, midnight Pacific (UTC)."""
    return pacific_to_utc(date(year, 1, 1)), pacific_to_utc(date(year + 1, 1, 1))


def season_term(year: int, season: int) -> tuple[datetime, datetime]:
    """Season 1..4 of ``year`` (calendar quarters) as a UTC interval."""
    if not 1 <= season <= 4:
        raise ValueError(f"Expected a season 1..4 but got {season!r}")
    first = 3 * (season - 1) + 1
    start = pacific_to_utc(date(year, first, 1))
    end = pacific_to_utc(date(year + 1, 1, 1) if season == 4 else date(year, first + 3, 1))
    return start, end


def season_of(instant: datetime) -> int:
    """The season (calendar quarter, 1..4) of the Pacific date of ``instant``."""
    return (pacific_date(instant).month - 1) // 3 + 1
