"""The checks: each a named function with a stable ID, registered on import.

``REGISTRY`` maps every ID to its ``Check``; the modules below are the
families (CON transport, RSP response, ERR error codes, DL downloads, SEC
access, PRV private data).
"""

from harness.checks import access, downloads, error_codes, private_data, response, transport
from harness.checks.registry import (
    REGISTRY,
    Check,
    CheckContext,
    CheckFailed,
    CheckOutcome,
    NotApplicable,
    case_check,
    check,
    run_checks,
)

__all__ = [
    "REGISTRY",
    "Check",
    "CheckContext",
    "CheckFailed",
    "CheckOutcome",
    "NotApplicable",
    "access",
    "case_check",
    "check",
    "downloads",
    "error_codes",
    "private_data",
    "response",
    "run_checks",
    "transport",
]
