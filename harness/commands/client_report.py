"""``crr-harness client-report DIR``: grade a participant's client from a ``serve --record`` DIR.

The recordings are judged with the CLI checks (``harness.client_conformance``)
and written as ``certify`` writes its reports: ``reports/<run-id>/`` with
report.json, junit.xml, allure-results and report.html. Exit 0 PASS, 1 FAIL,
2 bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
import shlex
from datetime import UTC, datetime
from pathlib import Path

from harness.commands.command_texts import command_parser
from harness.errors import InputError

DEFAULT_REPORTS = Path("reports")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = command_parser(subparsers, "client-report")
    parser.add_argument("directory", type=Path, metavar="DIR", help="a serve --record directory")
    parser.add_argument(
        "--participant", metavar="NAME", help="grade only this participant (default: all recorded)"
    )
    parser.add_argument(
        "--max-retries",
        type=int,
        default=5,
        metavar="N",
        help="more identical retries than this after a 5xx is a storm (default 5)",
    )
    parser.add_argument("--reports", type=Path, default=DEFAULT_REPORTS, help="reports directory")
    parser.set_defaults(run=run)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def run(args: argparse.Namespace) -> int:
    from harness import __version__
    from harness.client_conformance import SUITE, GradingPolicy, grade, load_recordings
    from harness.reports import write_reports
    from harness.results import RunReport, SpecFileUsed, Status, new_run_id

    if args.max_retries < 0:
        raise InputError("--max-retries must be 0 or more")
    started = _now()
    recordings = load_recordings(args.directory, args.participant)
    line = ["client-report", str(args.directory)]
    if args.participant:
        line += ["--participant", args.participant]
    rerun = shlex.join(["crr-harness", *line])
    results = grade(recordings, GradingPolicy(max_retries=args.max_retries), rerun)
    specs = [
        SpecFileUsed(str(s["file"]), str(s["service"]), str(s["version"]), str(s["sha256"]))
        for s in recordings.served.get("specs") or ()
    ]
    report = RunReport(
        run_id=new_run_id(),
        command=shlex.join(line),
        harness_version=__version__,
        target={
            "recordings": str(args.directory),
            "participants": sorted(recordings.participants),
            "exchanges": sum(len(lines) for lines in recordings.participants.values()),
        },
        specs=specs,
        started_at=started,
        seed=0,
        suites=[SUITE],
        results=results,
        finished_at=_now(),
    )
    write_reports(report, args.reports)
    for result in results:
        if result.status is Status.FAIL:
            print(f"FAIL {result.id} {result.case}: {result.message}")
    summary = report.summary()
    print(
        f"client-report: {summary['verdict']} ({summary['passed']} passed, {summary['failed']} "
        f"failed, {summary['skipped']} not exercised) for "
        f"{', '.join(sorted(recordings.participants))}; reports in {args.reports / report.run_id}"
    )
    return 0 if summary["verdict"] == "PASS" else 1
