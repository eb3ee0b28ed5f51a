"""Request validation at the edge, against the served spec version, with catalog codes.

Parameters and bodies are checked against the operation's schemas (request
schemas set ``additionalProperties: false``, so unknown fields are
refused). Each failure becomes a :class:`~reference_impl.api.errors.Problem`
with the catalog code the failure means, chosen among the codes the
operation lists for its version:

- a required parameter, field or item missing (``required``, ``minItems``,
  ``minProperties``, and an ``anyOf`` whose every branch misses one): SER0001;
- a value of the wrong type, format, pattern, enum or range: SER0002;
- a body that cannot be read as the operation's JSON object (malformed
  JSON, wrong content type, not an object, a field the schema does not
  have): GEN0003, or SER0018 in the 1.0.0 files that predate it;
- an array longer than a business limit the specs state (the arrays
  ``crr_contract.limits.REQUEST_LIMITS`` names, whatever their
  ``maxItems``): that limit's own code, so one record too many is SER0030
  and one segment too many POR0003, as the engine would say, rather than a
  generic SER0002;
- a constraint the specs give a code of their own: a download type no download
  operation knows is MDT0001 (a known one of another access class stays SER0002),
  and a bid segment or nomination of zero MW is POR0007, as market_data's and the
  portfolio schemas' descriptions say.

When the operation lists none of a code's alternatives the preferred code is
kept, and the error layer reports the gap as a server defect.

The checks of each operation are built once (``compiled_requests``); an
operation whose requests have a shape those do not cover is checked by
openapi-core instead, with the same codes and words (``request_problems``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.request.exceptions import (
    InvalidRequestBody,
    MissingRequiredParameter,
    MissingRequiredRequestBody,
    ParameterValidationError,
    RequestBodyValidationError,
)
from werkzeug.datastructures import Headers, ImmutableMultiDict

from crr_contract.derivation import DerivationRules
from crr_contract.openapi_messages import OpenAPIRequest
from crr_contract.operations import Operation, ServiceSpec
from reference_impl.api.compiled_requests import CompiledRequest, compile_request, spec_registry
from reference_impl.api.errors import Problem
from reference_impl.api.request_problems import body_problem, choose, parameter_problems

__all__ = [
    "DEFAULT_BODY_LIMIT",
    "InvalidRequest",
    "RawRequest",
    "RequestValidator",
    "ValidatedRequest",
    "body_limit",
    "oversized_body",
]

_JSON_TYPES = ("application/json",)


class InvalidRequest(Exception):
    """The request does not satisfy the operation's spec; ``problems`` say how."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(f"{p.code}: {p.description}" for p in problems))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class RawRequest:
    """What arrived: method, path, query pairs in order, content type and body bytes."""

    method: str
    path: str
    query: Sequence[tuple[str, str]] = ()
    content_type: str | None = None
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class ValidatedRequest:
    """A request that satisfies the spec: query values cast to their schema types, body parsed."""

    query: Mapping[str, Any] = field(default_factory=dict)
    body: Any = None


class RequestValidator:
    """Validates requests to the served operations.

    Each operation's checks are built on its first request (or up front for
    the ``specs`` given) and reused; ``compiled=False`` checks every request
    with openapi-core instead, which is how the tests hold the two to the same
    verdicts.
    """

    def __init__(self, specs: Sequence[ServiceSpec], *, compiled: bool = True) -> None:
        self._specs = {spec.file: spec for spec in specs}
        self._compiled_mode = compiled
        self._compiled: dict[tuple[str, str, str], CompiledRequest | None] = {}
        if compiled:
            for spec in specs:
                registry = spec_registry(spec)
                for operation in spec.operations():
                    self._compiled[_key(operation)] = compile_request(operation, registry)

    def compiled(self, operation: Operation) -> CompiledRequest | None:
        """The operation's compiled checks; None when openapi-core checks it."""
        if not self._compiled_mode:
            return None
        key = _key(operation)
        if key not in self._compiled:
            self._compiled[key] = compile_request(operation)
        return self._compiled[key]

    def validate(self, operation: Operation, raw: RawRequest) -> ValidatedRequest:
        """The validated request, or :class:`InvalidRequest` carrying every problem found."""
        problems = _repeated_parameters(operation, raw.query)
        body: Any = None
        if operation.takes_body:
            body, body_problems = _read_body(operation, raw)
            problems += body_problems
            if body_problems:
                raise InvalidRequest(problems)
        compiled = self.compiled(operation)
        if compiled is not None:
            query, found = compiled.check(raw.query, body, bool(raw.body))
            problems += found
            if problems:
                raise InvalidRequest(problems)
            return ValidatedRequest(query, body)
        problems += self._openapi_core_problems(operation, raw)
        if problems:
            raise InvalidRequest(problems)
        return ValidatedRequest(_cast_query(operation, raw.query), body)

    def _openapi_core_problems(self, operation: Operation, raw: RawRequest) -> list[Problem]:
        core = OpenAPIRequest(
            host_url=operation.spec.base_url,
            path=raw.path,
            method=raw.method.lower(),
            parameters=RequestParameters(
                query=ImmutableMultiDict(list(raw.query)),
                header=Headers(),
                cookie=ImmutableMultiDict(),
            ),
            content_type=(raw.content_type or "application/json").lower(),
            body=raw.body if operation.takes_body else None,
        )
        spec = self._specs.get(operation.spec.file, operation.spec)
        openapi: OpenAPI = spec.openapi
        problems: list[Problem] = []
        for error in openapi.iter_request_errors(core):
            problems += _problems_of(operation, error)
        return problems


def _key(operation: Operation) -> tuple[str, str, str]:
    return (operation.spec.file, operation.path, operation.method.upper())


def _choose(operation: Operation, preferred: str) -> str:
    return choose(operation.error_codes, preferred)


def _repeated_parameters(operation: Operation, query: Sequence[tuple[str, str]]) -> list[Problem]:
    names = [name for name, _ in query]
    return [
        Problem(_choose(operation, "SER0002"), f"Query parameter {name} is given more than once.")
        for name in sorted({n for n in names if names.count(n) > 1})
    ]


def _read_body(operation: Operation, raw: RawRequest) -> tuple[Any, list[Problem]]:
    def unreadable(text: str) -> tuple[Any, list[Problem]]:
        return None, [Problem(_choose(operation, "GEN0003"), text)]

    media = (raw.content_type or "").split(";")[0].strip().lower()
    content = _resolve(operation.spec.document, operation.definition["requestBody"])
    accepted = [str(k).lower() for k in (content.get("content") or {})]
    if not raw.body:
        if content.get("required"):
            return unreadable("The request body is missing; this operation needs a JSON object.")
        return None, []
    if media not in accepted or media not in _JSON_TYPES:
        return unreadable(
            f"Content type {media or 'none'!r} is not accepted; send {', '.join(accepted)}."
        )
    try:
        body = json.loads(raw.body, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        return unreadable(f"The request body is not valid JSON: {exc}.")
    except RecursionError:
        return unreadable("The request body is nested too deeply to be a request of this API.")
    if not isinstance(body, dict):
        return unreadable(f"The request body must be a JSON object, not {type(body).__name__}.")
    return body, []


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _problems_of(operation: Operation, error: Exception) -> list[Problem]:
    if isinstance(error, MissingRequiredParameter):
        return [
            Problem(_choose(operation, "SER0001"), f"Query parameter {error.name} is required.")
        ]
    if isinstance(error, ParameterValidationError):
        schema_errors = getattr(error.__cause__, "schema_errors", None) or ()
        return parameter_problems(operation, operation.error_codes, error.name, schema_errors)
    if isinstance(error, MissingRequiredRequestBody):
        return [Problem(_choose(operation, "GEN0003"), "The request body is missing.")]
    if isinstance(error, InvalidRequestBody):
        schema_errors = getattr(error.__cause__, "schema_errors", None) or ()
        if schema_errors:
            return [body_problem(operation, operation.error_codes, e) for e in schema_errors]
    if isinstance(error, RequestBodyValidationError):
        return [Problem(_choose(operation, "GEN0003"), f"The request body is invalid: {error}.")]
    raise error


def _resolve(document: Mapping[str, Any], node: Any) -> Any:
    """Follow local ``$ref`` pointers (``#/components/...``) until a real node."""
    seen = 0
    while isinstance(node, Mapping) and "$ref" in node and seen < 32:
        target: Any = document
        for part in str(node["$ref"]).lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
        seen += 1
    return node


def _cast_query(operation: Operation, query: Sequence[tuple[str, str]]) -> dict[str, Any]:
    types = {}
    for parameter in operation.definition.get("parameters") or ():
        resolved = _resolve(operation.spec.document, parameter)
        if resolved.get("in") == "query":
            schema = _resolve(operation.spec.document, resolved.get("schema") or {})
            types[resolved["name"]] = schema.get("type")
    values: dict[str, Any] = {}
    for name, value in query:
        if name not in types:
            continue
        kind = types[name]
        if kind == "integer":
            values[name] = int(value)
        elif kind == "number":
            values[name] = float(value)
        elif kind == "boolean":
            values[name] = value.lower() == "true"
        else:
            values[name] = value
    return values


DEFAULT_BODY_LIMIT = DerivationRules.shipped().max_body_bytes
"""The request body limit when the spec states none (``max_body_bytes`` of the shipped
``specs/derivations.yaml``): 500 records of any CRR request type serialize to well under 1 MiB."""


def body_limit(operation: Operation) -> int:
    """The largest request body ``operation`` accepts: its spec's ``x-max-body-bytes`` (on the
    operation, else in ``info``), else the catalog's default (``specs/derivations.yaml``)."""
    return operation.max_body_bytes


def oversized_body(operation: Operation, size: int | None, limit: int) -> InvalidRequest:
    """The refusal of a body over ``limit`` bytes (``size`` None: it was cut off unread)."""
    shown = f"{size:,} bytes" if size is not None else "more"
    return InvalidRequest(
        [
            Problem(
                _choose(operation, "GEN0003"),
                f"The request body holds {shown}; at most {limit:,} bytes are accepted.",
            )
        ]
    )
