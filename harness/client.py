"""The harness's HTTP client: one httpx client per participant, every exchange recorded.

Each participant of the target config gets its own connection pool that
presents its certificate over mutual TLS, trusting only the config's CA
bundle, TLS 1.2 at least. In client-cert-header mode (a target behind a
TLS-terminating proxy on a trusted network) the same certificate travels
URL-encoded in ``X-Client-Cert`` over plain HTTP instead, as nginx's
``$ssl_client_escaped_cert`` does. Every request and its answer (or the
transport error that took its place) is kept as evidence for the reports.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from crr_contract.operations import Operation
from harness.results import RecordedExchange, RecordedRequest, RecordedResponse
from harness.target.config import Participant, TargetConfig

__all__ = ["CLIENT_CERT_HEADER", "Exchange", "TargetClient", "tls_context"]

CLIENT_CERT_HEADER = "X-Client-Cert"
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class Exchange:
    """A recorded exchange with what the checks need to judge it: the operation and the caller."""

    operation: Operation | None
    participant: Participant
    record: RecordedExchange
    params: Mapping[str, Any]
    body: Any = None
    """The JSON body sent, parsed (None when there was none or it was not JSON)."""

    @property
    def response(self) -> RecordedResponse | None:
        return self.record.response

    @property
    def status(self) -> int | None:
        return self.record.response.status if self.record.response else None

    def json(self) -> Any:
        """The response body as JSON, or None when there is no JSON body."""
        if self.record.response is None:
            return None
        try:
            return self.record.response.json()
        except (ValueError, RecursionError):
            return None


def tls_context(config: TargetConfig, participant: Participant | None) -> ssl.SSLContext:
    """Trust the config's CA bundle (or the system store), present ``participant``'s certificate."""
    context = ssl.create_default_context(cafile=str(config.ca_bundle) if config.ca_bundle else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if participant is not None:
        context.load_cert_chain(str(participant.certificate), str(participant.key))
    return context


class TargetClient:
    """Calls a target as its declared participants; ``log`` is every exchange, in order."""

    def __init__(self, config: TargetConfig, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.config = config
        self.timeout = timeout
        self.log: list[RecordedExchange] = []
        self._clients: dict[str, httpx.Client] = {}
        self._clients_lock = threading.Lock()
        """Cases on several workers (``certify --concurrency``) share one pool per participant."""

    def _client(self, participant: Participant) -> httpx.Client:
        client = self._clients.get(participant.id)
        if client is not None:
            return client
        with self._clients_lock:
            return self._new_client(participant)

    def _new_client(self, participant: Participant) -> httpx.Client:
        client = self._clients.get(participant.id)
        if client is None:
            headers: dict[str, str] = {}
            if self.config.client_cert_header:
                pem = participant.certificate.read_text(encoding="ascii")
                headers[CLIENT_CERT_HEADER] = quote(pem, safe="")
                verify: ssl.SSLContext | bool = tls_context(self.config, None)
            else:
                verify = tls_context(self.config, participant)
            client = httpx.Client(
                base_url=self.config.base_url, verify=verify, timeout=self.timeout, headers=headers
            )
            self._clients[participant.id] = client
        return client

    def call(
        self,
        participant: Participant | str,
        operation: Operation,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Exchange:
        """Call a spec operation as ``participant``; ``body`` is sent as JSON, ``content`` raw."""
        return self.request(
            participant,
            operation.method,
            operation.path,
            operation=operation,
            params=params,
            body=body,
            content=content,
            headers=headers,
        )

    def request(
        self,
        participant: Participant | str,
        method: str,
        path: str,
        *,
        operation: Operation | None = None,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Exchange:
        """Send one request and record it, whatever happens (a refused TLS handshake included)."""
        who = (
            participant
            if isinstance(participant, Participant)
            else self.config.participant(participant)
        )
        sent_headers = dict(headers or {})
        if body is not None and content is None:
            content = json.dumps(body).encode("utf-8")
            sent_headers.setdefault("content-type", "application/json")
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        client = self._client(who)
        request = client.build_request(
            method, path, params=clean_params, content=content, headers=sent_headers
        )
        record = send_recorded(client, request, who.id, content or b"")
        self.log.append(record)
        sent_body = body
        if sent_body is None and content:
            try:
                sent_body = json.loads(content)
            except (ValueError, RecursionError):  # not JSON, or nested past what Python parses
                sent_body = None
        return Exchange(operation, who, record, clean_params, sent_body)

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def __enter__(self) -> TargetClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def send_recorded(
    client: httpx.Client, request: httpx.Request, label: str, body: bytes = b""
) -> RecordedExchange:
    """Send ``request`` and record the exchange as evidence, a transport error included."""
    sent = RecordedRequest(request.method, str(request.url), _shown_headers(request.headers), body)
    started = time.perf_counter()
    try:
        response = client.send(request)
        response.read()
    except httpx.HTTPError as exc:
        return RecordedExchange(
            label,
            sent,
            None,
            (time.perf_counter() - started) * 1000,
            transport_error=f"{type(exc).__name__}: {exc}",
        )
    return RecordedExchange(
        label,
        sent,
        RecordedResponse(response.status_code, dict(response.headers), response.content),
        (time.perf_counter() - started) * 1000,
    )


def _shown_headers(headers: httpx.Headers) -> dict[str, str]:
    """Request headers as evidence; the certificate header is shortened, it is not a secret
    but a whole PEM in every report row is noise."""
    shown = {}
    for name, value in headers.items():
        if name.lower() == CLIENT_CERT_HEADER.lower() and len(value) > 80:
            value = value[:60] + f"... ({len(value)} chars)"
        shown[name] = value
    return shown
