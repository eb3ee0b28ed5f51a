"""``crr-harness specs export DIR`` and ``crr-harness scenarios export DIR``.

The wheel carries the spec catalog and the market-sim scenarios; these
commands give a user a copy to read and change, which ``certify
--specs-dir``, ``specs_dir:`` in target.yaml, ``certify --scenarios-dir`` or
``pytest DIR`` then use instead of the shipped one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from crr_contract.shipped import SCENARIOS_DIR, SPECS_DIR, ExportError, export_tree
from harness.errors import InputError

SHIPPED = {
    "specs": (SPECS_DIR, "the spec catalog: OpenAPI files, JSON Schemas, error catalog, policy"),
    "scenarios": (SCENARIOS_DIR, "the market-sim scenario scripts and their data set"),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    for name, (_, what) in SHIPPED.items():
        parser = subparsers.add_parser(name, help=f"export {what}")
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        export = actions.add_parser("export", help=f"copy {what} to DIR for editing")
        export.add_argument("directory", type=Path, metavar="DIR", help="a new or empty directory")
        export.set_defaults(run=run, shipped=name)


def run(args: argparse.Namespace) -> int:
    source, _ = SHIPPED[args.shipped]
    try:
        count = export_tree(source, args.directory)
    except ExportError as exc:
        raise InputError(str(exc)) from None
    print(f"{args.shipped}: {count} file(s) copied to {args.directory}")
    return 0
