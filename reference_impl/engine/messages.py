"""Public and private messages, raised by what happens in the markets.

The engine posts a message when something a participant must know happens:
a window opens or closes, results are published, a secondary-market offer is
received or answered, a load submission is checked. Public messages are for
everyone; a private message is for one participant only, and nobody else can
list or read it (reading someone else's private message is "not found",
SER0028, so its existence is not revealed).

A date range for listing may not start after it ends nor span more than 31
days (MSG0001).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from reference_impl.engine.clock import format_utc, parse_optional_utc
from reference_impl.engine.errors import DomainError
from reference_impl.engine.identifiers import IdCounters

__all__ = [
    "DEFAULT_MESSAGE_PERIOD",
    "MAX_RANGE",
    "Category",
    "Message",
    "MessageBoard",
    "Visibility",
    "check_date_range",
    "message_period",
]

MAX_RANGE = timedelta(days=31)

DEFAULT_MESSAGE_PERIOD = timedelta(days=7)
"""How far back a message list reaches when the request gives no startTime."""


def message_period(
    start_time: str | None, end_time: str | None, now: datetime
) -> tuple[datetime, datetime]:
    """The messages spec's period: without endTime it ends now, without startTime it
    starts DEFAULT_MESSAGE_PERIOD before endTime."""
    end = parse_optional_utc(end_time, "endTime") or now
    start = parse_optional_utc(start_time, "startTime")
    if start is None:
        # an endTime in the first week of year 1 has no date seven days before it
        earliest = datetime.min.replace(tzinfo=end.tzinfo)
        start = (
            end - DEFAULT_MESSAGE_PERIOD if end - earliest > DEFAULT_MESSAGE_PERIOD else earliest
        )
    return start, end


class Visibility(StrEnum):
    """Who may read a message."""

    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


class Category(StrEnum):
    """What a message is about."""

    WINDOW_OPENED = "WINDOW_OPENED"
    WINDOW_CLOSED = "WINDOW_CLOSED"
    RESULTS_PUBLISHED = "RESULTS_PUBLISHED"
    OFFER_RECEIVED = "OFFER_RECEIVED"
    OFFER_RESPONDED = "OFFER_RESPONDED"
    SUBMISSION_RESULT = "SUBMISSION_RESULT"
    GENERAL = "GENERAL"


@dataclass(frozen=True, slots=True)
class Message:
    """One message."""

    message_id: str
    visibility: Visibility
    category: Category
    subject: str
    body: str
    published_at: datetime
    market_name: str | None = None
    participant: str | None = None

    def to_dict(self) -> dict:
        """The ``Message`` schema."""
        record: dict = {
            "messageId": self.message_id,
            "visibility": str(self.visibility),
            "category": str(self.category),
            "subject": self.subject,
            "body": self.body,
            "publishedAt": format_utc(self.published_at),
        }
        if self.market_name is not None:
            record["marketName"] = self.market_name
        if self.participant is not None:
            record["participantName"] = self.participant
        return record


def check_date_range(start: datetime | None, end: datetime | None) -> None:
    """MSG0001 when the range starts after it ends or spans more than 31 days."""
    if start is not None and end is not None:
        if start > end:
            raise DomainError("MSG0001", "The start time is after the end time.", "startTime")
        if end - start > MAX_RANGE:
            raise DomainError("MSG0001", "The date range spans more than 31 days.", "endTime")


class MessageBoard:
    """Every message posted, in posting order."""

    def __init__(self, ids: IdCounters) -> None:
        self._ids = ids
        self._messages: list[Message] = []

    def post(
        self,
        category: Category,
        subject: str,
        body: str,
        at: datetime,
        *,
        market_name: str | None = None,
        participant: str | None = None,
    ) -> Message:
        """Post a public message, or a private one when ``participant`` is given."""
        message = Message(
            message_id=f"MSG{self._ids.next('message'):08d}",
            visibility=Visibility.PRIVATE if participant else Visibility.PUBLIC,
            category=category,
            subject=subject,
            body=body,
            published_at=at,
            market_name=market_name,
            participant=participant,
        )
        self._messages.append(message)
        return message

    def _select(
        self,
        keep: Callable[[Message], bool],
        start: datetime | None,
        end: datetime | None,
        market_name: str | None,
    ) -> list[Message]:
        check_date_range(start, end)
        found = [
            m
            for m in self._messages
            if keep(m)
            and (start is None or m.published_at >= start)
            and (end is None or m.published_at <= end)
            and (market_name is None or m.market_name == market_name)
        ]
        return found[::-1]  # newest first, as the messages spec lists them

    def public(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        market_name: str | None = None,
    ) -> list[Message]:
        """Public messages in the range, newest first."""
        return self._select(lambda m: m.visibility is Visibility.PUBLIC, start, end, market_name)

    def of_participant(
        self,
        participant: str,
        start: datetime | None = None,
        end: datetime | None = None,
        market_name: str | None = None,
        *,
        with_public: bool = False,
    ) -> list[Message]:
        """``participant``'s own private messages in the range (and the public ones), newest first."""
        return self._select(
            lambda m: (
                (with_public and m.visibility is Visibility.PUBLIC) or m.participant == participant
            ),
            start,
            end,
            market_name,
        )

    def get(self, message_id: object, participant: str | None = None) -> Message:
        """One message; a private one only for its participant (otherwise SER0028)."""
        for message in self._messages:
            if message.message_id == message_id and (
                message.visibility is Visibility.PUBLIC or message.participant == participant
            ):
                return message
        raise DomainError("SER0028", f"Message {message_id!r} was not found.", "messageId")

    def snapshot(self) -> list[dict]:
        """Every message as plain data, in posting order."""
        return [m.to_dict() for m in self._messages]
