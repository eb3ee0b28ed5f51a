"""Cost curve of auction clearing, sparse formulation beside the dense PTDF one.

Same grid and workload generator as the scale run (case2383wp, 500
contingencies, ON sub-market), at growing bid counts. At each size the
engine's sparse formulation runs, and in the same run the textbook dense
formulation (a dense PTDF * segment matrix, same HiGHS options, same
constraint generation) runs too until it no longer fits: it is skipped once
its matrix would exceed ``--dense-max-entries`` or once a smaller size took
longer than ``--dense-time-budget`` seconds.

Run from the repository root::

    .venv/bin/python -m benchmarks.clearing_growth [--sizes 1000,3000,10000,30000,100000]

It prints a table, writes ``benchmarks/out/clearing_growth.json`` and plots
``benchmarks/out/clearing_growth.png``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.clearing_measure import Measurement, measure

OUT = Path(__file__).with_name("out")
SIZES = (1_000, 3_000, 10_000, 30_000, 100_000)
MONITORED = 2_896
"""Monitored elements of case2383wp: the dense matrix has this many rows at least."""
AVERAGE_SEGMENTS = 10.5


def _plot(rows: list[Measurement], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for formulation, marker in (("sparse", "o-"), ("dense", "s--")):
        done = [r for r in rows if r.formulation == formulation and r.error is None]
        if not done:
            continue
        x = [r.bids for r in done]
        left.plot(x, [r.seconds for r in done], marker, label=formulation)
        right.plot(x, [r.peak_rss_mb for r in done], marker, label=formulation)
    for axis, label in ((left, "wall time (s)"), (right, "peak RSS (MB)")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("bids (1-20 segments each)")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    figure.suptitle("CRR auction clearing, case2383wp, 500 contingencies, one sub-market")
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> int:
    """Run the growth benchmark and write its table, JSON and plot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--contingencies", type=int, default=500)
    parser.add_argument("--dense-max-entries", type=int, default=150_000_000)
    parser.add_argument("--dense-time-budget", type=float, default=900.0)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]

    rows: list[Measurement] = []
    dense_stopped: str | None = None
    for bids in sizes:
        sparse = measure("sparse", "ON", bids, contingencies=args.contingencies)
        rows.append(sparse)
        print(_line(sparse), flush=True)
        estimate = MONITORED * bids * AVERAGE_SEGMENTS
        if dense_stopped is None and estimate > args.dense_max_entries:
            dense_stopped = (
                f"dense skipped from {bids} bids: about {estimate / 1e6:.0f}M matrix entries "
                f"({estimate * 8 / 2**30:.1f} GiB as float64 before the solver's copy) "
                f"> cap of {args.dense_max_entries / 1e6:.0f}M"
            )
        if dense_stopped is None:
            dense = measure(
                "dense",
                "ON",
                bids,
                contingencies=args.contingencies,
                max_entries=args.dense_max_entries,
            )
            rows.append(dense)
            print(_line(dense, sparse), flush=True)
            if dense.error:
                dense_stopped = f"dense stopped at {bids} bids: {dense.error}"
            elif dense.seconds > args.dense_time_budget:
                dense_stopped = (
                    f"dense stopped after {bids} bids: {dense.seconds:.0f} s > "
                    f"{args.dense_time_budget:.0f} s budget"
                )
    if dense_stopped:
        print(dense_stopped)
    OUT.mkdir(exist_ok=True)
    (OUT / "clearing_growth.json").write_text(
        json.dumps({"rows": [r.as_dict() for r in rows], "dense_stopped": dense_stopped}, indent=2)
    )
    _plot(rows, OUT / "clearing_growth.png")
    print(f"wrote {OUT / 'clearing_growth.png'}")
    return 0


def _line(row: Measurement, sparse: Measurement | None = None) -> str:
    ratio = ""
    if sparse is not None and row.error is None:
        ratio = (
            f"  dense/sparse: time x{row.seconds / sparse.seconds:.1f}, "
            f"memory x{row.peak_rss_mb / sparse.peak_rss_mb:.1f}, "
            f"welfare diff {abs(row.welfare - sparse.welfare):.2e}"
        )
    if row.error:
        return f"{row.formulation:<6} {row.bids:>7} bids: {row.error}"
    return (
        f"{row.formulation:<6} {row.bids:>7} bids {row.segments:>8} segments "
        f"{row.seconds:>8.1f} s {row.peak_rss_mb:>7.0f} MB  binding {row.binding:>4} "
        f"ctg rows {row.contingency_rows:>4}  load {row.load_average:.2f}{ratio}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
