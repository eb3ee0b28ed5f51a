"""Plain ``schemathesis run`` and ``crr-harness``'s fuzzing, side by side on one spec and one target.

    python benchmarks/fuzz_compare.py [--max-examples 50] [--seed 1] [--spec auction]

One reference server (``crr-harness serve``, mutual TLS, fresh database and
dev PKI) is started once as a subprocess; against it, in one run:

* ``schemathesis run SPEC --checks all --phases fuzzing --mode all`` with the
  client certificate of one read/write participant (``--request-cert``,
  ``--request-cert-key``, ``--tls-verify``), one worker, ``--continue-on-failure``
  so that it spends the whole example budget like the harness does;
* the harness's fuzzing suite on the same spec's operations with the same
  ``--max-examples`` per operation (both tools share it between positive and
  negative input), no stateful chains (schemathesis finds no links in the
  spec, so its stateful phase would not run either), with every check
  (``ours``); its requests include the setup: the operator opening windows
  and the reads that learn the target's markets, locations and holdings;
* the same with the harness's checks off (``ours without our checks``):
  schemathesis' own verdicts only, to measure what the checks cost.

Every run is a subprocess (start-up included); the server's state carries
over from one run to the next (portfolios created by one are there for the
next). The three runs are repeated ``--repeat`` times, interleaved, and the
median wall time of each is reported, since other work on a 2-core machine
moves single runs by a third. Requests are counted from schemathesis' HAR
report and from the harness's run. Printed, and written to
``benchmarks/out/fuzz_compare.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out" / "fuzz_compare.json"
BIN = Path(sys.executable).parent
PARTICIPANT = "bravo_trading-rw"
TARGET_RATIO = 1.3


@contextlib.contextmanager
def served(workdir: Path) -> Iterator[tuple[str, Path]]:
    """The reference server on a free loopback port; yields its URL and dev PKI directory."""
    pki = workdir / "pki"
    command = [
        str(BIN / "crr-harness"),
        "serve",
        "--port",
        "0",
        "--db",
        str(workdir / "db.sqlite3"),
        "--pki-dir",
        str(pki),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        announced = process.stdout.readline()
        url = re.search(r"listening on (\S+)", announced)
        if not url:
            raise SystemExit(f"the reference server did not start: {announced}")
        yield url[1], pki
    finally:
        process.terminate()
        process.wait(timeout=10)


def spec_file(service: str) -> Path:
    files = sorted((ROOT / "specs" / "openapi" / service).glob("*_openapi.yaml"))
    if not files:
        raise SystemExit(f"no spec for service {service!r}")
    return max(
        files, key=lambda p: [int(n) for n in re.findall(r"v(\d+)\.(\d+)\.(\d+)", p.name)[0]]
    )


def run_schemathesis(url: str, pki: Path, spec: Path, args: argparse.Namespace, out: Path) -> dict:
    command = [
        str(BIN / "schemathesis"),
        "run",
        str(spec),
        "--url",
        url,
        "--checks",
        "all",
        "--phases",
        "fuzzing",
        "--mode",
        "all",
        "--workers",
        "1",
        "--continue-on-failure",
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--request-cert",
        str(pki / f"client-{PARTICIPANT}.pem"),
        "--request-cert-key",
        str(pki / f"client-{PARTICIPANT}.key"),
        "--tls-verify",
        str(pki / "ca.pem"),
        "--report",
        "json,har",
        "--report-dir",
        str(out),
    ]
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    seconds = time.perf_counter() - started
    report = json.loads(next(out.glob("json-*.json")).read_text())
    har = json.loads(next(out.glob("har-*.json")).read_text())
    failures = [
        {"code": f["code"], "title": f["title"], "operations": f["operations"]}
        for f in report.get("failures", [])
    ]
    return {
        "tool": "schemathesis run",
        "seconds": seconds,
        "running_time": report.get("running_time"),
        "requests": len(har["log"]["entries"]),
        "findings": sum(len(f["operations"]) for f in failures),
        "finding_kinds": failures,
    }


def run_ours(url: str, pki: Path, service: str, args: argparse.Namespace, checks: bool) -> dict:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--inner",
        "checks" if checks else "no-checks",
        "--url",
        url,
        "--pki-dir",
        str(pki),
        "--spec",
        service,
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the harness run failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(seconds=seconds)
    return result


def inner(args: argparse.Namespace) -> None:
    """One harness fuzz run in this process; prints its figures as one JSON line."""
    sys.path.insert(0, str(ROOT))
    from harness.certify.run import certify
    from harness.fuzz.options import FuzzOptions, using
    from harness.results import Status
    from harness.selection import Selection
    from harness.target.dev_pki import target_from_dev_pki

    checks = args.inner == "checks"
    config = target_from_dev_pki(args.url, args.pki_dir)
    options = FuzzOptions(max_examples=args.max_examples, stateful=False, run_checks=checks)
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as reports, using(options):
        started = time.perf_counter()
        report = certify(
            config,
            suites=["fuzzing"],
            reports_root=Path(reports),
            selection=Selection(f"{args.spec}."),
            seed=args.seed,
            out=out,
        )
        fuzzing = time.perf_counter() - started
    requests = re.search(r"\[fuzz\] (\d+) requests", out.getvalue())
    failed = [r for r in report.results if r.status in (Status.FAIL, Status.ERROR)]
    overruled = sum(
        int(m[1])
        for r in report.results
        for m in [re.search(r"flagged (\d+)", r.message)]
        if m is not None
    )
    print(
        json.dumps(
            {
                "tool": "ours" if checks else "ours without our checks",
                "running_time": fuzzing,
                "requests": int(requests[1]) if requests else 0,
                "findings": len(failed),
                "finding_kinds": sorted({f"{r.id}@{r.operation}" for r in failed}),
                "schemathesis_verdicts_overruled": overruled,
            }
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--spec", default="auction", help="the service whose latest spec is used")
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds of the three runs; medians are reported"
    )
    parser.add_argument("--inner", choices=("checks", "no-checks"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--pki-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        inner(args)
        return 0
    spec = spec_file(args.spec)
    rounds: list[list[dict]] = []
    with tempfile.TemporaryDirectory() as tmp, served(Path(tmp)) as (url, pki):
        for index in range(args.repeat):
            rounds.append(
                [
                    run_schemathesis(url, pki, spec, args, Path(tmp) / f"schemathesis-{index}"),
                    run_ours(url, pki, args.spec, args, checks=False),
                    run_ours(url, pki, args.spec, args, checks=True),
                ]
            )
    rows = []
    for runs in zip(*rounds, strict=True):
        row = dict(runs[0])
        row["seconds_each"] = [r["seconds"] for r in runs]
        row["seconds"] = statistics.median(row["seconds_each"])
        row["requests"] = round(statistics.median(r["requests"] for r in runs))
        row["requests_per_second"] = row["requests"] / row["seconds"]
        rows.append(row)
    plain, bare, ours = rows
    summary = {
        "spec": spec.name,
        "max_examples": args.max_examples,
        "seed": args.seed,
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "runs": rows,
        "time_ratio": ours["seconds"] / plain["seconds"],
        "rps_ratio": ours["requests_per_second"] / plain["requests_per_second"],
        "checks_overhead": ours["seconds"] / bare["seconds"] - 1,
        "target_ratio": TARGET_RATIO,
    }
    summary["within_target"] = summary["time_ratio"] <= TARGET_RATIO
    print(
        f"spec {spec.name}, --max-examples {args.max_examples}, seed {args.seed}, "
        f"median of {args.repeat} round(s)\n"
    )
    print(f"{'run':<26} {'wall s':>7} {'requests':>9} {'req/s':>7} {'findings':>9}")
    for row in rows:
        print(
            f"{row['tool']:<26} {row['seconds']:7.2f} {row['requests']:9d} "
            f"{row['requests_per_second']:7.1f} {row['findings']:9d}"
        )
    print(
        f"\nours / schemathesis: {summary['time_ratio']:.2f}x the time "
        f"(target <= {TARGET_RATIO}x: {'met' if summary['within_target'] else 'NOT met'}), "
        f"{summary['rps_ratio']:.2f}x the requests per second"
    )
    print(f"our checks add {summary['checks_overhead'] * 100:.0f}% to our own run")
    print(f"schemathesis findings: {plain['finding_kinds']}")
    print(
        f"our findings: {ours['finding_kinds']}; schemathesis verdicts our oracle overruled: "
        f"{ours['schemathesis_verdicts_overruled']}"
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
