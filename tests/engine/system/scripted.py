"""Random command scripts for the property tests: plain (method, kwargs) pairs."""

from __future__ import annotations

from hypothesis import strategies as st

from reference_impl.engine.errors import DomainError
from reference_impl.engine.system import CRRSystem
from tests.engine.system.world import MONTHLY_AUCTION, NP15, PGAE, SDG1, SP15

PARTICIPANTS = ("ALPHA_LSE", "BRAVO_TRADING", "DELTA_TOR", "ECHO_LSE")
CRR_IDS = ("10000001", "10000001", "10000001", "10000002", "10000003")
NAMES = ("P1", "P2")

_who = st.sampled_from(PARTICIPANTS)
_name = st.sampled_from(NAMES)
_price = st.sampled_from([1.0, 2.5])
_seller = st.sampled_from(["BRAVO_TRADING", "BRAVO_TRADING", "BRAVO_TRADING", "ALPHA_LSE"])

_bid = st.builds(
    lambda source, sink, tou, mw, price: {
        "source": source,
        "sink": sink,
        "timeOfUse": tou,
        "segments": [{"mw": mw, "price": price}],
    },
    st.sampled_from([NP15, SP15]),
    st.sampled_from([SP15, PGAE, SDG1]),
    st.sampled_from(["ON", "OFF"]),
    st.sampled_from([5.0, 20.0, 80.0]),
    st.sampled_from([-2.0, 10.0, 60.0]),
)

commands = st.one_of(
    st.builds(
        lambda who, name, bids: (
            "create_auction_portfolio",
            {
                "participant_name": who,
                "market_name": MONTHLY_AUCTION,
                "portfolio_name": name,
                "bids": bids,
            },
        ),
        _who,
        _name,
        st.lists(_bid, min_size=1, max_size=3),
    ),
    st.builds(
        lambda who, name, verb: (
            f"{verb}_auction_portfolio",
            {"participant_name": who, "market_name": MONTHLY_AUCTION, "portfolio_name": name},
        ),
        _who,
        _name,
        st.sampled_from(["submit", "retract", "delete"]),
    ),
    st.builds(
        lambda who, crr, mw, to, price: (
            "submit_offer",
            {
                "participant_name": who,
                "crr_id": crr,
                "mw": mw,
                "start_date": "2025-10-01T07:00:00Z",
                "end_date": "2025-11-01T07:00:00Z",
                "time_of_use": "ON",
                "targets": [{"participantName": to, "price": price}],
            },
        ),
        _seller,
        st.sampled_from(CRR_IDS),
        st.sampled_from([5.0, 15.0, 50.0]),
        _who,
        _price,
    ),
    st.builds(
        lambda who, n, action, price: (
            "respond_offer",
            {
                "participant_name": who,
                "request_id": f"SM-20250901-{n:06d}",
                "action": action,
                "price": price,
            },
        ),
        _who,
        st.integers(1, 3),
        st.sampled_from(["ACCEPT", "REJECT"]),
        _price,
    ),
    st.builds(
        lambda who, sink, mw: (
            "submit_load_data",
            {
                "participant_name": who,
                "window_name": "HIST_LOAD_MN_2025_M10",
                "load_type": "HISTORICAL",
                "records": [
                    {
                        "sink": sink,
                        "effectiveDate": "2025-10-01T07:00:00Z",
                        "timeOfUse": "ON",
                        "loadMw": mw,
                    }
                ],
            },
        ),
        _who,
        st.sampled_from([PGAE, SDG1]),
        st.sampled_from([100.0, 450.0, 2000.0]),
    ),
    st.builds(
        lambda who, subject: (
            "post_message",
            {"subject": subject, "body": "notice", "participant_name": who},
        ),
        st.one_of(st.none(), _who),
        st.sampled_from(["A", "B"]),
    ),
    st.builds(lambda s: ("advance_clock", {"seconds": s}), st.sampled_from([60, 3600, 7200])),
)

scripts = st.lists(commands, max_size=25)

SETUP: list[tuple[str, dict]] = [
    ("open_window", {"name": MONTHLY_AUCTION}),
    ("open_window", {"name": "HIST_LOAD_MN_2025_M10"}),
]
FINISH: list[tuple[str, dict]] = [
    ("close_window", {"name": MONTHLY_AUCTION}),
    ("run_clearing", {"market_name": MONTHLY_AUCTION}),
    ("publish_results", {"market_name": MONTHLY_AUCTION}),
]


def run(system: CRRSystem, script: list[tuple[str, dict]]) -> list[tuple[str, str, dict]]:
    """Run a script; return the journal of accepted commands as (time, method, kwargs)."""
    journal = []
    for method, kwargs in script:
        at = system.now().isoformat()
        try:
            getattr(system, method)(**kwargs)
        except DomainError:
            continue
        journal.append((at, method, kwargs))
    return journal
