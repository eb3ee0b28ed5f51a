"""The reliability suite's load and crash cases, run long: figures for the reference server.

    python -m benchmarks.load_run [--seconds 60] [--workers 2] [--crashes 3]

Load: ``crr-harness serve`` is started as a subprocess on loopback (mutual
TLS, a fresh SQLite database with ``synchronous=FULL``, a fresh dev PKI);
the operator opens the October monthly auction; every participant that may
create auction portfolios (four in the market-sim data set) runs
``--workers`` threads, each creating a portfolio of 1 to 4 bids and reading
its portfolio list, back to back, for ``--seconds``. Afterwards every
participant's list is read and every acknowledged portfolio must be there
exactly once with all its bids (read one by one), as REL-002 demands.

Crash: ``--crashes`` times, a fresh server is loaded the same way, killed
with SIGKILL after ``--kill-after`` seconds and restarted on the same
database; every portfolio acknowledged before the kill must be there, once
and complete (REL-003).

The load generator and the server share this machine's CPUs (2 cores
here), so the figures describe the reference under this harness, not a
capacity. Results are printed and written to ``benchmarks/out/load_run.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from harness.checks.reliability import percentile  # noqa: E402
from harness.suites.reliability.crash import ServerProcess, crash_and_restart  # noqa: E402
from harness.suites.reliability.load import run_load, verify  # noqa: E402
from harness.suites.target_calls import SimControl, Target, open_market  # noqa: E402
from harness.target.dev_pki import target_from_dev_pki  # noqa: E402

OUT = HERE / "out" / "load_run.json"


def load(seconds: float, workers: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="crr-load-"))
    server = ServerProcess(workdir / "load.sqlite3", workdir / "pki", workdir / "server.log")
    try:
        server.start()
        target = Target(target_from_dev_pki(server.url, server.pki_dir))
        try:
            market = open_market(target, SimControl(target), "AUCTION_MARKET")
            if market is None:
                raise SystemExit("no auction market could be opened")
            run = run_load(
                target, market, "BENCH_", seconds=seconds, workers_per_participant=workers
            )
            began = time.monotonic()
            problems, present = verify(target, run, read_each=True)
            verified_in = time.monotonic() - began
        finally:
            target.close()
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    every = [v for values in run.latencies.values() for v in values]
    return {
        "seconds": round(run.seconds, 2),
        "participants": len(run.participants),
        "threads": len(run.participants) * workers,
        "requests": run.requests,
        "requests_per_second": round(run.requests / run.seconds, 1),
        "acknowledged_portfolios": len(run.acknowledged),
        "present_after": present,
        "server_errors_or_unanswered": run.failure_count,
        "answers": dict(sorted(run.statuses.items())),
        "latency_ms": {
            kind: {f"p{int(q * 100)}": round(percentile(values, q), 1) for q in (0.5, 0.95, 0.99)}
            | {"max": round(max(values, default=0.0), 1)}
            for kind, values in sorted({**run.latencies, "all": every}.items())
        },
        "problems": problems,
        "verified_in_seconds": round(verified_in, 1),
    }


def crashes(count: int, kill_after: float) -> list[dict]:
    found = []
    for _ in range(count):
        outcome = crash_and_restart(kill_after=kill_after, seconds=kill_after + 30)
        run = outcome.load
        found.append(
            {
                "acknowledged_before_kill": len(run.acknowledged) if run else None,
                "sent_without_answer": len(run.attempted) - len(run.acknowledged) if run else None,
                "problems": outcome.problems,
                "message": outcome.message,
            }
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2, help="threads per participant")
    parser.add_argument("--crashes", type=int, default=3)
    parser.add_argument("--kill-after", type=float, default=3.0)
    args = parser.parse_args(argv)
    result = {
        "machine": {
            "python": platform.python_version(),
            "system": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "load": load(args.seconds, args.workers),
        "crashes": crashes(args.crashes, args.kill_after),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    failed = (
        result["load"]["problems"]
        or result["load"]["server_errors_or_unanswered"]
        or any(c["problems"] for c in result["crashes"])
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
