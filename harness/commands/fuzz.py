"""``crr-harness fuzz``: property-based and stateful fuzzing of a target; exit 0 when nothing failed.

The same targets as ``certify`` (``--config``, ``--target`` with
``--pki-dir``, or the embedded reference implementation by default) and the
same reports, with the ``fuzzing`` suite alone. ``--seed`` replays a whole
run; ``--replay FINDING`` re-sends the stored requests of one finding of a
report (``<check>@<operation>``, as the report's rerun commands name it)
and judges the answer again: exit 1 when the failure is reproduced.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from harness.commands.command_texts import command_parser
from harness.commands.target_arguments import (
    add_target_arguments,
    finish,
    run_arguments,
    target_for,
)
from harness.errors import InputError

DEFAULT_MAX_EXAMPLES = 50


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = command_parser(subparsers, "fuzz")
    add_target_arguments(parser)
    parser.add_argument("--seed", type=int, help="seed of the run (replays a whole run)")
    parser.add_argument(
        "--max-examples",
        type=int,
        default=DEFAULT_MAX_EXAMPLES,
        metavar="N",
        help="examples per operation, shared between positive and negative input as in "
        f"schemathesis (default {DEFAULT_MAX_EXAMPLES})",
    )
    parser.add_argument(
        "--time-budget",
        type=float,
        metavar="SECONDS",
        help="stop generating after this many seconds, shared out between the operations",
    )
    parser.add_argument("--no-stateful", action="store_true", help="skip the stateful chains")
    parser.add_argument(
        "-k",
        dest="expression",
        metavar="EXPR",
        help="fuzz only operations (and chains) matching EXPR, as certify -k",
    )
    parser.add_argument(
        "--replay",
        metavar="FINDING",
        help="re-send the requests of one finding (<check>@<operation>) and judge them again",
    )
    parser.add_argument(
        "--from-report",
        type=Path,
        metavar="REPORT_JSON",
        help="the report holding the finding (default: <reports>/latest/report.json)",
    )
    parser.set_defaults(run=run)


def _options(args: argparse.Namespace):
    from harness.fuzz.options import FuzzOptions

    try:
        return FuzzOptions(
            max_examples=args.max_examples,
            time_budget=args.time_budget,
            stateful=not args.no_stateful,
        )
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _replay(args: argparse.Namespace) -> int:
    from harness.fuzz.replay import replay_finding

    path = args.from_report or args.reports / "latest" / "report.json"
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"--from-report {path}: no such report") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"--from-report {path}: cannot read: {exc}") from None
    with (
        tempfile.TemporaryDirectory(prefix="crr-replay-") as workdir,
        target_for(args, Path(workdir)) as config,
    ):
        outcome = replay_finding(config, report, args.replay)
    for exchange in outcome.exchanges:
        request = exchange.record.request
        print(
            f"  {exchange.participant.id}: {request.method} {request.url} -> HTTP {exchange.status}"
        )
    verdict = "reproduced" if outcome.reproduced else "not reproduced"
    print(f"crr-harness fuzz: {outcome.finding} {verdict}: {outcome.message}")
    return 1 if outcome.reproduced else 0


def run(args: argparse.Namespace) -> int:
    if args.replay:
        return _replay(args)
    from harness.certify.run import certify
    from harness.fuzz.options import using
    from harness.results import new_run_id
    from harness.selection import Selection

    options = _options(args)
    selection = Selection(args.expression)
    run_id = new_run_id()
    run_dir = args.reports / run_id
    with target_for(args, run_dir) as config, using(options):
        report = certify(
            config,
            suites=["fuzzing"],
            selection=selection,
            **run_arguments(args, "fuzz", run_id),
        )
    return finish(
        "fuzz", report, run_dir, nothing_selected="no operation matched the selection (-k)"
    )
