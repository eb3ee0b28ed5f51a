"""Before a run: can the harness reach the target at all?

A target that answers nothing (its name does not resolve, nothing listens,
no participant completes a TLS handshake) cannot be certified: every case
would fail for the same reason, and a verdict of "not conformant" would
blame the server for what is a wrong URL or a closed firewall. So the run
stops before it starts, with exit 2 and one line naming the cause, within
``BUDGET_SECONDS``. ``crr-harness connect`` is the command that diagnoses
such a cause layer by layer.
"""

from __future__ import annotations

import ssl
import time

from harness.client import tls_context
from harness.connect.network import connect_tcp, parse_endpoint, resolve
from harness.connect.tls import explain_handshake_error, handshake
from harness.errors import InputError
from harness.target.config import TargetConfig

__all__ = ["BUDGET_SECONDS", "TargetUnreachable", "ensure_reachable"]

BUDGET_SECONDS = 25.0
"""The longest the probe may take, all participants together (the run's promise is 30 s)."""

STEP_TIMEOUT = 5.0
"""One TCP connect or one TLS handshake."""


class TargetUnreachable(InputError):
    """Nobody could reach the target: the run could not start (exit 2)."""


def ensure_reachable(config: TargetConfig, *, timeout: float = STEP_TIMEOUT) -> None:
    """Return when at least one participant completes a connection; raise otherwise.

    A handshake that fails for one participant but succeeds for another is
    a finding for the security suite to judge, not a reason to stop.
    """
    started = time.monotonic()
    endpoint = parse_endpoint(config.base_url)
    probe, addresses = resolve(endpoint)
    if not probe.ok:
        raise TargetUnreachable(f"cannot reach {config.base_url}: {probe.cause}")
    probe = connect_tcp(endpoint, addresses, timeout)
    if not probe.ok:
        raise TargetUnreachable(f"cannot reach {config.base_url}: {probe.cause}")
    if not endpoint.tls:
        return
    address = probe.details.get("address")
    causes: list[str] = []
    for participant in config.participants:
        if time.monotonic() - started > BUDGET_SECONDS:
            break
        try:
            context = tls_context(config, None if config.client_cert_header else participant)
        except (OSError, ssl.SSLError) as exc:
            causes.append(f"{participant.id}: its certificate or key cannot be loaded ({exc})")
            continue
        shaken = handshake(endpoint, context, timeout, address)
        if shaken.ok:
            shaken.close()
            return
        if isinstance(shaken.error, ssl.SSLCertVerificationError):
            cause = f"the server certificate does not verify ({shaken.error.verify_message})"
        else:
            cause = explain_handshake_error(shaken.error, endpoint)[0]
        causes.append(f"{participant.id}: {cause}")
    first = causes[0] if causes else "no participant is declared"
    raise TargetUnreachable(
        f"cannot reach {config.base_url}: no participant completed a TLS handshake ({first})"
    )
