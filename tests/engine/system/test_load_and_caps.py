"""Historical and forecasted load submissions, and the nomination caps derived from them."""

from __future__ import annotations

import pytest

from reference_impl.engine.caps import CapParameters
from reference_impl.engine.clock import SettableClock
from reference_impl.engine.system import CRRSystem
from tests.engine.system.world import DATASET, LIMITS, NP15, PGAE, SDG1, START, raises_code

HIST = "HIST_LOAD_MN_2025_M10"
FCST = "FCST_LOAD_MN_2025_M10"
FCST_ANNUAL = "FCST_LOAD_AN_2026"
CEC = "CEC_LOAD_MN_2025_M10"


def record(sink=PGAE, mw=800.0, tou="ON", date="2025-10-01T07:00:00Z"):
    return {"sink": sink, "effectiveDate": date, "timeOfUse": tou, "loadMw": mw}


@pytest.fixture
def open_load(system):
    for window in (HIST, FCST, FCST_ANNUAL, CEC):
        system.open_window(window)
    return system


def test_accepted_submission_is_stored_and_reported_per_sink(open_load):
    result = open_load.submit_load_data(
        "ALPHA_LSE", HIST, "HISTORICAL", [record(), record(SDG1, 300)]
    )
    assert result["loadSubmissionStatus"] == "ACCEPTED"
    assert [(r["sink"], r["status"]) for r in result["sinkResults"]] == [
        (PGAE, "ACCEPTED"),
        (SDG1, "ACCEPTED"),
    ]
    data = open_load.get_load_data("ALPHA_LSE", HIST)
    assert len(data["records"]) == 2
    assert data["latestSubmission"]["submissionId"] == result["submissionId"]


def test_exceeding_sink_fails_with_lhfv0003_and_others_are_kept(open_load):
    result = open_load.submit_load_data(
        "ALPHA_LSE", HIST, "HISTORICAL", [record(PGAE, 1200.0), record(SDG1, 300.0)]
    )
    assert result["loadSubmissionStatus"] == "PARTIALLY_ACCEPTED"
    failed = result["sinkResults"][0]
    assert (failed["sink"], failed["status"], failed["errorCode"]) == (PGAE, "FAILED", "LHFV0003")
    assert failed["exceedanceLimitMw"] == pytest.approx(1100.0)
    stored = open_load.get_load_data("ALPHA_LSE", HIST)["records"]
    assert [r["sink"] for r in stored] == [SDG1]


def test_every_sink_failing_is_failed_and_earlier_data_stands(open_load):
    open_load.submit_load_data("ALPHA_LSE", HIST, "HISTORICAL", [record(PGAE, 700.0)])
    result = open_load.submit_load_data("ALPHA_LSE", HIST, "HISTORICAL", [record(PGAE, 5000.0)])
    assert result["loadSubmissionStatus"] == "FAILED"
    stored = open_load.get_load_data("ALPHA_LSE", HIST)["records"]
    assert [r["loadMw"] for r in stored] == [700.0]


def test_resubmission_replaces_the_sinks_it_names(open_load):
    open_load.submit_load_data(
        "ALPHA_LSE", HIST, "HISTORICAL", [record(PGAE, 700.0), record(SDG1, 200.0)]
    )
    open_load.submit_load_data("ALPHA_LSE", HIST, "HISTORICAL", [record(PGAE, 750.0)])
    stored = {r["sink"]: r["loadMw"] for r in open_load.get_load_data("ALPHA_LSE", HIST)["records"]}
    assert stored == {PGAE: 750.0, SDG1: 200.0}


def test_submission_result_is_a_private_message(open_load):
    open_load.submit_load_data("ALPHA_LSE", HIST, "HISTORICAL", [record()])
    mine = open_load.list_private_messages("ALPHA_LSE")
    assert [m["category"] for m in mine] == ["SUBMISSION_RESULT"]
    assert open_load.list_private_messages("ECHO_LSE") == []


def test_closed_window_is_lhfv0001(system):
    raises_code("LHFV0001", system.submit_load_data, "ALPHA_LSE", HIST, "HISTORICAL", [record()])


def test_load_type_other_than_the_windows_is_lhfv0001(open_load):
    raises_code("LHFV0001", open_load.submit_load_data, "ALPHA_LSE", HIST, "FORECAST", [record()])


def test_sink_not_served_is_lhfv0002(open_load):
    raises_code(
        "LHFV0002", open_load.submit_load_data, "ECHO_LSE", HIST, "HISTORICAL", [record(SDG1)]
    )
    raises_code(
        "LHFV0002", open_load.submit_load_data, "BRAVO_TRADING", HIST, "HISTORICAL", [record()]
    )


def test_cec_submits_its_forecast_for_any_load_zone(open_load):
    result = open_load.submit_load_data("CEC_FORECASTER", CEC, "CEC_FORECAST", [record(SDG1, 100)])
    assert result["loadSubmissionStatus"] == "ACCEPTED"
    raises_code(
        "LHFV0002",
        open_load.submit_load_data,
        "CEC_FORECASTER",
        CEC,
        "CEC_FORECAST",
        [record(NP15)],
    )


def test_more_than_500_records_is_ser0030(open_load):
    records = [
        record(date=f"2025-10-{1 + d % 28:02d}T07:00:00Z", tou=t)
        for d in range(251)
        for t in ("ON", "OFF")
    ]
    raises_code("SER0030", open_load.submit_load_data, "ALPHA_LSE", HIST, "HISTORICAL", records)


def test_unknown_window_is_ser0028(open_load):
    raises_code(
        "SER0028", open_load.submit_load_data, "ALPHA_LSE", "NO_SUCH", "HISTORICAL", [record()]
    )
    raises_code("SER0028", open_load.get_load_data, "ECHO_LSE", HIST)


def test_bad_records_are_ser0002(open_load):
    raises_code(
        "SER0002", open_load.submit_load_data, "ALPHA_LSE", HIST, "HISTORICAL", [record(mw=-1)]
    )
    raises_code(
        "SER0002",
        open_load.submit_load_data,
        "ALPHA_LSE",
        HIST,
        "HISTORICAL",
        [record(), record()],
    )


def test_open_windows_are_listed_by_type(open_load):
    names = {w["windowName"] for w in open_load.open_load_windows(["FORECAST", "CEC_FORECAST"])}
    assert names == {FCST, FCST_ANNUAL, CEC}


# -- caps -------------------------------------------------------------------------------


def test_meq_from_forecast_and_tier_caps(open_load):
    open_load.submit_load_data("ALPHA_LSE", HIST, "HISTORICAL", [record(PGAE, 1000.0)])
    open_load.submit_load_data(
        "ALPHA_LSE", FCST, "FORECAST", [record(PGAE, 800.0), record(PGAE, 600.0, "OFF")]
    )
    rows = {
        (r["Sink"], r["TimeOfUse"]): r for r in open_load.get_meq_results("ALPHA_LSE", 2025, 10)
    }
    on = rows[(PGAE, "ON")]
    assert on["LoadMetric"] == 800.0  # the forecast counts, not the historical load
    assert on["AdjustedLoadMetric"] == 800.0
    assert on["MonthlyEligibleQuantity"] == 800.0
    assert rows[(SDG1, "ON")]["MonthlyEligibleQuantity"] == 0.0
    caps = {
        (c["sink"], c["timeOfUse"]): c["capMw"]
        for c in open_load.get_nomination_caps("ALPHA_LSE", "ALLOC_MN_2025_M10_T1")
    }
    assert caps[(PGAE, "ON")] == 400.0  # 50 % of MEQ in Tier 1
    assert caps[(PGAE, "OFF")] == 300.0


def test_seq_upper_bound_and_annual_t1_cap(open_load):
    open_load.submit_load_data(
        "ALPHA_LSE",
        FCST_ANNUAL,
        "FORECAST",
        [
            record(PGAE, 900.0, date="2026-01-15T08:00:00Z"),
            record(PGAE, 1000.0, date="2026-07-15T07:00:00Z"),
        ],
    )
    seq = {
        (r["Sink"], r["TimeOfUse"], r["Season"]): r
        for r in open_load.get_seq_results("ALPHA_LSE", 2026)
    }
    assert seq[(PGAE, "ON", 1)]["LoadMetric"] == 900.0
    assert seq[(PGAE, "ON", 1)]["SeasonalEligibleQuantity"] == pytest.approx(675.0)
    assert seq[(PGAE, "ON", 2)]["LoadMetric"] == 1000.0  # no season-2 record: the peak counts
    bounds = {
        (r["Sink"], r["TimeOfUse"], r["Season"]): r
        for r in open_load.get_upper_bound_results("ALPHA_LSE", 2026)
    }
    assert bounds[(PGAE, "ON", 1)]["UpperBound"] == pytest.approx(450.0)
    caps = {
        (c["sink"], c["timeOfUse"]): c["capMw"]
        for c in open_load.get_nomination_caps("ALPHA_LSE", "ALLOC_AN_2026_T1")
    }
    assert caps[(PGAE, "ON")] == pytest.approx(450.0)  # least over the four seasons
    lt = {
        (c["sink"], c["timeOfUse"]): c["capMw"]
        for c in open_load.get_nomination_caps("ALPHA_LSE", "ALLOC_AN_2026_LT")
    }
    assert lt[(PGAE, "ON")] == pytest.approx(337.5)  # 50 % of the season-1 SEQ


def test_tor_and_etc_rights_reduce_the_load_metric(open_load):
    open_load.load_dataset(
        {
            "existingCrrs": [
                {
                    "crrId": f"R-{kind}",
                    "owner": "ALPHA_LSE",
                    "source": NP15,
                    "sink": PGAE,
                    "mw": mw,
                    "timeOfUse": "ON",
                    "startDate": "2025-10-01T07:00:00Z",
                    "endDate": "2025-11-01T07:00:00Z",
                    "crrType": kind,
                    "marketName": "SYSTEM",
                    "marketTerm": "SYSTEM",
                }
                for kind, mw in (("TOR", 100), ("ETC", 50))
            ]
        }
    )
    open_load.submit_load_data("ALPHA_LSE", FCST, "FORECAST", [record(PGAE, 800.0)])
    row = next(
        r
        for r in open_load.get_meq_results("ALPHA_LSE", 2025, 10)
        if (r["Sink"], r["TimeOfUse"]) == (PGAE, "ON")
    )
    assert row["TransmissionOwnershipRights"] == 100.0
    assert row["ExistingTransmissionContractRights"] == 50.0
    assert row["AdjustedLoadMetric"] == 650.0


def test_cap_percentages_are_parameters():
    system = CRRSystem(
        SettableClock(START),
        limits=LIMITS,
        cap_parameters=CapParameters(meq_share=0.5, monthly_t1_share_of_meq=1.0),
    )
    system.load_dataset(DATASET)
    system.open_window(FCST)
    system.submit_load_data("ALPHA_LSE", FCST, "FORECAST", [record(PGAE, 800.0)])
    caps = {
        (c["sink"], c["timeOfUse"]): c["capMw"]
        for c in system.get_nomination_caps("ALPHA_LSE", "ALLOC_MN_2025_M10_T1")
    }
    assert caps[(PGAE, "ON")] == 400.0


def test_etc_tier_is_uncapped(open_load):
    caps = open_load.get_nomination_caps("ALPHA_LSE", "ALLOC_MN_2025_M10_ETC")
    assert caps and all(c["capMw"] is None for c in caps)


def test_caps_are_private_to_the_lse(open_load):
    assert open_load.get_nomination_caps("BRAVO_TRADING", "ALLOC_MN_2025_M10_T1") == []
