"""The security layer: dev PKI, client identity, mutual TLS on loopback, proxy mode, authorization."""
