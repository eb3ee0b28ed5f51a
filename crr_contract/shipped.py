"""Where the spec catalog and the scenarios that ship with crr-harness live.

In a checkout they are the repository's top-level ``specs/`` and
``scenarios/`` folders (this package links to them); in an installed wheel
they are package data of this package. Either way ``importlib.resources``
finds them, so no caller has to know how crr-harness was installed. A
user's own folders (``--specs-dir``, ``specs_dir:`` in target.yaml, a
scenario folder given to pytest) always take precedence over these.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

__all__ = ["DATASETS_DIR", "SCENARIOS_DIR", "SPECS_DIR", "ExportError", "export_tree"]


class ExportError(Exception):
    """The destination of an export exists already and is not an empty directory."""


def _shipped(name: str) -> Path:
    return Path(str(resources.files(__package__) / name)).resolve()


SPECS_DIR = _shipped("specs")
"""The shipped spec catalog: OpenAPI files, JSON Schemas, error catalog, policy."""

SCENARIOS_DIR = _shipped("scenarios")
"""The shipped market-sim scenario scripts (weeks 1-3)."""

DATASETS_DIR = SCENARIOS_DIR / "datasets"
"""The shipped data sets that the scenarios load into a target."""


def export_tree(source: Path, destination: Path) -> int:
    """Copy a shipped folder to ``destination`` for the user to edit; return the file count.

    An existing non-empty destination is refused rather than merged into:
    a user's edited copy is never overwritten.
    """
    destination = Path(destination)
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise ExportError(f"{destination} exists and is not an empty directory")
    shutil.copytree(source, destination, dirs_exist_ok=True)
    return sum(1 for path in destination.rglob("*") if path.is_file())
