"""``crr-harness overlay apply SPEC OVERLAY...`` and ``crr-harness overlay extract DIR OUT``.

``apply`` prints the spec file with the overlays applied, in order, as YAML
on stdout: what the harness judges a target by when ``overlays:`` names
them. ``extract`` writes, for every annotated spec file under ``DIR``, the
overlay that adds its annotations to CAISO's published copy of it (how
``specs/overlays/`` is made).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from crr_contract.files import load_document
from crr_contract.operations import DEFAULT_SPECS_DIR, load_overlays
from crr_contract.overlay import apply_overlays
from crr_contract.overlay_extract import write_annotation_overlays
from harness.commands.command_texts import command_actions, command_parser
from harness.errors import InputError


def add_overlay_option(parser: argparse.ArgumentParser, applied_to: str) -> None:
    """``--overlay FILE`` (repeatable), as every command that reads spec files takes it;
    ``applied_to`` ends the help: which files, before what."""
    parser.add_argument(
        "--overlay",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help=f"OpenAPI Overlay applied to {applied_to} (repeatable)",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    actions = command_actions(subparsers, "overlay")
    apply = command_parser(actions, "overlay apply")
    apply.add_argument("spec", type=Path, metavar="SPEC", help="an OpenAPI file")
    apply.add_argument(
        "overlays", type=Path, nargs="+", metavar="OVERLAY", help="overlay files, applied in order"
    )
    apply.set_defaults(run=run_apply)
    extract = command_parser(actions, "overlay extract")
    extract.add_argument(
        "directory",
        type=Path,
        nargs="?",
        default=DEFAULT_SPECS_DIR,
        metavar="DIR",
        help="spec catalog whose openapi/ files are annotated (default: the shipped one)",
    )
    extract.add_argument("out", type=Path, metavar="OUT", help="where to write the overlays")
    extract.set_defaults(run=run_extract)


def run_apply(args: argparse.Namespace) -> int:
    if not args.spec.is_file():
        raise InputError(f"{args.spec}: no such spec file")
    document = load_document(args.spec)
    if not isinstance(document, dict) or "openapi" not in document:
        raise InputError(f"{args.spec}: not an OpenAPI document")
    result = apply_overlays(document, load_overlays(args.overlays))
    yaml.safe_dump(result, sys.stdout, sort_keys=False, allow_unicode=True)
    return 0


def run_extract(args: argparse.Namespace) -> int:
    openapi = args.directory / "openapi"
    if not openapi.is_dir():
        raise InputError(f"{args.directory}: not a spec catalog (no openapi/ folder)")
    written = write_annotation_overlays(openapi, args.out)
    print(f"overlay extract: {len(written)} overlay file(s) written to {args.out}")
    return 0
