"""``crr-harness verify PACKAGE --key PUB``: check a certification package offline.

Exit 0 verified, 1 not verified (each problem names its file), 2 bad input
(no such package, not an archive, not a public key).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from harness.commands.command_texts import command_parser


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = command_parser(subparsers, "verify")
    parser.add_argument("package", type=Path, metavar="PACKAGE")
    parser.add_argument("--key", type=Path, required=True, help="the signer's public key (PEM)")
    parser.set_defaults(run=run)


def _describe(predicate: dict[str, Any]) -> list[str]:
    run = predicate.get("run") or {}
    summary = run.get("summary") or {}
    target = predicate.get("target") or {}
    harness = predicate.get("harness") or {}
    packaged = predicate.get("packaged") or {}
    counts = ", ".join(
        f"{summary.get(name, 0)} {name}" for name in ("passed", "failed", "skipped", "waived")
    )
    lock = (harness.get("dependency_lock") or {}).get("sha256", "not available")
    return [
        f"verdict  {run.get('verdict')} ({counts}; {summary.get('total', 0)} checks)",
        f"target   {target.get('base_url')} {target.get('description') or ''}".rstrip(),
        f"harness  crr-harness {harness.get('version')} (requirements.lock {lock})",
        f"date     run {run.get('started_at')} to {run.get('finished_at')}; "
        f"packaged {packaged.get('at')}",
        f"run      {run.get('run_id')}: {run.get('command')}",
        f"signer   {packaged.get('certifier') or 'not named'} (key id {packaged.get('keyid')})",
    ]


def run(args: argparse.Namespace) -> int:
    from harness.certification.keys import load_public_key
    from harness.certification.verify import verify_package

    result = verify_package(args.package, load_public_key(args.key))
    if not result.verified:
        print(f"crr-harness verify: NOT VERIFIED: {args.package}", file=sys.stderr)
        for problem in result.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"VERIFIED {args.package}")
    for line in _describe(dict(result.predicate or {})):
        print(f"  {line}")
    return 0
