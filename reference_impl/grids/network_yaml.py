"""Read a CRR network model from YAML, such as the shipped 11-bus sample.

Format (see ``sample_network.yaml``)::

    name: SAMPLE_11BUS
    slack_bus: N01
    buses: [N01, N02, ...]
    branches:     [{id, from, to, x, limit?, emergency_limit?}, ...]
    interfaces:   [{id, limit, reverse_limit?, terms: {branch_id: coefficient}}, ...]
    contingencies: [{id, branches: [branch_id, ...]}, ...]
    outages:      [branch_id, ...]
    locations:    [{name, kind?, weights: {bus: weight}}, ...]

Unknown keys are errors, so a typo never silently drops a limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from reference_impl.engine.network import (
    Branch,
    Contingency,
    Interface,
    Network,
    NetworkError,
    NetworkLocation,
)
from reference_impl.grids.matpower import GridFileError

__all__ = [
    "SAMPLE_NETWORK_PATH",
    "load_network_yaml",
    "load_sample_network",
    "network_from_mapping",
]

SAMPLE_NETWORK_PATH = Path(__file__).with_name("sample_network.yaml")
"""The 11-bus sample network shipped for tests and the market simulation."""

_TOP = {
    "name",
    "slack_bus",
    "buses",
    "branches",
    "interfaces",
    "contingencies",
    "outages",
    "locations",
}
_FIELDS = {
    "branches": ({"id", "from", "to", "x"}, {"limit", "emergency_limit"}),
    "interfaces": ({"id", "limit", "terms"}, {"reverse_limit"}),
    "contingencies": ({"id", "branches"}, set()),
    "locations": ({"name", "weights"}, {"kind"}),
}


def _records(data: Mapping[str, Any], key: str, source: str) -> list[Mapping[str, Any]]:
    items = data.get(key) or []
    if not isinstance(items, list):
        raise GridFileError(f"{source}: '{key}' must be a list")
    required, optional = _FIELDS[key]
    for position, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise GridFileError(f"{source}: {key}[{position}] must be a mapping")
        missing = required - item.keys()
        unknown = item.keys() - required - optional
        if missing:
            raise GridFileError(f"{source}: {key}[{position}] lacks {sorted(missing)}")
        if unknown:
            raise GridFileError(f"{source}: {key}[{position}] has unknown keys {sorted(unknown)}")
    return items


def _pairs(value: Any, where: str, source: str) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, Mapping) or not value:
        raise GridFileError(f"{source}: {where} must be a non-empty mapping")
    return tuple((str(key), float(weight)) for key, weight in value.items())


def network_from_mapping(data: Mapping[str, Any], source: str = "<mapping>") -> Network:
    """Build a network from already-parsed YAML data; ``source`` names it in errors."""
    if not isinstance(data, Mapping):
        raise GridFileError(f"{source}: the network must be a mapping")
    unknown = data.keys() - _TOP
    if unknown:
        raise GridFileError(f"{source}: unknown keys {sorted(unknown)}")
    try:
        branches = tuple(
            Branch(
                branch_id=str(item["id"]),
                from_bus=str(item["from"]),
                to_bus=str(item["to"]),
                reactance=float(item["x"]),
                limit=item.get("limit"),
                emergency_limit=item.get("emergency_limit"),
            )
            for item in _records(data, "branches", source)
        )
        interfaces = tuple(
            Interface(
                interface_id=str(item["id"]),
                terms=_pairs(item["terms"], f"interface {item['id']} terms", source),
                limit=float(item["limit"]),
                reverse_limit=item.get("reverse_limit"),
            )
            for item in _records(data, "interfaces", source)
        )
        contingencies = tuple(
            Contingency(str(item["id"]), tuple(str(b) for b in item["branches"]))
            for item in _records(data, "contingencies", source)
        )
        locations = tuple(
            NetworkLocation(
                name=str(item["name"]),
                weights=_pairs(item["weights"], f"location {item['name']} weights", source),
                kind=item.get("kind", "APNODE"),
            )
            for item in _records(data, "locations", source)
        )
        return Network(
            buses=tuple(str(bus) for bus in data.get("buses") or ()),
            branches=branches,
            interfaces=interfaces,
            contingencies=contingencies,
            locations=locations,
            outages=tuple(str(b) for b in data.get("outages") or ()),
            slack_bus=None if data.get("slack_bus") is None else str(data["slack_bus"]),
            name=str(data.get("name", "")),
        )
    except (NetworkError, ValueError, TypeError) as error:
        if isinstance(error, GridFileError):
            raise
        raise GridFileError(f"{source}: {error}") from error


def load_network_yaml(path: str | Path) -> Network:
    """Read a network YAML file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise GridFileError(f"{path}: {error}") from error
    return network_from_mapping(data, str(path))


def load_sample_network() -> Network:
    """The shipped 11-bus sample network."""
    return load_network_yaml(SAMPLE_NETWORK_PATH)
