"""Transport security: bad client certificates refused, TLS 1.2 at least, a sound server certificate.

These are judged by the security suite over a whole probe (a request made
with a deliberately bad certificate from the dev PKI, a client that offers
only TLS 1.0/1.1, a look at the server's certificate), not over ordinary
exchanges, so they are case checks. What a probe's outcome means is decided
here, by ``refusal``: a bad certificate must be refused either in the TLS
handshake or with HTTP 403 SEC0001 (ATH0002 before SEC0001 existed), and
never served.
"""

from __future__ import annotations

from collections.abc import Mapping

from harness.checks.access import ROLE_REFUSAL, refusal_codes
from harness.checks.error_codes import error_codes_of
from harness.checks.registry import CheckContext, case_check
from harness.client import Exchange

__all__ = ["DEFECT_CHECKS", "NO_CERTIFICATE", "Refusal", "refusal"]

NO_CERTIFICATE = "no-certificate"

DEFECT_CHECKS: Mapping[str, str] = {
    NO_CERTIFICATE: "TLS-001",
    "expired": "TLS-002",
    "not-yet-valid": "TLS-003",
    "other-ca": "TLS-004",
    "self-signed": "TLS-005",
    "wrong-usage": "TLS-006",
    "revoked": "TLS-007",
}
"""The dev PKI's certificate defect (``pki init``'s ``bad-<defect>``) → the check that judges it."""

for _check_id in (*DEFECT_CHECKS.values(), "TLS-008", "TLS-009"):
    case_check(_check_id)


class Refusal:
    """How a target answered a bad-certificate probe: refused (and how), or served."""

    __slots__ = ("how", "refused")

    def __init__(self, refused: bool, how: str) -> None:
        self.refused = refused
        self.how = how


def refusal(exchange: Exchange, context: CheckContext) -> Refusal:
    """Whether ``exchange`` (a request with a bad certificate) was refused, and how.

    A transport error is a TLS-layer refusal only when the caller has made
    sure the target is up (a good certificate is answered right after).
    """
    response = exchange.response
    if response is None:
        return Refusal(True, f"refused at the TLS layer ({exchange.record.transport_error})")
    codes = error_codes_of(exchange.json()) or []
    expected = (
        refusal_codes(context, exchange.operation, ROLE_REFUSAL)
        if exchange.operation is not None
        else {ROLE_REFUSAL}
    )
    if response.status == 403 and expected & set(codes):
        return Refusal(True, f"refused with HTTP 403 {', '.join(codes)}")
    shown = f"HTTP {response.status}" + (f" {', '.join(codes)}" if codes else "")
    if response.status < 400:
        return Refusal(False, f"served it: {shown}")
    return Refusal(
        False,
        f"answered {shown}, neither a TLS refusal nor 403 {' or '.join(sorted(expected))}",
    )
