"""Finding and reading the files of a spec catalog laid out as specs/README.md describes.

The layout is the contract, not our own copies: a user's directory of real
CAISO files named the same way is read the same way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from crr_contract.errors import SpecError
from crr_contract.version import SpecVersion
from crr_contract.yaml_reading import read_yaml

# CAISO's files are caiso_crr_<service>_v<x.y.z>_openapi.yaml; the harness's own
# operator API (specs/simcontrol/) is crr_harness_<name>_v<x.y.z>_openapi.yaml.
OPENAPI_NAME = re.compile(
    r"^(?:caiso_crr|crr_harness)_(?P<key>[a-z0-9_]+?)_v(?P<version>\d+\.\d+\.\d+)_openapi\.ya?ml$"
)
SCHEMA_NAME = re.compile(
    r"^(?P<key>[A-Za-z0-9]+)_v(?P<version>\d+\.\d+\.\d+)\.draft-07\.schema\.json$"
)


@dataclass(frozen=True, order=True)
class SpecFile:
    """One versioned file: an OpenAPI service file or a JSON Schema download type."""

    key: str  # service key ("auction") or schema name ("CRRExistingCRRs")
    version: SpecVersion
    path: Path


def parse_openapi_name(path: Path) -> SpecFile | None:
    match = OPENAPI_NAME.match(path.name)
    if not match:
        return None
    return SpecFile(match["key"], SpecVersion.parse(match["version"]), path)


def parse_schema_name(path: Path) -> SpecFile | None:
    match = SCHEMA_NAME.match(path.name)
    if not match:
        return None
    return SpecFile(match["key"], SpecVersion.parse(match["version"]), path)


def find_openapi(root: Path) -> list[SpecFile]:
    """Every OpenAPI file under ``root`` whose name follows the CAISO convention, sorted."""
    found = (parse_openapi_name(p) for p in sorted(root.rglob("*.y*ml")))
    return sorted(f for f in found if f is not None)


def find_schemas(root: Path) -> list[SpecFile]:
    """Every ``*.draft-07.schema.json`` under ``root`` whose name carries a version, sorted."""
    found = (parse_schema_name(p) for p in sorted(root.rglob("*.schema.json")))
    return sorted(f for f in found if f is not None)


def by_key(files: list[SpecFile]) -> dict[str, list[SpecFile]]:
    """Group files by service or schema name, each group oldest version first."""
    groups: dict[str, list[SpecFile]] = {}
    for spec in sorted(files):
        groups.setdefault(spec.key, []).append(spec)
    return groups


def load_document(path: Path) -> Any:
    """Read a YAML or JSON file; a missing or unparsable file is an SpecError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read: {exc}") from None
    try:
        if str(path).endswith(".json"):
            return json.loads(text)
        return read_yaml(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SpecError(
            f"{path}: not valid {'JSON' if str(path).endswith('.json') else 'YAML'}: {first_line}"
        ) from None
