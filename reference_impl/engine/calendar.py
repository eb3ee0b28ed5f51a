"""The market-sim calendar: lays out the windows of a monthly and an annual process.

CAISO's market simulation runs structured weeks: week 1 load submissions
(CEC, historical and forecasted load), TOR conversion and load migration;
week 2 the monthly process (ETC, Tier 1 and Tier 2 allocation, then the
monthly auction); week 3 the annual process (ETC, Tier 1, Long-Term, Tier 2,
Tier 3 allocation, then the annual auction). Fridays are kept for processing,
so windows fall on Monday to Thursday.

Windows are stated in Pacific wall-clock time, as CAISO's calendar states
them (a window opens at 1 am and closes at 5 pm; a forecasted load window
closes at 5 pm the next day), and converted to UTC through
:mod:`~reference_impl.engine.pacific_time`, so a calendar that straddles a
daylight-saving change is right on both sides.

The builder returns plain data (the ``markets``, ``loadWindows``,
``torWindows`` and ``loadMigrationMarkets`` sections of a data set), so a
scenario file can hold the same layout written out by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from reference_impl.engine.clock import format_utc
from reference_impl.engine.markets import (
    ANNUAL_TIERS,
    MONTHLY_TIERS,
    MarketKey,
    MarketType,
    Period,
)
from reference_impl.engine.pacific_time import pacific_to_utc

__all__ = [
    "WindowHours",
    "annual_process",
    "market_sim_calendar",
    "monthly_process",
    "submission_days",
    "week1_windows",
]

_PROCESSING_DAYS = (4, 5, 6)  # Friday, Saturday, Sunday


@dataclass(frozen=True, slots=True)
class WindowHours:
    """When a one-day window opens and closes, in Pacific wall-clock hours."""

    open_hour: int = 1
    close_hour: int = 17


def submission_days(first: date, count: int) -> list[date]:
    """``count`` submission days from ``first`` on, Monday to Thursday only."""
    days: list[date] = []
    day = first
    while len(days) < count:
        if day.weekday() not in _PROCESSING_DAYS:
            days.append(day)
        day += timedelta(days=1)
    return days


def _window(open_day: date, close_day: date, hours: WindowHours) -> dict:
    return {
        "openTime": format_utc(pacific_to_utc(open_day, hours.open_hour)),
        "closeTime": format_utc(pacific_to_utc(close_day, hours.close_hour)),
    }


def _markets(keys: list[MarketKey], days: list[date], hours: WindowHours) -> list[dict]:
    return [
        {"marketName": key.name, **_window(day, day, hours), "modelRelease": "V0"}
        for key, day in zip(keys, days, strict=True)
    ]


def monthly_process(
    year: int, month: int, first_day: date, hours: WindowHours = WindowHours()
) -> list[dict]:
    """ETC, T1 and T2 allocation, then the auction, one submission day each."""
    keys = [
        MarketKey(MarketType.ALLOCATION, Period.MONTHLY, year, month, tier)
        for tier in MONTHLY_TIERS
    ]
    keys.append(MarketKey(MarketType.AUCTION, Period.MONTHLY, year, month))
    return _markets(keys, submission_days(first_day, len(keys)), hours)


def annual_process(year: int, first_day: date, hours: WindowHours = WindowHours()) -> list[dict]:
    """ETC, T1, LT, T2 and T3 allocation, then the auction, one submission day each."""
    keys = [MarketKey(MarketType.ALLOCATION, Period.ANNUAL, year, None, t) for t in ANNUAL_TIERS]
    keys.append(MarketKey(MarketType.AUCTION, Period.ANNUAL, year))
    return _markets(keys, submission_days(first_day, len(keys)), hours)


def week1_windows(
    first_day: date,
    monthly: tuple[int, int] | None,
    annual_year: int | None,
    hours: WindowHours = WindowHours(),
) -> dict[str, list[dict]]:
    """Load windows (CEC, historical, forecast), TOR conversion and load migration of week 1.

    Each process gets a CEC load window on day 1, a historical load window on
    day 2 and a forecasted load window from day 3 to day 4. The TOR
    conversion window and the load migration markets stay open over days 1 to 4.
    """
    day = submission_days(first_day, 4)
    load_windows: list[dict] = []
    tor_windows: list[dict] = []
    migration: list[dict] = []
    processes: list[tuple[str, str]] = []
    if monthly is not None:
        year, month = monthly
        processes.append((f"MN_{year:04d}_M{month:02d}", f"ALLOC_MN_{year:04d}_M{month:02d}_T1"))
        migration.append(
            {"marketName": f"LM_MN_{year:04d}_M{month:02d}", **_window(day[0], day[3], hours)}
        )
    if annual_year is not None:
        processes.append((f"AN_{annual_year:04d}", f"ALLOC_AN_{annual_year:04d}_T1"))
        migration.append(
            {"marketName": f"LM_AN_{annual_year:04d}", **_window(day[0], day[3], hours)}
        )
        tor_windows.append(
            {"windowName": f"TOR_AN_{annual_year:04d}", **_window(day[0], day[3], hours)}
        )
    for label, feeds in processes:
        load_windows += [
            {
                "windowName": f"CEC_LOAD_{label}",
                "marketName": feeds,
                "loadType": "CEC_FORECAST",
                **_window(day[0], day[0], hours),
            },
            {
                "windowName": f"HIST_LOAD_{label}",
                "marketName": feeds,
                "loadType": "HISTORICAL",
                **_window(day[1], day[1], hours),
            },
            {
                "windowName": f"FCST_LOAD_{label}",
                "marketName": feeds,
                "loadType": "FORECAST",
                **_window(day[2], day[3], hours),
            },
        ]
    return {
        "loadWindows": load_windows,
        "torWindows": tor_windows,
        "loadMigrationMarkets": migration,
    }


def market_sim_calendar(
    week1_monday: date,
    monthly: tuple[int, int] = (2025, 9),
    annual_year: int = 2026,
    hours: WindowHours = WindowHours(),
) -> dict[str, list[dict]]:
    """The three structured market-sim weeks as data-set sections.

    Week 1 (from ``week1_monday``): load, TOR conversion and load migration
    windows. Week 2: the monthly process for ``monthly`` (year, month).
    Week 3 onwards: the annual process for ``annual_year``.
    """
    sections = week1_windows(week1_monday, monthly, annual_year, hours)
    week2 = week1_monday + timedelta(days=7)
    week3 = week1_monday + timedelta(days=14)
    sections["markets"] = monthly_process(*monthly, week2, hours) + annual_process(
        annual_year, week3, hours
    )
    return sections
