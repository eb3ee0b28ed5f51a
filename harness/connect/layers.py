"""The layers of ``crr-harness connect``, bottom to top: a failing layer blocks those above it.

The IDs are a contract (reports, users' CI scripts): CNX-001 is always DNS,
CNX-007 always the write per service. A layer's requirement is the text a
report shows next to its result.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.checks.registry import case_check

__all__ = ["LAYERS", "SUITE", "Layer", "layer"]

SUITE = "connect"


@dataclass(frozen=True, slots=True)
class Layer:
    id: str
    title: str
    requirement: str
    per_service: bool = False


LAYERS: tuple[Layer, ...] = (
    Layer(
        "CNX-001",
        "DNS",
        "The endpoint's host name resolves to at least one address (an IP address needs no "
        "lookup).",
    ),
    Layer(
        "CNX-002",
        "TCP",
        "A TCP connection to the endpoint's host and port opens within the timeout.",
    ),
    Layer(
        "CNX-003",
        "TLS handshake",
        "The TLS handshake completes with the participant's CA bundle: the server certificate "
        "chains to a CA of the bundle, is within its validity period and names the endpoint's "
        "host (warning when it expires within 30 days).",
    ),
    Layer(
        "CNX-004",
        "client certificate",
        "The participant's certificate is valid now (warning when it expires within 30 days) "
        "and the server accepts it: a request sent after the handshake gets an HTTP answer.",
    ),
    Layer(
        "CNX-005",
        "identity and role",
        "The server resolves the certificate to the participant and its AIM role: the first "
        "read the role may call (app status first) is not refused with SEC0001 or SEC0002.",
    ),
    Layer(
        "CNX-006",
        "read",
        "For each service, the first read operation whose x-roles include the role, called "
        "with the spec's example request, gets an answer that is not a transport error, not a "
        "5xx and not a 403 refusal (a 4xx about the example's data proves the path works).",
        per_service=True,
    ),
    Layer(
        "CNX-007",
        "write",
        "For each service with a write operation the role may call, one harmless write "
        "(harness/connect/writes.yaml) is authorized: a draft created and deleted again, or an "
        "empty request refused with 400 SER/GEN, never 403 SEC0001; nothing is left changed.",
        per_service=True,
    ),
)


def layer(layer_id: str) -> Layer:
    for entry in LAYERS:
        if entry.id == layer_id:
            return entry
    raise KeyError(layer_id)


for _layer in LAYERS:
    case_check(_layer.id, f"connect: {_layer.title}", _layer.requirement)
