"""A ``CRRSystem`` whose every accepted command is journaled before it is acknowledged.

``DurableSystem`` is the only way the HTTP layer touches the engine. One
lock serializes everything that reaches the engine: a command runs, and if
it returned normally it is appended to the journal and committed to disk,
all before the lock is released and before the HTTP layer can send its
2xx. Two clients therefore never see each other's half-done command, IDs
come from one counter in one order, and the journal order is the order the
commands really ran in. Reads take the same lock because the engine
applies due window transitions even on a read (see ``CRRSystem._sync``).

Time. The market clock is a ``SettableClock``: virtual time that moves only
when the operator sets, advances or resets it, and those are journaled
commands like any other. Wall time never drives the market; it is only
written next to each journal row (``recorded_at``) for the record, and is
the default restart time of a reset that names none. Because of that, a
read can never trigger a window transition that the journal does not
explain, a restart resumes at exactly the market time the server stopped
at however long it was down, and replay gives the same IDs and state.

Start-up. The journal is replayed into a fresh system: for each row the
clock is set to the row's clock reading and the method is called with the
row's arguments (the engine's replay contract). An empty journal starts the
clock at the data set's start time and loads the data set as the first
journaled command, so a fresh database and a restarted one go through the
same code.

Failure. If the journal cannot be written, or a command fails with
something other than a ``DomainError`` (a defect, which may have left the
engine half-changed), the in-memory system is rebuilt from the journal, so
it again holds exactly what was acknowledged, and the error is re-raised.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from reference_impl.engine.clock import SettableClock, format_utc, parse_utc
from reference_impl.engine.errors import DomainError
from reference_impl.engine.limits import Limits
from reference_impl.engine.system import COMMANDS, CRRSystem
from reference_impl.spec_limits import shipped_limits
from reference_impl.store.journal import Journal, JournalEntry, StoreError, response_digest

__all__ = ["DurableSystem", "InitialData", "ReplayError"]

logger = logging.getLogger(__name__)


class ReplayError(StoreError):
    """The journal does not replay: the database was changed by hand or by another release."""


@dataclass(frozen=True, slots=True)
class InitialData:
    """What an empty database starts with: the market clock and, optionally, a data set."""

    clock_start: datetime
    dataset: Mapping[str, Any] | None = None


class SystemFactory(Protocol):
    """Builds the engine on a clock with the served specs' limits (``CRRSystem`` itself)."""

    def __call__(self, clock: SettableClock, *, limits: Limits) -> CRRSystem: ...


class DurableSystem:
    """The engine behind one lock, with every accepted command journaled before it returns."""

    def __init__(
        self,
        journal: Journal,
        initial: InitialData,
        *,
        limits: Limits | None = None,
        system_factory: SystemFactory = CRRSystem,
    ) -> None:
        self._journal = journal
        self._initial = initial
        self._limits = limits if limits is not None else shipped_limits()
        """The request limits of the specs served (None: the shipped specs')."""
        self._factory = system_factory
        self._lock = threading.Lock()
        self.replayed = 0
        """How many journaled commands start-up replayed."""
        self._clock, self._system = self._replay()
        if self.replayed == 0 and initial.dataset is not None:
            self.run(CRRSystem.load_dataset.__name__, data=dict(initial.dataset))

    @classmethod
    def open(
        cls,
        path: Path | str,
        initial: InitialData,
        *,
        limits: Limits | None = None,
        system_factory: SystemFactory = CRRSystem,
    ) -> DurableSystem:
        """Open (or create) the database at ``path`` and rebuild the system from it."""
        journal = Journal(path)
        try:
            return cls(journal, initial, limits=limits, system_factory=system_factory)
        except BaseException:
            journal.close()
            raise

    @property
    def path(self) -> Path:
        """The database file."""
        return self._journal.path

    def run(self, method: str, /, **kwargs: Any) -> Any:
        """Call a ``CRRSystem`` method; a command is journaled and on disk before this returns."""
        if method.startswith("_") or not callable(getattr(CRRSystem, method, None)):
            raise AttributeError(f"CRRSystem has no operation {method!r}")
        with self._lock:
            if method not in COMMANDS:
                return getattr(self._system, method)(**kwargs)
            clock_time = format_utc(self._clock.now())
            try:
                # The engine gets its own copy: what it does to its arguments must not
                # change what the journal records.
                result = getattr(self._system, method)(**copy.deepcopy(kwargs))
            except DomainError:
                raise
            except BaseException:
                logger.exception("command %s failed; rebuilding the state from the journal", method)
                self._clock, self._system = self._replay()
                raise
            try:
                self._journal.append(clock_time, method, kwargs, result)
            except BaseException:
                logger.exception("command %s not journaled; rebuilding from the journal", method)
                self._clock, self._system = self._replay()
                raise
            return result

    def snapshot(self) -> dict[str, Any]:
        """The engine's full state (see ``CRRSystem.snapshot``)."""
        with self._lock:
            return self._system.snapshot()

    def now(self) -> datetime:
        """The market clock."""
        with self._lock:
            return self._clock.now()

    def journal_length(self) -> int:
        """How many commands the journal holds."""
        with self._lock:
            return len(self._journal)

    def close(self) -> None:
        """Close the database; the object must not be used afterwards."""
        with self._lock:
            self._journal.close()

    def _replay(self) -> tuple[SettableClock, CRRSystem]:
        clock: SettableClock | None = None
        system: CRRSystem | None = None
        count = 0
        mismatches = 0
        for entry in self._journal.entries():
            if clock is None or system is None:
                clock = SettableClock(_time(entry))
                system = self._factory(clock, limits=self._limits)
            count += 1
            mismatches += _apply(clock, system, entry)
        if clock is None or system is None:
            clock = SettableClock(self._initial.clock_start)
            system = self._factory(clock, limits=self._limits)
        if mismatches:
            logger.warning(
                "%d of %d replayed commands answered differently than when first run",
                mismatches,
                count,
            )
        self.replayed = count
        return clock, system


def _time(entry: JournalEntry) -> datetime:
    try:
        return parse_utc(entry.clock_time, "clock_time")
    except DomainError as exc:
        raise ReplayError(f"journal entry {entry.seq}: {exc.message}") from None


def _apply(clock: SettableClock, system: CRRSystem, entry: JournalEntry) -> int:
    """Replay one entry; 1 when its response differs from the recorded one, else 0."""
    if entry.method not in COMMANDS:
        raise ReplayError(f"journal entry {entry.seq}: {entry.method!r} is not a command")
    try:
        clock.set(_time(entry))
        result = getattr(system, entry.method)(**entry.kwargs)
    except DomainError as exc:
        raise ReplayError(
            f"journal entry {entry.seq} ({entry.method}) no longer replays: {exc}"
        ) from None
    return 0 if response_digest(result) == entry.response_sha256 else 1
