"""``crr-harness proxy``: a recording proxy in front of any CRR target.

The participant's client talks plain HTTP to the proxy on loopback; the
proxy forwards each request to the target over mutual TLS with the
participant's own certificate and hands the answer back unchanged. Wrapped
in ``RecordingMiddleware`` (and the fault schedule, if any), it keeps the
same recording as ``serve --record``, so ``client-report`` grades a client
against CAISO's Map-Stage or a vendor's server as well as the reference.
The participant of every exchange is the one the certificate names.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import httpx

from crr_contract.identity import Identity

__all__ = ["FixedIdentity", "ForwardingApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "host",
        "content-length",
        "content-encoding",
    }
)
"""Headers that belong to one connection, or that change when httpx decodes the body."""


class FixedIdentity:
    """Puts the certificate's identity in the scope, as the reference's identity middleware does."""

    def __init__(self, app: ASGIApp, identity: Identity) -> None:
        self.app = app
        self.identity = identity

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope["state"] = {**(scope.get("state") or {}), "identity": self.identity}
        await self.app(scope, receive, send)


class ForwardingApp:
    """Forwards each HTTP request to ``target`` and answers with what came back (502 when
    the target could not be reached, so the client sees a server-side failure)."""

    def __init__(self, target: str, context: ssl.SSLContext | None, timeout: float = 30.0) -> None:
        self.target = target.rstrip("/")
        self.context = context
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        # Created on first use, inside the server's event loop that will drive it.
        if self._client is None:
            verify: ssl.SSLContext | bool = self.context if self.context is not None else True
            self._client = httpx.AsyncClient(verify=verify, timeout=self.timeout)
        return self._client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()  # lifespan.startup
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
            if self._client is not None:
                await self._client.aclose()
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        body = bytearray()
        while True:
            message = await receive()
            body.extend(message.get("body", b""))
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        query = (scope.get("query_string") or b"").decode("latin-1")
        url = f"{self.target}{scope['path']}" + (f"?{query}" if query else "")
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in scope.get("headers") or ()
            if name.decode("latin-1").lower() not in _HOP_BY_HOP
        ]
        try:
            answer = await self._http().request(
                str(scope["method"]), url, content=bytes(body), headers=headers
            )
            status, content = answer.status_code, answer.content
            out = [
                (k.encode("latin-1"), v.encode("latin-1"))
                for k, v in answer.headers.multi_items()
                if k.lower() not in _HOP_BY_HOP
            ]
        except httpx.HTTPError as exc:
            status = 502
            content = json.dumps(
                {"proxyError": f"the target did not answer: {type(exc).__name__}: {exc}"}
            ).encode("utf-8")
            out = [(b"content-type", b"application/json")]
        out.append((b"content-length", str(len(content)).encode("ascii")))
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": content})
