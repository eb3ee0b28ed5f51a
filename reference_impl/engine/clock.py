"""Time as the engine sees it: an injected clock and UTC timestamps.

The engine never reads the wall clock. Every operation asks a :class:`Clock`
for the current time, so a market simulation can run on a virtual clock the
operator moves, and a journal of commands replays to the same state when the
same clock readings are fed back (see ``system.py``).

All times inside the engine are timezone-aware UTC ``datetime`` values. On
the wire they are ``YYYY-MM-DDTHH:MM:SSZ`` (no milliseconds), as the CRR
specs require.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from reference_impl.engine.errors import DomainError

__all__ = [
    "Clock",
    "FixedClock",
    "SettableClock",
    "format_utc",
    "parse_optional_utc",
    "parse_utc",
    "require_utc",
    "settable",
]


@runtime_checkable
class Clock(Protocol):
    """Tells the engine what time it is (UTC, timezone-aware)."""

    def now(self) -> datetime:
        """The current time."""
        ...


def require_utc(value: datetime, what: str = "time") -> datetime:
    """``value`` converted to UTC; a naive datetime is refused because its zone is unknown."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError(f"Expected a timezone-aware datetime for {what} but got {value!r}")
    return value.astimezone(UTC)


class SettableClock:
    """A virtual clock the market-sim operator sets or advances; it never moves by itself.

    Time may only move forward: window transitions that already happened are
    never undone, so moving back would leave statuses that contradict the clock.
    """

    def __init__(self, start: datetime) -> None:
        self._now = require_utc(start, "clock start")

    def now(self) -> datetime:
        """The time last set."""
        return self._now

    def set(self, when: datetime) -> None:
        """Move the clock to ``when``, which must not be earlier than now."""
        target = require_utc(when, "clock time")
        if target < self._now:
            raise DomainError(
                "SER0002",
                f"The clock cannot move back from {format_utc(self._now)} to {format_utc(target)}.",
                "time",
            )
        self._now = target

    def restart(self, when: datetime) -> None:
        """Put the clock at ``when``, earlier or later: only for a reset that forgets all state."""
        self._now = require_utc(when, "clock time")

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta`` (not negative)."""
        if delta < timedelta(0):
            raise DomainError("SER0002", "The clock can only be advanced forward.", "seconds")
        self._now = self._now + delta


def settable(clock: Clock) -> SettableClock:
    """``clock`` as one the operator may move; SER0002 when it is not (a fixed or wall clock)."""
    if not isinstance(clock, SettableClock):
        raise DomainError("SER0002", "This system's clock cannot be set.", "time")
    return clock


class FixedClock:
    """A clock stopped at one instant; for callers that evaluate one request at a given time."""

    def __init__(self, at: datetime) -> None:
        self._now = require_utc(at, "clock time")

    def now(self) -> datetime:
        """The fixed instant."""
        return self._now


def format_utc(value: datetime) -> str:
    """``2025-07-01T07:00:00Z``: UTC, whole seconds, as the CRR specs write date-times."""
    return require_utc(value).isoformat(timespec="seconds")[:19] + "Z"


def parse_utc(text: object, field: str | None = None) -> datetime:
    """Parse an ISO 8601 date-time with an offset (``Z`` or ``±hh:mm``) into UTC.

    A value without a zone is refused with SER0002: the specs say UTC, and
    guessing a zone would shift a window by hours.
    """
    if isinstance(text, datetime):
        if text.tzinfo is None:
            raise DomainError("SER0002", "A date-time must carry a UTC offset.", field)
        return text.astimezone(UTC)
    if not isinstance(text, str):
        raise DomainError("SER0002", f"Expected a date-time string but got {text!r}.", field)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise DomainError("SER0002", f"{text!r} is not an ISO 8601 date-time.", field) from None
    if parsed.tzinfo is None:
        raise DomainError("SER0002", f"{text!r} has no UTC offset.", field)
    return parsed.astimezone(UTC)


def parse_optional_utc(text: object | None, field: str | None = None) -> datetime | None:
    """:func:`parse_utc` for an optional value: a missing one (None) stays None."""
    return None if text is None else parse_utc(text, field)
