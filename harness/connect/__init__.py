"""``crr-harness connect``: the go-live connectivity doctor.

One participant certificate against one endpoint, layer by layer (the
table is ``layers.LAYERS``): DNS, TCP, TLS handshake, client certificate
accepted, identity and role, one read per service, one harmless write per
service (``writes.yaml``). ``doctor.run_connect`` runs them and writes the
reports; ``render.Printer`` says what was found in plain words.

The package imports nothing on its own: ``certify`` uses the network and
TLS probes below the doctor without loading the doctor.
"""
