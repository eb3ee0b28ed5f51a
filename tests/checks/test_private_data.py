"""PRV-001's reading of answers: whose records they are, and who may see them."""

from __future__ import annotations

from harness.checks.private_data import leaks

OFFER = {
    "requestId": "SM-1",
    "participantName": "BRAVO_TRADING",
    "targetRespondingMps": [
        {"participantName": "ALPHA_LSE", "price": 2.5},
        {"participantName": "DELTA_TOR", "price": 2.75},
    ],
}


def test_a_seller_sees_its_own_offer_with_its_targets() -> None:
    assert leaks(OFFER, "BRAVO_TRADING") == []
    assert leaks([OFFER], "BRAVO_TRADING") == []


def test_a_target_sees_the_offer_made_to_it() -> None:
    assert leaks([OFFER], "ALPHA_LSE") == []


def test_anyone_else_seeing_the_offer_is_a_leak() -> None:
    assert "BRAVO_TRADING" in leaks([OFFER], "CHARLIE_UDC")


def test_an_approver_sees_the_requests_it_approves() -> None:
    request = {
        "requestId": "TOR-1",
        "participantName": "DELTA_TOR",
        "records": [{"torContractId": "TOR-DELTA-0007", "approverName": "ALPHA_LSE"}],
    }
    assert leaks([request], "ALPHA_LSE") == []
    assert leaks([request], "BRAVO_TRADING") == ["DELTA_TOR"]


def test_another_participants_portfolio_in_a_list_is_a_leak() -> None:
    portfolios = [
        {"participantName": "ALPHA_LSE", "portfolioName": "P1"},
        {"participantName": "ECHO_LSE", "portfolioName": "P2"},
    ]
    assert leaks(portfolios, "ALPHA_LSE") == ["ECHO_LSE"]


def test_a_download_names_its_owner_in_its_data() -> None:
    download = {
        "downloadType": "CRRMEQResult",
        "data": {"ParticipantName": "ECHO_LSE", "MEQResults": []},
    }
    assert leaks(download, "ALPHA_LSE") == ["ECHO_LSE"]
    assert leaks(download, "ECHO_LSE") == []
