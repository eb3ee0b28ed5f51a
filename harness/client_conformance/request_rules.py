"""Which served operation a request is for, and which spec rules it breaks (openapi-core).

The reference server validates too, but it answers with catalog codes; a
client report needs the rule itself (``maxItems`` at ``bids[0].segments``),
so the recording asks openapi-core directly, with the same request record
the reference and the harness hand it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from openapi_core.datatypes import RequestParameters
from openapi_core.validation.request.exceptions import (
    InvalidRequestBody,
    MissingRequiredParameter,
    MissingRequiredRequestBody,
    ParameterValidationError,
)
from werkzeug.datastructures import Headers, ImmutableMultiDict

from crr_contract.openapi_messages import OpenAPIRequest
from crr_contract.operations import Operation, ServiceSpec

__all__ = ["OperationMatcher", "Violation", "violations"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One spec rule a request breaks: the JSON Schema keyword (or kind), where, and how."""

    rule: str
    where: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "where": self.where, "message": self.message}


class OperationMatcher:
    """Finds the served operation of a method and path (path templates as regular expressions)."""

    def __init__(self, specs: Sequence[ServiceSpec]) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Operation]] = []
        for spec in specs:
            for operation in spec.operations():
                pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(operation.path))
                self._routes.append((operation.method, re.compile(pattern + "$"), operation))

    @property
    def operations(self) -> list[Operation]:
        """Every served operation, in spec file order."""
        return [operation for _method, _pattern, operation in self._routes]

    def match(self, method: str, path: str) -> Operation | None:
        """The operation ``method path`` calls, or None for a path the served specs lack."""
        for route_method, pattern, operation in self._routes:
            if route_method == method.upper() and pattern.match(path):
                return operation
        return None


def violations(
    operation: Operation,
    path: str,
    query: Sequence[tuple[str, str]],
    content_type: str | None,
    body: bytes,
) -> list[Violation]:
    """Every rule of ``operation``'s request definition the request breaks (empty: valid)."""
    request = OpenAPIRequest(
        host_url=operation.spec.base_url,
        path=path,
        method=operation.method.lower(),
        parameters=RequestParameters(
            query=ImmutableMultiDict(list(query)),
            header=Headers(),
            cookie=ImmutableMultiDict(),
        ),
        content_type=(content_type or "application/json").split(";")[0].strip().lower(),
        body=body if operation.takes_body else None,
    )
    found: list[Violation] = []
    for error in operation.spec.openapi.iter_request_errors(request):
        found += _of(error)
    return found


def _of(error: Exception) -> list[Violation]:
    schema_errors = getattr(error.__cause__, "schema_errors", None) or ()
    if isinstance(error, MissingRequiredParameter):
        return [Violation("required", f"query {error.name}", str(error))]
    if isinstance(error, ParameterValidationError):
        if not schema_errors:
            return [Violation("parameter", f"query {error.name}", str(error))]
        return [
            Violation(str(e.validator), f"query {error.name}", e.message) for e in schema_errors
        ]
    if isinstance(error, MissingRequiredRequestBody):
        return [Violation("required", "body", "the request body is missing")]
    if isinstance(error, InvalidRequestBody) and schema_errors:
        return [
            Violation(str(e.validator), _field_path(e.absolute_path) or "body", e.message)
            for e in schema_errors
        ]
    return [Violation(type(error).__name__, "request", str(error))]


def _field_path(parts: Sequence[object]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
