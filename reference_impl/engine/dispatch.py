"""The facade's one dispatch point: every operation is marked a command or a query.

Windows open and close on the clock, so before an operation runs the engine
applies the window transitions due at the clock's reading (``_sync``). Doing
that in a wrapper, rather than at the top of every method, means no
operation can forget it and each runs it exactly once. Marking an operation
``@command`` also records it in :data:`JOURNALED`, the set of state-changing
methods a store journals and replays (``system.COMMANDS``), so the list
cannot drift from the methods.

Replay contract (for the storage layer)
---------------------------------------
Every method named in :data:`JOURNALED` changes state; all others only read.
A command's arguments are plain JSON values (str, int, float, bool, None,
lists and dicts of them), and its only other input is the clock reading when
it is called. A command that raises ``DomainError`` changes nothing but the
clock-driven window transitions that were due anyway (which depend only on
the time), so it need not be journaled.

To persist, journal each command that returned normally as
``(clock time, method name, keyword arguments)``. To restore, build a
``CRRSystem`` on a ``SettableClock`` with the same limits, and for each entry
in order set the clock to its time and call the method with its arguments;
then set the clock to the current time. The same commands at the same clock
times give the same state and the same IDs (every ID comes from a counter in
the state), so ``CRRSystem.snapshot()`` of the replayed system equals the
original's. ``snapshot()`` first applies the window transitions due at the
current clock reading, so two systems are compared at the same time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, Protocol, TypeVar

__all__ = ["JOURNALED", "Sync", "command", "query"]

F = TypeVar("F", bound=Callable[..., Any])

Sync = Literal["before", "after"] | None
"""When the due window transitions are applied: before the operation, after it, or not at all."""

JOURNALED: set[str] = set()
"""The names of the methods marked ``@command``."""


class _Synchronised(Protocol):
    _command_time: datetime

    def _sync(self) -> datetime: ...


def _dispatched(method: F, sync: Sync) -> F:
    """Wrap an operation so the due window transitions are applied once, around it.

    This is the one place ``_sync`` runs: before the operation (so it sees the
    windows as the clock says they are), or after it for the operations that
    move the clock or add windows (``set_clock``, ``advance_clock``,
    ``load_dataset``), or not at all (``reset`` starts from nothing). The
    reading it applied them at is left in ``_command_time`` for the operation.
    """
    if sync is None:
        return method

    @functools.wraps(method)
    def run(self: _Synchronised, *args: Any, **kwargs: Any) -> Any:
        if sync == "before":
            self._command_time = self._sync()
            return method(self, *args, **kwargs)
        result = method(self, *args, **kwargs)
        self._command_time = self._sync()
        return result

    return run  # type: ignore[return-value]


def command(*, sync: Sync = "before") -> Callable[[F], F]:
    """Mark a state-changing operation: it is listed in :data:`JOURNALED` and journaled."""

    def register(method: F) -> F:
        JOURNALED.add(method.__name__)
        return _dispatched(method, sync)

    return register


def query(method: F) -> F:
    """Mark a read-only operation: it applies due window transitions, then reads."""
    return _dispatched(method, "before")
