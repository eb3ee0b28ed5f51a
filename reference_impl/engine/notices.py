"""The messages the engine posts on its own when something happens in the markets.

Each function posts one kind of notice on the :class:`MessageBoard`, with the
subject and body participants read. Keeping the wording here, one function
per event, leaves the operations that raise the events free of message text,
and keeps every notice of the same kind worded the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from reference_impl.engine.messages import Category, Message, MessageBoard
from reference_impl.engine.secondary_market import OfferTarget, SecondaryOffer
from reference_impl.engine.tor_conversion import ConversionRequest
from reference_impl.engine.windows import WindowStatus

__all__ = [
    "conversion_decided",
    "load_submission_checked",
    "migration_results_posted",
    "offer_received",
    "offer_responded",
    "results_published",
    "window_moved",
]


_WINDOW_NOTICES: dict[WindowStatus, tuple[Category, str, str]] = {
    WindowStatus.OPEN: (
        Category.WINDOW_OPENED,
        "{name} window opened",
        "{label} {name} is open for submissions.",
    ),
    WindowStatus.CLOSED: (
        Category.WINDOW_CLOSED,
        "{name} window closed",
        "{label} {name} is closed; no more submissions are accepted.",
    ),
}
"""What a window's opening or closing is posted as: category, subject and body."""


def window_moved(
    board: MessageBoard,
    status: WindowStatus,
    label: str,
    name: str,
    at: datetime,
    market_name: str | None,
) -> Message:
    """A market, load, TOR or load migration window opened, or closed (public)."""
    category, subject, body = _WINDOW_NOTICES[status]
    return board.post(
        category,
        subject.format(name=name),
        body.format(label=label, name=name),
        at,
        market_name=market_name,
    )


def results_published(
    board: MessageBoard, market_name: str, participants: Iterable[str], at: datetime
) -> None:
    """A market's results are published: one public notice, one to each awarded participant."""
    board.post(
        Category.RESULTS_PUBLISHED,
        f"{market_name} results published",
        f"The results of market {market_name} are published.",
        at,
        market_name=market_name,
    )
    for participant in sorted(set(participants)):
        board.post(
            Category.RESULTS_PUBLISHED,
            f"Your {market_name} results",
            f"Your awards in market {market_name} are available.",
            at,
            market_name=market_name,
            participant=participant,
        )


def migration_results_posted(board: MessageBoard, market_name: str, at: datetime) -> Message:
    """A load migration market's results are posted (public)."""
    return board.post(
        Category.RESULTS_PUBLISHED,
        f"{market_name} results posted",
        f"The load migration results of {market_name} are posted.",
        at,
        market_name=market_name,
    )


def load_submission_checked(
    board: MessageBoard,
    participant: str,
    submission_id: str,
    status: str,
    window_name: str,
    market_name: str | None,
    at: datetime,
) -> Message:
    """A load submission's outcome, to the participant who submitted it."""
    return board.post(
        Category.SUBMISSION_RESULT,
        f"Load submission {submission_id}: {status}",
        f"Your load submission to {window_name} was {status.lower()}.",
        at,
        market_name=market_name,
        participant=participant,
    )


def offer_received(board: MessageBoard, offer: SecondaryOffer, at: datetime) -> None:
    """A secondary market offer, to each of its targets at the price offered to it."""
    for target in offer.targets:
        board.post(
            Category.OFFER_RECEIVED,
            f"Secondary market offer {offer.request_id}",
            f"{offer.offerer} offers {offer.mw:g} MW of {offer.source} to {offer.sink} "
            f"{offer.time_of_use} at {target.price:g} $/MW.",
            at,
            participant=target.participant,
        )


def offer_responded(
    board: MessageBoard, offer: SecondaryOffer, target: OfferTarget, at: datetime
) -> Message:
    """A target accepted or rejected an offer, to the offerer."""
    return board.post(
        Category.OFFER_RESPONDED,
        f"Secondary market offer {offer.request_id}",
        f"{target.participant} {str(target.status).lower()} your offer {offer.request_id}.",
        at,
        participant=offer.offerer,
    )


def conversion_decided(board: MessageBoard, request: ConversionRequest, at: datetime) -> Message:
    """Records of a TOR conversion request were decided, to the requester."""
    return board.post(
        Category.SUBMISSION_RESULT,
        f"TOR conversion request {request.request_id}",
        f"Records of your request {request.request_id} were decided; the request is "
        f"{str(request.status).lower()}.",
        at,
        participant=request.participant,
    )
