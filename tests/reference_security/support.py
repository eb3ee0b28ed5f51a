"""Helpers shared by the security tests: an echo app, raw TLS probes, in-memory handshakes."""

from __future__ import annotations

import json
import socket
import ssl
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from crr_contract.identity import Identity
from crr_contract.pki import PkiLayout


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers every request with the identity the middleware resolved and what TLS carried."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    identity: Identity = scope["state"]["identity"]
    tls = dict((scope.get("extensions") or {}).get("tls") or {})
    der = tls.pop("crr_client_cert_der", None)
    tls.pop("crr_identity", None)
    body = {
        "identity": identity.to_dict(),
        "tls": tls,
        "client_cert_der_hex": der.hex() if der else None,
        "header_names": sorted({name.decode("latin-1") for name, _ in scope["headers"]}),
    }
    data = json.dumps(body).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": data})


def escaped_cert_header(cert_path: Path) -> str:
    """The header value nginx sends for ``$ssl_client_escaped_cert``: the PEM, URL-encoded."""
    return urllib.parse.quote(cert_path.read_text("ascii"), safe="")


@dataclass(frozen=True, slots=True)
class Probe:
    """What a raw TLS client saw: the handshake error, if any, and every byte it received."""

    error: BaseException | None
    received: bytes

    @property
    def got_http_response(self) -> bool:
        return self.received.startswith(b"HTTP/")


def probe(host: str, port: int, context: ssl.SSLContext) -> Probe:
    """Connect, handshake, send one HTTP request and read whatever comes back."""
    received = b""
    try:
        with (
            socket.create_connection((host, port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            tls.sendall(b"GET /whoami HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            while chunk := tls.recv(65536):
                received += chunk
    except (ssl.SSLError, OSError) as exc:
        return Probe(exc, received)
    return Probe(None, received)


@dataclass(frozen=True, slots=True)
class Handshake:
    """The outcome of a TLS handshake run entirely in memory, seen from both ends."""

    server_error: ssl.SSLError | None
    client_error: ssl.SSLError | None


def memory_handshake(client: ssl.SSLContext, server: ssl.SSLContext) -> Handshake:
    """Run a handshake between two contexts through memory BIOs, to read the server's verdict."""
    c_in, c_out, s_in, s_out = (ssl.MemoryBIO() for _ in range(4))
    ends = {
        "client": client.wrap_bio(c_in, c_out, server_hostname="localhost"),
        "server": server.wrap_bio(s_in, s_out, server_side=True),
    }
    done = {"client": False, "server": False}
    errors: dict[str, ssl.SSLError | None] = {"client": None, "server": None}

    def step(side: str) -> None:
        if done[side] or errors[side] is not None:
            return
        try:
            ends[side].do_handshake()
            done[side] = True
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLError as exc:
            errors[side] = exc

    for _ in range(10):
        step("client")
        s_in.write(c_out.read())
        step("server")
        c_in.write(s_out.read())
        if all(done[side] or errors[side] is not None for side in ends):
            break
    return Handshake(server_error=errors["server"], client_error=errors["client"])


def issue_client_cert(
    pki: PkiLayout,
    directory: Path,
    stem: str,
    subject: x509.Name,
    *,
    not_before: datetime,
    not_after: datetime,
) -> tuple[Path, Path]:
    """A clientAuth certificate from the dev CA with an arbitrary subject (for identity edge cases)."""
    ca_cert = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    ca_key = serialization.load_pem_private_key(pki.ca_key.read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before - timedelta(hours=1))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{stem}.pem", directory / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
