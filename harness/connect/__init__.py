"""``crr-harness connect``: the go-live connectivity doctor.

One participant certificate against one endpoint, layer by layer (the
table is ``layers.LAYERS``): DNS, TCP, TLS handshake, client certificate
accepted, identity and role, one read per service, one harmless write per
service (``writes.yaml``). ``doctor.run_connect`` runs them and writes the
reports; ``render.Printer`` says what was found in plain words.
"""

from harness.connect.doctor import ConnectRequest, run_connect
from harness.connect.layers import LAYERS, SUITE, Layer

__all__ = ["LAYERS", "SUITE", "ConnectRequest", "Layer", "run_connect"]
