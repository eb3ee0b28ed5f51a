"""Diff two error catalogs (specs/errors/catalog.yaml), code by code."""

from __future__ import annotations

from typing import Any

from deepdiff import DeepDiff

from harness.diff.model import Finding
from harness.diff.schema_compare import short

_FIELD_RULES = {
    "http_status": "catalog.code.status.changed",
    "severity": "catalog.code.severity.changed",
    "meaning": "catalog.code.meaning.changed",
    "retired_in": "catalog.code.retired",
    "replaced_by": "catalog.code.retired",
    "introduced_in": "catalog.code.history.changed",
    "source": "catalog.code.source.changed",
    "family": "catalog.family.changed",
}
_TABLES = ("families", "severities")


def diff_catalog(old: dict, new: dict) -> list[Finding]:
    """Every finding between two catalogs; paths are pointers into the new file."""
    found: list[Finding] = []
    old_codes, new_codes = old.get("codes") or {}, new.get("codes") or {}
    for code in sorted(set(old_codes) - set(new_codes)):
        found.append(
            Finding(
                "catalog.code.removed", ("codes", code), f"code {code} removed from the catalog"
            )
        )
    for code in sorted(set(new_codes) - set(old_codes)):
        entry = new_codes[code] if isinstance(new_codes[code], dict) else {}
        found.append(
            Finding(
                "catalog.code.added",
                ("codes", code),
                f"code {code} added ({entry.get('http_status')}: {short(entry.get('meaning'), 80)})",
            )
        )
    for code in sorted(set(old_codes) & set(new_codes)):
        found += _code(code, old_codes[code], new_codes[code])
    for table in _TABLES:
        if old.get(table) != new.get(table):
            found.append(Finding("catalog.family.changed", (table,), f"{table} table changed"))
    for key in sorted((set(old) | set(new)) - {"codes", "catalog_version", *_TABLES}, key=str):
        if old.get(key) != new.get(key):
            found.append(Finding("unclassified.change", (str(key),), f"catalog key {key} changed"))
    return found


def _code(code: str, old: Any, new: Any) -> list[Finding]:
    if not isinstance(old, dict) or not isinstance(new, dict):
        return (
            []
            if old == new
            else [Finding("unclassified.change", ("codes", code), f"code {code} changed")]
        )
    diff = DeepDiff(old, new, ignore_order=True, view="tree")
    fields = sorted(
        {str(leaf.path(output_format="list")[0]) for report in diff.values() for leaf in report}
    )
    found = []
    for name in fields:
        where = ("codes", code, name)
        if name == "services":
            before, after = set(old.get("services") or []), set(new.get("services") or [])
            if after - before:
                found.append(
                    Finding(
                        "catalog.code.services.added",
                        where,
                        f"code {code} now valid for {', '.join(sorted(after - before))}",
                    )
                )
            if before - after:
                found.append(
                    Finding(
                        "catalog.code.services.removed",
                        where,
                        f"code {code} no longer valid for {', '.join(sorted(before - after))}",
                    )
                )
            continue
        rule = _FIELD_RULES.get(name, "unclassified.change")
        found.append(
            Finding(
                rule, where, f"code {code} {name}: {short(old.get(name))} -> {short(new.get(name))}"
            )
        )
    return found
