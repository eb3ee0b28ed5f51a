"""The submission-window lifecycle shared by markets and every other window.

A window is PREP until it opens, OPEN until it closes, then CLOSED, and
PUBLISHED once its results are out. Two things move it: the clock (the
scheduled open and close times pass) and the operator (open or close now,
publish results). Allocation markets, auctions, load windows, TOR conversion
windows and load migration markets all follow this one state machine, so the
rule "a submission outside an OPEN window is refused" is written once.

Clock-driven transitions happen at their scheduled times, whenever the engine
notices them: a transition's time is the scheduled time, not the moment it
was noticed. That keeps replay deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, TypeVar

from reference_impl.engine.clock import format_utc
from reference_impl.engine.errors import DomainError

__all__ = [
    "OPERATOR_OPEN_DEFAULT",
    "NamedWindow",
    "Transition",
    "Window",
    "WindowStatus",
    "latest_first",
]

OPERATOR_OPEN_DEFAULT = timedelta(days=1)
"""How long a window the operator reopens after its scheduled close stays open, unless told."""


class WindowStatus(StrEnum):
    """Where a window is in its lifecycle."""

    PREP = "PREP"
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    PUBLISHED = "PUBLISHED"


@dataclass(frozen=True, slots=True)
class Transition:
    """A window took ``status`` at ``at``."""

    status: WindowStatus
    at: datetime


@dataclass(slots=True)
class Window:
    """Open and close times (UTC) and the current status of one submission window."""

    open_time: datetime
    close_time: datetime
    status: WindowStatus = WindowStatus.PREP
    published_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.close_time <= self.open_time:
            raise DomainError(
                "SER0002",
                f"A window must close after it opens ({format_utc(self.open_time)} to "
                f"{format_utc(self.close_time)}).",
                "closeTime",
            )
        self.status = WindowStatus(self.status)

    @property
    def is_open(self) -> bool:
        """Whether submissions are accepted now (after :meth:`sync`)."""
        return self.status is WindowStatus.OPEN

    def sync(self, now: datetime) -> list[Transition]:
        """Apply the scheduled transitions whose time has come; return them in order."""
        done: list[Transition] = []
        if self.status is WindowStatus.PREP and self.open_time <= now:
            self.status = WindowStatus.OPEN
            done.append(Transition(WindowStatus.OPEN, self.open_time))
        if self.status is WindowStatus.OPEN and self.close_time <= now:
            self.status = WindowStatus.CLOSED
            done.append(Transition(WindowStatus.CLOSED, self.close_time))
        return done

    def pending_times(self) -> list[datetime]:
        """Scheduled transition times not yet applied (used to order transitions of many windows)."""
        if self.status is WindowStatus.PREP:
            return [self.open_time, self.close_time]
        if self.status is WindowStatus.OPEN:
            return [self.close_time]
        return []

    def open_now(self, now: datetime, close_time: datetime | None = None) -> Transition:
        """Operator action: open the window now (from PREP, or reopen a CLOSED one).

        The scheduled close stays if it is still ahead; otherwise ``close_time``
        or, failing that, now + :data:`OPERATOR_OPEN_DEFAULT`.
        """
        if self.status is WindowStatus.PUBLISHED:
            raise DomainError("SER0002", "The window's results are published; it cannot reopen.")
        if self.status is WindowStatus.OPEN:
            raise DomainError("SER0002", "The window is already open.")
        if close_time is not None and close_time <= now:
            raise DomainError("SER0002", "The close time must be after now.", "closeTime")
        self.open_time = now
        if close_time is not None:
            self.close_time = close_time
        elif self.close_time <= now:
            self.close_time = now + OPERATOR_OPEN_DEFAULT
        self.status = WindowStatus.OPEN
        return Transition(WindowStatus.OPEN, now)

    def close_now(self, now: datetime) -> Transition:
        """Operator action: close the window now."""
        if self.status in (WindowStatus.CLOSED, WindowStatus.PUBLISHED):
            raise DomainError("SER0002", "The window is already closed.")
        if self.open_time > now:
            self.open_time = now
        self.close_time = now
        self.status = WindowStatus.CLOSED
        return Transition(WindowStatus.CLOSED, now)

    def publish(self, now: datetime) -> Transition:
        """Operator action: results are out; only a CLOSED window can be published."""
        if self.status is not WindowStatus.CLOSED:
            raise DomainError(
                "SER0002", f"Only a CLOSED window can be published; this one is {self.status}."
            )
        self.status = WindowStatus.PUBLISHED
        self.published_at = now
        return Transition(WindowStatus.PUBLISHED, now)

    def shown(self) -> dict:
        """Status and times as the CAISO window schemas show them (PUBLISHED shows as CLOSED)."""
        return {
            "status": "CLOSED" if self.status is WindowStatus.PUBLISHED else str(self.status),
            "openTime": format_utc(self.open_time),
            "closeTime": format_utc(self.close_time),
        }

    def to_dict(self) -> dict:
        """The window as plain data."""
        return {
            "openTime": format_utc(self.open_time),
            "closeTime": format_utc(self.close_time),
            "status": str(self.status),
            "publishedAt": format_utc(self.published_at) if self.published_at else None,
        }


class NamedWindow(Protocol):
    """A window with a name of its own (a TOR conversion window, a load migration market)."""

    @property
    def name(self) -> str: ...

    @property
    def window(self) -> Window: ...


N = TypeVar("N", bound=NamedWindow)


def latest_first(named: Iterable[N], status: str | None, what: str) -> list[N]:
    """Those shown with ``status`` (all when None), latest open time first.

    ``status`` is PREP, OPEN or CLOSED (SER0002 naming ``what`` otherwise).
    """
    if status is not None and status not in ("PREP", "OPEN", "CLOSED"):
        raise DomainError("SER0002", f"Invalid {what} status {status!r}.", "status")
    chosen = [n for n in named if status is None or n.window.shown()["status"] == status]
    return sorted(chosen, key=lambda n: (n.window.open_time, n.name), reverse=True)
