"""``crr-harness diff``: classify the changes between two spec versions and check the bump.

    crr-harness diff OLD NEW [--format text|json|markdown]
    crr-harness diff OLD_DIR NEW_DIR        (two spec catalogs: one row per service)
    crr-harness diff --history DIR          (every consecutive pair of versions)
    crr-harness diff OLD NEW --impact       (what the changes touch: what to re-certify)

Exit 0 when every bump is right (OVER_BUMPED is a warning), 1 when the rule
is broken (UNDER_BUMPED or INVALID), 2 on unreadable input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from crr_contract.operations import load_overlays
from harness.commands.command_texts import command_parser
from harness.commands.overlay import add_overlay_option
from harness.diff.policy import BumpPolicy
from harness.diff.render import FORMATS, render
from harness.diff.run import AUTO, diff_paths, find_policy, history
from harness.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = command_parser(subparsers, "diff")
    parser.add_argument("old", nargs="?", type=Path, help="the older file or directory")
    parser.add_argument("new", nargs="?", type=Path, help="the newer file or directory")
    parser.add_argument(
        "--history",
        type=Path,
        metavar="DIR",
        help="diff every consecutive pair of versions under DIR",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="output format (markdown: a release-notes draft)",
    )
    parser.add_argument(
        "--policy",
        type=Path,
        help="bump policy file (default: the nearest policy/bump-policy.yaml)",
    )
    parser.add_argument(
        "--catalog", type=Path, help="error catalog (default: the nearest errors/catalog.yaml)"
    )
    parser.add_argument(
        "--policy-switch",
        action="append",
        default=[],
        metavar="NAME=CHOICE",
        help="choose a reading the policy file offers (e.g. added_operation=minor_update)",
    )
    parser.add_argument(
        "--impact",
        action="store_true",
        help="list the operations, checks and scenarios the changes touch (what to re-certify)",
    )
    parser.add_argument(
        "--scenarios-dir",
        type=Path,
        metavar="DIR",
        help="scenarios to search for --impact (default: the shipped ones)",
    )
    parser.add_argument(
        "--no-witnesses",
        action="store_true",
        help="do not search for a witness instance of each breaking schema change",
    )
    parser.add_argument("--no-catalog", action="store_true", help="do not use an error catalog")
    add_overlay_option(parser, "each file it is for before comparing")
    parser.add_argument(
        "--schema-direction",
        choices=("response", "request"),
        default="response",
        help="direction of JSON Schema download types (default: response, what CAISO sends)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    catalog = None if args.no_catalog else (args.catalog or AUTO)
    overlays = load_overlays(args.overlay)
    if args.history is not None:
        if args.old is not None or args.new is not None:
            raise InputError("give either OLD NEW or --history DIR, not both")
        policy = _policy(args, args.history / "x")
        results = history(
            args.history,
            policy,
            catalog,
            args.schema_direction,
            overlays,
            witnesses=not args.no_witnesses,
        )
        table = True
    else:
        if args.old is None or args.new is None:
            raise InputError("give OLD and NEW files (or directories), or --history DIR")
        policy = _policy(args, args.new)
        results = diff_paths(
            args.old,
            args.new,
            policy,
            catalog,
            args.schema_direction,
            overlays,
            witnesses=not args.no_witnesses,
        )
        table = args.old.is_dir()
    if args.impact:
        from crr_contract.shipped import SCENARIOS_DIR
        from harness.diff.impact import impact_of, render_impact

        print(render_impact(impact_of(results, args.scenarios_dir or SCENARIOS_DIR), args.format))
    else:
        print(render(results, args.format, table=table))
    return 1 if any(r.breaks_rule for r in results) else 0


def _policy(args: argparse.Namespace, near: Path) -> BumpPolicy | Path | None:
    """The policy file, with the readings chosen by --policy-switch applied."""
    if not args.policy_switch:
        return args.policy
    policy = BumpPolicy.load(args.policy or find_policy(near))
    for item in args.policy_switch:
        name, sep, choice = item.partition("=")
        if not sep or not name or not choice:
            raise InputError(f"--policy-switch takes NAME=CHOICE, not {item!r}")
        policy = policy.with_switch(name, choice)
    return policy
