"""Error answers: a ``CRRServiceException`` whose every code the catalog allows here.

The catalog (specs/errors/catalog.yaml) is the authority on a code: it
exists, it has one HTTP status, it belongs to some services and versions
(introduced, retired, replaced). The declared spec version's
``x-error-codes`` is the authority on which codes one operation may answer.
"""

from __future__ import annotations

from typing import Any

from crr_contract.operations import Operation
from crr_contract.version import SpecVersion
from harness.checks.registry import (
    CheckContext,
    CheckFailed,
    NotApplicable,
    check,
    operation_clause,
    rule_label,
)
from harness.client import Exchange

CATALOG_FILE = "specs/errors/catalog.yaml"


def error_codes_of(body: Any) -> list[str] | None:
    """The codes of an error body: ``errorDetails[].errorCode`` (1.1 and later) or the flat
    ``errorCode`` of the 1.0.0 drafts; None when the body carries no code at all."""
    if not isinstance(body, dict):
        return None
    details = body.get("errorDetails")
    if isinstance(details, list) and details:
        codes = [d.get("errorCode") for d in details if isinstance(d, dict)]
        if codes and all(isinstance(c, str) and c for c in codes):
            return codes
        return None
    code = body.get("errorCode")
    return [code] if isinstance(code, str) and code else None


def _error(exchange: Exchange) -> tuple[Operation, int, list[str]]:
    """The operation, status and codes of an error answer; ``NotApplicable`` otherwise."""
    if exchange.operation is None or exchange.response is None:
        raise NotApplicable
    if exchange.response.status < 400:
        raise NotApplicable
    codes = error_codes_of(exchange.json())
    if codes is None:
        raise NotApplicable  # ERR-001 reports it
    return exchange.operation, exchange.response.status, codes


@check("ERR-001")
def error_body_shape(exchange: Exchange, context: CheckContext) -> None:
    if exchange.operation is None or exchange.response is None:
        raise NotApplicable
    if exchange.response.status < 400:
        raise NotApplicable
    body = exchange.json()
    if error_codes_of(body) is None:
        shown = exchange.response.body[:200].decode("utf-8", "replace")
        raise CheckFailed(
            f"{exchange.operation.name} answered HTTP {exchange.response.status} without an "
            f"error code in a CRRServiceException body: {shown!r}",
            operation_clause(exchange.operation, "responses", str(exchange.response.status)),
        )
    details = body.get("errorDetails") if isinstance(body, dict) else None
    for index, detail in enumerate(details or []):
        missing = [
            key
            for key in ("severity", "errorCode", "errorDescription")
            if not isinstance(detail.get(key), str) or not detail.get(key)
        ]
        if missing:
            raise CheckFailed(
                f"{exchange.operation.name}: errorDetails[{index}] lacks {', '.join(missing)}",
                operation_clause(exchange.operation, "responses", str(exchange.response.status)),
            )


@check("ERR-002")
def code_in_catalog(exchange: Exchange, context: CheckContext) -> None:
    operation, _status, codes = _error(exchange)
    unknown = [code for code in codes if code not in context.catalog]
    if unknown:
        raise CheckFailed(
            f"{operation.name} answered {', '.join(unknown)}, not in the error catalog",
            f"{CATALOG_FILE}#/codes",
        )


@check("ERR-003")
def code_listed_for_operation(exchange: Exchange, context: CheckContext) -> None:
    operation, _status, codes = _error(exchange)
    unlisted = [code for code in codes if code not in operation.error_codes]
    if unlisted:
        raise CheckFailed(
            f"{operation.name} ({operation.spec.file}) answered {', '.join(unlisted)}, not in "
            f"{rule_label(operation, 'x-error-codes')} ({', '.join(sorted(operation.error_codes))})",
            operation_clause(operation, "x-error-codes"),
        )


@check("ERR-004")
def code_not_retired(exchange: Exchange, context: CheckContext) -> None:
    operation, _status, codes = _error(exchange)
    version = SpecVersion.parse(operation.version)
    for code in codes:
        if code not in context.catalog:
            continue  # ERR-002 reports it
        reason = context.catalog.availability(code, operation.service, version)
        if reason is not None:
            raise CheckFailed(
                f"{operation.name} (declared {operation.service} {version}) answered {code}: "
                f"{reason}",
                f"{CATALOG_FILE}#/codes/{code}",
            )


@check("ERR-005")
def status_matches_catalog(exchange: Exchange, context: CheckContext) -> None:
    operation, status, codes = _error(exchange)
    for code in codes:
        entry = context.catalog.get(code)
        if entry is not None and entry.http_status != status:
            raise CheckFailed(
                f"{operation.name} answered {code} with HTTP {status}; the catalog gives "
                f"{code} HTTP {entry.http_status}",
                f"{CATALOG_FILE}#/codes/{code}/http_status",
            )
