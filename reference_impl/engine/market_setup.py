"""Operator changes to a running market's set-up: model release, location availability, notices.

Between data set loads the operator adjusts what the markets run on: the
network model release a market uses, a source/sink list update that islands
or retires a location (which invalidates the submitted auction portfolios
bidding there), and a GENERAL message to everyone or to one participant.
Each function takes the state and the command's arguments; the facade only
dispatches to them.
"""

from __future__ import annotations

from datetime import datetime

from reference_impl.engine.errors import DomainError
from reference_impl.engine.locations import Availability
from reference_impl.engine.markets import MODEL_RELEASES
from reference_impl.engine.messages import Category
from reference_impl.engine.state import EngineState

__all__ = ["mark_location_unavailable", "post_general_message", "set_model_release"]


def set_model_release(state: EngineState, market_name: str, release: str) -> dict:
    """Record the network model release (V0..V3) the market now uses; the market's view."""
    market = state.markets.get(market_name)
    if release not in MODEL_RELEASES:
        raise DomainError(
            "SER0002",
            f"Model release {release!r} is not one of {', '.join(MODEL_RELEASES)}.",
            "release",
        )
    market.model_release = release
    return market.to_dict()


def mark_location_unavailable(
    state: EngineState, location: str, market_name: str, reason: str, now: datetime
) -> dict:
    """Island or retire a location in a market; submitted auction portfolios bidding there
    become INVALID, and their names come back."""
    market = state.markets.get(market_name)
    if reason not in Availability.__members__:
        raise DomainError("SER0002", f"Invalid reason {reason!r}.", "reason")
    state.locations.mark_unavailable(location, market.name, Availability(reason))
    invalid = state.auction.invalidate(market, now) if market.is_auction else []
    return {"invalidatedPortfolios": [p.name for p in invalid]}


def post_general_message(
    state: EngineState,
    subject: str,
    body: str,
    market_name: str | None,
    participant_name: str | None,
    now: datetime,
) -> dict:
    """Post a GENERAL message, public or to one participant; the message's view."""
    if participant_name is not None:
        state.participants.get(participant_name)
    if not isinstance(subject, str) or not isinstance(body, str) or not subject:
        raise DomainError("SER0002", "subject and body must be text.", "subject")
    message = state.messages.post(
        Category.GENERAL, subject, body, now, market_name=market_name, participant=participant_name
    )
    return message.to_dict()
