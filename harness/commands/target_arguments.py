"""The target options ``certify`` and ``fuzz`` share, and how a run of either ends.

Both commands name a target the same three ways (``--config``, ``--target
URL`` with a dev PKI, or nothing: the embedded reference implementation),
write reports the same way and map a verdict to the same exit codes, so
those live here once.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness.commands.overlay import add_overlay_option
from harness.errors import InputError
from harness.reports.allure import EVIDENCE
from harness.results import RunReport
from harness.target.config import TargetConfig
from harness.waivers import waiver_notes

__all__ = [
    "DEFAULT_PKI_DIR",
    "DEFAULT_REPORTS",
    "add_pki_dir_argument",
    "add_target_arguments",
    "finish",
    "rerun_base",
    "run_arguments",
    "target_for",
]

DEFAULT_REPORTS = Path("reports")
DEFAULT_PKI_DIR = Path(".crr-pki")
"""Where ``serve`` generates the dev PKI and where ``--target`` finds it."""


def add_pki_dir_argument(parser: argparse.ArgumentParser, meaning: str) -> None:
    """--pki-dir: the dev PKI that ``serve`` writes and a ``--target`` run trusts."""
    parser.add_argument(
        "--pki-dir",
        type=Path,
        default=DEFAULT_PKI_DIR,
        help=f"{meaning} (default: ./{DEFAULT_PKI_DIR})",
    )


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """--config | --target URL, --pki-dir, --client-cert-header, --reports."""
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--config", type=Path, metavar="TARGET_YAML", help="the target declaration")
    target.add_argument(
        "--target",
        metavar="URL",
        help="a server using the dev PKI of --pki-dir (crr-harness serve)",
    )
    add_pki_dir_argument(parser, "dev PKI for --target")
    parser.add_argument(
        "--client-cert-header",
        action="store_true",
        help="send the participant certificate in X-Client-Cert (URL-encoded PEM) over plain "
        "HTTP, for a target behind a TLS-terminating proxy on a trusted network",
    )
    parser.add_argument(
        "--specs-dir",
        type=Path,
        metavar="DIR",
        help="judge the target by this spec catalog (default: the target's specs_dir, else the "
        "catalog shipped with crr-harness; `crr-harness specs export DIR` makes a copy)",
    )
    add_overlay_option(
        parser,
        "the declared spec files after the target's own overlays; specs/overlays/ adds our annotations to CAISO's files",
    )
    parser.add_argument("--reports", type=Path, default=DEFAULT_REPORTS, help="reports directory")
    parser.add_argument(
        "--allure-evidence",
        choices=EVIDENCE,
        default="failures",
        help="which checks' exchanges allure-results attaches: those of failures (default) or "
        "all; report.json keeps every exchange either way",
    )


@contextlib.contextmanager
def target_for(args: argparse.Namespace, run_dir: Path) -> Iterator[TargetConfig]:
    """The target the arguments name; with none, the embedded reference under ``run_dir``."""
    from harness.target.config import load_target
    from harness.target.dev_pki import target_from_dev_pki
    from harness.target.embedded import embedded_target

    if args.config is not None:
        config = load_target(args.config)
        if args.client_cert_header:
            config = dataclasses.replace(config, client_cert_header=True)
        yield _with_overlays(_with_specs_dir(config, args.specs_dir), _overlay_args(args))
    elif args.target is not None:
        yield _with_overlays(
            _with_specs_dir(
                target_from_dev_pki(
                    args.target, args.pki_dir, client_cert_header=args.client_cert_header
                ),
                args.specs_dir,
            ),
            _overlay_args(args),
        )
    else:
        with embedded_target(
            run_dir / "target", client_cert_header=args.client_cert_header
        ) as config:
            yield _with_overlays(_with_specs_dir(config, args.specs_dir), _overlay_args(args))


def _with_specs_dir(config: TargetConfig, specs_dir: Path | None) -> TargetConfig:
    """``config`` judged by the user's own catalog, when ``--specs-dir`` names one."""
    if specs_dir is None:
        return config
    if not (specs_dir / "openapi").is_dir():
        raise InputError(f"--specs-dir {specs_dir}: not a spec catalog (no openapi/ folder)")
    return dataclasses.replace(config, specs_dir=specs_dir.resolve())


def _overlay_args(args: argparse.Namespace) -> list[Path]:
    return list(getattr(args, "overlay", None) or ())


def _with_overlays(config: TargetConfig, overlays: list[Path]) -> TargetConfig:
    """``config`` with the ``--overlay`` files after its own, each checked now."""
    if not overlays:
        return config
    from crr_contract.operations import load_overlays

    load_overlays(overlays)
    return dataclasses.replace(
        config, overlays=(*config.overlays, *(p.resolve() for p in overlays))
    )


def rerun_base(args: argparse.Namespace, command: str) -> list[str]:
    """``crr-harness <command>`` with the target options of this run, for rerun commands."""
    base = ["crr-harness", command]
    if args.config is not None:
        base += ["--config", str(args.config)]
    elif args.target is not None:
        base += ["--target", args.target, "--pki-dir", str(args.pki_dir)]
    if args.client_cert_header:
        base.append("--client-cert-header")
    if args.specs_dir is not None:
        base += ["--specs-dir", str(args.specs_dir)]
    for overlay in getattr(args, "overlay", None) or ():
        base += ["--overlay", str(overlay)]
    if args.reports != DEFAULT_REPORTS:
        base += ["--reports", str(args.reports)]
    return base


def run_arguments(args: argparse.Namespace, command: str, run_id: str) -> dict[str, Any]:
    """The ``certify()`` arguments every command that runs suites takes from its options.

    Where reports go, the seed, the command line to show, the base of each rerun
    command and how Allure evidence is attached: the same for ``certify`` and ``fuzz``.
    """
    line = f"{command} " + shlex.join(sys.argv[2:]) if len(sys.argv) > 2 else command
    return {
        "reports_root": args.reports,
        "seed": args.seed,
        "command": line,
        "rerun_base": rerun_base(args, command),
        "run_id": run_id,
        "allure_evidence": args.allure_evidence,
    }


def finish(command: str, report: RunReport, run_dir: Path, *, nothing_selected: str) -> int:
    """Say the verdict on one line; exit 0 PASS, 1 FAIL, 2 interrupted or nothing selected."""
    summary = report.summary()
    waived = f", {summary['waived']} waived" if summary["waived"] else ""
    flaky = f" ({summary['flaky']} flaky)" if summary["flaky"] else ""
    for note in waiver_notes(report.waivers or ()):
        print(f"crr-harness {command}: {note}", file=sys.stderr)
    print(
        f"crr-harness {command}: verdict {summary['verdict']}: {summary['passed']} passed, "
        f"{summary['failed']} failed{flaky}, {summary['skipped']} skipped, "
        f"{summary['errors']} errors{waived} "
        f"(seed {report.seed}); report {run_dir / 'report.html'}",
        file=sys.stderr,
    )
    if report.interrupted:
        return 2
    if summary["total"] == 0:
        raise InputError(nothing_selected)
    return 0 if summary["verdict"] == "PASS" else 1
