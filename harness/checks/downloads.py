"""Downloads: the data validates against the JSON Schema (draft-07) version it names.

A download answer says ``schemaName`` and ``schemaVersion``; the harness
validates ``data`` against ``specs/schemas/<schemaName>_v<schemaVersion>
.draft-07.schema.json`` (DL-001) and checks the version is the one the
declared market_data spec says the type follows (DL-002), so a target that
moved to a new schema version without a spec release is caught.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

from crr_contract.examples import resolve
from crr_contract.operations import Operation
from harness.checks.registry import (
    CheckContext,
    CheckFailed,
    NotApplicable,
    check,
    operation_clause,
)
from harness.client import Exchange


def _download(exchange: Exchange) -> tuple[Operation, dict[str, Any]]:
    operation = exchange.operation
    if operation is None or exchange.status != 200:
        raise NotApplicable
    body = exchange.json()
    if not (isinstance(body, dict) and "schemaName" in body and "data" in body):
        raise NotApplicable
    return operation, body


@functools.lru_cache(maxsize=128)
def _validator(path: Path) -> Draft7Validator:
    return Draft7Validator(json.loads(path.read_text(encoding="utf-8")))


@check("DL-001")
def download_matches_schema(exchange: Exchange, context: CheckContext) -> None:
    operation, body = _download(exchange)
    name, version = body.get("schemaName"), body.get("schemaVersion")
    path = context.schemas_dir / f"{name}_v{version}.draft-07.schema.json"
    clause = f"specs/schemas/{path.name}"
    if not path.is_file():
        raise CheckFailed(
            f"{operation.name}: download names schema {name} {version}, which has no schema file",
            clause,
        )
    errors = sorted(_validator(path).iter_errors(body["data"]), key=lambda e: list(e.path))
    if errors:
        shown = "; ".join(
            f"at /{'/'.join(str(p) for p in e.path)}: {e.message}" for e in errors[:5]
        )
        more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
        raise CheckFailed(
            f"{operation.name}: {body.get('downloadType')} data does not match {name} "
            f"{version}: {shown}{more}",
            clause,
        )


def advertised_versions(operation: Operation) -> tuple[dict[str, str], str]:
    """Download type → schema version, as the declared market_data spec's getDownloadTypes
    example lists them, and where."""
    for candidate in operation.spec.operations():
        if candidate.operation_id != "getDownloadTypes":
            continue
        response = resolve(candidate.spec.document, candidate.definition["responses"]["200"])
        media = (response.get("content") or {}).get("application/json") or {}
        example = media.get("example")
        if isinstance(example, dict):
            example = example.get("downloadTypes") or example.get("types")
        if isinstance(example, list):
            versions = {
                str(item["downloadType"]): str(item["schemaVersion"])
                for item in example
                if isinstance(item, dict) and "downloadType" in item and "schemaVersion" in item
            }
            return versions, operation_clause(candidate, "responses", "200")
    return {}, ""


@check("DL-002")
def download_version_declared(exchange: Exchange, context: CheckContext) -> None:
    operation, body = _download(exchange)
    versions, clause = advertised_versions(operation)
    expected = versions.get(str(body.get("downloadType")))
    if expected is None:
        raise NotApplicable
    if str(body.get("schemaVersion")) != expected:
        raise CheckFailed(
            f"{operation.name}: {body.get('downloadType')} answered with schema version "
            f"{body.get('schemaVersion')}; {operation.spec.file} lists {expected}",
            clause,
        )
