"""Every ``ssl.SSLContext`` of the reference implementation and its tests is built here.

Keeping TLS in one module means one place decides the protocol floor, the
trust anchors and revocation checking, and nobody else is tempted to turn
verification off. The server context refuses any client that does not
present a certificate chaining to the configured CA (``CERT_REQUIRED``), so
such clients never reach HTTP; with a CRL configured it also refuses revoked
client certificates (``VERIFY_CRL_CHECK_LEAF``). OpenSSL reads the CRL once,
when the context is built: a server picks up a new CRL on restart.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from crr_contract.pki import PkiLayout

__all__ = [
    "MINIMUM_TLS_VERSION",
    "client_context",
    "client_context_for",
    "server_context",
    "server_context_for",
]

MINIMUM_TLS_VERSION = ssl.TLSVersion.TLSv1_2
"""TLS 1.0 and 1.1 are refused in both directions."""


def server_context(
    cert_file: Path,
    key_file: Path,
    ca_file: Path,
    crl_file: Path | None = None,
) -> ssl.SSLContext:
    """A server context that requires a client certificate chained to ``ca_file``.

    ``crl_file`` (PEM, from the same CA) turns on revocation checking of the
    client certificate; without it revoked certificates are accepted.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = MINIMUM_TLS_VERSION
    context.verify_mode = ssl.CERT_REQUIRED
    context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION
    context.load_cert_chain(certfile=str(cert_file), keyfile=str(key_file))
    context.load_verify_locations(cafile=str(ca_file))
    if crl_file is not None:
        context.load_verify_locations(cafile=str(crl_file))
        context.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    context.set_alpn_protocols(["http/1.1"])
    return context


def client_context(
    ca_file: Path,
    cert_file: Path | None = None,
    key_file: Path | None = None,
) -> ssl.SSLContext:
    """A client context trusting ``ca_file``, presenting ``cert_file`` when one is given.

    Hostname checking stays on: the dev server certificate names
    ``localhost``, ``127.0.0.1`` and ``::1``.
    """
    if (cert_file is None) != (key_file is None):
        raise ValueError("a client certificate needs its key, and a key its certificate")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = MINIMUM_TLS_VERSION
    context.load_verify_locations(cafile=str(ca_file))
    if cert_file is not None and key_file is not None:
        context.load_cert_chain(certfile=str(cert_file), keyfile=str(key_file))
    context.set_alpn_protocols(["http/1.1"])
    return context


def server_context_for(layout: PkiLayout, *, check_revocation: bool = True) -> ssl.SSLContext:
    """The server context of a dev PKI directory (its CRL checked unless told otherwise)."""
    return server_context(
        layout.server.cert,
        layout.server.key,
        layout.ca_cert,
        layout.crl if check_revocation else None,
    )


def client_context_for(layout: PkiLayout, name: str | None) -> ssl.SSLContext:
    """The client context of one dev PKI credential (good or bad), or of none when ``name`` is None.

    ``name`` is a good client's name (``alpha_lse-rw``) or a bad one's
    (``bad-expired``), as in the manifest's ``credential`` field.
    """
    if name is None:
        return client_context(layout.ca_cert)
    bad = {credential.name: credential for credential in layout.bad_clients.values()}
    credential = bad[name] if name in bad else layout.client(name)
    return client_context(layout.ca_cert, credential.cert, credential.key)
