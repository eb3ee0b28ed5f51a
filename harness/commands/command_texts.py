"""What the command line says about each command, read from ``commands.yaml``.

The one-line help, the description and the epilog (which states the exit
codes, a contract users' scripts rely on) of every command and subcommand
live in one readable file instead of in each command's ``register``; the
arguments' own help stays next to the arguments.
"""

from __future__ import annotations

import argparse
from functools import cache
from pathlib import Path

from crr_contract.yaml_reading import read_yaml

__all__ = ["TEXTS_FILE", "command_actions", "command_parser", "command_texts"]

TEXTS_FILE = Path(__file__).with_name("commands.yaml")
_FIELDS = ("help", "description", "epilog")


@cache
def command_texts() -> dict[str, dict[str, str]]:
    """Command (as typed after ``crr-harness``, e.g. ``pki init``) -> its texts."""
    data = read_yaml(TEXTS_FILE.read_bytes()) or {}
    return {str(name): {k: str(v) for k, v in entry.items()} for name, entry in data.items()}


def command_parser(
    subparsers: argparse._SubParsersAction, command: str, **fill: str
) -> argparse.ArgumentParser:
    """Add ``command``'s parser with its texts; ``fill`` fills ``{name}`` fields in them.

    A command missing from ``commands.yaml`` is a programming error (KeyError).
    """
    texts = command_texts()[command]
    values = {k: texts[k].format_map(fill) if fill else texts[k] for k in _FIELDS if k in texts}
    return subparsers.add_parser(command.rsplit(" ", 1)[-1], **values)


def command_actions(
    subparsers: argparse._SubParsersAction, command: str, dest: str = "action"
) -> argparse._SubParsersAction:
    """Add ``command``, whose next word is a required action (``pki init``), and its actions."""
    parser = command_parser(subparsers, command)
    return parser.add_subparsers(dest=dest, required=True, metavar="ACTION")
