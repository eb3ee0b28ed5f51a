"""Reads ``requirements.yaml``: every check ID with its title, requirement text and producers.

The texts are data so that users can read every rule the harness judges in
one file, and so that the list of checks is complete the moment the
registry is imported, whichever suites were imported or not. The file ships
with the harness, so a malformed entry is a defect of the harness, refused
with the entry it is in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "KINDS",
    "REQUIREMENTS_FILE",
    "Producer",
    "Requirement",
    "RequirementsFile",
    "RequirementsFileError",
    "load_requirements",
]

REQUIREMENTS_FILE = Path(__file__).with_name("requirements.yaml")

KINDS = ("exchange", "case", "run")
"""exchange: a function judges each exchange; case: a suite judges a whole case itself;
run: the certify run judges it around every suite (whether the suite ran to its end)."""

_ID = re.compile(r"^(?P<family>[A-Z]{2,4})-\d{3}$")
_FIELDS = ("id", "title", "family", "kind", "suites", "source", "requirement")


class RequirementsFileError(ValueError):
    """The requirements file is malformed: the message names the entry and the field."""


@dataclass(frozen=True, slots=True)
class Requirement:
    """One check of the file: what a coverage matrix shows in a row."""

    id: str
    title: str
    requirement: str
    """The rule in words, with the spec clause or catalog field it comes from."""
    family: str
    kind: str
    """``exchange`` or ``case`` (see ``KINDS``)."""
    suites: tuple[str, ...]
    """The producers (suites of ``certify``, or ``connect``) whose results carry this ID."""
    source: str | None
    """The clause, catalog field or project file the text cites; None where it cites none."""


@dataclass(frozen=True, slots=True)
class Producer:
    """A suite that produces check results, and the command that runs it."""

    name: str
    command: str


@dataclass(frozen=True, slots=True)
class RequirementsFile:
    families: Mapping[str, str]
    producers: tuple[Producer, ...]
    """In run order: ``certify``'s suites first, as they run."""
    checks: tuple[Requirement, ...]


def load_requirements(path: Path = REQUIREMENTS_FILE) -> RequirementsFile:
    """Every entry of ``path``, validated; IDs unique, families and producers declared."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RequirementsFileError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(raw, dict) or set(raw) != {"families", "producers", "checks"}:
        raise RequirementsFileError(f"{path}: expected the keys families, producers and checks")
    families = _families(path, raw["families"])
    producers = _producers(path, raw["producers"])
    if not isinstance(raw["checks"], list):
        raise RequirementsFileError(f"{path}: checks must be a list")
    names = {producer.name for producer in producers}
    checks: list[Requirement] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw["checks"]):
        check = _requirement(f"{path}: checks[{index}]", entry, families, names)
        if check.id in seen:
            raise RequirementsFileError(f"{path}: checks[{index}]: {check.id} listed twice")
        seen.add(check.id)
        checks.append(check)
    return RequirementsFile(families, producers, tuple(checks))


def _families(path: Path, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(
        isinstance(key, str) and isinstance(value, str) and value for key, value in raw.items()
    ):
        raise RequirementsFileError(f"{path}: families must map each prefix to a description")
    return dict(raw)


def _producers(path: Path, raw: Any) -> tuple[Producer, ...]:
    if not isinstance(raw, list):
        raise RequirementsFileError(f"{path}: producers must be a list")
    producers = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict) or set(entry) != {"name", "command"}:
            raise RequirementsFileError(f"{path}: producers[{index}]: expected name and command")
        producers.append(Producer(str(entry["name"]), str(entry["command"])))
    if len({producer.name for producer in producers}) != len(producers):
        raise RequirementsFileError(f"{path}: producers: a name is listed twice")
    return tuple(producers)


def _requirement(
    where: str, entry: Any, families: Mapping[str, str], producers: set[str]
) -> Requirement:
    if not isinstance(entry, dict) or set(entry) != set(_FIELDS):
        keys = sorted(entry) if isinstance(entry, dict) else entry
        raise RequirementsFileError(
            f"{where}: expected the fields {', '.join(_FIELDS)}, got {keys}"
        )
    check_id = entry["id"]
    match = _ID.match(check_id) if isinstance(check_id, str) else None
    if match is None:
        raise RequirementsFileError(f"{where}: id {check_id!r} is not FAMILY-NNN")
    where = f"{where} ({check_id})"
    for field in ("title", "requirement"):
        if not isinstance(entry[field], str) or not entry[field].strip():
            raise RequirementsFileError(f"{where}: {field} must be a non-empty text")
    if entry["family"] != match["family"] or entry["family"] not in families:
        raise RequirementsFileError(
            f"{where}: family {entry['family']!r} must be the ID's prefix and listed in families"
        )
    if entry["kind"] not in KINDS:
        raise RequirementsFileError(f"{where}: kind must be one of {', '.join(KINDS)}")
    suites = entry["suites"]
    if not isinstance(suites, list) or not suites or not set(suites) <= producers:
        raise RequirementsFileError(
            f"{where}: suites must list producers ({', '.join(sorted(producers))})"
        )
    if entry["source"] is not None and not isinstance(entry["source"], str):
        raise RequirementsFileError(f"{where}: source must be a text or null")
    return Requirement(
        id=check_id,
        title=entry["title"],
        requirement=entry["requirement"],
        family=entry["family"],
        kind=entry["kind"],
        suites=tuple(suites),
        source=entry["source"],
    )
