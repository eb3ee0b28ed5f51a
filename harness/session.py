"""A certification session: what every suite needs, and the one way results are recorded.

Suites produce cases (a name and the exchanges made for it); ``Session.judge``
runs the registered checks on those exchanges and records one
``CheckResult`` per check, with the failing exchange as evidence and a
command that reruns just that case. Progress goes to stderr as it happens.
"""

from __future__ import annotations

import contextlib
import shlex
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from crr_contract.operations import Operation, ServiceSpec
from harness.case_pool import CURRENT_BUFFER, CasePool
from harness.checks import REGISTRY, CheckContext, run_checks
from harness.client import Exchange, TargetClient
from harness.results import CheckResult, RunReport, Status
from harness.selection import Selection
from harness.target.config import TargetConfig

__all__ = ["Session"]


@dataclass
class Session:
    config: TargetConfig
    client: TargetClient
    checks: CheckContext
    specs: Sequence[ServiceSpec]
    report: RunReport
    selection: Selection
    rerun_base: Sequence[str]
    """The command line that reruns a case, without ``--suite`` and ``-k``."""
    out: TextIO = field(default_factory=lambda: sys.stderr)
    on_result: Callable[[CheckResult], None] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    """Suite options from the command line (scenarios directory, wait timeout, budgets)."""
    concurrency: int = 1
    """How many independent cases may run at once (``certify --concurrency``)."""
    _cases: int = 0

    def operations(self) -> list[Operation]:
        return [op for spec in self.specs for op in spec.operations()]

    def wants(self, suite: str, case: str) -> bool:
        return self.selection.wants(suite, case)

    def rerun(self, suite: str, case: str) -> str:
        return " ".join(
            [*map(shlex.quote, self.rerun_base), "--suite", suite, "-k", Selection.exact(case)]
        )

    @contextlib.contextmanager
    def independent_cases(self) -> Iterator[Callable[..., None]]:
        """Yield ``submit(work, lane=None)`` for cases that do not depend on each other.

        With ``concurrency`` 1, or inside a case already running on a worker, each
        case runs when submitted. Otherwise the cases run on that many workers when
        the block ends: a ``lane`` (a participant's id, for its writes) keeps its
        cases in submission order and never overlapping, and results reach the
        report in submission order either way (``harness.case_pool``).
        """
        if self.concurrency <= 1 or CURRENT_BUFFER.get() is not None:

            def run_now(work: Callable[[], None], *, lane: str | None = None) -> None:
                work()

            yield run_now
            return
        pool = CasePool(self.concurrency)
        yield pool.submit
        pool.run(lambda buffer: buffer.replay())

    def record(self, result: CheckResult) -> None:
        buffer = CURRENT_BUFFER.get()
        if buffer is not None:  # a case on a worker: handed over in order later
            buffer.entries.append(lambda: self.record(result))
            return
        self.report.results.append(result)
        if self.on_result is not None:
            self.on_result(result)

    def judge(
        self,
        suite: str,
        case: str,
        exchanges: Iterable[Exchange],
        *,
        only: Iterable[str] | None = None,
        record: bool = True,
    ) -> list[CheckResult]:
        """Run the checks on each exchange of ``case``; one result per check that applied.

        ``record=False`` returns the results for the caller to record with its own
        (``record_case``), so a case shows one progress line.
        """
        exchanges = list(exchanges)
        first: dict[str, CheckResult] = {}
        for exchange in exchanges:
            for outcome in run_checks(exchange, self.checks, only):
                check_id = outcome.check.id
                earlier = first.get(check_id)
                if earlier is not None and earlier.status is not Status.PASS:
                    continue  # the first failure of a check in a case is its evidence
                if earlier is not None and outcome.status is Status.PASS:
                    continue
                first[check_id] = CheckResult(
                    id=check_id,
                    suite=suite,
                    case=case,
                    requirement=outcome.check.requirement,
                    status=outcome.status,
                    message=outcome.message,
                    operation=exchange.operation.name if exchange.operation else None,
                    clause=outcome.clause,
                    evidence=(exchange.record,),
                    rerun=self.rerun(suite, case),
                )
        results = [first[k] for k in sorted(first)]
        if record:
            self.record_case(suite, case, results)
        return results

    def record_case(self, suite: str, case: str, results: Sequence[CheckResult]) -> None:
        """Record results a suite judged itself, and show the case's progress line."""
        buffer = CURRENT_BUFFER.get()
        if buffer is not None:  # a case on a worker: handed over in order later
            kept = tuple(results)
            buffer.entries.append(lambda: self.record_case(suite, case, kept))
            return
        for result in results:
            self.record(result)
        self._progress(suite, case, results)

    def skip(
        self,
        suite: str,
        case: str,
        check_id: str,
        reason: str,
        *,
        declared: bool,
        operation: str | None = None,
    ) -> CheckResult:
        """Record that ``check_id`` was not run for ``case``, and why."""
        entry = REGISTRY[check_id]
        result = CheckResult(
            id=check_id,
            suite=suite,
            case=case,
            requirement=entry.requirement,
            status=Status.SKIP,
            message=reason,
            operation=operation,
            declared_skip=declared,
            rerun=self.rerun(suite, case),
        )
        self.record_case(suite, case, [result])
        return result

    def record_crash(self, suite: str, exc: Exception) -> CheckResult:
        """A suite that raised: one ERROR with the traceback, so the run can go on."""
        entry = REGISTRY["RUN-001"]
        trace = "".join(traceback.format_exception(exc)).rstrip()
        result = CheckResult(
            id=entry.id,
            suite=suite,
            case=f"{suite}: suite ran to its end",
            requirement=entry.requirement,
            status=Status.ERROR,
            message=f"the {suite} suite stopped: {type(exc).__name__}: {exc}\n{trace}",
            rerun=" ".join([*map(shlex.quote, self.rerun_base), "--suite", suite]),
        )
        self.record_case(suite, result.case, [result])
        return result

    def _progress(self, suite: str, case: str, results: Sequence[CheckResult]) -> None:
        self._cases += 1
        statuses = {r.status for r in results}
        worst = next(
            (s for s in (Status.ERROR, Status.FAIL, Status.SKIP, Status.PASS) if s in statuses),
            Status.PASS,
        )
        failing = ",".join(r.id for r in results if r.status in (Status.FAIL, Status.ERROR))
        line = f"[{self._cases:4d}] {suite:<13} {worst:<5} {case}"
        if failing:
            line += f"  ({failing})"
        print(line, file=self.out, flush=True)
