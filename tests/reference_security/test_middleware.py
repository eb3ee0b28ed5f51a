"""``ClientIdentityMiddleware`` in process: modes, refusals, and what it leaves in the scope."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from crr_contract.identity import Identity, IdentityError, RejectReason
from crr_contract.pki import PkiLayout
from reference_impl.security.asgi_tls import (
    ClientIdentityMiddleware,
    identity_from_tls_extension,
)
from tests.reference_security.support import escaped_cert_header

ALPHA = Identity("ALPHA_LSE", "alpha.rw", "EXTERNAL CRR HOLDER READ/WRITE ACCESS")


class Recorder:
    """An ASGI app that remembers the scope it was called with."""

    def __init__(self) -> None:
        self.scopes: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.scopes.append(scope)
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})


def call(app: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def http_scope(**extra: Any) -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": "/", "headers": [], **extra}


def refusal(sent: list[dict[str, Any]]) -> str:
    assert sent[0]["status"] == 403
    (detail,) = json.loads(sent[1]["body"])["errorDetails"]
    assert detail["errorCode"] == "SEC0001"
    return detail["errorDescription"]


def test_a_custom_resolver_supplies_the_identity_without_tls() -> None:
    inner = Recorder()
    app = ClientIdentityMiddleware(inner, resolver=lambda scope: ALPHA)
    sent = call(app, http_scope(state={"db": "kept"}))
    assert sent[0]["status"] == 204
    assert inner.scopes[0]["state"] == {"db": "kept", "identity": ALPHA}


def test_mtls_mode_without_the_tls_extension_is_refused() -> None:
    inner = Recorder()
    sent = call(ClientIdentityMiddleware(inner), http_scope())
    assert "did not arrive over TLS" in refusal(sent)
    assert inner.scopes == []


def test_mtls_mode_honours_a_verification_error_reported_by_the_server(pki: PkiLayout) -> None:
    pem = pki.client("alpha_lse-rw").cert.read_text("ascii")
    tls = {"client_cert_chain": [pem], "client_cert_error": "certificate has expired"}
    sent = call(ClientIdentityMiddleware(Recorder()), http_scope(extensions={"tls": tls}))
    assert refusal(sent) == "certificate has expired"


def test_the_standard_extension_alone_is_enough(pki: PkiLayout) -> None:
    pem = pki.client("alpha_lse-rw").cert.read_text("ascii")
    scope = http_scope(extensions={"tls": {"client_cert_chain": [pem], "client_cert_error": None}})
    assert identity_from_tls_extension(scope) == ALPHA
    with pytest.raises(IdentityError) as caught:
        identity_from_tls_extension(http_scope(extensions={"tls": {"client_cert_chain": []}}))
    assert caught.value.reason is RejectReason.MISSING


def test_lifespan_passes_through_untouched() -> None:
    inner = Recorder()
    call(ClientIdentityMiddleware(inner), {"type": "lifespan"})
    assert inner.scopes == [{"type": "lifespan"}]


def test_a_websocket_without_identity_is_closed() -> None:
    inner = Recorder()
    sent = call(ClientIdentityMiddleware(inner), {"type": "websocket", "headers": []})
    assert sent == [{"type": "websocket.close", "code": 1008}]
    assert inner.scopes == []


def test_proxy_mode_reads_the_header_and_mtls_mode_drops_it(pki: PkiLayout) -> None:
    header = (b"x-client-cert", escaped_cert_header(pki.client("alpha_lse-rw").cert).encode())
    inner = Recorder()
    proxy = ClientIdentityMiddleware(inner, "proxy", ca=pki.ca_cert, crl=pki.crl)
    assert call(proxy, http_scope(headers=[header]))[0]["status"] == 204
    assert inner.scopes[-1]["state"]["identity"] == ALPHA
    mtls = ClientIdentityMiddleware(inner, "mtls")
    assert "did not arrive over TLS" in refusal(call(mtls, http_scope(headers=[header])))


def test_bad_configuration_fails_at_construction(pki: PkiLayout) -> None:
    with pytest.raises(ValueError, match="mode"):
        ClientIdentityMiddleware(Recorder(), "plain")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="CA bundle"):
        ClientIdentityMiddleware(Recorder(), "proxy")
    with pytest.raises(IdentityError, match="Cannot read"):
        ClientIdentityMiddleware(Recorder(), "proxy", ca=pki.directory / "missing.pem")
