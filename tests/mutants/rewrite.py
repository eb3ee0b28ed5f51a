"""An ASGI layer that rewrites the reference implementation's answers, to make broken targets.

Each mutant is the reference with one realistic defect; most defects are in
what it answers, so a mutant is usually a rewrite of the responses of one
operation: its status, headers or JSON body. The layer buffers the answer
of a matching request, hands it to the rewrite and sends what comes back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Scope = dict[str, Any]


@dataclass
class Answer:
    """A buffered answer the rewrite may change in place."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    scope: Scope

    def json(self) -> Any:
        return json.loads(self.body)

    def set_json(self, value: Any) -> None:
        self.body = json.dumps(value).encode("utf-8")

    @property
    def query(self) -> str:
        return self.scope.get("query_string", b"").decode("latin-1")


Rewrite = Callable[[Answer], None]


def rewrite_answers(path_suffix: str, rewrite: Rewrite, method: str | None = None):
    """An app wrapper: answers to requests whose path ends with ``path_suffix`` go through
    ``rewrite`` (all methods, or just ``method``)."""

    def wrap(app):
        async def wrapped(scope, receive, send):
            if scope["type"] != "http" or not scope["path"].endswith(path_suffix):
                return await app(scope, receive, send)
            if method is not None and scope["method"] != method:
                return await app(scope, receive, send)
            start: dict[str, Any] = {}
            chunks: list[bytes] = []

            async def capture(message):
                if message["type"] == "http.response.start":
                    start.update(message)
                elif message["type"] == "http.response.body":
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body", False):
                        answer = Answer(
                            start["status"], list(start.get("headers", [])), b"".join(chunks), scope
                        )
                        rewrite(answer)
                        headers = [
                            (k, v) for k, v in answer.headers if k.lower() != b"content-length"
                        ]
                        headers.append((b"content-length", str(len(answer.body)).encode()))
                        await send(
                            {
                                "type": "http.response.start",
                                "status": answer.status,
                                "headers": headers,
                            }
                        )
                        await send({"type": "http.response.body", "body": answer.body})
                else:
                    await send(message)

            await app(scope, receive, capture)

        return wrapped

    return wrap


def replace_code(old: str, new: str) -> Rewrite:
    """Every ``errorCode`` ``old`` in an error answer becomes ``new``."""

    def rewrite(answer: Answer) -> None:
        if answer.status < 400:
            return
        body = answer.json()
        for detail in body.get("errorDetails", []):
            if detail.get("errorCode") == old:
                detail["errorCode"] = new
        answer.set_json(body)

    return rewrite
