"""Nomination portfolios: only LSEs, within caps, with the shared portfolio rules."""

from __future__ import annotations

import pytest

from tests.engine.system.world import ISLANDED, MONTHLY_T1, NP15, PGAE, SDG1, SP15, raises_code

LSE = "ALPHA_LSE"


def nomination(source=NP15, sink=PGAE, tou="ON", mw=100.0, **extra):
    return {"source": source, "sink": sink, "timeOfUse": tou, "mw": mw, **extra}


@pytest.fixture
def open_t1(system):
    system.open_window("FCST_LOAD_MN_2025_M10")
    system.submit_load_data(
        LSE,
        "FCST_LOAD_MN_2025_M10",
        "FORECAST",
        [
            {
                "sink": PGAE,
                "effectiveDate": "2025-10-01T07:00:00Z",
                "timeOfUse": "ON",
                "loadMw": 800,
            },
            {
                "sink": SDG1,
                "effectiveDate": "2025-10-01T07:00:00Z",
                "timeOfUse": "ON",
                "loadMw": 200,
            },
        ],
    )
    system.open_window(MONTHLY_T1)
    return system


def create(system, nominations, name="N1", who=LSE):
    return system.create_nomination_portfolio(who, MONTHLY_T1, name, nominations)


def test_create_within_cap(open_t1):
    portfolio = create(open_t1, [nomination(mw=400.0, priority=1)])
    assert portfolio["status"] == "CREATED"
    assert portfolio["nominations"][0] | {} == {
        "nominationId": "N0001",
        "source": NP15,
        "sink": PGAE,
        "timeOfUse": "ON",
        "mw": 400.0,
        "awardedMw": 0.0,
        "priority": 1,
    }


def test_above_cap_is_nom0001(open_t1):
    raises_code("NOM0001", create, open_t1, [nomination(mw=300.0), nomination(mw=101.0)])


def test_caps_count_the_other_submitted_portfolios(open_t1):
    create(open_t1, [nomination(mw=300.0)], "A")
    create(open_t1, [nomination(mw=300.0)], "B")
    open_t1.submit_nomination_portfolio(LSE, MONTHLY_T1, "A")
    raises_code("NOM0001", open_t1.submit_nomination_portfolio, LSE, MONTHLY_T1, "B")


def test_only_lses_nominate_nom0002(open_t1):
    raises_code("NOM0002", create, open_t1, [nomination()], who="BRAVO_TRADING")


def test_sink_not_a_load_location_is_por0005(open_t1):
    raises_code("POR0005", create, open_t1, [nomination(sink=SP15)])
    raises_code(
        "POR0005",
        open_t1.create_nomination_portfolio,
        "ECHO_LSE",
        MONTHLY_T1,
        "E",
        [nomination(sink=SDG1)],
    )


def test_nomination_location_rules(open_t1):
    raises_code("POR0006", create, open_t1, [nomination(source=PGAE, sink=PGAE)])
    raises_code("POR0010", create, open_t1, [nomination(source=ISLANDED)])
    raises_code("POR0011", create, open_t1, [nomination(tou="24HR")])
    raises_code("POR0007", create, open_t1, [nomination(mw=0)])


def test_duplicate_name_is_por0001(open_t1):
    create(open_t1, [nomination()])
    raises_code("POR0001", create, open_t1, [nomination()])


def test_more_than_500_nominations_is_ser0030(open_t1):
    raises_code("SER0030", create, open_t1, [nomination(mw=0.1) for _ in range(501)])


def test_status_rules(open_t1):
    create(open_t1, [nomination()])
    raises_code("POR0013", open_t1.retract_nomination_portfolio, LSE, MONTHLY_T1, "N1")
    assert open_t1.submit_nomination_portfolio(LSE, MONTHLY_T1, "N1")["status"] == "SUBMITTED"
    raises_code("NOM0128", open_t1.submit_nomination_portfolio, LSE, MONTHLY_T1, "N1")
    raises_code("POR0013", open_t1.delete_nomination_portfolio, LSE, MONTHLY_T1, "N1")
    assert open_t1.retract_nomination_portfolio(LSE, MONTHLY_T1, "N1")["status"] == "RETRACTED"
    open_t1.delete_nomination_portfolio(LSE, MONTHLY_T1, "N1")
    assert open_t1.list_nomination_portfolios(LSE) == []


def test_window_not_open_is_por0012(system):
    raises_code("POR0012", create, system, [nomination()])


def test_auction_market_is_unknown_to_the_nomination_service(open_t1):
    raises_code(
        "MKT0001", open_t1.create_nomination_portfolio, LSE, "AUC_MN_2025_M10", "N", [nomination()]
    )


def test_other_participants_portfolio_is_not_found(open_t1):
    create(open_t1, [nomination()])
    raises_code("SER0028", open_t1.get_nomination_portfolio, "ECHO_LSE", MONTHLY_T1, "N1")
    assert open_t1.get_nomination_portfolio(LSE, MONTHLY_T1, "N1")["participantName"] == LSE
