"""Certifying the embedded reference, a mutant of it, or any target config, in-process."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

from harness.certify.run import certify
from harness.results import CheckResult, RunReport, Status
from harness.selection import Selection
from harness.target.config import TargetConfig
from harness.target.embedded import embedded_target
from tests.mutants.catalog import Mutant


@contextlib.contextmanager
def mutant_target(workdir: Path, mutant: Mutant) -> Iterator[TargetConfig]:
    """The mutant running: its own target when it has one, else the reference with its wrap."""
    manager = (
        mutant.target(workdir / "target")
        if mutant.target is not None
        else embedded_target(workdir / "target", wrap=mutant.wrap)
    )
    with manager as config:
        yield config


def run_suites(
    config: TargetConfig, workdir: Path, suites: Sequence[str], expression: str | None = None
) -> RunReport:
    """``certify`` with ``suites`` (and ``-k expression``) against ``config``."""
    return certify(
        config,
        suites=suites,
        reports_root=workdir / "reports",
        selection=Selection(expression) if expression else None,
        seed=1,
        out=io.StringIO(),
    )


def failures(report: RunReport) -> list[CheckResult]:
    return [r for r in report.results if r.status in (Status.FAIL, Status.ERROR)]


def results(report: RunReport, check_id: str) -> list[CheckResult]:
    return [r for r in report.results if r.id == check_id]
