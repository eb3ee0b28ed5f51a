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
import shlex
import sys
from pathlib import Path

from harness.commands.target_arguments import (
    add_target_arguments,
    finish,
    rerun_base,
    target_for,
)
from harness.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    from harness.suites import SUITES

    parser = subparsers.add_parser(
        "certify",
        help="certify a target (default: the embedded reference implementation)",
        description="Run the certification suites against a CRR target and write reports "
        "(report.json, junit.xml, allure-results/, report.html) under reports/<run-id>/.",
        epilog="Exit 0: conformant (every check PASS or a SKIP the target declared); "
        "1: not conformant; 2: could not run (bad config, unreachable spec files, interrupted). "
        f"Suites, in run order: {', '.join(SUITES)}.",
    )
    add_target_arguments(parser)
    parser.add_argument(
        "--suite",
        action="append",
        metavar="NAME",
        help=f"run only this suite (repeatable or comma-separated; known: {', '.join(SUITES)})",
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
    parser.add_argument("--list-checks", action="store_true", help="list every check and exit")
    parser.set_defaults(run=run)


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
    import importlib

    from harness.checks import REGISTRY

    for module in ("harness.connect.layers", "harness.suites"):
        importlib.import_module(module)  # the checks they judge themselves register on import

    for check_id in sorted(REGISTRY):
        entry = REGISTRY[check_id]
        print(f"{check_id:<8} {entry.title}\n         {entry.requirement}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.list_checks:
        return _list_checks()
    from harness.certify.run import certify, new_run_id
    from harness.certify.selection import Selection
    from harness.reports import load_report

    suites = _suites(args.suite)
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
    with target_for(args, run_dir) as config:
        report = certify(
            config,
            suites=suites,
            reports_root=args.reports,
            selection=selection,
            seed=args.seed,
            command="certify " + shlex.join(sys.argv[2:]) if len(sys.argv) > 2 else "certify",
            rerun_base=rerun_base(args, "certify"),
            run_id=run_id,
            allure_evidence=args.allure_evidence,
            options={"scenarios_dir": args.scenarios_dir} if args.scenarios_dir else None,
        )
    return finish(
        "certify",
        report,
        run_dir,
        nothing_selected="no case matched the selection (-k / --rerun-failed)",
    )
