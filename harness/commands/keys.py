"""``crr-harness keys init DIR``: make the Ed25519 key pair that signs certification packages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "keys",
        help="make the key pair that signs certification packages",
        description="Manage the Ed25519 key pair `crr-harness package` signs with.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    init = actions.add_parser(
        "init",
        help="write a new key pair into DIR",
        description="Write certification-key.pem (private, mode 0600: keep it secret) and "
        "certification-key.pub.pem (give it to whoever verifies your packages) into DIR. "
        "Existing keys are never overwritten.",
    )
    init.add_argument("directory", type=Path, metavar="DIR")
    parser.set_defaults(run=run)


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
