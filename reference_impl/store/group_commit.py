"""Group commit: one fsync acknowledges every journal row it covers, and none before it.

Each accepted command's journal row is handed over with :meth:`GroupCommit.submit`
(under the engine's lock, so rows arrive in the order the commands ran) and
gets a ticket: its position in that order. A committer thread writes every
row waiting at that moment in one SQLite transaction, whose commit is one
fsync (``synchronous=FULL``), then marks every ticket up to the last one
written as durable. Rows that arrive while a commit is on its way to the disk
wait for the next one, so under concurrent writes one fsync covers many
commands, and with a single writer each row still gets its own commit at
once: there is no timer and no delay.

A caller acknowledges its command only once :meth:`wait` (threads) or
:meth:`wait_async` (the event loop) returns for its ticket. A read waits the
same way for the last ticket submitted before it looked, so nothing it
answers with can be lost after it was shown.

When a commit fails, every row not yet durable fails with it (their waiters
get the ``StoreError``), as does every later submission, until the owner has
rebuilt its state from the journal and called :meth:`reset`: a command that
ran on state including a lost row must not be acknowledged either.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Sequence

from reference_impl.store.journal import Journal, JournalRow, StoreError

__all__ = ["GroupCommit"]

logger = logging.getLogger(__name__)


class GroupCommit:
    """The committer thread of one journal and the tickets waiting on it."""

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._changed = threading.Condition()
        self._pending: list[JournalRow] = []
        self._submitted = 0
        self._durable = 0
        self._failed: list[tuple[int, int, BaseException]] = []
        """Ranges of tickets ``(first, last, error)`` whose rows never reached the disk."""
        self._broken: BaseException | None = None
        self._async: list[tuple[int, asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._closing = False
        self.commits = 0
        """How many transactions (fsyncs) have been committed, for measuring the grouping."""
        self._thread = threading.Thread(
            target=self._commit_loop, name="journal-commit", daemon=True
        )
        self._thread.start()

    @property
    def last(self) -> int:
        """The ticket of the last row submitted (what a read has seen at most)."""
        with self._changed:
            return self._submitted

    @property
    def broken(self) -> bool:
        """Whether a commit failed and the owner has not rebuilt and called :meth:`reset` yet."""
        with self._changed:
            return self._broken is not None

    def submit(self, row: JournalRow) -> int:
        """Queue ``row`` for the next commit; its ticket. ``StoreError`` while broken."""
        with self._changed:
            if self._broken is not None:
                raise StoreError(f"the journal is not writable: {self._broken}")
            if self._closing:
                raise StoreError("the journal is closed")
            self._pending.append(row)
            self._submitted += 1
            self._changed.notify_all()
            return self._submitted

    def wait(self, ticket: int) -> None:
        """Return once ``ticket``'s row is on disk; raise its failure if it never will be."""
        with self._changed:
            while True:
                error = self._failure_of(ticket)
                if error is not None:
                    raise StoreError(f"the command was not recorded: {error}") from error
                if ticket <= self._durable:
                    return
                self._changed.wait()

    async def wait_async(self, ticket: int) -> None:
        """:meth:`wait` for the event loop: the loop keeps serving while the disk works."""
        with self._changed:
            error = self._failure_of(ticket)
            if error is None and ticket <= self._durable:
                return
            if error is None:
                loop = asyncio.get_running_loop()
                future: asyncio.Future[None] = loop.create_future()
                self._async.append((ticket, loop, future))
        if error is not None:
            raise StoreError(f"the command was not recorded: {error}") from error
        await future

    def flush(self) -> None:
        """Wait until every row submitted so far is on disk or has failed."""
        with self._changed:
            ticket = self._submitted
        with contextlib.suppress(StoreError):
            self.wait(ticket)

    def reset(self) -> None:
        """The owner rebuilt its state from the journal: accept submissions again."""
        with self._changed:
            self._broken = None
            # A ticket of its own for the rebuilt state, settled and not failed, for the
            # reads that come next (the last ticket before it failed).
            self._submitted += 1
            self._durable = self._submitted

    def close(self) -> None:
        """Commit what is pending, then stop the committer thread."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._thread.join()

    # ------------------------------------------------------------------ committer

    def _failure_of(self, ticket: int) -> BaseException | None:
        for first, last, error in self._failed:
            if first <= ticket <= last:
                return error
        return None

    def _commit_loop(self) -> None:
        while True:
            with self._changed:
                while not self._pending and not self._closing:
                    self._changed.wait()
                if not self._pending:
                    return
                batch, self._pending = self._pending, []
                first, last = self._durable + 1, self._submitted
            try:
                self._write(batch)
            except BaseException as exc:
                logger.exception("journal commit of %d row(s) failed", len(batch))
                with self._changed:
                    # Rows queued meanwhile ran on state that included the lost ones.
                    self._pending = []
                    last = self._submitted
                    self._failed.append((first, last, exc))
                    self._durable = last
                    self._broken = exc
                    self._settle()
                continue
            with self._changed:
                self._durable = last
                self.commits += 1
                self._settle()

    def _write(self, batch: Sequence[JournalRow]) -> None:
        self._journal.commit(batch)

    def _settle(self) -> None:
        """Wake every waiter whose ticket is now settled (the condition is held)."""
        self._changed.notify_all()
        waiting = []
        for ticket, loop, future in self._async:
            if ticket > self._durable:
                waiting.append((ticket, loop, future))
                continue
            error = self._failure_of(ticket)
            # A loop that has closed has nobody waiting any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_resolve, future, error)
        self._async = waiting


def _resolve(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        exc = StoreError(f"the command was not recorded: {error}")
        exc.__cause__ = error
        future.set_exception(exc)
