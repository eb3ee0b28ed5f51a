"""``crr-harness pki init DIR [--force]``: write the development PKI; exit 0, or 2 if DIR is unusable."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.commands.command_texts import command_actions, command_parser
from harness.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    init = command_parser(command_actions(subparsers, "pki", dest="pki_action"), "pki init")
    init.add_argument("directory", type=Path, metavar="DIR", help="directory to write into")
    init.add_argument(
        "--force", action="store_true", help="rewrite everything, even valid material"
    )
    init.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from crr_contract.pki import PkiError, init_pki

    try:
        layout = init_pki(args.directory, force=args.force)
    except PkiError as exc:
        raise InputError(str(exc)) from None
    width = max(len(item.file) for item in layout.files)
    for item in layout.files:
        expires = f"expires {item.expires:%Y-%m-%d}" if item.expires else "-"
        print(f"{item.status:<7} {item.file:<{width}}  {expires:<18}  {item.purpose}")
    written = len(layout.written)
    print(
        f"pki: {len(layout.files)} file(s) in {layout.directory}, {written} written, "
        f"{len(layout.files) - written} kept"
    )
    return 0
