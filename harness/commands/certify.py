"""``crr-harness certify``: run the suites against a target; exit 0 conformant, 1 not, 2 could not run.

With no target it starts the reference implementation on a free loopback
port (fresh SQLite database, generated dev PKI, mutual TLS) and certifies
that, writing the equivalent ``target.yaml`` next to the report. With
``--config`` it certifies the declared target; ``--target URL`` alone
certifies a server that uses the dev PKI in ``--pki-dir`` (``crr-harness
serve``). Bad input is one line on stderr and exit 2, before anything runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from harness.commands.command_texts import command_parser
from harness.commands.target_arguments import (
    add_target_arguments,
    finish,
    run_arguments,
    target_for,
)
from harness.errors import InputError

if TYPE_CHECKING:
    from harness.results import RunReport


def _suite_names() -> list[str]:
    """``certify``'s suites in run order, from the requirements file: importing
    ``harness.suites`` here would import every suite just to build the parser."""
    from harness.checks.registry import PRODUCERS

    return [producer.name for producer in PRODUCERS if producer.command == "certify"]


def register(subparsers: argparse._SubParsersAction) -> None:
    suites = ", ".join(_suite_names())
    parser = command_parser(subparsers, "certify", suites=suites)
    add_target_arguments(parser)
    parser.add_argument(
        "--suite",
        action="append",
        metavar="NAME",
        help=f"run only this suite (repeatable or comma-separated; known: {suites})",
    )
    parser.add_argument(
        "-k",
        dest="expression",
        metavar="EXPR",
        help="run only cases matching EXPR: substrings of case names combined with and/or/not",
    )
    parser.add_argument(
        "--rerun-failed",
        action="store_true",
        help="run only the cases that failed or errored in the last report (reports/latest)",
    )
    parser.add_argument(
        "--scenarios-dir",
        type=Path,
        metavar="DIR",
        help="play these scenario files (default: the scenarios shipped with crr-harness; "
        "`crr-harness scenarios export DIR` makes a copy)",
    )
    parser.add_argument(
        "--changed-since",
        type=Path,
        metavar="OLD_SPECS_DIR",
        help="run only the cases the spec changes since OLD_SPECS_DIR touch (diff --impact)",
    )
    parser.add_argument("--seed", type=int, help="seed of the run's random choices")
    parser.add_argument(
        "--repeat",
        type=int,
        default=0,
        metavar="N",
        help="rerun every failing case N times; a check that passes on a rerun is marked flaky "
        "(it stays a failure)",
    )
    parser.add_argument(
        "--waivers",
        type=Path,
        metavar="FILE",
        help="known and accepted failures (waivers.yaml), instead of the target's `waivers:`",
    )
    parser.add_argument(
        "--preflight",
        action="store_true",
        help="print what each suite needs from the target and what the target has "
        "(the test-data contract), then exit 0 without running any suite",
    )
    parser.add_argument(
        "--wait-for-calendar",
        metavar="DURATION",
        help="against a target without sim control, let a scenario step wait for a window "
        "the market calendar opens within DURATION (e.g. 90m, 2h; default: no waiting)",
    )
    parser.add_argument(
        "--min-coverage",
        metavar="RATIO",
        help="fail (exit 1) a run that provoked less than RATIO (0 to 1) of the declared "
        "(operation, error code) pairs, naming the ones it missed",
    )
    parser.add_argument(
        "--concurrency",
        metavar="N",
        help="run up to N independent cases at once (default and maximum: the target's "
        "declared max_concurrency, 1 when it declares none); a scenario's steps and a "
        "participant's writes keep their order, and the reports list cases in the same order",
    )
    parser.add_argument("--list-checks", action="store_true", help="list every check and exit")
    parser.set_defaults(run=run)


def _ratio(text: str) -> float:
    """``--min-coverage``: a share from 0 to 1; anything else is one line and exit 2."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise InputError(f"--min-coverage {text}: a ratio from 0 to 1 (e.g. 0.5)")
    return value


def _concurrency(text: str) -> int:
    """``--concurrency``: a whole number of cases at once, 1 or more; else one line, exit 2."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise InputError(f"--concurrency {text}: a whole number of cases at once, 1 or more")
    return value


def _coverage_shortfall(report: RunReport) -> str | None:
    """The stderr paragraph of a run below ``--min-coverage``: the share and every missed pair."""
    if not report.below_min_coverage or report.coverage is None:
        return None
    missed = [
        f"{op['operation']} {cell['value']}"
        for op in report.coverage["operations"]
        for cell in op["codes"]
        if not cell["tested"]
    ]
    codes = report.coverage["totals"]["codes"]
    return (
        f"crr-harness certify: (operation, error code) coverage {codes['tested']} of "
        f"{codes['total']} ({codes['ratio']:.0%}) is below --min-coverage "
        f"{report.min_coverage}; not provoked: {', '.join(missed)}"
    )


def _suites(chosen: list[str] | None) -> list[str]:
    from harness.suites import SUITES

    if not chosen:
        return list(SUITES)
    names = [name.strip() for item in chosen for name in item.split(",") if name.strip()]
    unknown = [name for name in names if name not in SUITES]
    if unknown:
        raise InputError(f"unknown suite {unknown[0]!r} (known: {', '.join(SUITES)})")
    return [name for name in SUITES if name in names]


def _list_checks() -> int:
    """Every check of the requirements file; the registry is complete without any suite."""
    from harness.checks.registry import REGISTRY

    for check_id in REGISTRY:
        entry = REGISTRY[check_id]
        print(f"{check_id:<8} {entry.title}\n         {entry.requirement}")
    return 0


def _options(args: argparse.Namespace, wait: float) -> dict[str, object] | None:
    options: dict[str, object] = {}
    if args.scenarios_dir:
        options["scenarios_dir"] = args.scenarios_dir
    if wait:
        options["wait_for_calendar"] = wait
    return options or None


def run(args: argparse.Namespace) -> int:
    if args.list_checks:
        return _list_checks()
    from harness.certify.run import certify
    from harness.reports import load_report
    from harness.results import new_run_id
    from harness.scenarios.calendar_wait import parse_duration
    from harness.selection import Selection
    from harness.waivers import load_waivers

    suites = _suites(args.suite)
    min_coverage = _ratio(args.min_coverage) if args.min_coverage is not None else None
    concurrency = _concurrency(args.concurrency) if args.concurrency is not None else None
    wait = parse_duration(args.wait_for_calendar) if args.wait_for_calendar else 0.0
    if args.preflight:
        import tempfile

        from harness.certify.preflight import run_preflight

        with tempfile.TemporaryDirectory() as scratch, target_for(args, Path(scratch)) as config:
            run_preflight(config, suites, sys.stdout)
        return 0
    cases = None
    if args.rerun_failed:
        previous = load_report(args.reports / "latest" / "report.json")
        cases = {
            c["case"] for c in previous.get("checks", []) if c.get("status") in ("FAIL", "ERROR")
        }
        if not cases:
            print("crr-harness certify: nothing failed in the last report", file=sys.stderr)
            return 0
        suites = [
            s
            for s in suites
            if any(c.get("suite") == s for c in previous["checks"] if c["case"] in cases)
        ] or suites
    expression = args.expression
    if args.changed_since is not None:
        from harness.diff.impact import changed_since_expression

        expression = changed_since_expression(
            args.changed_since, args.specs_dir, args.scenarios_dir, expression
        )
        if expression is None:
            print("crr-harness certify: no behaviour changed since the old specs", file=sys.stderr)
            return 0
    selection = Selection(expression, cases)
    run_id = new_run_id()
    run_dir = args.reports / run_id
    if args.repeat < 0:
        raise InputError(f"--repeat {args.repeat}: a number of reruns, 0 or more")
    waivers = load_waivers(args.waivers) if args.waivers is not None else None
    with target_for(args, run_dir) as config:
        if waivers is not None:
            config = dataclasses.replace(config, waivers_file=args.waivers, waivers=waivers)
        report = certify(
            config,
            suites=suites,
            selection=selection,
            repeat=args.repeat,
            **run_arguments(args, "certify", run_id),
            options=_options(args, wait),
            min_coverage=min_coverage,
            concurrency=concurrency,
        )
    shortfall = _coverage_shortfall(report)
    if shortfall:
        print(shortfall, file=sys.stderr)
    return finish(
        "certify",
        report,
        run_dir,
        nothing_selected="no case matched the selection (-k / --rerun-failed)",
    )
