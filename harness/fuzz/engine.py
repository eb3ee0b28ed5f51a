"""A whole fuzz run inside a certification session: setup, operations, chains, findings.

1. setup: the operator opens windows (sim control), the target is asked
   what it has (``target_state``);
2. every selected operation (sim control excepted: fuzzing it would reset
   or reload the market under the run), positive then negative examples
   (``stateless``);
3. the stateful chains (``stateful``);
4. one ``CheckResult`` per operation and check (``findings``), whose
   ``rerun`` replays the finding, or the operation's fuzzing with the seed.

The time budget, if any, is shared out between the units of steps 2 and 3.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from harness.fuzz.budget import Budget
from harness.fuzz.context import FuzzRun
from harness.fuzz.findings import Findings
from harness.fuzz.options import FuzzOptions
from harness.fuzz.schemas import FuzzOperation, load_operations
from harness.fuzz.stateful import (
    CHAINS,
    ChainStats,
    available_chains,
    chain_blocker,
    run_chains,
)
from harness.fuzz.stateless import MODES, fuzz_operation
from harness.fuzz.target_state import discover, open_windows
from harness.market_state import learn
from harness.results import CheckResult
from harness.session import Session
from harness.target.config import SIMCONTROL

__all__ = ["FuzzSummary", "case_name", "chain_case", "fuzz_session"]

DEFAULT_REPORTS = "reports"


def case_name(operation: str) -> str:
    """The report case of an operation's findings."""
    return f"{operation}: fuzz"


def chain_case(name: str) -> str:
    """The selection name of a stateful chain (``-k`` matches it)."""
    service = CHAINS[name][0]
    return f"stateful {name} chain ({service})"


@dataclass(slots=True)
class FuzzSummary:
    """What a run did, beyond its results: requests, chains reached, windows opened."""

    requests: int = 0
    operations: int = 0
    chains: ChainStats = field(default_factory=ChainStats)
    opened: list[str] = field(default_factory=list)
    results: list[CheckResult] = field(default_factory=list)


def _target_options(rerun_base: Sequence[str]) -> list[str]:
    """The target options of a rerun command line (what follows ``crr-harness <command>``)."""
    return list(rerun_base[2:]) if len(rerun_base) >= 2 else []


def _reports_root(options: Sequence[str]) -> str:
    for index, option in enumerate(options[:-1]):
        if option == "--reports":
            return options[index + 1]
    return DEFAULT_REPORTS


def fuzz_session(session: Session, options: FuzzOptions, *, suite: str) -> FuzzSummary:
    """Fuzz the session's target as ``options`` say; results are recorded in the session."""
    summary = FuzzSummary()
    operations = load_operations(session.specs)
    findings = Findings(session.checks, run_checks_enabled=options.run_checks)
    run = FuzzRun(session.client, findings, options, session.report.seed, operations)
    selected = [
        fop
        for fop in operations.values()
        if fop.operation.service != SIMCONTROL and session.wants(suite, case_name(fop.name))
    ]
    chains = [
        name
        for name in available_chains(run)
        if options.stateful and session.wants(suite, chain_case(name))
    ]
    fuzzed = {fop.name for fop in selected} | {
        f"{CHAINS[name][0]}.{operation_id}" for name in chains for operation_id in CHAINS[name][2]
    }
    out = session.out
    target = _target_options(session.rerun_base)
    report_file = str(Path(_reports_root(target)) / session.report.run_id / "report.json")

    def replay(name: str) -> str:
        return shlex.join(
            ["crr-harness", "fuzz", *target, "--replay", name, "--from-report", report_file]
        )

    def rerun(operation: str) -> str:
        return shlex.join(
            [
                "crr-harness",
                "fuzz",
                *target,
                "--seed",
                str(session.report.seed),
                "--max-examples",
                str(options.max_examples),
                "-k",
                f'"{case_name(operation)}"',
            ]
        )

    every = [op for spec in session.specs for op in spec.operations()]
    try:
        if selected or chains:
            summary.opened = open_windows(session.client, every, findings.judge)
            run.state = discover(session.client, every, findings.judge)
            run.state.opened = summary.opened
            if summary.opened:
                print(f"[fuzz] operator opened {', '.join(summary.opened)}", file=out, flush=True)
        budget = Budget(options.time_budget, len(selected) * len(MODES) + len(chains))
        for fop in selected:
            if not any(p.role in fop.operation.roles for p in session.config.participants):
                session.skip(
                    suite,
                    case_name(fop.name),
                    "FUZ-001",
                    f"no participant of the target config has a role in x-roles "
                    f"({', '.join(fop.operation.roles)})",
                    declared=False,
                    operation=fop.name,
                )
                continue
            _fuzz_operation(run, fop, budget, out)
            summary.operations += 1
        for name in chains:
            blocker = chain_blocker(
                run, name, lambda kind: learn(session.client, every, holdings=False).unmet(kind)
            )
            if blocker is not None:
                # a chain that cannot start is a case not run, said so, never a silent no-op
                session.skip(
                    suite,
                    chain_case(name),
                    "FUZ-001",
                    f"not run: {blocker}"
                    + ("" if session.config.sim_control else "; the target offers no sim control"),
                    declared=not session.config.sim_control,
                )
                print(f"[fuzz] {chain_case(name)}: SKIP {blocker}", file=out, flush=True)
                continue
            run_chains(run, name, budget.slice(), summary.chains)
            reached = ", ".join(
                f"{op.split('.', 1)[1]} {status} x{count}"
                for (op, status), count in sorted(
                    summary.chains.answers.items(), key=lambda item: (item[0][0], str(item[0][1]))
                )
                if op.startswith(CHAINS[name][0] + ".")
            )
            print(f"[fuzz] {chain_case(name)}: {reached or 'no answer'}", file=out, flush=True)
    finally:
        summary.requests = sum(findings.requests.values())
        summary.results = findings.results(
            suite=suite,
            case=case_name,
            seed=session.report.seed,
            replay=replay,
            rerun=rerun,
            config=session.config,
            wanted=lambda operation: operation in fuzzed,
        )
        for result in summary.results:
            session.record(result)
        failing = [r for r in summary.results if r.status.value in ("FAIL", "ERROR")]
        print(
            f"[fuzz] {summary.requests} requests, {summary.operations} operations, "
            f"{len(failing)} finding(s)"
            + "".join(f"\n[fuzz]   {r.status:<5} {r.id}@{r.operation}" for r in failing),
            file=out,
            flush=True,
        )
    return summary


def _fuzz_operation(run: FuzzRun, fop: FuzzOperation, budget: Budget, out: TextIO) -> None:
    before = run.findings.requests[fop.name]
    for mode in MODES:
        fuzz_operation(run, fop, mode, budget.slice())
    failing = [t.check.id for t in run.findings.failed() if t.operation == fop.name]
    sent = run.findings.requests[fop.name] - before
    line = f"[fuzz] {fop.name:<58} {sent:4d} requests"
    if failing:
        line += f"  FAIL {','.join(failing)}"
    print(line, file=out, flush=True)
