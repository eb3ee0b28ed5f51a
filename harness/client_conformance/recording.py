"""``serve --record DIR``: every exchange a client has with the reference, one JSON line each.

``RecordingMiddleware`` sits inside the reference's client-identity
middleware, so the participant is the one the verified certificate names
(``scope["state"]["identity"]``). Per exchange it keeps the request (method,
path, query, body), the answer (status, catalog codes, body), the spec
rules the request breaks (openapi-core, against the served version), the
server's role and participant-name decisions (403 SEC0001 / SEC0002), a
business refusal (another 4xx with a catalog code) and an injected fault.
Each participant has its own file, ``DIR/<participant>.jsonl``, appended
and flushed per exchange so that a Ctrl-C loses nothing; ``DIR/served.json``
lists the served spec files and operations, for the coverage section.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from pathlib import Path
from typing import IO, Any

from crr_contract.operations import ServiceSpec
from harness.client_conformance.faults import FAULT_STATE_KEY, FaultMiddleware, FaultRule
from harness.client_conformance.request_rules import OperationMatcher, violations

__all__ = [
    "BODY_LIMIT",
    "SERVED_FILE",
    "UNKNOWN_PARTICIPANT",
    "RecordingMiddleware",
    "record_file",
    "wrap_for_clients",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BODY_LIMIT = 64 * 1024
"""Request and response bodies are kept up to this many characters (the hash is of all)."""
SERVED_FILE = "served.json"
UNKNOWN_PARTICIPANT = "_unidentified"
"""Where an exchange with no identity in the scope goes (an app wrapped without identity)."""
_DECISIONS = {"SEC0001": "role", "SEC0002": "participant_name"}
_NOT_SPEC_PATHS = ("/specs",)
"""The reference's own endpoints (GET /specs), which no spec file declares."""


def record_file(directory: Path, participant: str) -> Path:
    """``DIR/<participant>.jsonl``, the name made safe for any file system."""
    return directory / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', participant) or '_'}.jsonl"


def _codes(body: bytes) -> list[str]:
    """The catalog codes of an error answer (``errorDetails[].errorCode``), else none."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return []
    details = data.get("errorDetails") if isinstance(data, dict) else None
    if not isinstance(details, list):
        return []
    return [str(d["errorCode"]) for d in details if isinstance(d, dict) and "errorCode" in d]


VALIDATION_CODES = frozenset({"SER0001", "SER0002", "GEN0003", "SER0018", "SER0030", "POR0003"})
"""Codes the reference's request validation answers (``reference_impl/api/validation.py``)."""
BEFORE_VALIDATION_CODES = frozenset({"SEC0001"})
"""Codes the reference answers before it validates (the role check, ``api/pipeline.py``)."""


def _passed_validation(status: int | None, codes: list[str]) -> bool:
    """Whether the reference's answer shows the request passed its own validation: a 2xx, or a
    refusal decided after validation (participant name, business rules)."""
    if status is None or status >= 500:
        return False
    if 200 <= status < 300:
        return True
    return bool(codes) and not (set(codes) & (VALIDATION_CODES | BEFORE_VALIDATION_CODES))


def _text(body: bytes) -> str:
    return body[:BODY_LIMIT].decode("utf-8", "replace")


class RecordingMiddleware:
    """Records every HTTP exchange of the wrapped app to ``directory``, one line per exchange."""

    def __init__(self, app: ASGIApp, specs: Sequence[ServiceSpec], directory: Path) -> None:
        self.app = app
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.matcher = OperationMatcher(specs)
        self._files: dict[str, IO[str]] = {}
        served = {
            "specs": [
                {"file": s.file, "service": s.service, "version": s.version, "sha256": s.sha256}
                for s in specs
            ],
            "operations": [operation.name for operation in self.matcher.operations],
        }
        (self.directory / SERVED_FILE).write_text(json.dumps(served, indent=1), encoding="utf-8")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the exchange through unchanged, keeping copies of both bodies, then record it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.time()
        clock = time.perf_counter()
        request_body = bytearray()
        answer: dict[str, Any] = {"status": None, "body": bytearray()}

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                request_body.extend(message.get("body", b""))
            return message

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = int(message["status"])
            elif message["type"] == "http.response.body":
                answer["body"].extend(message.get("body", b""))
            await send(message)

        dropped = False
        try:
            await self.app(scope, receiving, sending)
        except Exception:
            dropped = True
            raise
        finally:
            elapsed = (time.perf_counter() - clock) * 1000
            self._record(scope, started, elapsed, bytes(request_body), answer, dropped)

    def _record(
        self,
        scope: Scope,
        started: float,
        elapsed_ms: float,
        body: bytes,
        answer: dict[str, Any],
        dropped: bool,
    ) -> None:
        state = scope.get("state") or {}
        identity = state.get("identity")
        participant = getattr(identity, "participant", None) or UNKNOWN_PARTICIPANT
        method = str(scope["method"]).upper()
        path = str(scope["path"])
        query = urllib.parse.parse_qsl(
            (scope.get("query_string") or b"").decode("latin-1"), keep_blank_values=True
        )
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        operation = self.matcher.match(method, path)
        status = answer["status"]
        fault = state.get(FAULT_STATE_KEY)
        codes = _codes(bytes(answer["body"]))
        validated_by = "openapi-core"
        broken: list[dict[str, str]] = []
        if operation is None:
            if not path.startswith(_NOT_SPEC_PATHS):
                broken = [
                    {
                        "rule": "undeclared operation",
                        "where": f"{method} {path}",
                        "message": "no served spec file declares this method and path",
                    }
                ]
        elif fault is None and not dropped and _passed_validation(status, codes):
            # The reference refuses every request openapi-core faults against the same served
            # file before it decides anything else; validating again what it accepted would
            # halve the server's request rate (benchmarks/record_overhead.py).
            validated_by = "server"
        else:
            broken = [
                v.to_dict()
                for v in violations(operation, path, query, headers.get("content-type"), body)
            ]
        response_body = bytes(answer["body"])
        decisions = {name: "allowed" for name in _DECISIONS.values()}
        for code, name in _DECISIONS.items():
            if status == 403 and code in codes:
                decisions[name] = "refused"
        refusal = (
            [c for c in codes if c not in _DECISIONS]
            if status is not None and 400 <= status < 500
            else []
        )
        line = {
            "t": round(started, 6),
            "participant": participant,
            "user": getattr(identity, "user", None),
            "role": getattr(identity, "role", None),
            "method": method,
            "path": path,
            "query": query,
            "operation": operation.name if operation is not None else None,
            "spec": operation.spec.file if operation is not None else None,
            "content_type": headers.get("content-type"),
            "body": _text(body),
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "body_length": len(body),
            "status": status,
            "codes": codes,
            "response_body": _text(response_body),
            "elapsed_ms": round(elapsed_ms, 3),
            "violations": broken,
            "validated_by": validated_by,
            "decisions": decisions,
            "refusal": refusal,
            "fault": fault,
            "dropped": dropped or state.get(FAULT_STATE_KEY) == "drop",
        }
        handle = self._files.get(participant)
        if handle is None:
            handle = record_file(self.directory, participant).open("a", encoding="utf-8")
            self._files[participant] = handle
        handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        handle.flush()

    def close(self) -> None:
        """Close every participant's file (each line is already flushed)."""
        for handle in self._files.values():
            handle.close()
        self._files.clear()


def wrap_for_clients(
    app: ASGIApp,
    specs: Sequence[ServiceSpec],
    *,
    record: Path | None = None,
    faults: Sequence[FaultRule] = (),
) -> ASGIApp:
    """``app`` with the fault schedule inside and the recording outside, so faults are recorded."""
    wrapped: ASGIApp = app
    if faults:
        wrapped = FaultMiddleware(wrapped, specs, faults)
    if record is not None:
        wrapped = RecordingMiddleware(wrapped, specs, record)
    return wrapped
