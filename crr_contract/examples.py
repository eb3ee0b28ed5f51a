"""Requests built from a spec's own examples, and the parameter and body schemas they fill.

The harness calls every operation of a target with what the spec itself
documents (the parameter and request-body examples), so a target is first
judged on the inputs its own specification promises to accept. The same
helpers tell which operations name a participant, the one field whose
value the caller's certificate constrains (SEC0002).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from crr_contract.operations import Operation

__all__ = ["body_schema", "example_request", "query_parameters", "resolve", "takes_participant"]


def resolve(document: Mapping[str, Any], node: Any) -> Any:
    """Follow local ``$ref`` pointers until a real node."""
    while isinstance(node, Mapping) and "$ref" in node:
        target: Any = document
        for part in str(node["$ref"]).lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def query_parameters(operation: Operation) -> list[dict]:
    """The operation's query parameters, resolved."""
    document = operation.spec.document
    found = [resolve(document, p) for p in operation.definition.get("parameters") or ()]
    return [p for p in found if p.get("in") == "query"]


def takes_participant(operation: Operation) -> bool:
    """Whether a request names a participant: a ``participantName`` parameter or body field."""
    if any(p["name"] == "participantName" for p in query_parameters(operation)):
        return True
    body = body_schema(operation)
    return bool(body) and "participantName" in (body.get("properties") or {})


def body_schema(operation: Operation) -> dict:
    """The request body schema, resolved (empty when there is no body)."""
    if not operation.takes_body:
        return {}
    document = operation.spec.document
    content = resolve(document, operation.definition["requestBody"])["content"]
    return resolve(document, content["application/json"]["schema"])


def example_request(operation: Operation, participant: str) -> tuple[dict, dict | None]:
    """A request built from the spec's own examples, naming ``participant`` where one is named.

    Required query parameters only, plus ``participantName`` when the
    operation takes one; the body is the request body example.
    """
    document = operation.spec.document
    params: dict[str, Any] = {}
    for parameter in query_parameters(operation):
        name = parameter["name"]
        if name == "participantName":
            params[name] = participant
        elif parameter.get("required"):
            schema = resolve(document, parameter.get("schema") or {})
            value = parameter.get("example", schema.get("example"))
            if value is None and schema.get("enum"):
                value = schema["enum"][0]
            params[name] = value
    body = None
    if operation.takes_body:
        media = resolve(document, operation.definition["requestBody"])["content"][
            "application/json"
        ]
        body = media.get("example")
        if body is None and media.get("examples"):
            body = next(iter(media["examples"].values()))["value"]
        body = json.loads(json.dumps(body))
        if isinstance(body, dict) and "participantName" in body:
            body["participantName"] = participant
    return params, body
