"""The ``crr-harness`` command line.

Each subcommand is a module in ``harness.commands`` with ``register(subparsers)``
(which sets ``run`` as the parser default) and ``run(args) -> int``. The exit
code contract is in ARCHITECTURE.md: bad input is one line on stderr and 2;
so is anything unexpected, with the traceback kept in a crash log.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from harness import __version__
from harness.crash_log import write_crash_log
from harness.errors import USER_INPUT_ERRORS

COMMANDS: tuple[str, ...] = (
    "certify",
    "connect",
    "fuzz",
    "lint",
    "diff",
    "pki",
    "serve",
    "export",
    "keys",
    "package",
    "verify",
    "compare",
    "overlay",
    "client-report",
    "proxy",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crr-harness",
        description="Conformance harness for the CAISO CRR B2B REST APIs.",
    )
    parser.add_argument("--version", action="version", version=f"crr-harness {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"harness.commands.{name.replace('-', '_')}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except USER_INPUT_ERRORS as exc:
        print(f"crr-harness {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"crr-harness {args.command}: interrupted", file=sys.stderr)
        return 2
    except Exception as exc:  # the last resort: one line and a crash log, never a traceback
        path = write_crash_log(exc, sys.argv[1:] if argv is None else argv)
        where = f"the traceback is in {path}" if path else "no crash log could be written"
        print(
            f"crr-harness {args.command}: internal error ({type(exc).__name__}: {exc}); {where}",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
