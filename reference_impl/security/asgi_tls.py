"""Getting the caller's certificate from the TLS layer (or the proxy) to the application.

uvicorn verifies client certificates in the handshake but puts nothing
about them in the ASGI scope. ``ClientCertificateProtocol`` is uvicorn's
HTTP protocol on ``httptools`` (llhttp, the parser of Node.js) with one
addition: once the handshake is done it reads the
peer certificate from the connection's ``ssl_object`` and adds the ASGI TLS
extension to every request of that connection, as
``scope["extensions"]["tls"]`` (``server_cert``, ``client_cert_chain`` as
PEM strings, ``client_cert_name``, ``client_cert_error``, ``tls_version``,
``cipher_suite``), plus two keys of ours: ``crr_client_cert_der`` (the DER
bytes) and ``crr_identity`` (the parsed ``Identity``, or None when the
subject carries none).

``ClientIdentityMiddleware`` turns that, or in proxy mode the
``X-Client-Cert`` header, into ``scope["state"]["identity"]``, and answers
403 with a SEC0001 ``CRRServiceException`` when it cannot. In mutual-TLS
mode the header is ignored and removed from the scope: a client could set
it to anybody's (public) certificate. In proxy mode the header is the only
evidence, so it is validated against the CA and CRL as the handshake would
have been; the server must then be reachable only through the proxy.

Both protocols hand the transport the bytes of one event-loop turn in one
write (``OneWritePerTurn``): uvicorn writes a response's head and body
separately, which over TLS is two records and two ``send`` calls, each
waking the client; together they are one.

``server_config``/``serve_app`` start uvicorn with the right SSL context and
protocol; ``running_server`` does the same in a background thread on a free
loopback port, for tests and for ``certify``'s embedded target.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Literal

import uvicorn
from cryptography import x509
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from crr_contract.identity import (
    CertificateValidator,
    Identity,
    IdentityError,
    RejectReason,
    certificate_pem,
    certificates_from_header,
)
from crr_contract.pki import PkiLayout, ensure_pki
from reference_impl.security.tls import server_context

__all__ = [
    "CLIENT_CERT_HEADER",
    "ClientCertHeaderResolver",
    "ClientCertificateProtocol",
    "ClientIdentityMiddleware",
    "CoalescingHttpProtocol",
    "Mode",
    "OneWritePerTurn",
    "RunningServer",
    "identity_from_tls_extension",
    "running_server",
    "secured_app",
    "serve_app",
    "server_config",
    "tls_extension",
]

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
IdentityResolver = Callable[[Scope], Identity]
Mode = Literal["mtls", "proxy"]

CLIENT_CERT_HEADER = "x-client-cert"
"""The header nginx fills from ``$ssl_client_escaped_cert`` (URL-encoded PEM)."""

_TLS_VERSIONS = {"TLSv1": 0x0301, "TLSv1.1": 0x0302, "TLSv1.2": 0x0303, "TLSv1.3": 0x0304}


# --------------------------------------------------------------------------- TLS extension


def tls_extension(ssl_object: ssl.SSLObject, server_cert_pem: str | None = None) -> dict[str, Any]:
    """The ASGI TLS extension dict for one established TLS connection."""
    der = ssl_object.getpeercert(binary_form=True)
    extension: dict[str, Any] = {
        "server_cert": server_cert_pem,
        "client_cert_chain": [],
        "client_cert_name": None,
        "client_cert_error": None,
        "tls_version": _TLS_VERSIONS.get(ssl_object.version() or ""),
        "cipher_suite": _cipher_suite_id(ssl_object),
        "crr_client_cert_der": der,
        "crr_identity": None,
    }
    if der:
        try:
            cert = x509.load_der_x509_certificate(der)
            extension["client_cert_chain"] = [certificate_pem(cert)]
            extension["client_cert_name"] = cert.subject.rfc4514_string()
        except ValueError as exc:
            extension["client_cert_error"] = f"unreadable client certificate: {exc}"
            return extension
        with contextlib.suppress(IdentityError):
            extension["crr_identity"] = Identity.from_certificate(cert)
    return extension


def _cipher_suite_id(ssl_object: ssl.SSLObject) -> int | None:
    """The IANA 16-bit cipher suite number the extension asks for (OpenSSL gives names)."""
    current = ssl_object.cipher()
    if current is None:
        return None
    for cipher in ssl_object.context.get_ciphers():
        if cipher.get("name") == current[0] and "id" in cipher:
            return int(cipher["id"]) & 0xFFFF
    return None


class _WithTlsExtension:
    """Adds one connection's TLS extension to the scope of each of its requests."""

    __slots__ = ("app", "extension")

    def __init__(self, app: ASGIApp, extension: dict[str, Any]) -> None:
        self.app = app
        self.extension = extension

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            tls = dict(self.extension)
            tls["client_cert_chain"] = list(self.extension["client_cert_chain"])
            scope["extensions"] = {**(scope.get("extensions") or {}), "tls": tls}
        await self.app(scope, receive, send)


class OneWritePerTurn:
    """A transport whose writes within one event-loop turn leave as one write, at its end.

    Every other attribute is the wrapped transport's; closing writes what is
    buffered first. Flow control is untouched: the wrapped transport still
    tells the protocol when to pause.
    """

    __slots__ = ("_buffer", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._loop = asyncio.get_running_loop()
        self._buffer: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Buffer ``data``; the first write of a turn schedules the flush at its end."""
        if not data:
            return
        if not self._buffer:
            self._loop.call_soon(self.flush)
        self._buffer.append(bytes(data))

    def flush(self) -> None:
        """Hand everything buffered to the transport in one write."""
        if not self._buffer:
            return
        data = b"".join(self._buffer)
        self._buffer.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        """Write what is buffered, then close."""
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol writing each turn's bytes in one write (``OneWritePerTurn``).

    httptools rather than uvicorn's pure-Python h11 protocol: parsing a
    request and writing its response was a quarter of what a read cost the
    reference server.
    """

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        """Record the connection, then buffer its writes per event-loop turn."""
        super().connection_made(transport)
        self.transport = OneWritePerTurn(transport)  # type: ignore[assignment]


class ClientCertificateProtocol(CoalescingHttpProtocol):
    """uvicorn's httptools protocol, plus the ASGI TLS extension carrying the client certificate.

    asyncio calls ``connection_made`` only after the TLS handshake has
    completed, so the peer certificate is known there; with ``CERT_REQUIRED``
    a connection without a valid certificate never gets this far.
    """

    server_cert_pem: ClassVar[str | None] = None

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        """Record the connection, then wrap the app so each request carries the extension."""
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is not None:
            self.app = _WithTlsExtension(self.app, tls_extension(ssl_object, self.server_cert_pem))


# --------------------------------------------------------------------------- identity


def identity_from_tls_extension(scope: Scope) -> Identity:
    """The identity of a mutual-TLS request, from ``scope["extensions"]["tls"]``."""
    tls = (scope.get("extensions") or {}).get("tls")
    if not tls:
        raise IdentityError(
            RejectReason.MISSING, "The request did not arrive over TLS with a client certificate."
        )
    if tls.get("client_cert_error"):
        raise IdentityError(RejectReason.UNTRUSTED, str(tls["client_cert_error"]))
    identity = tls.get("crr_identity")
    if isinstance(identity, Identity):
        return identity
    chain = list(tls.get("client_cert_chain") or ())
    if not chain:
        raise IdentityError(RejectReason.MISSING, "No client certificate was presented.")
    return Identity.from_certificate(chain[0])


class ClientCertHeaderResolver:
    """Reads and validates the client certificate a TLS-terminating proxy forwards in a header.

    Validating a certificate (parsing it, building and verifying its chain,
    checking the CRL) costs about a third of a millisecond, and a client
    sends the same header on every request. A header that passed is
    remembered for at most :data:`VERIFIED_SECONDS`, and never past the
    moment its certificate, a certificate of its chain, a trusted CA or a
    CRL stops being current: within that time the validation would give the
    same answer (the CA bundle and the CRL are read once, at start). A
    header that failed is not remembered: it is refused afresh each time.
    """

    VERIFIED_SECONDS: ClassVar[float] = 60.0
    VERIFIED_HEADERS: ClassVar[int] = 1024
    """At most this many remembered headers; when full, all are forgotten at once."""

    def __init__(
        self,
        validator: CertificateValidator,
        header: str = CLIENT_CERT_HEADER,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.validator = validator
        self.header = header.lower().encode("latin-1")
        self._clock = clock
        self._verified: dict[bytes | str, tuple[Identity, datetime]] = {}

    def __call__(self, scope: Scope) -> Identity:
        """The identity in the request's header, or ``IdentityError``."""
        values = [
            value for name, value in scope.get("headers") or () if name.lower() == self.header
        ]
        if not values:
            raise IdentityError(
                RejectReason.MISSING,
                "No client certificate was forwarded (no X-Client-Cert header).",
            )
        if len(values) > 1:
            raise IdentityError(RejectReason.MALFORMED, "More than one X-Client-Cert header.")
        value = values[0]
        now = self._clock()
        remembered = self._verified.get(value)
        if remembered is not None and now < remembered[1]:
            return remembered[0]
        leaf, *rest = certificates_from_header(value)
        identity = self.validator.validate(leaf, rest, now=now)
        until = min(
            now + timedelta(seconds=self.VERIFIED_SECONDS),
            self.validator.trusted_until,
            *(cert.not_valid_after_utc for cert in (leaf, *rest)),
        )
        if len(self._verified) >= self.VERIFIED_HEADERS:
            self._verified.clear()
        self._verified[value] = (identity, until)
        return identity


class ClientIdentityMiddleware:
    """Puts the caller's ``Identity`` in ``scope["state"]["identity"]`` or refuses the request.

    ``mode="mtls"``: from the ASGI TLS extension; any ``X-Client-Cert``
    header is dropped. ``mode="proxy"``: from the ``X-Client-Cert`` header,
    validated against ``ca`` (PEM bundle) and ``crl`` (PEM, optional).
    ``resolver`` replaces either, for example with a fixed identity for
    in-process tests that have no TLS at all. Non-HTTP scopes pass through.
    """

    def __init__(
        self,
        app: ASGIApp,
        mode: Mode = "mtls",
        *,
        ca: Path | str | None = None,
        crl: Path | str | None = None,
        resolver: IdentityResolver | None = None,
    ) -> None:
        self.app = app
        self.mode = mode
        if mode not in ("mtls", "proxy"):
            raise ValueError(f"Expected mode 'mtls' or 'proxy' but got mode={mode!r}")
        if resolver is not None:
            self.resolver = resolver
        elif mode == "mtls":
            self.resolver = identity_from_tls_extension
        else:
            if ca is None:
                raise ValueError("proxy mode needs the CA bundle to validate X-Client-Cert")
            validator = CertificateValidator.from_files(
                Path(ca), Path(crl) if crl is not None else None
            )
            self.resolver = ClientCertHeaderResolver(validator)
        self._strip = CLIENT_CERT_HEADER.encode("latin-1") if mode == "mtls" else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Resolve the identity, then call the app; or answer 403 (HTTP) / close (WebSocket)."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        if self._strip is not None:
            scope["headers"] = [
                (name, value)
                for name, value in scope.get("headers") or ()
                if name.lower() != self._strip
            ]
        try:
            identity = self.resolver(scope)
        except IdentityError as exc:
            logger.info("request refused, no usable client identity (%s): %s", exc.reason, exc)
            if scope["type"] == "http":
                await _forbidden(send, exc.message)
            else:
                await send({"type": "websocket.close", "code": 1008})
            return
        scope["state"] = {**(scope.get("state") or {}), "identity": identity}
        await self.app(scope, receive, send)


async def _forbidden(send: Send, description: str) -> None:
    body = json.dumps(
        {
            "errorDetails": [
                {"severity": "ERROR", "errorCode": "SEC0001", "errorDescription": description}
            ]
        }
    ).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("ascii")),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# --------------------------------------------------------------------------- serving


def secured_app(
    app: ASGIApp,
    pki: PkiLayout,
    mode: Mode = "mtls",
    *,
    ca_file: Path | None = None,
    crl_file: Path | None = None,
) -> ClientIdentityMiddleware:
    """``app`` behind ``ClientIdentityMiddleware``, trusting ``ca_file`` or else the PKI's CA."""
    ca, crl = _trust(pki, ca_file, crl_file)
    return ClientIdentityMiddleware(app, mode, ca=ca, crl=crl)


def _trust(pki: PkiLayout, ca_file: Path | None, crl_file: Path | None) -> tuple[Path, Path | None]:
    if ca_file is None:
        return pki.ca_cert, crl_file if crl_file is not None else pki.crl
    return ca_file, crl_file


def server_config(
    app: ASGIApp,
    pki: PkiLayout,
    mode: Mode = "mtls",
    *,
    host: str = "127.0.0.1",
    port: int = 8443,
    ca_file: Path | None = None,
    crl_file: Path | None = None,
    **uvicorn_options: Any,
) -> uvicorn.Config:
    """A uvicorn configuration serving ``app`` with client-certificate identity.

    ``mtls``: HTTPS with the PKI's server certificate, client certificates
    required and checked against ``ca_file``/``crl_file`` (default: the PKI's
    CA and CRL). ``proxy``: plain HTTP for a TLS-terminating proxy in front,
    identity from ``X-Client-Cert``; bind it where only the proxy can reach it.
    """
    ca, crl = _trust(pki, ca_file, crl_file)
    wrapped = secured_app(app, pki, mode, ca_file=ca_file, crl_file=crl_file)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "loop": "asyncio",
        "ws": "none",
        "proxy_headers": mode == "proxy",
        "server_header": False,
    }
    if mode == "mtls":
        context = server_context(pki.server.cert, pki.server.key, ca, crl)
        options["http"] = type(
            "DevPkiClientCertificateProtocol",
            (ClientCertificateProtocol,),
            {"server_cert_pem": pki.server.cert.read_text("ascii")},
        )
        options["ssl_context_factory"] = lambda _config, _default: context
    else:
        options["http"] = CoalescingHttpProtocol
    options.update(uvicorn_options)
    return uvicorn.Config(wrapped, **options)


def serve_app(
    app: ASGIApp,
    pki_dir: Path | str,
    mode: Mode = "mtls",
    *,
    host: str = "127.0.0.1",
    port: int = 8443,
    ca_file: Path | None = None,
    crl_file: Path | None = None,
    **uvicorn_options: Any,
) -> None:
    """Run ``app`` until interrupted, creating the dev PKI in ``pki_dir`` first if needed."""
    pki = ensure_pki(pki_dir)
    config = server_config(
        app,
        pki,
        mode,
        host=host,
        port=port,
        ca_file=ca_file,
        crl_file=crl_file,
        **uvicorn_options,
    )
    uvicorn.Server(config).run()


@dataclass(frozen=True, slots=True)
class RunningServer:
    """A server started by ``running_server``: where it listens and what it trusts."""

    url: str
    host: str
    port: int
    mode: Mode
    pki: PkiLayout


@contextlib.contextmanager
def running_server(
    app: ASGIApp,
    pki: PkiLayout,
    mode: Mode = "mtls",
    *,
    host: str = "127.0.0.1",
    ca_file: Path | None = None,
    crl_file: Path | None = None,
    startup_timeout: float = 10.0,
    **uvicorn_options: Any,
) -> Iterator[RunningServer]:
    """Serve ``app`` on a free port of ``host`` in a background thread until the block ends.

    The listening socket is bound before the thread starts, so the port is
    known and nothing else can take it. Logging configuration is left alone.
    """
    family = socket.getaddrinfo(host, 0, type=socket.SOCK_STREAM)[0][0]
    # IPPROTO_TCP, not 0: asyncio turns Nagle off only on sockets whose proto says TCP,
    # and with Nagle on every response waits for the client's delayed ACK (~40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, 0))
        port = sock.getsockname()[1]
        options: dict[str, Any] = {
            "log_config": None,
            "access_log": False,
            "timeout_graceful_shutdown": 2,
        }
        options.update(uvicorn_options)
        config = server_config(
            app, pki, mode, host=host, port=port, ca_file=ca_file, crl_file=crl_file, **options
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"crr-server-{port}", daemon=True
        )
        thread.start()
        try:
            deadline = time.monotonic() + startup_timeout
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError(f"the server on {host}:{port} did not start")
                time.sleep(0.01)
            scheme = "https" if mode == "mtls" else "http"
            url_host = f"[{host}]" if ":" in host else host
            yield RunningServer(f"{scheme}://{url_host}:{port}", host, port, mode, pki)
        finally:
            server.should_exit = True
            thread.join(timeout=startup_timeout)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout=startup_timeout)
    finally:
        sock.close()
