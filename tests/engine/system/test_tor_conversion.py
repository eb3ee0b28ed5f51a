"""TOR conversion windows, requests and approvals."""

from __future__ import annotations

import pytest

from tests.engine.system.world import NP15, PGAE, YEAR_2026, raises_code

WINDOW = "TOR_AN_2026"


def record(contract="TOR-DELTA-0007", mw=40, tou="ON", term=YEAR_2026):
    return {
        "torContractId": contract,
        "source": NP15,
        "sink": PGAE,
        "mw": mw,
        "timeOfUse": tou,
        "startDate": term[0],
        "endDate": term[1],
    }


@pytest.fixture
def open_tor(system):
    system.open_window(WINDOW)
    return system


def test_window_lookup(system):
    assert system.get_conversion_window(WINDOW)["status"] == "PREP"
    raises_code("TOR0016", system.get_conversion_window, "TOR_AN_1999")
    assert [w["windowName"] for w in system.list_conversion_windows("PREP")] == [WINDOW]


def test_request_then_approval_creates_a_tor_crr(open_tor):
    request = open_tor.submit_conversion_request(
        "DELTA_TOR", WINDOW, [record(), record(tou="OFF", mw=20)]
    )
    assert request["status"] == "SUBMITTED"
    assert request["requestId"].startswith("TORC-20250901-")
    result = open_tor.submit_conversion_approval(
        "ALPHA_LSE",
        WINDOW,
        [{"requestId": request["requestId"], "torContractId": "TOR-DELTA-0007", "approved": True}],
    )
    assert result["records"] == [
        {
            "requestId": request["requestId"],
            "torContractId": "TOR-DELTA-0007",
            "status": "APPROVED",
            "requestStatus": "APPROVED",
        }
    ]
    crrs = open_tor.get_crr_holdings("DELTA_TOR")
    assert sorted((c["crrType"], c["marketName"], c["marketTerm"], c["mw"]) for c in crrs) == [
        ("TOR", "SYSTEM", "SYSTEM", 20.0),
        ("TOR", "SYSTEM", "SYSTEM", 40.0),
    ]
    assert (
        open_tor.get_conversion_request("DELTA_TOR", request["requestId"])["status"] == "APPROVED"
    )


def test_rejection_creates_nothing(open_tor):
    request = open_tor.submit_conversion_request("DELTA_TOR", WINDOW, [record()])
    open_tor.submit_conversion_approval(
        "ALPHA_LSE",
        WINDOW,
        [
            {
                "requestId": request["requestId"],
                "torContractId": "TOR-DELTA-0007",
                "approved": False,
                "comment": "no",
            }
        ],
    )
    assert (
        open_tor.get_conversion_request("DELTA_TOR", request["requestId"])["status"] == "REJECTED"
    )
    assert open_tor.get_crr_holdings("DELTA_TOR") == []


def test_deciding_twice_is_smt0146(open_tor):
    request = open_tor.submit_conversion_request("DELTA_TOR", WINDOW, [record()])
    decision = [
        {"requestId": request["requestId"], "torContractId": "TOR-DELTA-0007", "approved": True}
    ]
    open_tor.submit_conversion_approval("ALPHA_LSE", WINDOW, decision)
    raises_code("SMT0146", open_tor.submit_conversion_approval, "ALPHA_LSE", WINDOW, decision)


def test_only_the_approver_decides(open_tor):
    request = open_tor.submit_conversion_request("DELTA_TOR", WINDOW, [record()])
    decision = [
        {"requestId": request["requestId"], "torContractId": "TOR-DELTA-0007", "approved": True}
    ]
    raises_code("SER0002", open_tor.submit_conversion_approval, "ECHO_LSE", WINDOW, decision)


def test_non_tor_holder_is_tor0001(open_tor):
    raises_code("TOR0001", open_tor.submit_conversion_request, "ALPHA_LSE", WINDOW, [record()])


def test_contract_not_held_is_tor0002(open_tor):
    raises_code(
        "TOR0002", open_tor.submit_conversion_request, "DELTA_TOR", WINDOW, [record("TOR-X")]
    )


def test_window_not_open_is_tor0003_and_unknown_is_tor0016(system):
    raises_code("TOR0003", system.submit_conversion_request, "DELTA_TOR", WINDOW, [record()])
    raises_code("TOR0016", system.submit_conversion_request, "DELTA_TOR", "TOR_AN_1999", [record()])


def test_mw_above_the_contract_is_ser0002(open_tor):
    raises_code("SER0002", open_tor.submit_conversion_request, "DELTA_TOR", WINDOW, [record(mw=41)])


def test_more_than_500_records_is_ser0030(open_tor):
    raises_code(
        "SER0030", open_tor.submit_conversion_request, "DELTA_TOR", WINDOW, [record(mw=0.01)] * 501
    )


def test_requests_are_visible_to_holder_and_approver_only(open_tor):
    request = open_tor.submit_conversion_request("DELTA_TOR", WINDOW, [record()])
    assert open_tor.get_conversion_request("ALPHA_LSE", request["requestId"])["records"]
    raises_code("SER0028", open_tor.get_conversion_request, "ECHO_LSE", request["requestId"])
    assert open_tor.list_conversion_requests("ECHO_LSE", WINDOW) == []
    assert len(open_tor.list_conversion_requests("DELTA_TOR", WINDOW)) == 1
