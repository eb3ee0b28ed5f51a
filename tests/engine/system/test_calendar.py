"""The market-sim calendar and Pacific-time windows."""

from __future__ import annotations

from datetime import date

from reference_impl.engine.calendar import (
    annual_process,
    market_sim_calendar,
    monthly_process,
    submission_days,
)
from reference_impl.engine.pacific_time import month_term, pacific_to_utc, season_of, year_term


def test_one_am_pacific_is_eight_utc_in_summer_and_nine_in_winter():
    assert pacific_to_utc(date(2025, 7, 10), 1).isoformat() == "2025-07-10T08:00:00+00:00"
    assert pacific_to_utc(date(2025, 12, 10), 1).isoformat() == "2025-12-10T09:00:00+00:00"


def test_windows_straddling_the_end_of_daylight_saving_shift_by_an_hour():
    # Week of 2025-10-27: DST ends on Sunday 2 November.
    markets = monthly_process(2025, 12, date(2025, 10, 30))
    by_name = {m["marketName"]: m for m in markets}
    assert by_name["ALLOC_MN_2025_M12_ETC"]["openTime"] == "2025-10-30T08:00:00Z"
    # Friday to Sunday are skipped; Monday 3 November is standard time.
    assert by_name["ALLOC_MN_2025_M12_T1"]["openTime"] == "2025-11-03T09:00:00Z"
    assert by_name["ALLOC_MN_2025_M12_T1"]["closeTime"] == "2025-11-04T01:00:00Z"


def test_monthly_process_is_etc_t1_t2_then_the_auction():
    markets = monthly_process(2025, 9, date(2025, 8, 4))
    assert [m["marketName"] for m in markets] == [
        "ALLOC_MN_2025_M09_ETC",
        "ALLOC_MN_2025_M09_T1",
        "ALLOC_MN_2025_M09_T2",
        "AUC_MN_2025_M09",
    ]
    assert markets[0]["openTime"] < markets[1]["openTime"] < markets[3]["openTime"]


def test_annual_process_is_etc_t1_lt_t2_t3_then_the_auction():
    names = [m["marketName"] for m in annual_process(2026, date(2025, 8, 11))]
    assert names == [
        "ALLOC_AN_2026_ETC",
        "ALLOC_AN_2026_T1",
        "ALLOC_AN_2026_LT",
        "ALLOC_AN_2026_T2",
        "ALLOC_AN_2026_T3",
        "AUC_AN_2026",
    ]


def test_submission_days_skip_friday_to_sunday():
    days = submission_days(date(2025, 9, 11), 3)  # a Thursday
    assert [d.isoformat() for d in days] == ["2025-09-11", "2025-09-15", "2025-09-16"]


def test_market_sim_calendar_lays_out_three_weeks():
    sections = market_sim_calendar(date(2025, 9, 8), (2025, 10), 2026)
    loads = {w["windowName"]: w for w in sections["loadWindows"]}
    assert loads["HIST_LOAD_MN_2025_M10"]["openTime"] == "2025-09-09T08:00:00Z"
    forecast = loads["FCST_LOAD_AN_2026"]
    assert forecast["openTime"] == "2025-09-10T08:00:00Z"
    assert forecast["closeTime"] == "2025-09-12T00:00:00Z"  # 5 pm the next day
    assert [w["windowName"] for w in sections["torWindows"]] == ["TOR_AN_2026"]
    assert {m["marketName"] for m in sections["loadMigrationMarkets"]} == {
        "LM_MN_2025_M10",
        "LM_AN_2026",
    }
    first_market = min(m["openTime"] for m in sections["markets"])
    assert first_market == "2025-09-15T08:00:00Z"


def test_terms_start_at_pacific_midnight():
    assert month_term(2025, 11)[0].isoformat() == "2025-11-01T07:00:00+00:00"
    assert month_term(2025, 11)[1].isoformat() == "2025-12-01T08:00:00+00:00"
    start, end = year_term(2026)
    assert (start.isoformat(), end.isoformat()) == (
        "2026-01-01T08:00:00+00:00",
        "2027-01-01T08:00:00+00:00",
    )
    assert season_of(start) == 1
