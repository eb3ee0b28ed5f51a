"""A stub build: every operation of one spec file answered with the spec's own example.

This is the first thing many vendors stand up (a Prism mock of the spec):
it speaks the right paths and shapes, keeps no state, knows no roles and
validates nothing. Certifying it must end with true FAILs, never a crash.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crr_contract.examples import resolve
from crr_contract.operations import Operation, ServiceSpec

__all__ = ["example_stub_app"]


def _example(operation: Operation) -> tuple[int, Any]:
    """The first documented success status and its JSON example (``{}`` when there is none)."""
    document = operation.spec.document
    responses: Mapping[str, Any] = operation.definition.get("responses") or {}
    for status in sorted(code for code in responses if str(code).startswith("2")):
        content = (resolve(document, responses[status]).get("content") or {}).get(
            "application/json"
        ) or {}
        if "example" in content:
            return int(status), content["example"]
        if content.get("examples"):
            return int(status), resolve(document, next(iter(content["examples"].values())))["value"]
        schema = resolve(document, content.get("schema") or {})
        if "example" in schema:
            return int(status), schema["example"]
        return int(status), {}
    return 200, {}


def example_stub_app(spec: ServiceSpec) -> Starlette:
    """An ASGI app answering each operation of ``spec`` with its example, whatever is asked."""
    routes = []
    for operation in spec.operations():
        status, example = _example(operation)
        body = json.dumps(example).encode()

        async def answer(_request: Request, status: int = status, body: bytes = body) -> Response:
            return Response(body, status_code=status, media_type="application/json")

        routes.append(Route(operation.path, answer, methods=[operation.method]))
    return Starlette(routes=routes)
