"""Copies of the shipped spec files with some ``maxItems`` changed, for the limit tests.

A limit is the spec's word, so the way to show an implementation follows it
is to change the word in a copy and serve the copy.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import yaml

from crr_contract.limits import REQUEST_LIMITS, array_schema
from crr_contract.operations import default_spec_files, load_specs

__all__ = ["raise_every_max_items", "specs_with_limits"]


def specs_with_limits(directory: Path, changes: Mapping[str, int | None]) -> list[Path]:
    """The shipped default spec files copied into ``directory``, each array of the limits named
    in ``changes`` given that ``maxItems`` (None: none stated at all)."""
    directory.mkdir(parents=True, exist_ok=True)
    copies = []
    for path in default_spec_files():
        copy = directory / path.name
        shutil.copyfile(path, copy)
        copies.append(copy)
    for spec in load_specs(copies):
        touched = False
        for limit in REQUEST_LIMITS:
            if limit.service != spec.service or limit.name not in changes:
                continue
            schema = array_schema(spec, limit)
            assert isinstance(schema, dict)
            value = changes[limit.name]
            if value is None:
                schema.pop("maxItems", None)
            else:
                schema["maxItems"] = value
            touched = True
        if touched:
            spec.path.write_text(yaml.safe_dump(dict(spec.document), sort_keys=False))
    return copies


def raise_every_max_items(path: Path, old: int, new: int) -> None:
    """Every ``maxItems: old`` of the file at ``path`` becomes ``new``, responses included, so a
    response echoing a request at the new limit still matches its own spec."""
    text = path.read_text(encoding="utf-8")
    assert f"maxItems: {old}" in text, f"{path.name} states no maxItems {old}"
    path.write_text(text.replace(f"maxItems: {old}\n", f"maxItems: {new}\n"), encoding="utf-8")
