"""Broken variants of the reference implementation that only the security suite catches.

Each is one realistic defect, made by an ASGI layer between the identity
middleware and the reference app (it sees the caller's resolved identity
and may change what the app is asked or what it answers), or, for a TLS
setting no app layer can reach, by serving the reference differently
(``crl_less_target``). ``tests/mutants/catalog.py`` lists them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from harness.target.config import SIMCONTROL, TargetConfig
from harness.target.dev_pki import target_from_dev_pki

Scope = dict[str, Any]
ROLE_READ_WRITE = "EXTERNAL CRR HOLDER READ/WRITE ACCESS"
ROLE_OPERATOR = "CRR SIM OPERATOR"


def _with_identity(scope: Scope, **changes: str) -> Scope:
    state = dict(scope.get("state") or {})
    state["identity"] = dataclasses.replace(state["identity"], **changes)
    return {**scope, "state": state}


def role_unchecked(path_suffix: str, role: str = ROLE_READ_WRITE):
    """The role check is missing on one operation: every caller passes it as ``role``."""

    def wrap(app):
        async def wrapped(scope, receive, send):
            if scope["type"] == "http" and scope["path"].endswith(path_suffix):
                scope = _with_identity(scope, role=role)
            await app(scope, receive, send)

        return wrapped

    return wrap


def _query(scope: Scope) -> dict[str, str]:
    return dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))


def participant_unchecked(path_suffix: str):
    """The participant-name check is missing on one read: the caller acts for whoever it names."""

    def wrap(app):
        async def wrapped(scope, receive, send):
            if scope["type"] == "http" and scope["path"].endswith(path_suffix):
                named = _query(scope).get("participantName")
                if named:
                    scope = _with_identity(scope, participant=named)
            await app(scope, receive, send)

        return wrapped

    return wrap


async def _inner_call(app, scope: Scope) -> tuple[int, bytes]:
    """Ask the app one GET of ``scope``; its status and body."""
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return start.get("status", 500), b"".join(chunks)


async def _send_json(send, status: int, body: Any) -> None:
    data = json.dumps(body).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


def list_without_participant_filter(path_suffix: str):
    """A list read forgets its participant filter: the answer holds every participant's rows.

    (Made by asking the app once per participant of the market-sim data set
    and joining the answers, as a query without ``WHERE participant = ?``
    would.)
    """
    from reference_impl.datasets.market_sim import DATASET

    names = [p["name"] for p in DATASET["participants"]]

    def wrap(app):
        async def wrapped(scope, receive, send):
            if scope["type"] != "http" or not scope["path"].endswith(path_suffix):
                return await app(scope, receive, send)
            status, body = await _inner_call(app, scope)
            if status != 200:
                return await _send_json(send, status, json.loads(body))
            rows = json.loads(body)
            query = _query(scope)
            for name in names:
                if name == query.get("participantName"):
                    continue
                other = _with_identity(scope, participant=name)
                other["query_string"] = urlencode({**query, "participantName": name}).encode()
                other_status, other_body = await _inner_call(app, other)
                if other_status == 200:
                    rows += json.loads(other_body)
            await _send_json(send, 200, rows)

        return wrapped

    return wrap


async def _body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes):
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def segments_off_by_one(path_suffix: str = "/auction/v1.0/portfolioCreation"):
    """The segment limit is checked as ``> 21``, and a 21st segment is silently dropped."""

    def wrap(app):
        async def wrapped(scope, receive, send):
            if scope["type"] != "http" or not scope["path"].endswith(path_suffix):
                return await app(scope, receive, send)
            body = await _body(receive)
            try:
                parsed = json.loads(body)
            except (ValueError, RecursionError):
                return await app(scope, _replay(body), send)
            for bid in parsed.get("bids") or () if isinstance(parsed, dict) else ():
                if isinstance(bid, dict) and len(bid.get("segments") or ()) == 21:
                    bid["segments"] = bid["segments"][:20]
            await app(scope, _replay(json.dumps(parsed).encode("utf-8")), send)

        return wrapped

    return wrap


_INTERNAL_ERROR = {
    "errorDetails": [
        {
            "severity": "ERROR",
            "errorCode": "SER0029",
            "errorDescription": "Internal server error; the request was not processed.",
        }
    ]
}


def large_body_crashes(limit: int = 1024 * 1024):
    """A body over ``limit`` bytes exhausts the request buffer: HTTP 500 instead of a 400."""

    def wrap(app):
        async def wrapped(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            body = await _body(receive)
            if len(body) > limit:
                return await _send_json(send, 500, _INTERNAL_ERROR)
            await app(scope, _replay(body), send)

        return wrapped

    return wrap


def deep_nesting_wedges():
    """A body nested thousands deep overflows a parser stack and wedges the worker: every
    request after it is answered 500 until a restart."""

    def wrap(app):
        wedged = False

        async def wrapped(scope, receive, send):
            nonlocal wedged
            if scope["type"] != "http":
                return await app(scope, receive, send)
            if wedged:
                return await _send_json(send, 500, _INTERNAL_ERROR)
            body = await _body(receive)
            if b"[" * 2000 in body:
                wedged = True
            await app(scope, _replay(body), send)

        return wrapped

    return wrap


@contextlib.contextmanager
def crl_less_target(workdir: Path, **_: Any) -> Iterator[TargetConfig]:
    """The embedded reference served with a TLS context that was never given the CRL, while
    the target still declares 'revocation' (the operator forgot ``crl_file``)."""
    from crr_contract.pki import init_pki
    from reference_impl.security.asgi_tls import running_server
    from reference_impl.server import ReferenceSystem

    workdir.mkdir(parents=True, exist_ok=True)
    pki = init_pki(workdir / "pki")
    system = ReferenceSystem(workdir / "reference.sqlite3")
    try:
        # ca_file given and crl_file None: the server context loads no CRL
        with running_server(system.app, pki, "mtls", ca_file=pki.ca_cert) as server:
            services = {spec.service: spec.version for spec in system.specs}
            services.pop(SIMCONTROL, None)
            yield target_from_dev_pki(
                server.url,
                pki.directory,
                services=services,
                features=("market-sim-dataset", "revocation", "reliability"),
                description="reference implementation without its CRL",
            )
    finally:
        system.close()


@contextlib.contextmanager
def legacy_tls_target(workdir: Path, **options: Any) -> Iterator[TargetConfig]:
    """The embedded reference whose TLS context was opened up for old clients: TLS 1.0 and
    1.1 accepted (OpenSSL security level 0), as a "compatibility" setting would."""
    import ssl
    import warnings

    from harness.target.embedded import embedded_target
    from reference_impl.security import asgi_tls

    original = asgi_tls.server_context

    def legacy(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        context = original(*args, **kwargs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        return context

    asgi_tls.server_context = legacy  # type: ignore[assignment]
    try:
        with embedded_target(workdir, **options) as config:
            yield config
    finally:
        asgi_tls.server_context = original  # type: ignore[assignment]
