"""Running ``certify`` in-process against the embedded reference or one of its mutants."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness.certify.run import certify
from harness.results import CheckResult, RunReport, Status
from harness.selection import Selection
from harness.target.embedded import embedded_target
from harness.waivers import load_waivers


def certify_embedded(
    workdir: Path,
    *,
    suites: Sequence[str] = ("connectivity",),
    wrap: Callable[[Any], Any] | None = None,
    selection: Selection | None = None,
    client_cert_header: bool = False,
    options: dict[str, Any] | None = None,
    waivers: Path | None = None,
    repeat: int = 0,
    sim_control: bool = True,
    specs_dir: Path | None = None,
    overlays: Sequence[Path] = (),
) -> RunReport:
    """Certify a fresh reference implementation (``wrap``: a broken variant of it;
    ``sim_control=False``: declared as a target nobody drives, without the operator API).

    ``waivers``: a waivers.yaml the target declares, as target.yaml's ``waivers:`` would;
    ``specs_dir`` and ``overlays``: judged by that catalog instead of the shipped one.
    """
    with embedded_target(
        workdir / "target",
        wrap=wrap,
        client_cert_header=client_cert_header,
        sim_control=sim_control,
    ) as config:
        if waivers is not None:
            config = dataclasses.replace(
                config, waivers_file=waivers, waivers=load_waivers(waivers)
            )
        if specs_dir is not None:
            config = dataclasses.replace(config, specs_dir=specs_dir)
        if overlays:
            config = dataclasses.replace(config, overlays=tuple(overlays))
        return certify(
            config,
            suites=suites,
            reports_root=workdir / "reports",
            selection=selection,
            seed=1,
            out=io.StringIO(),
            options=options,
            repeat=repeat,
        )


def failures(report: RunReport) -> list[CheckResult]:
    return [r for r in report.results if r.status in (Status.FAIL, Status.ERROR)]
