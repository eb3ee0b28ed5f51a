"""Requests per second of ``crr-harness serve`` with ``--record DIR`` against the same server without it.

    python -m benchmarks record_overhead [--seconds 3] [--connections 2] [--rounds 2]

Two servers are started as subprocesses on loopback, each on a fresh
database with mutual TLS: one plain, one recording every exchange
(``serve --record``: the request validated a second time with openapi-core
for the verdict, one JSON line appended and flushed per exchange). The same
load (``benchmarks.api_rps``: one read, ``getPortfolioList``, and one write,
``portfolioCreation``; keep-alive clients back to back) is measured against
both, alternating off / on (and on / off) for ``--rounds`` rounds so that drift on a shared
machine falls on both alike. The ratio is recording-on over recording-off.
Results are printed and written to ``benchmarks/out/record_overhead.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.api_rps import Target, measure, start_reference  # noqa: E402
from crr_contract.pki import init_pki  # noqa: E402

OUT = HERE / "out" / "record_overhead.json"


def start(work: Path, pki_dir: Path, record: Path | None) -> tuple[subprocess.Popen[str], str]:
    """``crr-harness serve`` (recording to ``record`` when given) on a free port."""
    if record is None:
        return start_reference(work, pki_dir, False, name="plain")
    return start_reference(work, pki_dir, False, name="record", options=("--record", str(record)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="measured seconds per case")
    parser.add_argument("--connections", type=int, default=2, help="concurrent clients")
    parser.add_argument("--rounds", type=int, default=2, help="off/on alternations")
    args = parser.parse_args(argv)
    rows: dict[str, dict[str, list[float]]] = {}
    lines = 0
    with tempfile.TemporaryDirectory(prefix="crr-record-bench-") as tmp:
        work = Path(tmp)
        pki = init_pki(work / "pki")
        processes = []
        try:
            plain, plain_url = start(work, pki.directory, None)
            processes.append(plain)
            recording, recording_url = start(work, pki.directory, work / "recorded")
            processes.append(recording)
            targets = {
                "off": Target("serve", plain_url, str(pki.directory), True),
                "on": Target("serve --record", recording_url, str(pki.directory), True),
            }
            for round_number in range(args.rounds):
                order = list(targets.items())
                if round_number % 2:
                    order.reverse()  # neither server always goes first
                for operation in ("read", "write"):
                    for mode, target in order:
                        result = measure(target, operation, args.connections, args.seconds)
                        rows.setdefault(result.operation, {}).setdefault(mode, []).append(
                            result.rps
                        )
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=20)
        lines = sum(
            len(path.read_text().splitlines()) for path in (work / "recorded").glob("*.jsonl")
        )
    summary = {}
    for operation, modes in rows.items():
        off = sum(modes["off"]) / len(modes["off"])
        on = sum(modes["on"]) / len(modes["on"])
        summary[operation] = {"off_rps": round(off, 1), "on_rps": round(on, 1)}
        summary[operation]["ratio_on_over_off"] = round(on / off, 3) if off else None
        print(
            f"{operation:18} recording off {off:7.1f} req/s   on {on:7.1f} req/s   "
            f"ratio {on / off if off else float('nan'):.3f}"
        )
    print(f"recorded lines: {lines}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps({"args": vars(args), "results": summary, "recorded_lines": lines}, indent=2)
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
