"""Window transitions: what opening or closing a market, load, TOR or migration window does.

Windows open and close on the clock. Before every operation the facade
applies the transitions due at the clock's reading, in time order (an
opening before a closing at the same instant), so the state is the same
whichever operation first notices that time has passed; the operator can
also open or close a window now. Either way a transition posts its public
notice, and a closing closes the market's submitted portfolios (or the load
migration market's submissions).
"""

from __future__ import annotations

from datetime import datetime

from reference_impl.engine import notices
from reference_impl.engine.clock import parse_optional_utc
from reference_impl.engine.errors import DomainError
from reference_impl.engine.state import EngineState
from reference_impl.engine.windows import Transition, Window, WindowStatus

__all__ = ["apply_due", "apply_transition", "close_window", "find_window", "open_window"]

_LABELS = {"market": "Market", "load": "Load window", "tor": "TOR conversion window"}


def apply_due(state: EngineState, now: datetime) -> None:
    """Apply every window transition due at ``now``, in time order."""
    due: list[tuple[datetime, int, str, str, Transition]] = []
    for kind, name, window in state.windows():
        for transition in window.sync(now):
            order = 0 if transition.status is WindowStatus.OPEN else 1
            due.append((transition.at, order, kind, name, transition))
    due.sort(key=lambda item: item[:4])
    for _at, _order, kind, name, transition in due:
        apply_transition(state, kind, name, transition)


def apply_transition(state: EngineState, kind: str, name: str, transition: Transition) -> None:
    """Post the transition's notice; on a closing, close what was submitted in the window."""
    label = _LABELS.get(kind, "Load migration market")
    market_name = {"market": name, "migration": name, "tor": None}.get(kind)
    if kind == "load":
        market_name = state.load.window(name).market_name
    if transition.status is WindowStatus.OPEN:
        notices.window_opened(state.messages, label, name, transition.at, market_name)
    elif transition.status is WindowStatus.CLOSED:
        if kind == "market":
            state.auction.book.close_market(name, transition.at)
            state.nominations.book.close_market(name, transition.at)
        elif kind == "migration":
            state.migration.close(name)
        notices.window_closed(state.messages, label, name, transition.at, market_name)


def find_window(state: EngineState, name: str) -> tuple[str, Window]:
    """The kind and window of a market or window by name (SER0028 when none)."""
    if name in state.markets:
        return "market", state.markets.get(name).window
    for kind, window_name, window in state.windows():
        if window_name == name:
            return kind, window
    raise DomainError("SER0028", f"No market or window is called {name!r}.", "name")


def open_window(state: EngineState, name: str, close_time: str | None, now: datetime) -> dict:
    """The operator opens a window ``now``, whatever its calendar says; the window's view."""
    kind, window = find_window(state, name)
    transition = window.open_now(now, parse_optional_utc(close_time, "closeTime"))
    apply_transition(state, kind, name, transition)
    return {"name": name, **window.to_dict()}


def close_window(state: EngineState, name: str, now: datetime) -> dict:
    """The operator closes a window ``now``; its submitted portfolios become CLOSED."""
    kind, window = find_window(state, name)
    apply_transition(state, kind, name, window.close_now(now))
    return {"name": name, **window.to_dict()}
