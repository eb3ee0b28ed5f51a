"""Measure one auction clearing in a fresh process: wall time and peak memory.

Each measurement runs in its own spawned process so that its peak resident
set size (``ru_maxrss``) belongs to that clearing alone and nothing cached by
an earlier run (factorisations, allocator pools) flatters the next one.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import resource
import time
from dataclasses import asdict, dataclass

__all__ = ["Measurement", "measure"]


@dataclass(frozen=True)
class Measurement:
    """What one clearing cost."""

    formulation: str
    time_of_use: str
    bids: int
    segments: int
    contingencies: int
    seconds: float
    peak_rss_mb: float
    rss_before_mb: float
    welfare: float
    binding: int
    contingency_rows: int
    working_set: int
    outer_iterations: int
    load_average: float
    error: str | None = None

    def as_dict(self) -> dict:
        """Plain data for JSON."""
        return asdict(self)


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _child(
    formulation: str,
    time_of_use: str,
    bids: int,
    contingencies: int,
    max_entries: int,
    price_model: str = "informed",
):
    from benchmarks.clearing_workload import make_workload, prepared_network
    from reference_impl.engine.clearing import clear_sub_market
    from reference_impl.engine.clearing.dense import DenseTooLargeError, clear_sub_market_dense

    dc = prepared_network(contingencies=contingencies)
    workload = make_workload(dc, bids, time_of_use, price_model=price_model)
    gc.collect()
    before = _rss_mb()
    error = None
    start = time.perf_counter()
    try:
        if formulation == "sparse":
            result = clear_sub_market(
                dc, time_of_use, workload.bids, workload.offers, workload.baseload
            )
        else:
            result = clear_sub_market_dense(
                dc,
                time_of_use,
                workload.bids,
                workload.offers,
                workload.baseload,
                max_entries=max_entries,
            )
    except (DenseTooLargeError, MemoryError) as exc:
        result, error = None, f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Measurement(
        formulation=formulation,
        time_of_use=str(time_of_use),
        bids=bids,
        segments=workload.segments,
        contingencies=len(dc.outages),
        seconds=seconds,
        peak_rss_mb=peak,
        rss_before_mb=before,
        welfare=float("nan") if result is None else result.welfare,
        binding=0 if result is None else len(result.binding_constraints),
        contingency_rows=0 if result is None else result.stats.contingency_rows,
        working_set=0 if result is None else result.stats.working_set,
        outer_iterations=0 if result is None else result.stats.outer_iterations,
        load_average=os.getloadavg()[0],
        error=error,
    ).as_dict()


def measure(
    formulation: str,
    time_of_use: str,
    bids: int,
    *,
    contingencies: int = 500,
    max_entries: int = 150_000_000,
    price_model: str = "informed",
) -> Measurement:
    """Clear one sub-market in a fresh process and report its cost."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1, maxtasksperchild=1) as pool:
        data = pool.apply(
            _child, (formulation, time_of_use, bids, contingencies, max_entries, price_model)
        )
    return Measurement(**data)
