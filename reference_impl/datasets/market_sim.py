"""The market-sim data set that ``crr-harness serve`` loads into an empty database.

The data is ``scenarios/datasets/market-sim-2025-10.yaml``, the file the
scenarios load into any target through the operator API; this module reads
it and names the markets and locations that the tests refer to.

The same data serves the engine tests (``tests/engine/system/world.py``
imports it) and the HTTP tests, so what a developer pokes at with
``serve`` is what the test suite proves correct: six participants (an LSE
and CRR holder, a trader, a UDC, a TOR holder, a second LSE with a small
credit limit, the CEC), six locations on a three-bus network (one of them
islanded and one retired for the October auction), three existing CRRs, a
TOR contract, a credit margin, three generating resources of the network
model (the restricted CRRResource download), and the market-sim calendar of an October
2025 monthly and a 2026 annual cycle (weeks of 2025-09-08 on).

``START`` is the market clock on an empty database: before every window of
the calendar, so every market starts in PREP and the operator (sim-control
API) moves the clock or opens windows.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from crr_contract.shipped import DATASETS_DIR
from crr_contract.yaml_reading import read_yaml

__all__ = [
    "ANNUAL_AUCTION",
    "ANNUAL_T1",
    "DATASET",
    "DATASET_FILE",
    "DATASET_NAME",
    "ISLANDED",
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
    "dataset",
]

DATASET_NAME = "market-sim-2025-10"
"""The name the data set is loaded under."""


MONTHLY_AUCTION = "AUC_MN_2025_M10"
MONTHLY_T1 = "ALLOC_MN_2025_M10_T1"
MONTHLY_T2 = "ALLOC_MN_2025_M10_T2"
ANNUAL_AUCTION = "AUC_AN_2026"
ANNUAL_T1 = "ALLOC_AN_2026_T1"

NP15 = "TH_NP15_GEN-APND"
SP15 = "TH_SP15_GEN-APND"
PGAE = "DLAP_PGAE-APND"
SDG1 = "SLAP_SDG1-APND"
ISLANDED = "GEN_ISLAND-APND"
RETIRED = "GEN_RETIRED-APND"

OCT_START = "2025-10-01T07:00:00Z"
NOV_START = "2025-11-01T07:00:00Z"
YEAR_2026 = ("2026-01-01T08:00:00Z", "2027-01-01T08:00:00Z")

DATASET_FILE = DATASETS_DIR / f"{DATASET_NAME}.yaml"
"""The data itself: shipped with the scenarios, which load it into any target."""

_FILE = read_yaml(DATASET_FILE.read_bytes())
DATASET: dict = _FILE["dataset"]

START = datetime.fromisoformat(_FILE["clock"]).astimezone(UTC)
"""Clock start: before every window of the calendar."""


def dataset() -> dict:
    """A private copy of :data:`DATASET`: loading may not change the shared one."""
    return copy.deepcopy(DATASET)
