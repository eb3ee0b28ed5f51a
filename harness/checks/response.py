"""Response conformance to the declared spec version: status, content type, body schema.

The body is judged by openapi-core against the operation's documented
response for that status, in the spec file the target declared; the
status and content type are checked first, on their own IDs, so a report
says which of the three is wrong. RSP-004 then names the body properties
the schema does not define: a FAIL where the schema forbids them, a noted
PASS where it allows them (useful to the spec's authors, not a defect).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from crr_contract.examples import resolve
from crr_contract.openapi_messages import OpenAPIRequest, OpenAPIResponse
from crr_contract.operations import Operation
from harness.checks.registry import (
    CheckContext,
    CheckFailed,
    NotApplicable,
    check,
    operation_clause,
)
from harness.client import Exchange


def _answered(exchange: Exchange) -> Operation:
    if exchange.operation is None or exchange.response is None:
        raise NotApplicable
    return exchange.operation


def documented_response(operation: Operation, status: int) -> tuple[str, dict] | None:
    """The response object documented for ``status`` (or its range, or default), and its key."""
    responses = operation.definition.get("responses") or {}
    for key in (str(status), f"{str(status)[0]}XX", "default"):
        if key in responses:
            return key, resolve(operation.spec.document, responses[key])
    return None


def _media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


@check("RSP-001")
def status_documented(exchange: Exchange, context: CheckContext) -> None:
    operation = _answered(exchange)
    assert exchange.response is not None
    status = exchange.response.status
    if documented_response(operation, status) is None:
        documented = ", ".join(sorted(str(k) for k in operation.definition.get("responses") or {}))
        raise CheckFailed(
            f"{operation.name} answered HTTP {status}, not documented (documented: {documented})",
            operation_clause(operation, "responses"),
        )


@check("RSP-002")
def content_type_documented(exchange: Exchange, context: CheckContext) -> None:
    operation = _answered(exchange)
    assert exchange.response is not None
    found = documented_response(operation, exchange.response.status)
    if found is None:
        raise NotApplicable
    key, response = found
    content = response.get("content") or {}
    if not content:
        raise NotApplicable
    headers = {k.lower(): v for k, v in exchange.response.headers.items()}
    media = _media_type(headers.get("content-type", ""))
    if media not in {m.lower() for m in content}:
        raise CheckFailed(
            f"{operation.name} answered HTTP {exchange.response.status} with Content-Type "
            f"{media or '(none)'!r}; documented: {', '.join(content)}",
            operation_clause(operation, "responses", key, "content"),
        )


@check("RSP-003")
def body_matches_schema(exchange: Exchange, context: CheckContext) -> None:
    operation = _answered(exchange)
    response = exchange.response
    assert response is not None
    found = documented_response(operation, response.status)
    if found is None or not (found[1].get("content") or {}):
        raise NotApplicable
    key = found[0]
    headers = {k.lower(): v for k, v in response.headers.items()}
    media = _media_type(headers.get("content-type", ""))
    if media not in {m.lower() for m in found[1]["content"]}:
        raise NotApplicable  # RSP-002 reports it
    request = OpenAPIRequest(
        host_url=operation.spec.base_url,
        path=operation.path,
        method=operation.method.lower(),
        parameters=RequestParameters(
            query=ImmutableMultiDict([(k, str(v)) for k, v in exchange.params.items()]),
            header=Headers(),
            cookie=ImmutableMultiDict(),
        ),
        content_type="application/json",
        body=exchange.record.request.body or None,
    )
    core_response = OpenAPIResponse(
        status_code=response.status,
        content_type=media,
        headers=Headers(dict(response.headers)),
        data=response.body,
    )
    problems = []
    for error in operation.spec.openapi.iter_response_errors(request, core_response):
        problems.extend(_describe(error))
    if problems:
        raise CheckFailed(
            f"{operation.name} HTTP {response.status} body does not match its schema: "
            + "; ".join(problems[:5])
            + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""),
            operation_clause(operation, "responses", key, "content", media, "schema"),
        )


def _describe(error: Exception) -> list[str]:
    """The schema errors behind an openapi-core error, each as ``at <path>: <message>``."""
    cause = error.__cause__ or error
    schema_errors = getattr(cause, "schema_errors", None)
    if not schema_errors:
        return [str(cause) or type(cause).__name__]
    described = []
    for schema_error in schema_errors:
        where = "/".join(str(p) for p in getattr(schema_error, "absolute_path", ()) or ())
        described.append(f"at /{where}: {getattr(schema_error, 'message', schema_error)}")
    return described


@dataclass(frozen=True, slots=True)
class Undocumented:
    """A body property the schema does not define: where, and whether the schema forbids it."""

    path: str
    closed: bool


def _merged(document: Mapping[str, Any], schema: Any) -> tuple[dict[str, Any], Any, list[str]]:
    """The properties, additionalProperties and patternProperties an object schema allows,
    through ``$ref``, ``allOf``, ``anyOf`` and ``oneOf``: a property any branch defines is
    documented; the object is closed when it or an ``allOf`` branch forbids other properties,
    or when every ``anyOf``/``oneOf`` branch does."""
    schema = resolve(document, schema)
    if not isinstance(schema, Mapping):
        return {}, True, []
    properties = dict(schema.get("properties") or {})
    additional = schema.get("additionalProperties", True)
    patterns = list(schema.get("patternProperties") or {})
    for keyword in ("allOf", "anyOf", "oneOf"):
        branches = [_merged(document, branch) for branch in schema.get(keyword) or ()]
        for more, _, more_patterns in branches:
            for name, node in more.items():
                properties.setdefault(name, node)
            patterns += more_patterns
        closing = [branch_additional is False for _, branch_additional, _ in branches]
        if branches and (any(closing) if keyword == "allOf" else all(closing)):
            additional = False
    return properties, additional, patterns


def undocumented_properties(
    document: Mapping[str, Any], schema: Any, value: Any, path: str = ""
) -> list[Undocumented]:
    """Every property of ``value`` its schema does not define, once per path (array items
    as ``[]``), in body order."""
    found: dict[str, Undocumented] = {}
    _walk(document, schema, value, path, found)
    return list(found.values())


def _walk(
    document: Mapping[str, Any], schema: Any, value: Any, path: str, found: dict[str, Undocumented]
) -> None:
    if isinstance(value, list):
        items = resolve(document, schema).get("items") if isinstance(schema, Mapping) else None
        for item in value:
            _walk(document, items, item, f"{path}[]", found)
        return
    if not isinstance(value, Mapping) or schema is None:
        return
    properties, additional, patterns = _merged(document, schema)
    if not properties and not patterns and additional is True:
        return  # a free-form object: its content is documented elsewhere (a download's data)
    for name, item in value.items():
        where = f"{path}/{name}"
        if name in properties:
            _walk(document, properties[name], item, where, found)
        elif any(re.search(pattern, name) for pattern in patterns):
            continue
        elif isinstance(additional, Mapping):
            _walk(document, additional, item, where, found)
        elif where not in found:
            found[where] = Undocumented(where, closed=additional is False)


@check("RSP-004")
def no_undocumented_property(exchange: Exchange, context: CheckContext) -> str | None:
    operation = _answered(exchange)
    response = exchange.response
    assert response is not None
    found = documented_response(operation, response.status)
    if found is None:
        raise NotApplicable  # RSP-001 reports it
    key, documented = found
    media = _media_type({k.lower(): v for k, v in response.headers.items()}.get("content-type", ""))
    content = {m.lower(): node for m, node in (documented.get("content") or {}).items()}
    schema = (content.get(media) or {}).get("schema")
    if schema is None or "json" not in media:
        raise NotApplicable
    try:
        body = response.json()
    except ValueError:
        raise NotApplicable from None  # RSP-003 reports it
    extra = undocumented_properties(operation.spec.document, schema, body)
    closed = [item.path for item in extra if item.closed]
    if closed:
        raise CheckFailed(
            f"{operation.name} HTTP {response.status} sends properties its schema forbids "
            f"(additionalProperties: false): {', '.join(closed)}",
            operation_clause(operation, "responses", key, "content", media, "schema"),
        )
    if extra:
        return (
            f"{operation.name} HTTP {response.status} sends properties its schema does not "
            f"define (allowed, undocumented): {', '.join(item.path for item in extra)}"
        )
    return None
