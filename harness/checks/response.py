"""Response conformance to the declared spec version: status, content type, body schema.

The body is judged by openapi-core against the operation's documented
response for that status, in the spec file the target declared; the
status and content type are checked first, on their own IDs, so a report
says which of the three is wrong.
"""

from __future__ import annotations

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
