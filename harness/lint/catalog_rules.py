"""Lint rules for the error-code catalog itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crr_contract.version import SpecVersion
from harness.errors import USER_INPUT_ERRORS
from harness.lint.findings import Finding, pointer
from harness.lint.rules import rule

CODE_PATTERN = re.compile(r"^[A-Z]{3,4}[0-9]{4}$")
REQUIRED_FIELDS = ("family", "http_status", "severity", "meaning", "services")


@rule("LINT-CAT-001", "every catalog entry is complete and consistent", "catalog")
def check_entries(path: Path, document: Any) -> Iterator[Finding]:
    if not isinstance(document, dict) or not isinstance(document.get("codes"), dict):
        yield Finding(path, "", "LINT-CAT-001", "the catalog needs a 'codes' mapping")
        return
    families = set((document.get("families") or {}).keys())
    services = set(document.get("services") or [])
    severities = set(document.get("severities") or ["ERROR", "WARNING", "INFO"])
    codes = document["codes"]
    for code, entry in codes.items():
        where = pointer("codes", code)
        if not CODE_PATTERN.match(str(code)):
            yield Finding(
                path, where, "LINT-CAT-001", f"{code} is not 3-4 capital letters and 4 digits"
            )
        if not isinstance(entry, dict):
            yield Finding(path, where, "LINT-CAT-001", f"{code} has no fields")
            continue
        missing = [f for f in REQUIRED_FIELDS if f not in entry]
        if missing:
            yield Finding(path, where, "LINT-CAT-001", f"{code} lacks {', '.join(missing)}")
            continue
        family = entry["family"]
        if not str(code).startswith(str(family)):
            yield Finding(
                path, where + "/family", "LINT-CAT-001", f"{code} is not in family {family}"
            )
        if families and family not in families:
            yield Finding(
                path, where + "/family", "LINT-CAT-001", f"{code}: family {family} is not declared"
            )
        if entry["severity"] not in severities:
            yield Finding(
                path,
                where + "/severity",
                "LINT-CAT-001",
                f"{code}: unknown severity {entry['severity']}",
            )
        status = entry["http_status"]
        if not isinstance(status, int) or not 400 <= status <= 599:
            yield Finding(
                path,
                where + "/http_status",
                "LINT-CAT-001",
                f"{code}: http_status {status!r} is not an error status",
            )
        replaced_by = entry.get("replaced_by")
        if replaced_by and replaced_by not in codes:
            yield Finding(
                path,
                where + "/replaced_by",
                "LINT-CAT-001",
                f"{code} is replaced by unknown code {replaced_by}",
            )
        if replaced_by and not entry.get("retired_in"):
            yield Finding(
                path, where, "LINT-CAT-001", f"{code} names a replacement but no retired_in"
            )
        for service in entry["services"]:
            if services and service not in services:
                yield Finding(
                    path,
                    where + "/services",
                    "LINT-CAT-001",
                    f"{code}: service {service} is not declared",
                )
        for table in ("introduced_in", "retired_in"):
            for service, version in (entry.get(table) or {}).items():
                if service != "*" and service not in entry["services"]:
                    yield Finding(
                        path,
                        where + f"/{table}",
                        "LINT-CAT-001",
                        f"{code}: {table} names {service}, not in its services",
                    )
                try:
                    SpecVersion.parse(str(version))
                except USER_INPUT_ERRORS:
                    yield Finding(
                        path,
                        where + f"/{table}",
                        "LINT-CAT-001",
                        f"{code}: {table} {service} has bad version {version!r}",
                    )
