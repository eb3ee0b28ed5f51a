"""The one place that talks to HiGHS: fixed options and model plumbing.

Bit-for-bit reproducibility needs the solver to take the same path every
time, so every model is built with the same options: one thread, a fixed
random seed, no time limit, no logging. Callers pass matrices already in a
canonical order.

"No logging" includes the banner: HiGHS 1.16 writes its copyright lines to
the process's C-level stdout when the first solver of a process is created,
before any option can be set, so that first creation runs with file
descriptors 1 and 2 pointed at the null device.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator

import highspy
import numpy as np
import scipy.sparse as sp

__all__ = ["SolverError", "add_rows", "new_solver", "pass_model", "require_optimal"]

_INF = highspy.kHighsInf


class SolverError(RuntimeError):
    """HiGHS did not return an optimal solution."""


_first_creation = threading.Lock()
_banner_spent = False


@contextlib.contextmanager
def _stdio_to_null() -> Iterator[None]:
    """Point file descriptors 1 and 2 at the null device for the block."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved = [os.dup(1), os.dup(2)]
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


def _create() -> highspy.Highs:
    """A bare HiGHS instance; the process's first one is created with no stdio."""
    global _banner_spent
    if _banner_spent:
        return highspy.Highs()
    with _first_creation:
        if _banner_spent:
            return highspy.Highs()
        with _stdio_to_null():
            solver = highspy.Highs()
        _banner_spent = True
        return solver


def new_solver(method: str = "simplex", *, crossover: bool = True) -> highspy.Highs:
    """A HiGHS instance with the fixed, deterministic option set.

    ``method`` is ``"simplex"`` (dual simplex, the choice for warm starts) or
    ``"ipm"`` (interior point, faster from scratch on large models; with
    ``crossover`` it ends on a basis so duals and warm starts behave as with
    simplex).
    """
    solver = _create()
    for name, value in (
        ("output_flag", False),
        ("threads", 1),
        ("random_seed", 0),
        ("presolve", "on"),
        ("solver", method),
        ("run_crossover", "on" if crossover else "off"),
        ("simplex_strategy", 1),
    ):
        solver.setOptionValue(name, value)
    return solver


def _bounds(values: np.ndarray) -> np.ndarray:
    out = np.asarray(values, dtype=float).copy()
    out[np.isposinf(out)] = _INF
    out[np.isneginf(out)] = -_INF
    return out


def pass_model(
    solver: highspy.Highs,
    cost: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    matrix: sp.csc_matrix,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
) -> None:
    """Load a minimisation LP, columns first, with a column-wise sparse matrix.

    HiGHS warns (and drops the entry) when a coefficient is below its
    ``small_matrix_value``; that is accepted, only errors raise.
    """
    matrix = sp.csc_matrix(matrix)
    matrix.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_ = matrix.shape[1]
    lp.num_row_ = matrix.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = _bounds(col_lower)
    lp.col_upper_ = _bounds(col_upper)
    lp.row_lower_ = _bounds(row_lower)
    lp.row_upper_ = _bounds(row_upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = matrix.shape[1]
    lp.a_matrix_.num_row_ = matrix.shape[0]
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(float)
    status = solver.passModel(lp)
    if status == highspy.HighsStatus.kError:
        raise SolverError(f"HiGHS rejected the model: {status}")


def add_rows(
    solver: highspy.Highs,
    rows: sp.csr_matrix,
    lower: np.ndarray,
    upper: np.ndarray,
) -> None:
    """Append constraint rows (a row-wise sparse matrix over all columns)."""
    rows = sp.csr_matrix(rows)
    rows.sort_indices()
    status = solver.addRows(
        rows.shape[0],
        _bounds(lower),
        _bounds(upper),
        rows.nnz,
        rows.indptr[:-1].astype(np.int32),
        rows.indices.astype(np.int32),
        rows.data.astype(float),
    )
    if status == highspy.HighsStatus.kError:
        raise SolverError(f"HiGHS rejected the added rows: {status}")


def require_optimal(solver: highspy.Highs, *, estimate: bool = False) -> None:
    """Raise ``SolverError`` unless the last run ended optimal.

    With ``estimate`` an interior-point solution whose duals miss HiGHS's
    tolerances after postsolve (status "Unknown") is accepted too: it is only
    used to rank segments, never reported.
    """
    status = solver.getModelStatus()
    if estimate and status == highspy.HighsModelStatus.kUnknown:
        return
    if status != highspy.HighsModelStatus.kOptimal:
        raise SolverError(f"HiGHS ended with status {solver.modelStatusToString(status)}")
