"""Fuzzing the embedded reference (or a broken variant of it) in-process, with small budgets."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.certify.run import certify
from harness.fuzz.options import FuzzOptions, using
from harness.fuzz.replay import ReplayOutcome, replay_finding
from harness.results import CheckResult, RunReport, Status
from harness.selection import Selection
from harness.target.embedded import embedded_target

SMALL = FuzzOptions(max_examples=8, stateful_examples=3)
"""The budget most tests fuzz with: enough to meet every defect of tests/fuzz/broken.py."""


def fuzz_embedded(
    workdir: Path,
    *,
    wrap: Callable[[Any], Any] | None = None,
    expression: str | None = None,
    options: FuzzOptions = SMALL,
    seed: int = 1,
    client_cert_header: bool = False,
    out: io.StringIO | None = None,
) -> RunReport:
    """The fuzzing suite against a fresh reference (``wrap``: a broken variant of it);
    its progress lines go to ``out``."""
    reports = workdir / "reports"
    with (
        embedded_target(
            workdir / "target", wrap=wrap, client_cert_header=client_cert_header
        ) as config,
        using(options),
    ):
        return certify(
            config,
            suites=["fuzzing"],
            reports_root=reports,
            selection=Selection(expression),
            seed=seed,
            command="fuzz",
            rerun_base=("crr-harness", "fuzz", "--reports", str(reports)),
            out=out if out is not None else io.StringIO(),
        )


def written_report(workdir: Path) -> dict[str, Any]:
    return json.loads((workdir / "reports" / "latest" / "report.json").read_text())


def replay_embedded(
    workdir: Path,
    report: dict[str, Any],
    finding: str,
    *,
    wrap: Callable[[Any], Any] | None = None,
) -> ReplayOutcome:
    """Replay ``finding`` of ``report`` against another fresh reference (or broken variant)."""
    with embedded_target(workdir, wrap=wrap) as config:
        return replay_finding(config, report, finding)


def failures(report: RunReport) -> list[CheckResult]:
    return [r for r in report.results if r.status in (Status.FAIL, Status.ERROR)]
