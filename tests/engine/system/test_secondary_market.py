"""The secondary market: offers, responses, withdrawals, and the MW they move."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_impl.engine.clock import format_utc
from reference_impl.engine.errors import DomainError
from tests.engine.system.world import NP15, SP15, new_system, raises_code

SELLER = "BRAVO_TRADING"
OCT = ("2025-10-01T07:00:00Z", "2025-11-01T07:00:00Z")


def offer(system, mw=10, term=OCT, targets=None, crr_id="10000001", tou="ON"):
    return system.submit_offer(
        SELLER,
        crr_id,
        mw,
        term[0],
        term[1],
        tou,
        targets if targets is not None else [{"participantName": "ALPHA_LSE", "price": 1.25}],
    )


def test_offer_is_pending_and_targets_are_told(system):
    made = offer(
        system,
        targets=[
            {"participantName": "ALPHA_LSE", "price": 1.25},
            {"participantName": "DELTA_TOR", "price": 2.0},
        ],
    )
    assert made["status"] == "PENDING_RESPONSE"
    assert made["requestId"].startswith("SM-20250901-")
    assert (made["source"], made["sink"]) == (NP15, SP15)
    assert [m["category"] for m in system.list_private_messages("ALPHA_LSE")] == ["OFFER_RECEIVED"]


def test_acceptance_splits_the_sellers_crr_and_gives_the_buyer_a_new_one(system):
    made = offer(system, mw=10)
    response = system.respond_offer("ALPHA_LSE", made["requestId"], "ACCEPT", 1.25)
    assert response["responseStatus"] == "ACCEPTED"
    bought = [
        c for c in system.get_crr_holdings("ALPHA_LSE") if c["marketName"] == "SECONDARY_MARKET"
    ]
    assert [(c["mw"], c["startDate"], c["endDate"], c["marketTerm"]) for c in bought] == [
        (10.0, OCT[0], OCT[1], "SECONDARY_MARKET")
    ]
    seller = {
        (c["startDate"], c["mw"])
        for c in system.get_crr_holdings(SELLER)
        if c["originId"] == "10000001"
    }
    assert seller == {(OCT[0], 30.0), (OCT[1], 40.0)}
    assert system.get_offer(SELLER, made["requestId"])["status"] == "ACCEPTED"
    assert [m["category"] for m in system.list_private_messages(SELLER)] == ["OFFER_RESPONDED"]


def test_the_first_acceptance_withdraws_the_other_targets(system):
    made = offer(
        system,
        targets=[
            {"participantName": "ALPHA_LSE", "price": 1},
            {"participantName": "DELTA_TOR", "price": 2},
        ],
    )
    system.respond_offer("DELTA_TOR", made["requestId"], "ACCEPT", 2)
    statuses = {
        r["participantName"]: r["responseStatus"]
        for r in system.get_offer_responses(SELLER, made["requestId"])
    }
    assert statuses == {"ALPHA_LSE": "WITHDRAWN", "DELTA_TOR": "ACCEPTED"}
    raises_code("SMT0146", system.respond_offer, "ALPHA_LSE", made["requestId"], "ACCEPT", 1)


def test_all_rejections_reject_the_offer(system):
    made = offer(
        system,
        targets=[
            {"participantName": "ALPHA_LSE", "price": 1},
            {"participantName": "DELTA_TOR", "price": 2},
        ],
    )
    system.respond_offer("ALPHA_LSE", made["requestId"], "REJECT", 1)
    assert system.get_offer(SELLER, made["requestId"])["status"] == "PENDING_RESPONSE"
    raises_code("SMT0146", system.respond_offer, "ALPHA_LSE", made["requestId"], "ACCEPT", 1)
    system.respond_offer("DELTA_TOR", made["requestId"], "REJECT", 2)
    assert system.get_offer(SELLER, made["requestId"])["status"] == "REJECTED"


def test_response_price_must_match_smt0145(system):
    made = offer(system)
    raises_code("SMT0145", system.respond_offer, "ALPHA_LSE", made["requestId"], "ACCEPT", 1.5)


def test_unknown_request_is_smt0016(system):
    raises_code("SMT0016", system.respond_offer, "ALPHA_LSE", "SM-0-000999", "ACCEPT", 1)
    raises_code("SMT0016", system.get_offer, "ALPHA_LSE", "SM-0-000999")
    raises_code("SMT0016", system.withdraw_offer, SELLER, "SM-0-000999")


def test_non_party_is_smt0082(system):
    made = offer(system)
    raises_code("SMT0082", system.get_offer, "ECHO_LSE", made["requestId"])
    raises_code("SMT0082", system.respond_offer, "ECHO_LSE", made["requestId"], "ACCEPT", 1.25)
    raises_code("SMT0082", system.get_offer_responses, "ECHO_LSE", made["requestId"])


def test_only_the_offerer_withdraws_smt0063(system):
    made = offer(system)
    raises_code("SMT0063", system.withdraw_offer, "ALPHA_LSE", made["requestId"])
    withdrawn = system.withdraw_offer(SELLER, made["requestId"])
    assert withdrawn["status"] == "WITHDRAWN"
    assert withdrawn["targetRespondingMps"][0]["responseStatus"] == "WITHDRAWN"
    raises_code("SMT0146", system.withdraw_offer, SELLER, made["requestId"])
    raises_code("SMT0146", system.respond_offer, "ALPHA_LSE", made["requestId"], "ACCEPT", 1.25)


def test_unknown_target_is_smt0001_and_self_is_smt0002(system):
    raises_code("SMT0001", offer, system, targets=[{"participantName": "NOBODY", "price": 1}])
    raises_code("SMT0002", offer, system, targets=[{"participantName": SELLER, "price": 1}])


def test_more_than_500_targets_is_ser0030(system):
    targets = [{"participantName": f"P{i}", "price": 1} for i in range(501)]
    raises_code("SER0030", offer, system, targets=targets)


def test_offering_more_than_held_or_not_held_is_smt0003(system):
    raises_code("SMT0003", offer, system, mw=41)
    raises_code("SMT0003", offer, system, crr_id="10000002")  # ALPHA_LSE's CRR
    raises_code("SMT0003", offer, system, term=("2025-09-01T07:00:00Z", OCT[1]))  # outside the term


def test_acceptance_is_refused_when_the_mw_are_no_longer_held(system):
    first = offer(system, mw=30)
    second = offer(system, mw=30, targets=[{"participantName": "DELTA_TOR", "price": 1}])
    system.respond_offer("ALPHA_LSE", first["requestId"], "ACCEPT", 1.25)
    raises_code("SMT0003", system.respond_offer, "DELTA_TOR", second["requestId"], "ACCEPT", 1)


def test_a_target_sees_only_its_own_entry(system):
    made = offer(
        system,
        targets=[
            {"participantName": "ALPHA_LSE", "price": 1},
            {"participantName": "DELTA_TOR", "price": 2},
        ],
    )
    seen = system.get_offer("ALPHA_LSE", made["requestId"])["targetRespondingMps"]
    assert [t["participantName"] for t in seen] == ["ALPHA_LSE"]
    assert [o["requestId"] for o in system.list_offers("DELTA_TOR")] == [made["requestId"]]
    assert system.list_offers("ECHO_LSE") == []


def _total_mw_by_instant(system, instants):
    totals = {}
    for who in ("ALPHA_LSE", "BRAVO_TRADING", "DELTA_TOR", "ECHO_LSE"):
        for crr in system.get_crr_holdings(who):
            key = (crr["source"], crr["sink"], crr["timeOfUse"])
            for t in instants:
                if crr["startDate"] <= t < crr["endDate"]:
                    totals[(key, t)] = totals.get((key, t), 0.0) + crr["mw"]
    return totals


DAY0 = datetime(2025, 10, 1, 7, tzinfo=UTC)
trades = st.lists(
    st.tuples(
        st.sampled_from(["BRAVO_TRADING", "ALPHA_LSE", "DELTA_TOR"]),  # seller
        st.sampled_from(["BRAVO_TRADING", "ALPHA_LSE", "DELTA_TOR"]),  # buyer
        st.integers(0, 80),  # start day
        st.integers(1, 60),  # days
        st.floats(0.5, 45, allow_nan=False),  # MW
        st.booleans(),  # accept or reject
    ),
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(trades)
def test_secondary_market_transfers_conserve_mw(moves):
    system = new_system()
    instants = [format_utc(DAY0 + timedelta(days=d, hours=12)) for d in range(0, 95, 3)]
    before = _total_mw_by_instant(system, instants)
    for seller, buyer, start_day, days, mw, accept in moves:
        if seller == buyer:
            continue
        held = [c for c in system.get_crr_holdings(seller)]
        if not held:
            continue
        crr = held[0]
        start = max(DAY0 + timedelta(days=start_day), datetime.fromisoformat(crr["startDate"]))
        end = min(start + timedelta(days=days), datetime.fromisoformat(crr["endDate"]))
        if end <= start:
            continue
        try:
            made = system.submit_offer(
                seller,
                crr["crrId"],
                round(mw, 3),
                format_utc(start),
                format_utc(end),
                crr["timeOfUse"],
                [{"participantName": buyer, "price": 3.0}],
            )
        except DomainError as error:  # offers above the held MW are refused
            assert error.code == "SMT0003"
            continue
        system.respond_offer(buyer, made["requestId"], "ACCEPT" if accept else "REJECT", 3.0)
    after = _total_mw_by_instant(system, instants)
    for key in set(before) | set(after):
        assert math.isclose(after.get(key, 0.0), before.get(key, 0.0), abs_tol=1e-6), key


@pytest.mark.parametrize("mw", [40, 12.5])
def test_whole_or_partial_mw_for_the_whole_term(system, mw):
    made = offer(system, mw=mw, term=(OCT[0], "2026-01-01T08:00:00Z"))
    system.respond_offer("ALPHA_LSE", made["requestId"], "ACCEPT", 1.25)
    left = [c["mw"] for c in system.get_crr_holdings(SELLER) if c["originId"] == "10000001"]
    assert left == ([] if mw == 40 else [27.5])
