"""``crr-harness keys init DIR``: make the Ed25519 key pair that signs certification packages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.commands.command_texts import command_actions, command_parser


def register(subparsers: argparse._SubParsersAction) -> None:
    init = command_parser(command_actions(subparsers, "keys"), "keys init")
    init.add_argument("directory", type=Path, metavar="DIR")
    init.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from harness.certification.keys import init_keys

    pair = init_keys(args.directory)
    print(f"private key {pair.private} (keep it secret)")
    print(f"public key  {pair.public} (key id {pair.keyid})")
    print(
        f"sign:   crr-harness package REPORT_DIR --key {pair.private}\n"
        f"verify: crr-harness verify PACKAGE --key {pair.public}",
        file=sys.stderr,
    )
    return 0
