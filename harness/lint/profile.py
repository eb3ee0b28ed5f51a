"""Lint profiles (``profiles.yaml`` beside this module): how strict lint is about annotations.

The default profile lints our annotated catalog, where an operation without
``x-roles`` is a mistake. The ``caiso`` profile lints files as CAISO
publishes them: they state roles with a read/write tag and error codes in
the ``CRRServiceException`` description, so a missing annotation that a
derivation supplies is a note, and only one that nothing supplies is a
finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from harness.errors import InputError

__all__ = ["DEFAULT_PROFILE", "PROFILES", "LintProfile", "profile_named"]

DEFAULT_PROFILE = "default"


@dataclass(frozen=True, slots=True)
class LintProfile:
    """One profile: its name and whether a derivable missing annotation is a note."""

    name: str
    description: str
    derived_is_note: bool


def _load() -> dict[str, LintProfile]:
    data = yaml.safe_load(Path(__file__).with_name("profiles.yaml").read_text(encoding="utf-8"))
    return {
        name: LintProfile(
            name,
            " ".join(str(entry.get("description") or "").split()),
            entry.get("derived_annotation") == "note",
        )
        for name, entry in data["profiles"].items()
    }


PROFILES: dict[str, LintProfile] = _load()
"""Every profile by name."""


def profile_named(name: str) -> LintProfile:
    """The profile called ``name``, or an ``InputError`` listing the known ones."""
    if name not in PROFILES:
        raise InputError(f"unknown lint profile {name!r} (known: {', '.join(sorted(PROFILES))})")
    return PROFILES[name]
