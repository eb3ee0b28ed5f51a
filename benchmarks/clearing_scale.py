"""Scale run of the auction clearing engine on a 2,383-bus public grid.

Workload (see ``clearing_workload``): case2383wp with 500 contingencies,
1,500 source APnodes, 30,000 buy bids of 1 to 20 segments per sub-market
(about 315,000 segments), plus existing CRRs and sell offers; ON and OFF
peak cleared as separate sub-markets, each in a fresh process.

Run from the repository root::

    .venv/bin/python -m benchmarks.clearing_scale [--bids 30000] [--contingencies 500]

It prints wall time and peak memory per sub-market and writes
``benchmarks/out/clearing_scale_<prices>.json``. ``--prices uncorrelated`` is
the harsh case: bid prices drawn without regard to congestion.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from benchmarks.clearing_measure import measure
from benchmarks.clearing_workload import PRICE_MODELS

OUT = Path(__file__).with_name("out")
TARGET_SECONDS = 60.0


def main(argv: list[str] | None = None) -> int:
    """Run the scale benchmark; returns 0 when every sub-market meets the time target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bids", type=int, default=30_000, help="bids per sub-market")
    parser.add_argument("--contingencies", type=int, default=500)
    parser.add_argument(
        "--prices",
        choices=PRICE_MODELS,
        default="informed",
        help="bid prices near a congestion forecast, or uncorrelated with it (the harsh case)",
    )
    parser.add_argument("--time-of-use", choices=("ON", "OFF"), action="append")
    args = parser.parse_args(argv)
    results = [
        measure("sparse", tou, args.bids, contingencies=args.contingencies, price_model=args.prices)
        for tou in args.time_of_use or ("ON", "OFF")
    ]
    print(
        f"{'TOU':<4} {'bids':>7} {'segments':>9} {'ctgs':>5} {'wall s':>7} {'peak MB':>8} "
        f"{'binding':>7} {'ctg rows':>8} {'work set':>8} {'outer':>5} {'load':>5}"
    )
    for r in results:
        print(
            f"{r.time_of_use:<4} {r.bids:>7} {r.segments:>9} {r.contingencies:>5} "
            f"{r.seconds:>7.1f} {r.peak_rss_mb:>8.0f} {r.binding:>7} {r.contingency_rows:>8} "
            f"{r.working_set:>8} {r.outer_iterations:>5} {r.load_average:>5.2f}"
        )
    OUT.mkdir(exist_ok=True)
    (OUT / f"clearing_scale_{args.prices}.json").write_text(
        json.dumps(
            {
                "cpu_count": os.cpu_count(),
                "prices": args.prices,
                "results": [r.as_dict() for r in results],
            },
            indent=2,
        )
    )
    met = all(r.seconds < TARGET_SECONDS for r in results)
    print(f"target < {TARGET_SECONDS:.0f} s per sub-market: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
