"""TLS, probed with the ``ssl`` module directly: the handshake (CNX-003) and the client
certificate's acceptance (CNX-004).

The handshake uses the very context the harness's HTTP client uses
(``harness.client.tls_context``: the participant's CA bundle, TLS 1.2 at
least, hostname checking on), so what passes here passes there. When the
server's certificate does not verify, a second connection that verifies
nothing (``CERT_NONE``) fetches it anyway, only to describe it: whom it was
issued to and by, the names it covers, when it expires.

With TLS 1.3 a server refuses a client certificate after the client has
finished its side of the handshake, so the refusal shows up on the first
read: the probe therefore sends one HTTP request on the fresh connection
and reads the answer. A server may say why with an alert (mapped to a plain
cause in ``ALERTS``) or just close the connection; then the cause is
inferred from what the certificate says about itself (``explain_refusal``).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from cryptography import x509

from harness.connect.certs import EXPIRY_WARNING_DAYS, CertificateFacts, describe_name
from harness.connect.network import Endpoint
from harness.results import RecordedExchange, RecordedRequest, RecordedResponse

__all__ = [
    "ALERTS",
    "Handshake",
    "HttpAnswer",
    "ServerCertificate",
    "alert_of",
    "certificate_problem",
    "explain_refusal",
    "explain_verification",
    "handshake",
    "inspect_server",
    "reaction",
    "send_request",
]

BODY_LIMIT = 256 * 1024


@dataclass(frozen=True, slots=True)
class ServerCertificate:
    """The server's certificate as people need to hear about it."""

    subject: str
    issuer: str
    names: tuple[str, ...]
    not_before: datetime
    not_after: datetime

    @classmethod
    def from_der(cls, der: bytes) -> ServerCertificate:
        cert = x509.load_der_x509_certificate(der)
        try:
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names = tuple(
                [str(n) for n in san.get_values_for_type(x509.DNSName)]
                + [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
            )
        except x509.ExtensionNotFound:
            names = ()
        return cls(
            describe_name(cert.subject),
            describe_name(cert.issuer),
            names,
            cert.not_valid_before_utc,
            cert.not_valid_after_utc,
        )

    def describe(self) -> str:
        names = ", ".join(self.names) or "no subject alternative names"
        return (
            f"{self.subject} (names: {names}), issued by {self.issuer}, valid "
            f"{self.not_before:%Y-%m-%d} to {self.not_after:%Y-%m-%d}"
        )


@dataclass(slots=True)
class Handshake:
    """The outcome of one TLS handshake; ``sock`` is open when it succeeded."""

    sock: ssl.SSLSocket | None = None
    version: str | None = None
    cipher: str | None = None
    server: ServerCertificate | None = None
    error: BaseException | None = None
    elapsed_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.sock is not None

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None


def handshake(
    endpoint: Endpoint, context: ssl.SSLContext, timeout: float, address: str | None = None
) -> Handshake:
    """Open TCP and complete a TLS handshake with ``context`` (server name = the URL's host)."""
    result = Handshake()
    started = time.perf_counter()
    try:
        raw = socket.create_connection((address or endpoint.host, endpoint.port), timeout=timeout)
    except OSError as exc:
        result.error = exc
        return result
    try:
        sock = context.wrap_socket(raw, server_hostname=endpoint.host)
    except (OSError, ssl.SSLError) as exc:
        raw.close()
        result.error = exc
        result.elapsed_ms = (time.perf_counter() - started) * 1000
        return result
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    result.sock = sock
    result.version = sock.version()
    cipher = sock.cipher()
    result.cipher = cipher[0] if cipher else None
    der = sock.getpeercert(binary_form=True)
    if der:
        result.server = ServerCertificate.from_der(der)
    return result


def inspect_server(
    endpoint: Endpoint, timeout: float, address: str | None, client: tuple[str, str] | None
) -> ServerCertificate | None:
    """The server's certificate fetched without verifying it (for describing a failure only)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if client is not None:
        with contextlib.suppress(OSError, ssl.SSLError):
            context.load_cert_chain(*client)
    found = handshake(endpoint, context, timeout, address)
    found.close()
    return found.server


# --------------------------------------------------------------------------- server side


_UNKNOWN_ISSUER = {2, 18, 19, 20, 21, 27}
"""X509_V_ERR codes meaning: no CA of the bundle vouches for the server's certificate."""
_EXPIRED = 10
_NOT_YET_VALID = 9
_REVOKED = 23
_HOSTNAME_MISMATCH = {62, 64}


def explain_verification(
    error: ssl.SSLCertVerificationError,
    endpoint: Endpoint,
    ca_bundle: str,
    server: ServerCertificate | None,
) -> tuple[str, str]:
    """Cause and fix for a server certificate that did not verify."""
    code = error.verify_code
    seen = f" It is {server.describe()}." if server else ""
    if code in _UNKNOWN_ISSUER:
        issuer = f" (it was issued by {server.issuer})" if server else ""
        return (
            f"the server's certificate is not signed by a CA in your bundle {ca_bundle}"
            f"{issuer}: {error.verify_message}",
            "get CAISO's current CA certificate chain for this environment and pass it with "
            "--ca (or ca_bundle in target.yaml); if you already use it, the connection may be "
            "intercepted by a TLS-inspecting proxy: ask your network team to exempt this host",
        )
    if code in _HOSTNAME_MISMATCH:
        names = ", ".join(server.names) if server and server.names else "other names"
        return (
            f"the server's certificate is not valid for {endpoint.host}: it covers {names}",
            "use the host name CAISO published for this endpoint (not an IP address or an "
            "alias), exactly as it appears in the certificate",
        )
    if code == _EXPIRED:
        when = f" on {server.not_after:%Y-%m-%d %H:%M} UTC" if server else ""
        return (
            f"the server's certificate expired{when}.{seen}",
            "this is on CAISO's side: report it to your CAISO POC; do not turn verification off",
        )
    if code == _NOT_YET_VALID:
        when = f" before {server.not_before:%Y-%m-%d %H:%M} UTC" if server else ""
        return (
            f"the server's certificate is not valid yet{when}, or this machine's clock is wrong",
            "check this machine's date and time (NTP); if it is right, report it to your CAISO POC",
        )
    if code == _REVOKED:
        return (
            f"the server's certificate is revoked.{seen}",
            "report it to your CAISO POC; do not connect until it is replaced",
        )
    return (
        f"the server's certificate did not verify: {error.verify_message}.{seen}",
        "send this report to your CAISO POC",
    )


def server_warning(server: ServerCertificate | None, now: datetime) -> str | None:
    if server is None:
        return None
    days = (server.not_after - now).days
    if 0 <= days < EXPIRY_WARNING_DAYS:
        return (
            f"the server's certificate expires in {days} day{'s' if days != 1 else ''} "
            f"({server.not_after:%Y-%m-%d}): make sure your CA bundle also holds CAISO's next "
            "chain before then"
        )
    return None


def explain_handshake_error(error: BaseException, endpoint: Endpoint) -> tuple[str, str]:
    """Cause and fix for a handshake that failed for another reason than verification."""
    reason = getattr(error, "reason", None) or ""
    if reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST"):
        return (
            f"{endpoint.where} does not speak TLS ({reason}): it may be a plain HTTP port",
            "check the URL's scheme and port; for a target behind a TLS-terminating proxy on a "
            "trusted network use http:// with --client-cert-header",
        )
    if reason in ("UNSUPPORTED_PROTOCOL", "TLSV1_ALERT_PROTOCOL_VERSION", "NO_PROTOCOLS_AVAILABLE"):
        return (
            f"this machine and the server share no TLS version ({reason}); TLS 1.2 or later is "
            "required",
            "update this machine's OpenSSL / Python, or ask your network team about a proxy "
            "that downgrades TLS",
        )
    if isinstance(error, TimeoutError | socket.timeout):
        return (
            f"the TLS handshake with {endpoint.where} did not finish in time",
            "a firewall or proxy is holding the connection: ask your network team",
        )
    if isinstance(error, ConnectionError | ssl.SSLEOFError) or reason.startswith("UNEXPECTED_EOF"):
        return (
            f"the connection was closed during the TLS handshake ({type(error).__name__}: {error})",
            "if the server uses TLS 1.2 it may be refusing your client certificate (see the "
            "certificate notes); otherwise a firewall or TLS-inspecting proxy is cutting the "
            "connection: ask your network team to let TLS to this host through untouched",
        )
    return (f"the TLS handshake failed: {error}", "send this report to your CAISO POC")


# --------------------------------------------------------------------------- client side

ALERTS: Mapping[str, tuple[str, str]] = {
    "UNKNOWN_CA": (
        "the server does not trust your issuing CA: your certificate was issued by {issuer}",
        "use the certificate CAISO issued for {participant} (ask your CAISO UAA/POC for one), "
        "or ask CAISO to trust the CA that issued yours",
    ),
    "CERTIFICATE_EXPIRED": (
        "the server says your certificate has expired or is not valid yet (valid {validity})",
        "ask your CAISO UAA/POC to renew it; check this machine's clock too",
    ),
    "CERTIFICATE_REVOKED": (
        "the server says your certificate is revoked (serial {serial})",
        "a revoked certificate cannot be reinstated: ask your CAISO UAA/POC for a new one",
    ),
    "UNSUPPORTED_CERTIFICATE": (
        "the server says your certificate may not be used to authenticate a client "
        "(its extended key usage lacks clientAuth)",
        "ask your CAISO UAA/POC for a client-authentication certificate",
    ),
    "BAD_CERTIFICATE": (
        "the server refused your certificate as bad (unreadable, badly signed, or your key "
        "does not match it)",
        "check that --cert and --key are the pair CAISO issued, with the full chain; ask your "
        "CAISO UAA/POC if it persists",
    ),
    "CERTIFICATE_UNKNOWN": (
        "the server refused your certificate without a specific reason (certificate unknown)",
        "ask your CAISO UAA/POC to check that the certificate (serial {serial}) is registered",
    ),
    "ACCESS_DENIED": (
        "the server denied access to your certificate",
        "ask your CAISO UAA/POC to check that the certificate (serial {serial}) is provisioned",
    ),
    "DECRYPT_ERROR": (
        "the server could not verify your certificate's signature in the handshake: the key "
        "does not match the certificate",
        "pass the key that belongs to the certificate",
    ),
    "HANDSHAKE_FAILURE": (
        "the server refused the handshake (no acceptable certificate, protocol or cipher)",
        "check that you present the certificate CAISO issued; ask your CAISO POC which TLS "
        "versions and ciphers the endpoint accepts",
    ),
    "CERTIFICATE_REQUIRED": (
        "the server asked for a client certificate and got none",
        "pass --cert and --key (or certificate and key in target.yaml)",
    ),
}
"""TLS alert (OpenSSL reason without its SSLV3_/TLSV1_/TLSV13_ prefix) → cause and fix."""


def alert_of(error: BaseException) -> str | None:
    """The alert a server sent, as the key of ``ALERTS`` (None: it sent none)."""
    reason = getattr(error, "reason", None)
    if not isinstance(reason, str) or "_ALERT_" not in reason:
        return None
    return reason.split("_ALERT_", 1)[1]


def _fill(template: str, facts: CertificateFacts, participant: str) -> str:
    return template.format(
        issuer=facts.issuer,
        participant=participant,
        serial=facts.serial,
        validity=f"{facts.not_before:%Y-%m-%d} to {facts.not_after:%Y-%m-%d}",
    )


def reaction(error: BaseException | None) -> str:
    """What the server did with the certificate, in words."""
    alert = alert_of(error) if error is not None else None
    if alert is not None:
        return f"it sent the TLS alert {alert}"
    if error is None or isinstance(error, ConnectionError | ssl.SSLEOFError):
        return (
            "it closed the connection right after the TLS handshake, without a TLS alert or an "
            "HTTP answer"
        )
    return f"the connection failed right after the TLS handshake ({type(error).__name__}: {error})"


def certificate_problem(
    facts: CertificateFacts,
    participant: str,
    bundle: list[x509.Certificate] | None,
    now: datetime,
) -> tuple[str, str] | None:
    """What is wrong with the certificate by its own account (cause, fix), or None."""
    problem = facts.validity_problem(now)
    if problem:
        return problem, "ask your CAISO UAA/POC to renew it"
    if facts.self_signed:
        return (
            f"the server does not trust your issuing CA: your certificate is self-signed "
            f"({facts.subject})",
            f"use the certificate CAISO issued for {participant}; a self-signed one is never "
            "accepted",
        )
    if not facts.client_auth_allowed():
        return (
            "your certificate may not be used for client authentication (its extended key "
            "usage lacks clientAuth)",
            "ask your CAISO UAA/POC for a client-authentication certificate",
        )
    if bundle and not facts.issued_by_any(bundle):
        return (
            f"the server does not trust your issuing CA: your certificate was issued by "
            f"{facts.issuer}, which is not a CA of your bundle",
            f"use the certificate CAISO issued for {participant}, or ask CAISO to trust the CA "
            "that issued yours",
        )
    return None


def explain_refusal(
    error: BaseException | None,
    facts: CertificateFacts,
    participant: str,
    bundle: list[x509.Certificate] | None,
    now: datetime,
) -> tuple[str, str]:
    """Cause and fix for a client certificate the server refused.

    With an alert the server said why; without one (connection closed or
    reset right after the handshake) the certificate's own facts name the
    most likely cause.
    """
    alert = alert_of(error) if error is not None else None
    if alert in ALERTS:
        cause, fix = ALERTS[alert]
        return _fill(cause, facts, participant), _fill(fix, facts, participant)
    how = f"the server refused your certificate: {reaction(error)}"
    found = certificate_problem(facts, participant, bundle, now)
    if found is not None:
        return f"{found[0]}; {how}", found[1]
    return (
        f"{how}; the certificate itself looks valid, so it is probably revoked or not "
        f"registered with CAISO (serial {facts.serial}, issued by {facts.issuer})",
        "ask your CAISO UAA/POC to check the certificate's status and provisioning",
    )


@dataclass(slots=True)
class HttpAnswer:
    """One request sent on an open connection and what came back (or the error instead)."""

    record: RecordedExchange
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: BaseException | None = None


def send_request(
    sock: socket.socket,
    endpoint: Endpoint,
    path: str,
    *,
    params: Mapping[str, object] | None = None,
    headers: Mapping[str, str] | None = None,
    participant: str,
    shown_headers: Mapping[str, str] | None = None,
) -> HttpAnswer:
    """Send ``GET path`` (HTTP/1.1, Connection: close) and read the whole answer."""
    query = urlencode({k: v for k, v in (params or {}).items() if v is not None})
    target = endpoint.base_path + path + (f"?{query}" if query else "")
    host = endpoint.host if ":" not in endpoint.host else f"[{endpoint.host}]"
    sent = {
        "Host": f"{host}:{endpoint.port}",
        "Accept": "application/json",
        "User-Agent": "crr-harness connect",
        "Connection": "close",
        **dict(headers or {}),
    }
    request = RecordedRequest(
        method="GET",
        url=f"{endpoint.scheme}://{host}:{endpoint.port}{target}",
        headers={**sent, **dict(shown_headers or {})},
    )
    raw = f"GET {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in sent.items())
    started = time.perf_counter()
    data = b""
    error: BaseException | None = None
    try:
        sock.sendall((raw + "\r\n").encode("latin-1"))
        while len(data) < BODY_LIMIT and not _complete(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (OSError, ssl.SSLError) as exc:
        error = exc
    elapsed = (time.perf_counter() - started) * 1000
    answer = _parse(data)
    if answer is None:
        text = (
            f"{type(error).__name__}: {error}"
            if error is not None
            else "the server closed the connection without an HTTP answer"
        )
        return HttpAnswer(RecordedExchange(participant, request, None, elapsed, text), error=error)
    status, response_headers, body = answer
    record = RecordedExchange(
        participant, request, RecordedResponse(status, response_headers, body), elapsed
    )
    return HttpAnswer(record, status, response_headers, body)


def _complete(data: bytes) -> bool:
    """Whether ``data`` holds a whole answer with a Content-Length (no need to wait for EOF)."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                return len(body) >= int(value.strip())
            except ValueError:
                return False
    return False


def _parse(data: bytes) -> tuple[int, dict[str, str], bytes] | None:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"HTTP/"):
        return None
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _unchunk(body)
    return status, headers, body


def _unchunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0], 16)
        except ValueError:
            return out
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return out
