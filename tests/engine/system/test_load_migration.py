"""Load migration markets, UDC submissions and posted results."""

from __future__ import annotations

import pytest

from tests.engine.system.world import NP15, PGAE, SP15, raises_code

ANNUAL = "LM_AN_2026"


def record(from_lse="ALPHA_LSE", to_lse="ECHO_LSE", sink=PGAE, mw=100.0):
    return {
        "fromLse": from_lse,
        "toLse": to_lse,
        "sink": sink,
        "customerCount": 1200,
        "migratedLoadMw": mw,
        "effectiveDate": "2026-01-01T08:00:00Z",
    }


@pytest.fixture
def open_lm(system):
    system.open_window(ANNUAL)
    return system


def test_submission_is_recorded_and_readable_by_its_udc_only(open_lm):
    status = open_lm.submit_load_migration("CHARLIE_UDC", ANNUAL, [record()])
    assert (status["status"], status["recordCount"]) == ("SUBMITTED", 1)
    assert open_lm.get_load_migration_submission("CHARLIE_UDC", status["submissionId"])["records"]
    raises_code(
        "SER0028", open_lm.get_load_migration_submission, "ALPHA_LSE", status["submissionId"]
    )


def test_a_later_submission_replaces_the_earlier(open_lm):
    first = open_lm.submit_load_migration("CHARLIE_UDC", ANNUAL, [record()])
    second = open_lm.submit_load_migration("CHARLIE_UDC", ANNUAL, [record(mw=50.0)])
    assert (
        open_lm.get_load_migration_submission("CHARLIE_UDC", first["submissionId"])["status"]
        == "REJECTED"
    )
    open_lm.close_window(ANNUAL)
    assert (
        open_lm.get_load_migration_submission("CHARLIE_UDC", second["submissionId"])["status"]
        == "ACCEPTED"
    )


def test_results_net_migration_and_crr_adjustments(open_lm):
    # ALPHA_LSE's 2026 load metric at PGAE ON is 400 MW; it holds a 30 MW LSE CRR to PGAE.
    open_lm.open_window("FCST_LOAD_AN_2026")
    open_lm.submit_load_data(
        "ALPHA_LSE",
        "FCST_LOAD_AN_2026",
        "FORECAST",
        [{"sink": PGAE, "effectiveDate": "2026-01-15T08:00:00Z", "timeOfUse": "ON", "loadMw": 400}],
    )
    open_lm.submit_load_migration("CHARLIE_UDC", ANNUAL, [record(mw=100.0)])
    before = open_lm.get_load_migration_result("ECHO_LSE", ANNUAL)
    assert before["netMigrations"] == [] and "postedAt" not in before
    open_lm.close_window(ANNUAL)
    open_lm.publish_results(ANNUAL)
    echo = open_lm.get_load_migration_result("ECHO_LSE", ANNUAL)
    assert echo["netMigrations"] == [{"lse": "ECHO_LSE", "sink": PGAE, "netMigratedMw": 100.0}]
    assert [
        (a["adjustmentType"], a["source"], a["sink"], a["mw"]) for a in echo["crrAdjustments"]
    ] == [("TRANSFERRED", NP15, PGAE, 7.5)]
    alpha = open_lm.get_load_migration_result("ALPHA_LSE", ANNUAL)
    assert alpha["netMigrations"] == [{"lse": "ALPHA_LSE", "sink": PGAE, "netMigratedMw": -100.0}]
    assert [(a["adjustmentType"], a["source"], a["sink"]) for a in alpha["crrAdjustments"]] == [
        ("COUNTER_FLOW", PGAE, NP15)
    ]
    seq = {
        (r["Sink"], r["TimeOfUse"], r["Season"]): r
        for r in open_lm.get_seq_results("ALPHA_LSE", 2026)
    }
    assert seq[(PGAE, "ON", 1)]["LoadMigrationAdjust"] == -100.0
    assert seq[(PGAE, "ON", 1)]["AdjustedLoadMetric"] == 300.0
    assert seq[(PGAE, "ON", 1)]["LoadMigrationCRRs"] == -7.5
    assert open_lm.load_migration_markets("CLOSED")[0]["resultsPostedAt"]


def test_only_udcs_submit_lmv1001(open_lm):
    raises_code("LMV1001", open_lm.submit_load_migration, "ALPHA_LSE", ANNUAL, [record()])


def test_unknown_lse_or_sink_is_lmv1002(open_lm):
    raises_code(
        "LMV1002", open_lm.submit_load_migration, "CHARLIE_UDC", ANNUAL, [record(to_lse="NOBODY")]
    )
    raises_code(
        "LMV1002",
        open_lm.submit_load_migration,
        "CHARLIE_UDC",
        ANNUAL,
        [record(to_lse="BRAVO_TRADING")],
    )
    raises_code(
        "LMV1002", open_lm.submit_load_migration, "CHARLIE_UDC", ANNUAL, [record(sink=SP15)]
    )


@pytest.mark.parametrize("name", ["LM_AN_1999", "LM_MN_2025_M13", "LOAD_2026", None])
def test_unknown_or_malformed_market_is_lmv1003(open_lm, name):
    raises_code("LMV1003", open_lm.submit_load_migration, "CHARLIE_UDC", name, [record()])
    if name is not None:
        raises_code("LMV1003", open_lm.get_load_migration_result, "ALPHA_LSE", name)


def test_window_not_open_is_lmv1004(system):
    raises_code("LMV1004", system.submit_load_migration, "CHARLIE_UDC", ANNUAL, [record()])


def test_more_than_500_records_is_ser0030(open_lm):
    raises_code("SER0030", open_lm.submit_load_migration, "CHARLIE_UDC", ANNUAL, [record()] * 501)
