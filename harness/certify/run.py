"""Run suites against a target and write the reports, complete or not.

Reports are rewritten after every suite and once more at the end, also when
the run is interrupted (Ctrl-C, SIGTERM): an interrupted run's report says
so and its verdict is FAIL, but everything found until then is in it.
"""

from __future__ import annotations

import random
import secrets
import signal
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from crr_contract.error_catalog import ErrorCatalog
from harness import __version__
from harness.certify.selection import Selection
from harness.certify.session import Session
from harness.checks import CheckContext
from harness.client import TargetClient
from harness.reports import write_reports
from harness.results import RunReport, SpecFileUsed
from harness.suites import SUITES
from harness.target.config import TargetConfig

__all__ = ["certify", "new_run_id"]


def new_run_id(now: datetime | None = None) -> str:
    """Sortable and unique: UTC time to the second and a short random suffix."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{moment:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


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
) -> RunReport:
    """Run ``suites`` in order against ``config``'s target; returns the (written) report."""
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
    )
    stream = out if out is not None else sys.stderr
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
        )
        try:
            for name in suites:
                print(f"crr-harness {command.split()[0]}: suite {name}", file=stream, flush=True)
                SUITES[name].run(session)
                write_reports(report, reports_root, allure_evidence=allure_evidence)
        except KeyboardInterrupt:
            report.interrupted = True
            print(
                f"crr-harness {command.split()[0]}: interrupted; writing a partial report",
                file=stream,
            )
        finally:
            report.finished_at = _now()
            write_reports(report, reports_root, allure_evidence=allure_evidence)
    return report


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
