"""The checks: each a named function with a stable ID, bound on import.

``REGISTRY`` maps every ID of ``requirements.yaml`` to its ``Check`` (that
much needs only ``harness.checks.registry``); importing this package also
binds the per-exchange functions of the modules below, the families (CON
transport, RSP response, ERR error codes, DL downloads, SEC access, PRV
private data and planted records, TLS transport security, ROB malformed
input, REL reliability, FUZ fuzzed input, RUN suites run to their end).
"""

from harness.checks import (
    access,
    completeness,
    downloads,
    error_codes,
    fuzzing,
    private_data,
    private_records,
    reliability,
    response,
    robustness,
    tls,
    transport,
)
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
    "completeness",
    "downloads",
    "error_codes",
    "fuzzing",
    "private_data",
    "private_records",
    "reliability",
    "response",
    "robustness",
    "run_checks",
    "tls",
    "transport",
]
