"""``crr-harness compare RUN_A RUN_B``: what changed from run A to run B.

Each run is a report directory (or its report.json) or a certification
package. Exit 0 when B has no new failure, 1 when it has, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.commands.command_texts import command_parser


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = command_parser(subparsers, "compare")
    parser.add_argument("run_a", type=Path, metavar="RUN_A", help="report directory or package")
    parser.add_argument("run_b", type=Path, metavar="RUN_B", help="report directory or package")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="stdout format")
    parser.add_argument("--html", type=Path, metavar="FILE", help="also write the comparison page")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from harness.compare import compare_runs, load_run
    from harness.compare.html import write_compare_html
    from harness.compare.render import render_json, render_text

    comparison = compare_runs(load_run(args.run_a), load_run(args.run_b))
    sys.stdout.write(render_json(comparison) if args.format == "json" else render_text(comparison))
    if args.html is not None:
        write_compare_html(comparison, args.html)
        print(f"crr-harness compare: {args.html}", file=sys.stderr)
    return 1 if comparison.new_failures else 0
