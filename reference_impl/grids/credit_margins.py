"""Read a credit margin table ($/MW per path or location pair, with a default) from YAML.

Format (see ``credit_margins.yaml``)::

    default: 2.50
    paths: [{source, sink, margin}, ...]      # one direction only
    pairs: [{locations: [a, b], margin}, ...]  # either direction
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from reference_impl.engine.clearing.records import InvalidOrderError
from reference_impl.engine.credit import CreditMarginTable
from reference_impl.grids.matpower import GridFileError

__all__ = ["CREDIT_MARGINS_PATH", "credit_margins_from_mapping", "load_credit_margins"]

CREDIT_MARGINS_PATH = Path(__file__).with_name("credit_margins.yaml")
"""The credit margin table shipped with the sample network."""


def credit_margins_from_mapping(
    data: Mapping[str, Any], source: str = "<mapping>"
) -> CreditMarginTable:
    """Build a table from parsed YAML; ``source`` names it in errors."""
    if not isinstance(data, Mapping) or "default" not in data:
        raise GridFileError(f"{source}: a credit margin table needs a 'default'")
    unknown = data.keys() - {"default", "paths", "pairs"}
    if unknown:
        raise GridFileError(f"{source}: unknown keys {sorted(unknown)}")
    paths: dict[tuple[str, str], float] = {}
    pairs: dict[frozenset[str], float] = {}
    try:
        for item in data.get("paths") or []:
            key = (str(item["source"]), str(item["sink"]))
            if key in paths:
                raise GridFileError(f"{source}: path {key} listed twice")
            paths[key] = float(item["margin"])
        for item in data.get("pairs") or []:
            key = frozenset(str(name) for name in item["locations"])
            if key in pairs:
                raise GridFileError(f"{source}: pair {sorted(key)} listed twice")
            pairs[key] = float(item["margin"])
        return CreditMarginTable(default=float(data["default"]), paths=paths, pairs=pairs)
    except (KeyError, TypeError, ValueError, InvalidOrderError) as error:
        if isinstance(error, GridFileError):
            raise
        raise GridFileError(f"{source}: bad credit margin entry: {error}") from error


def load_credit_margins(path: str | Path | None = None) -> CreditMarginTable:
    """Read a credit margin YAML file (the shipped table when ``path`` is None)."""
    path = CREDIT_MARGINS_PATH if path is None else Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise GridFileError(f"{path}: {error}") from error
    return credit_margins_from_mapping(data, str(path))
