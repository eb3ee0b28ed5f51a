"""``crr-harness lint [DIR]``: check a spec catalog; exit 0 clean, 1 findings, 2 unreadable input."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from crr_contract.operations import DEFAULT_SPECS_DIR, load_overlays
from harness.commands.command_texts import command_parser
from harness.commands.overlay import add_overlay_option
from harness.lint import run_lint
from harness.lint.profile import DEFAULT_PROFILE, PROFILES
from harness.lint.rules import RULES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = command_parser(subparsers, "lint")
    parser.add_argument(
        "directory",
        nargs="?",
        default=DEFAULT_SPECS_DIR,
        type=Path,
        help="spec catalog directory (default: the catalog shipped with crr-harness)",
    )
    parser.add_argument(
        "--catalog", type=Path, help="error catalog (default: DIR/errors/catalog.yaml)"
    )
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default=DEFAULT_PROFILE,
        help="default: our annotated catalog; caiso: files as CAISO publishes them, where a "
        "missing x-roles or x-error-codes that the read/write tag or the CRRServiceException "
        "description supplies is a note (harness/lint/profiles.yaml)",
    )
    add_overlay_option(parser, "the files it is for before linting")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--list-rules", action="store_true", help="print the rule IDs and exit")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.list_rules:
        for rule in sorted(RULES.values(), key=lambda r: r.rule_id):
            print(f"{rule.rule_id}  {rule.title}")
        return 0
    report = run_lint(
        args.directory,
        catalog_path=args.catalog,
        profile=args.profile,
        overlays=load_overlays(args.overlay),
    )
    if args.format == "json":
        json.dump(
            {
                "root": str(report.root),
                "profile": args.profile,
                "files_checked": report.files_checked,
                "clean": report.clean,
                "notes": report.notes,
                "findings": [
                    {
                        "file": str(f.path),
                        "pointer": f.pointer,
                        "rule": f.rule_id,
                        "message": f.message,
                    }
                    for f in report.findings
                ],
            },
            sys.stdout,
            indent=2,
        )
        print()
    else:
        for note in report.notes:
            print(f"note: {note}")
        for finding in report.findings:
            print(finding.line(report.root))
        verdict = "clean" if report.clean else f"{len(report.findings)} finding(s)"
        print(f"lint: {report.root}: {report.files_checked} file(s) checked, {verdict}")
    return 0 if report.clean else 1
