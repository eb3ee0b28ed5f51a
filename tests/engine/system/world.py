"""A small market-sim world for the engine tests: six participants, a three-bus network.

The data set itself lives in ``reference_impl.datasets.market_sim`` so that
``crr-harness serve`` and the HTTP tests load the very same one.
"""

from __future__ import annotations

import copy
from datetime import datetime

import pytest

from reference_impl.datasets.market_sim import (
    ANNUAL_AUCTION,
    ANNUAL_T1,
    DATASET,
    ISLANDED,
    MONTHLY_AUCTION,
    MONTHLY_T1,
    MONTHLY_T2,
    NOV_START,
    NP15,
    OCT_START,
    PGAE,
    RETIRED,
    SDG1,
    SP15,
    START,
    YEAR_2026,
)
from reference_impl.engine.clock import SettableClock
from reference_impl.engine.errors import DomainError
from reference_impl.engine.limits import Limits
from reference_impl.engine.system import CRRSystem
from reference_impl.spec_limits import shipped_limits

__all__ = [
    "ANNUAL_AUCTION",
    "ANNUAL_T1",
    "DATASET",
    "ISLANDED",
    "LIMITS",
    "MONTHLY_AUCTION",
    "MONTHLY_T1",
    "MONTHLY_T2",
    "NOV_START",
    "NP15",
    "OCT_START",
    "PGAE",
    "RETIRED",
    "SDG1",
    "SP15",
    "START",
    "YEAR_2026",
    "bid",
    "new_system",
    "raises_code",
]

LIMITS: Limits = shipped_limits()
"""The request limits of the shipped specs, as the server reads them from the files it serves."""


def new_system(start: datetime = START) -> CRRSystem:
    """A fresh system on a virtual clock with the test data set loaded."""
    system = CRRSystem(SettableClock(start), limits=LIMITS)
    system.load_dataset(copy.deepcopy(DATASET))
    return system


def bid(source: str = NP15, sink: str = SP15, tou: str = "ON", segments=None, **extra) -> dict:
    """A buy bid with a default two-segment curve."""
    return {
        "source": source,
        "sink": sink,
        "timeOfUse": tou,
        "segments": segments or [{"mw": 10, "price": 20}, {"mw": 20, "price": 10}],
        **extra,
    }


def raises_code(code: str, call, *args, **kwargs) -> DomainError:
    """Run ``call`` and check it fails with catalog code ``code``; return the error."""
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value
    return caught.value
