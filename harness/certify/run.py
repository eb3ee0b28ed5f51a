"""Run suites against a target and write the reports, complete or not.

Reports are rewritten after every suite and once more at the end, also when
the run is interrupted (Ctrl-C, SIGTERM): an interrupted run's report says
so and its verdict is FAIL, but everything found until then is in it.
"""

from __future__ import annotations

import dataclasses
import random
import signal
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from crr_contract.error_catalog import ErrorCatalog
from harness import __version__
from harness.certify.reachability import ensure_reachable
from harness.certify.repeat import rerun_failures
from harness.checks import CheckContext
from harness.client import TargetClient
from harness.coverage import RunScope, ScenarioRequirement, compute_coverage
from harness.errors import InputError
from harness.reports import write_reports
from harness.results import RunReport, SpecFileUsed, new_run_id
from harness.selection import Selection
from harness.session import Session
from harness.suites import SUITES
from harness.target.config import TargetConfig
from harness.waivers import waive_report

__all__ = ["certify"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _day(timestamp: str) -> date:
    """The UTC day of a run's start: the day waivers' expiry dates are judged against."""
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(UTC).date()


def certify(
    config: TargetConfig,
    *,
    suites: Sequence[str],
    reports_root: Path,
    selection: Selection | None = None,
    seed: int | None = None,
    command: str = "certify",
    rerun_base: Sequence[str] = ("crr-harness", "certify"),
    run_id: str | None = None,
    out: TextIO | None = None,
    options: Mapping[str, Any] | None = None,
    allure_evidence: str = "failures",
    repeat: int = 0,
    min_coverage: float | None = None,
    concurrency: int | None = None,
) -> RunReport:
    """Run ``suites`` in order against ``config``'s target; returns the (written) report.

    Raises ``TargetUnreachable`` (exit 2) before anything runs when nobody can
    reach the target. A suite that raises is recorded as a RUN-001 ERROR and
    the next suite runs. With ``repeat``, every failing case then reruns that
    many times (``harness.certify.repeat``); the target's waivers apply last.
    Every write of the reports recomputes the coverage section; with
    ``min_coverage``, a run that provoked a smaller share of (operation, error
    code) pairs has verdict FAIL. ``concurrency`` is how many independent cases
    run at once: by default what the target declares it accepts, and never more
    (``InputError`` otherwise, before anything runs).
    """
    workers = _workers(config, concurrency)
    specs = config.load_specs()
    catalog = ErrorCatalog.load(config.specs_dir / "errors" / "catalog.yaml")
    seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
    report = RunReport(
        run_id=run_id or new_run_id(),
        command=command,
        harness_version=__version__,
        target=config.summary(),
        specs=[
            SpecFileUsed(
                spec.file,
                spec.service,
                spec.version,
                spec.sha256,
                rule_sources=spec.rule_sources(),
                overlays=spec.overlays,
            )
            for spec in specs
        ],
        started_at=_now(),
        seed=seed,
        suites=list(suites),
        min_coverage=min_coverage,
    )
    coverage_inputs = _coverage_inputs(suites, selection, options)

    def write(report: RunReport) -> None:
        report.coverage = compute_coverage(report, specs, **coverage_inputs).to_dict()
        write_reports(report, reports_root, allure_evidence=allure_evidence)

    stream = out if out is not None else sys.stderr
    ensure_reachable(config)
    with TargetClient(config) as client, _interrupt_on_sigterm():
        session = Session(
            config=config,
            client=client,
            checks=CheckContext(config, catalog, config.specs_dir / "schemas"),
            specs=specs,
            report=report,
            selection=selection or Selection(),
            rerun_base=list(rerun_base),
            out=stream,
            options=dict(options or {}),
            concurrency=workers,
        )
        _preflight(session, suites, stream)
        try:
            for position, name in enumerate(suites, start=1):
                print(f"crr-harness {command.split()[0]}: suite {name}", file=stream, flush=True)
                try:
                    SUITES[name].run(session)
                except Exception as exc:
                    session.record_crash(name, exc)
                if position < len(suites):
                    write(report)  # the last suite's results are written by the final write

            def run_suite(name: str, into: RunReport, chosen: Selection) -> None:
                rerun = dataclasses.replace(session, report=into, selection=chosen)
                try:
                    SUITES[name].run(rerun)
                except Exception as exc:
                    rerun.record_crash(name, exc)

            rerun_failures(report, run_suite, repeat, stream)
        except KeyboardInterrupt:
            report.interrupted = True
            print(
                f"crr-harness {command.split()[0]}: interrupted; writing a partial report",
                file=stream,
            )
        finally:
            report.finished_at = _now()
            waive_report(report, config.waivers, _day(report.started_at))
            write(report)
    return report


def _workers(config: TargetConfig, concurrency: int | None) -> int:
    """The cases at once for this run: the target's declared limit unless asked for fewer."""
    if concurrency is None:
        return config.max_concurrency
    if concurrency < 1:
        raise InputError(f"--concurrency {concurrency}: a whole number of cases at once, 1 or more")
    if concurrency > config.max_concurrency:
        raise InputError(
            f"--concurrency {concurrency}: the target declares it accepts at most "
            f"{config.max_concurrency} at once (max_concurrency in its target.yaml)"
        )
    return concurrency


def _coverage_inputs(
    suites: Sequence[str], selection: Selection | None, options: Mapping[str, Any] | None
) -> dict[str, Any]:
    """What coverage is judged against besides the report: every check ID a certify suite
    produces (not connect's or client-report's), every scenario requirement ID of the
    scenarios played, what the run left out on purpose, and the error codes the oracle's
    data says cannot be provoked (or are not played yet), with the reason."""
    from harness.checks.registry import REGISTRY
    from harness.scenarios.model import load_scenario
    from harness.scenarios.runner import scenario_files
    from harness.suites.scenarios import DEFAULT_SCENARIOS
    from harness.suites.security.oracle import coverage_reasons

    root = Path((options or {}).get("scenarios_dir") or DEFAULT_SCENARIOS)
    requirements: list[ScenarioRequirement] = []
    for path in scenario_files(root) if root.exists() else []:
        scenario = load_scenario(path)
        if scenario.requirement:
            requirements.append(ScenarioRequirement(scenario.requirement, scenario.id))
        requirements += [
            ScenarioRequirement(step.requirement, scenario.id, step.index)
            for step in scenario.steps
            if step.requirement
        ]
    narrowed = None
    if selection is not None and selection.expression:
        narrowed = f"-k {selection.expression!r}"
    elif selection is not None and selection.cases is not None:
        narrowed = "--rerun-failed"
    return {
        "check_ids": [cid for cid, entry in REGISTRY.items() if set(entry.suites) & set(SUITES)],
        "scenario_requirements": requirements,
        "scope": RunScope(narrowed, tuple(name for name in SUITES if name not in suites)),
        "code_reasons": coverage_reasons(),
    }


def _preflight(session: Session, suites: Sequence[str], stream: TextIO) -> None:
    """The test-data contract, judged before anything runs: printed, and kept in the report."""
    from harness.certify.preflight import evaluate, print_table
    from harness.market_state import learn

    state = learn(session.client, session.operations())
    rows = evaluate(session.config, state, suites)
    session.report.preflight = [row.to_dict() for row in rows]
    print_table(rows, state, stream)


class _interrupt_on_sigterm:
    """SIGTERM (a CI job cancelled) interrupts like Ctrl-C, so the partial report is written."""

    def __enter__(self) -> None:
        self._previous = None
        try:
            self._previous = signal.signal(signal.SIGTERM, self._raise)
        except ValueError:  # not the main thread: leave signals alone
            self._previous = None

    @staticmethod
    def _raise(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    def __exit__(self, *_exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)
