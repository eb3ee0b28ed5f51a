"""A ``CRRSystem`` whose every accepted command is journaled before it is acknowledged.

``DurableSystem`` is the only way the HTTP layer touches the engine. One
lock serializes everything that reaches the engine: a command runs, and if
it returned normally its journal row is queued for the disk, both before the
lock is released, so two clients never see each other's half-done command,
IDs come from one counter in one order, and the journal order is the order
the commands really ran in. Reads take the same lock because the engine
applies due window transitions even on a read (see ``CRRSystem._sync``).

Acknowledgement. The row reaches the disk through ``group_commit``: one
fsync covers every row queued while the previous one was on its way, and
nothing is acknowledged before the fsync that covers it. :meth:`run` returns
only then; :meth:`apply` returns at once with an :class:`Applied` whose
``wait`` (or ``settled``, on the event loop) is that moment, so the HTTP
layer can serve other requests while the disk works. A read is answered
only once every row it may have seen is on disk, and so is a refusal.

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
it again holds exactly what was acknowledged, and the error is re-raised
(to every command whose row was lost with it).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from reference_impl.engine.clock import SettableClock, format_utc, parse_utc
from reference_impl.engine.errors import DomainError
from reference_impl.engine.limits import Limits
from reference_impl.engine.system import COMMANDS, CRRSystem
from reference_impl.spec_limits import shipped_limits
from reference_impl.store.group_commit import GroupCommit
from reference_impl.store.journal import (
    Journal,
    JournalEntry,
    StoreError,
    canonical_json,
    response_digest,
)

__all__ = ["Applied", "DurableSystem", "InitialData", "ReplayError"]

T = TypeVar("T")

logger = logging.getLogger(__name__)


class ReplayError(StoreError):
    """The journal does not replay: the database was changed by hand or by another release."""


@dataclass(frozen=True, slots=True)
class InitialData:
    """What an empty database starts with: the market clock and, optionally, a data set."""

    clock_start: datetime
    dataset: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Applied(Generic[T]):
    """What an engine call gave, to be acknowledged once ``ticket``'s commit is on disk."""

    result: T | None
    error: DomainError | None
    ticket: int
    commits: GroupCommit

    def value(self) -> T:
        """The result, or the ``DomainError`` the engine refused with (not yet acknowledged)."""
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]

    def wait(self) -> T:
        """The value, once everything it may reflect is on disk (``StoreError`` if lost)."""
        self.commits.wait(self.ticket)
        return self.value()

    async def settled(self) -> None:
        """Return once everything the value may reflect is on disk (``StoreError`` if lost)."""
        await self.commits.wait_async(self.ticket)


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
        self._commits = GroupCommit(journal)
        try:
            if self.replayed == 0 and initial.dataset is not None:
                self.run(CRRSystem.load_dataset.__name__, data=dict(initial.dataset))
        except BaseException:
            self._commits.close()
            raise

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
        return self.apply(method, **kwargs).wait()

    def apply(self, method: str, /, **kwargs: Any) -> Applied[Any]:
        """Call a ``CRRSystem`` method now; acknowledge it only once the result is settled."""
        if method.startswith("_") or not callable(getattr(CRRSystem, method, None)):
            raise AttributeError(f"CRRSystem has no operation {method!r}")
        with self._lock:
            return self._apply_locked(method, kwargs)

    def try_apply(self, method: str, /, **kwargs: Any) -> Applied[Any] | None:
        """:meth:`apply` if the engine is free this instant, else None (never waits for it)."""
        if method.startswith("_") or not callable(getattr(CRRSystem, method, None)):
            raise AttributeError(f"CRRSystem has no operation {method!r}")
        if not self._lock.acquire(blocking=False):
            return None
        try:
            return self._apply_locked(method, kwargs)
        finally:
            self._lock.release()

    def observe(self, read: Callable[[CRRSystem, SettableClock], T]) -> Applied[T]:
        """``read(system, clock)`` under the engine lock, settled like any read."""
        with self._lock:
            self._recover_if_broken()
            return Applied(read(self._system, self._clock), None, self._commits.last, self._commits)

    def _apply_locked(self, method: str, kwargs: dict[str, Any]) -> Applied[Any]:
        self._recover_if_broken()
        if method not in COMMANDS:
            try:
                result = getattr(self._system, method)(**kwargs)
            except DomainError as error:
                return Applied(None, error, self._commits.last, self._commits)
            return Applied(result, None, self._commits.last, self._commits)
        clock_time = format_utc(self._clock.now())
        # What the journal records, written before the command runs; the engine gets its
        # own copy read back from it, exactly the arguments a replay will give it.
        recorded = canonical_json(kwargs)
        try:
            result = getattr(self._system, method)(**json.loads(recorded))
        except DomainError as error:
            return Applied(None, error, self._commits.last, self._commits)
        except BaseException:
            logger.exception("command %s failed; rebuilding the state from the journal", method)
            self._rebuild()
            raise
        try:
            ticket = self._commits.submit(
                self._journal.record(clock_time, method, recorded, result)
            )
        except BaseException:
            logger.exception("command %s not journaled; rebuilding from the journal", method)
            self._rebuild()
            raise
        return Applied(result, None, ticket, self._commits)

    def _recover_if_broken(self) -> None:
        """A commit failed since the last call: rebuild from the journal before going on."""
        if self._commits.broken:
            self._rebuild()

    def _rebuild(self) -> None:
        """The state again exactly what the journal holds (the engine lock is held)."""
        self._commits.flush()
        self._clock, self._system = self._replay()
        self._commits.reset()

    def snapshot(self) -> dict[str, Any]:
        """The engine's full state (see ``CRRSystem.snapshot``)."""
        return self.observe(lambda system, _clock: system.snapshot()).wait()

    def now(self) -> datetime:
        """The market clock."""
        return self.observe(lambda _system, clock: clock.now()).wait()

    def journal_length(self) -> int:
        """How many commands the journal holds."""
        self._commits.flush()
        return len(self._journal)

    @property
    def commits(self) -> int:
        """How many journal commits (fsyncs) acknowledged the commands so far."""
        return self._commits.commits

    def close(self) -> None:
        """Commit what is pending and close the database; the object must not be used afterwards."""
        with self._lock:
            self._commits.close()
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
