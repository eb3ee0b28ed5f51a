"""``serve --faults FILE``: answer a participant's next calls of an operation with a fault.

The schedule is a YAML file::

    faults:
      - participant: ALPHA_LSE          # optional: any participant
        operation: auction.portfolioCreation   # service.operationId, or a bare operationId
        answer: "500"                   # "500" (SER0029), "403" (SEC0001), "404" (SER0028),
                                        # delay, or drop
        times: 3                        # the next N matching calls (default 1)
        seconds: 2.5                    # for delay: then the call is served as usual

Rules are tried in file order; a rule applies to the next ``times`` matching
calls and then is spent. ``drop`` starts an answer and leaves it
unfinished, so the server closes the connection before its body ends
(uvicorn logs one line, "ASGI callable returned without completing response"): the client sees the connection break,
which is what a network fault looks like from its side. The fault applied
is put in the request's ASGI state so the recording marks the exchange.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from crr_contract.operations import ServiceSpec
from harness.client_conformance.request_rules import OperationMatcher
from harness.errors import InputError

__all__ = ["ANSWERS", "FAULT_STATE_KEY", "FaultMiddleware", "FaultRule", "load_faults"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FAULT_STATE_KEY = "crr_fault"

ANSWERS: Mapping[str, tuple[int, str, str] | None] = {
    "500": (500, "SER0029", "Internal server error; the request was not processed (injected)."),
    "403": (403, "SEC0001", "Access denied (injected fault)."),
    "404": (404, "SER0028", "The requested resource was not found (injected fault)."),
    "delay": None,
    "drop": None,
}
"""What each kind of fault answers: status, catalog code and description; delay and drop
answer nothing of their own."""


@dataclass(slots=True)
class FaultRule:
    """One line of the schedule; ``remaining`` counts down as it is applied."""

    answer: str
    times: int = 1
    participant: str | None = None
    operation: str | None = None
    seconds: float = 0.0
    remaining: int = field(init=False)

    def __post_init__(self) -> None:
        self.remaining = self.times

    def matches(self, participant: str | None, operation: str | None) -> bool:
        """Whether this rule still applies to a call of ``operation`` by ``participant``."""
        if self.remaining <= 0:
            return False
        if self.participant is not None and self.participant != participant:
            return False
        if self.operation is None:
            return True
        if operation is None:
            return False
        return self.operation in (operation, operation.split(".", 1)[-1])


def load_faults(path: Path) -> list[FaultRule]:
    """The schedule in ``path``, or ``InputError`` naming the entry and field that is wrong."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"--faults {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"--faults {path}: not YAML ({str(exc).splitlines()[0]})") from None
    entries = data.get("faults") if isinstance(data, Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise InputError(f"--faults {path}: expected a mapping with a non-empty list 'faults'")
    rules = []
    for number, entry in enumerate(entries, 1):
        where = f"--faults {path}: entry {number}"
        if not isinstance(entry, Mapping):
            raise InputError(f"{where}: expected a mapping (participant, operation, answer, ...)")
        unknown = set(entry) - {"participant", "operation", "answer", "times", "seconds"}
        if unknown:
            raise InputError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        answer = str(entry.get("answer"))
        if answer not in ANSWERS:
            raise InputError(f"{where}: answer must be one of {', '.join(ANSWERS)}, not {answer}")
        times = entry.get("times", 1)
        if not isinstance(times, int) or isinstance(times, bool) or times < 1:
            raise InputError(f"{where}: times must be a positive integer, not {times!r}")
        seconds = entry.get("seconds", 0)
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            raise InputError(f"{where}: seconds must be a number >= 0, not {seconds!r}")
        if answer == "delay" and not seconds:
            raise InputError(f"{where}: a delay needs seconds > 0")
        rules.append(
            FaultRule(
                answer=answer,
                times=times,
                participant=_optional_text(entry.get("participant")),
                operation=_optional_text(entry.get("operation")),
                seconds=float(seconds),
            )
        )
    return rules


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)


async def _drain(receive: Receive) -> None:
    """Read the whole request body, as a server does before it answers (and the recording
    keeps what was sent)."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


class FaultMiddleware:
    """Applies the schedule's first matching rule to each call; other calls pass through."""

    def __init__(
        self, app: ASGIApp, specs: Sequence[ServiceSpec], rules: Sequence[FaultRule]
    ) -> None:
        self.app = app
        self.matcher = OperationMatcher(specs)
        self.rules = list(rules)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer with the fault, delay, drop, or hand the call on untouched."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        identity = state.get("identity")
        operation = self.matcher.match(str(scope["method"]), str(scope["path"]))
        name = operation.name if operation is not None else None
        rule = next(
            (r for r in self.rules if r.matches(getattr(identity, "participant", None), name)),
            None,
        )
        if rule is None:
            await self.app(scope, receive, send)
            return
        rule.remaining -= 1
        state[FAULT_STATE_KEY] = rule.answer
        canned = ANSWERS[rule.answer]
        if rule.answer == "delay":
            await asyncio.sleep(rule.seconds)
            await self.app(scope, receive, send)
            return
        await _drain(receive)
        if rule.answer == "drop":
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
                }
            )
            await send({"type": "http.response.body", "body": b"{", "more_body": True})
            return  # the answer is unfinished: the server closes the connection
        if canned is not None:
            status, code, text = canned
            body = json.dumps(
                {
                    "errorDetails": [
                        {"severity": "ERROR", "errorCode": code, "errorDescription": text}
                    ]
                }
            ).encode("utf-8")
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode("ascii")),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
