"""The market-sim data set that ``crr-harness serve`` loads into an empty database.

The same data serves the engine tests (``tests/reference_engine/world.py``
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

__all__ = [
    "ANNUAL_AUCTION",
    "ANNUAL_T1",
    "DATASET",
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

START = datetime(2025, 9, 1, 0, 0, tzinfo=UTC)
"""Clock start: before every window of the calendar below."""

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

DATASET: dict = {
    "calendar": {"week1Monday": "2025-09-08", "monthly": [2025, 10], "annualYear": 2026},
    "participants": [
        {
            "name": "ALPHA_LSE",
            "kinds": ["LSE", "CRR_HOLDER"],
            "loadLocations": [
                {"sink": PGAE, "peakLoadMw": 1000.0},
                {"sink": SDG1, "peakLoadMw": 400.0},
            ],
        },
        {"name": "BRAVO_TRADING", "kinds": ["CRR_HOLDER"]},
        {"name": "CHARLIE_UDC", "kinds": ["UDC"]},
        {"name": "DELTA_TOR", "kinds": ["TOR_HOLDER", "CRR_HOLDER"]},
        {
            "name": "ECHO_LSE",
            "kinds": ["LSE", "CRR_HOLDER"],
            "creditLimit": 150000,
            "loadLocations": [{"sink": PGAE, "peakLoadMw": 500.0}],
        },
        {"name": "CEC_FORECASTER", "kinds": ["CEC"]},
    ],
    "locations": [
        {"name": NP15, "type": "SOURCE", "kind": "TRADING_HUB"},
        {"name": SP15, "type": "BOTH", "kind": "TRADING_HUB"},
        {"name": PGAE, "type": "SINK", "kind": "DLAP"},
        {"name": SDG1, "type": "SINK", "kind": "SLAP"},
        {
            "name": ISLANDED,
            "type": "SOURCE",
            "unavailable": {MONTHLY_AUCTION: "ISLANDED", MONTHLY_T1: "ISLANDED"},
        },
        {
            "name": RETIRED,
            "type": "SOURCE",
            "unavailable": {MONTHLY_AUCTION: "RETIRED"},
            "retiredRemapTarget": SP15,
        },
    ],
    "existingCrrs": [
        {
            "crrId": "10000001",
            "owner": "BRAVO_TRADING",
            "source": NP15,
            "sink": SP15,
            "mw": 40,
            "timeOfUse": "ON",
            "startDate": OCT_START,
            "endDate": "2026-01-01T08:00:00Z",
            "marketName": "AUC_AN_2025",
            "marketTerm": "Seasonal",
        },
        {
            "crrId": "10000002",
            "owner": "ALPHA_LSE",
            "source": NP15,
            "sink": PGAE,
            "mw": 30,
            "timeOfUse": "ON",
            "startDate": YEAR_2026[0],
            "endDate": YEAR_2026[1],
            "marketName": "ALLOC_AN_2026_ETC",
            "marketTerm": "Seasonal",
            "crrType": "LSE",
        },
        {
            "crrId": "10000003",
            "owner": "BRAVO_TRADING",
            "source": ISLANDED,
            "sink": SP15,
            "mw": 10,
            "timeOfUse": "OFF",
            "startDate": OCT_START,
            "endDate": NOV_START,
            "marketName": "AUC_AN_2025",
            "marketTerm": "Seasonal",
        },
    ],
    "torContracts": [
        {
            "torContractId": "TOR-DELTA-0007",
            "holder": "DELTA_TOR",
            "approver": "ALPHA_LSE",
            "source": NP15,
            "sink": PGAE,
            "mw": 40,
            "startDate": YEAR_2026[0],
            "endDate": YEAR_2026[1],
        }
    ],
    "creditMargins": {"default": 5.0},
    "resources": [
        {
            "resourceId": "NP15GEN_7_UNIT 1",
            "apnodeName": "NP15GEN_7_N001",
            "pMax": 420.0,
            "pMin": 95.0,
            "fuel": "GAS",
            "tradingHub": NP15,
        },
        {
            "resourceId": "SP15SOLAR_2_PV1",
            "apnodeName": "SP15SOLAR_2_N014",
            "pMax": 150.0,
            "fuel": "SOLAR",
            "tradingHub": SP15,
        },
        {
            "resourceId": "ISLAND_1_HYDRO1",
            "apnodeName": ISLANDED,
            "pMax": 60.0,
            "pMin": 5.0,
            "fuel": "HYDRO",
            "tradingHub": NP15,
        },
    ],
    "network": {
        "name": "three-bus",
        "buses": ["N", "S", "D"],
        "branches": [
            {"branchId": "N-S", "fromBus": "N", "toBus": "S", "reactance": 0.1, "limit": 60},
            {"branchId": "S-D", "fromBus": "S", "toBus": "D", "reactance": 0.1, "limit": 1000},
            {"branchId": "N-D", "fromBus": "N", "toBus": "D", "reactance": 0.1, "limit": 1000},
        ],
        "locations": [
            {"name": NP15, "weights": {"N": 1}},
            {"name": SP15, "weights": {"S": 1}},
            {"name": PGAE, "weights": {"D": 1}},
            {"name": SDG1, "weights": {"D": 1}},
            {"name": ISLANDED, "weights": {"N": 1}},
            {"name": RETIRED, "weights": {"S": 1}},
        ],
    },
}


def dataset() -> dict:
    """A private copy of :data:`DATASET`: loading may not change the shared one."""
    return copy.deepcopy(DATASET)
