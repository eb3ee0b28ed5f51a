"""``crr-harness package REPORT_DIR --key KEY``: one signed archive of a PASS run.

Exit 0 packaged, 1 refused (the run is not PASS: each failure that stops it
is listed), 2 bad input (no report there, an unreadable key).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from harness.commands.command_texts import command_parser

BLOCKING_SHOWN = 20
"""How many blocking failures the refusal lists before it says how many more."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = command_parser(subparsers, "package")
    parser.add_argument("report_dir", type=Path, metavar="REPORT_DIR", help="e.g. reports/latest")
    parser.add_argument("--key", type=Path, required=True, help="private key (crr-harness keys)")
    parser.add_argument(
        "--out", type=Path, help="the package (default: ./crr-certification-<run-id>.zip)"
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="TARGET_YAML",
        help="the target.yaml the run used, when the report cannot find it",
    )
    parser.add_argument(
        "--certifier",
        metavar="NAME",
        help="who signs the package (person or organisation), stated in the signed predicate",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from harness.certification.keys import load_private_key
    from harness.certification.package import PackageRefused, build_package
    from harness.errors import InputError

    key = load_private_key(args.key)
    if args.config is not None and not args.config.is_file():
        raise InputError(f"--config {args.config}: no such file")
    report_dir = args.report_dir.resolve()
    out = args.out or Path(f"crr-certification-{report_dir.name}.zip")
    command = shlex.join(["crr-harness", *sys.argv[1:]]) if sys.argv[1:] else "crr-harness package"
    try:
        statement = build_package(
            args.report_dir,
            key,
            out,
            command=command,
            target_yaml=args.config,
            certifier=args.certifier,
        )
    except PackageRefused as refused:
        print(
            f"crr-harness package: refused: {args.report_dir} is not a PASS run; "
            f"{len(refused.blocking)} failures stop it (waive known ones in waivers.yaml):",
            file=sys.stderr,
        )
        for line in refused.blocking[:BLOCKING_SHOWN]:
            print(f"  {line}", file=sys.stderr)
        if len(refused.blocking) > BLOCKING_SHOWN:
            print(f"  ... and {len(refused.blocking) - BLOCKING_SHOWN} more", file=sys.stderr)
        return 1
    run = statement["predicate"]["run"]
    print(
        f"crr-harness package: {out} ({out.stat().st_size} bytes, "
        f"{len(statement['subject'])} files signed): run {run['run_id']} verdict {run['verdict']}"
    )
    return 0
