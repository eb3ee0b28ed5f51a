"""Oversized and malformed input: refused with a 4xx and a catalog code, the server still up.

Which inputs the security suite sends (501 records, 21 segments, a body
over the documented size, deep JSON nesting, invalid UTF-8, a wrong content
type) is the suite's business; what a correct answer is, is decided here.
The documented size of a request body is the spec's ``x-max-body-bytes``
(on the operation, else in ``info``); a spec that states none gets
the default of ``specs/derivations.yaml``, far above anything the documented limits allow
(500 records of at most 20 segments serialize to well under 1 MiB).
"""

from __future__ import annotations

from crr_contract.derivation import DerivationRules
from crr_contract.operations import Operation
from harness.checks.error_codes import error_codes_of
from harness.checks.registry import CheckContext, case_check
from harness.client import Exchange

__all__ = ["BODY_LIMIT_KEY", "DEFAULT_BODY_LIMIT", "documented_body_limit", "malformed_refused"]

BODY_LIMIT_KEY = "x-max-body-bytes"
DEFAULT_BODY_LIMIT = DerivationRules.shipped().max_body_bytes
"""Bytes; the request body limit assumed when the spec documents none (``max_body_bytes`` of
the shipped ``specs/derivations.yaml``)."""

case_check("ROB-001")
case_check("ROB-002")


def documented_body_limit(operation: Operation) -> int:
    """The largest request body ``operation`` must accept, in bytes (``Operation.provenance``
    says whether the spec states it or the catalog's default applies)."""
    return operation.max_body_bytes


def malformed_refused(exchange: Exchange, context: CheckContext) -> str | None:
    """None when ``exchange`` (malformed input) was refused properly, else what is wrong."""
    response = exchange.response
    if response is None:
        return f"no HTTP answer (the connection was dropped): {exchange.record.transport_error}"
    status = response.status
    if status < 400:
        return f"accepted it: HTTP {status}"
    if status >= 500:
        codes = error_codes_of(exchange.json()) or []
        return f"answered a server error: HTTP {status} {', '.join(codes)}".rstrip()
    codes = error_codes_of(exchange.json())
    if not codes:
        shown = response.body[:120].decode("utf-8", "replace")
        return f"answered HTTP {status} without a CRRServiceException error code: {shown!r}"
    unknown = [code for code in codes if code not in context.catalog]
    if unknown:
        return f"answered HTTP {status} with {', '.join(unknown)}, not in the error catalog"
    return None
