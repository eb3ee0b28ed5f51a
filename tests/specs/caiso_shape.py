"""A copy of ``specs/`` shaped as CAISO publishes its files: none of our x- annotations.

CAISO's files carry no ``x-roles``, ``x-error-codes`` or
``x-max-body-bytes``. They say who may call an operation with its ``read``
or ``write`` tag, and list the API's error codes in the description of the
``CRRServiceException`` schema, one code per line ("Added comments to
description of CRRServiceException", CPG 2024-11-21). The copy keeps every
other byte of meaning: same operations, tags, schemas, catalog, roles.
``specs/simcontrol/`` is ours and stays as it is.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from crr_contract.derivation import ANNOTATIONS
from crr_contract.error_catalog import ErrorCatalog
from crr_contract.operations import HTTP_METHODS

ERROR_SCHEMA = "CRRServiceException"

CAISO_DESCRIPTION_HEAD = (
    "Error response of the CRR APIs. errorDetails holds one ErrorDetail per error found.\n"
    "Error codes of this API:\n"
)
"""How the copy's ``CRRServiceException`` description starts; one ``CODE - meaning`` line
per code follows."""


def caiso_description(codes: list[str], catalog: ErrorCatalog) -> str:
    """The CAISO-style description listing ``codes``, each with its catalog meaning."""
    lines = []
    for code in codes:
        entry = catalog.get(code)
        meaning = " ".join(str(entry.meaning).split()) if entry is not None else ""
        lines.append(f"{code} - {meaning}".rstrip(" -"))
    return CAISO_DESCRIPTION_HEAD + "\n".join(lines) + "\n"


def strip_annotations(document: dict[str, Any]) -> list[str]:
    """Remove our annotations from every operation; returns the union of its error codes,
    in first-seen order."""
    codes: dict[str, None] = {}
    for item in (document.get("paths") or {}).values():
        for method, operation in (item or {}).items():
            if method not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            for code in operation.get("x-error-codes") or ():
                codes[str(code)] = None
            for key in ANNOTATIONS.values():
                operation.pop(key, None)
    (document.get("info") or {}).pop("x-max-body-bytes", None)
    return list(codes)


def caiso_shaped(document: dict[str, Any], catalog: ErrorCatalog) -> dict[str, Any]:
    """``document`` as CAISO would publish it (changed in place and returned)."""
    codes = strip_annotations(document)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schema = schemas.setdefault(
        ERROR_SCHEMA,
        {
            "type": "object",
            "required": ["errorDetails"],
            "properties": {"errorDetails": {"type": "array", "items": {"type": "object"}}},
        },
    )
    schema["description"] = caiso_description(codes, catalog)
    return document


def make_caiso_copy(source: Path, destination: Path) -> Path:
    """Copy the catalog ``source`` to ``destination`` with every CAISO file CAISO-shaped."""
    shutil.copytree(source, destination, dirs_exist_ok=True)
    catalog = ErrorCatalog.load(destination / "errors" / "catalog.yaml")
    overlays = destination / "overlays"
    if overlays.exists():
        shutil.rmtree(overlays)  # a CAISO catalog comes without ours
    for path in sorted((destination / "openapi").rglob("*_openapi.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        caiso_shaped(document, catalog)
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), "utf-8")
    return destination
