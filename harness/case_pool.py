"""Independent cases run on several workers, recorded as if they had run one by one.

Against a target across a network every case pays its round trips; cases that
do not depend on each other may overlap. Two orders are kept whatever the
number of workers: the cases of one lane (one participant's writes) run one
after another in the order they were submitted, and what each case records
reaches the report in submission order, so a report lists its cases the same
way at any concurrency. A case records into its own buffer while it runs
(``CaseBuffer``); the caller's thread hands the buffers over in order as soon
as each case and every case before it are done.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field

__all__ = ["CURRENT_BUFFER", "CaseBuffer", "CasePool"]


@dataclass
class CaseBuffer:
    """What one case recorded while it ran: calls to replay on the session, in order."""

    entries: list[Callable[[], None]] = field(default_factory=list)

    def replay(self) -> None:
        for entry in self.entries:
            entry()


CURRENT_BUFFER: ContextVar[CaseBuffer | None] = ContextVar("case_buffer", default=None)
"""The buffer of the case running in this thread; None outside a pool's worker."""


@dataclass
class _Case:
    work: Callable[[], None]
    lane: str | None
    buffer: CaseBuffer = field(default_factory=CaseBuffer)
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class CasePool:
    """Collects cases with ``submit``; ``run`` executes them on ``workers`` threads.

    ``lane`` groups cases that must not overlap or reorder (a participant's
    writes); ``None`` lets a case run beside any other. A case that raises
    stops the pool: the cases before it are handed over, it and those after
    it are not, and its exception is raised, as a sequential run would have.
    """

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"workers must be 1 or more, not {workers}")
        self.workers = workers
        self._cases: list[_Case] = []
        self._stop = threading.Event()

    def submit(self, work: Callable[[], None], *, lane: str | None = None) -> None:
        self._cases.append(_Case(work, lane))

    def run(self, hand_over: Callable[[CaseBuffer], None]) -> None:
        """Run every submitted case; ``hand_over`` gets each case's buffer, in submission order."""
        cases, self._cases = self._cases, []
        if not cases:
            return
        chains: dict[str | None, list[_Case]] = {}
        jobs: list[list[_Case]] = []
        for case in cases:
            if case.lane is None:
                jobs.append([case])
            elif case.lane in chains:
                chains[case.lane].append(case)
            else:
                chains[case.lane] = [case]
                jobs.append(chains[case.lane])
        executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="crr-case")
        try:
            for job in jobs:
                executor.submit(self._run_chain, job)
            for case in cases:
                case.done.wait()
                hand_over(case.buffer)
                if case.error is not None:
                    raise case.error
        finally:
            self._stop.set()
            executor.shutdown(wait=True, cancel_futures=True)
            self._stop = threading.Event()

    def _run_chain(self, chain: list[_Case]) -> None:
        failed = False
        for case in chain:
            if failed or self._stop.is_set():
                case.done.set()  # a lane stops at its first error, as a sequential run would
                continue
            token = CURRENT_BUFFER.set(case.buffer)
            try:
                case.work()
            except BaseException as exc:  # handed to the caller's thread, in order
                case.error = exc
                failed = True
            finally:
                CURRENT_BUFFER.reset(token)
                case.done.set()
