"""The solver writes nothing: not its banner, not a log line, in a fresh process.

HiGHS prints its banner once per process, when the first solver is created,
so only a new interpreter shows whether it still can.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
from reference_impl.engine.clearing import Bid, BidSegment, clear_auction
from reference_impl.grids import load_sample_network

network = load_sample_network()
names = [location.name for location in network.locations]
bids = [
    Bid(f"b{i}", f"p{i % 3}", names[i % len(names)], names[(i + 3) % len(names)],
        "ON", (BidSegment(40.0, 5.0 + i),))
    for i in range(12)
]
result = clear_auction(network, bids, [], [])
assert result.sub_markets, "the clearing ran"
"""


def test_a_clearing_writes_nothing_to_stdout_or_stderr():
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, cwd=root
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr == ""
