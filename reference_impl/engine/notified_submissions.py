"""Submissions whose outcome is also told as a message: load data, offers, responses, approvals.

Each of these runs the book's operation and then posts the notice the
participants concerned read (``notices``), in that order and only when the
operation succeeded, so a refused submission tells no one anything. The
facade dispatches to these functions; they take the state and the clock
reading the command runs at.
"""

from __future__ import annotations

from datetime import datetime

from reference_impl.engine import notices
from reference_impl.engine.clock import format_utc
from reference_impl.engine.state import EngineState

__all__ = ["approve_conversions", "respond_offer", "submit_load_data", "submit_offer"]


def submit_load_data(
    state: EngineState,
    participant_name: str,
    window_name: str,
    load_type: str,
    records: list,
    now: datetime,
) -> dict:
    """Submit load records; the per-sink result comes back and as a private message."""
    participant = state.participants.get(participant_name)
    result = state.load.submit(participant, window_name, load_type, records, now, state.locations)
    window = state.load.window(window_name)
    notices.load_submission_checked(
        state.messages,
        participant.name,
        result.submission_id,
        result.status,
        window.name,
        window.market_name,
        now,
    )
    return result.to_dict()


def submit_offer(
    state: EngineState,
    participant_name: str,
    crr_id: str,
    mw: float,
    start_date: str,
    end_date: str,
    time_of_use: str,
    targets: list,
    now: datetime,
) -> dict:
    """Offer MW of a held CRR to target participants, who each get a private message."""
    offer = state.secondary.submit_offer(
        participant_name, crr_id, mw, start_date, end_date, time_of_use, targets, now
    )
    notices.offer_received(state.messages, offer, now)
    return offer.view(offer.offerer)


def respond_offer(
    state: EngineState,
    participant_name: str,
    request_id: str,
    action: str,
    price: float,
    now: datetime,
) -> dict:
    """A target accepts or rejects an offer; the offerer gets a private message."""
    offer, target, _created = state.secondary.respond(
        participant_name, request_id, action, price, now
    )
    notices.offer_responded(state.messages, offer, target, now)
    return offer.response_view(target)


def approve_conversions(
    state: EngineState, participant_name: str, window_name: str, records: list, now: datetime
) -> dict:
    """An approver's decisions; approved records become TOR CRRs and each requester is told."""
    outcomes, _created, requests = state.tor.approve(participant_name, window_name, records, now)
    for request in requests:
        notices.conversion_decided(state.messages, request, now)
    return {
        "participantName": participant_name,
        "windowName": window_name,
        "submittedAt": format_utc(now),
        "records": outcomes,
    }
