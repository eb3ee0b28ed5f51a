"""The request checks of one operation, built once when the server starts and reused.

Checking a request against its operation means: each query parameter
present (or required, or defaulted), read as the type its schema names,
not empty, and valid against that schema; the JSON body valid against the
request body's schema. openapi-core does all of that, but it finds the
operation, walks the spec and builds its JSON Schema validators afresh for
every request, which was most of what a read cost the reference. Here the
validators (``openapi-schema-validator``'s OpenAPI 3.0 dialect of
``jsonschema``, the one the OpenAPI 3.0 ``schema`` objects are written in)
are built once per operation over the whole spec document, so ``$ref``
resolves as in the file, and each request is one pass over its parameters
and one schema check of its body.

Only operations whose requests are of the shapes the CAISO files use are
compiled: OpenAPI 3.0, no security requirement, query parameters only
(``form`` style, exploded, no ``content``) of type string, integer or
number, and a body (if any) of ``application/json`` alone.
:func:`compile_request` returns None for any other operation, and
``validation.RequestValidator`` checks it with openapi-core, so a spec of
another shape is still served and checked in full. Failures are reported
with the same words and codes either way (``request_problems``); the
harness, which judges the server, keeps openapi-core as its own reader of
the spec, so the two stay independent.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema.protocols import Validator
from openapi_schema_validator import OAS30WriteValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from crr_contract.operations import Operation, ServiceSpec
from reference_impl.api.errors import Problem
from reference_impl.api.fast_accept import FastAccept
from reference_impl.api.request_problems import body_problem, choose, parameter_problems

__all__ = ["CompiledRequest", "QueryParameter", "compile_request", "spec_registry"]

_CASTS: Mapping[str, type] = {"string": str, "integer": int, "number": float}
"""Schema type -> how a query value is read as it (openapi-core's casters for these types)."""

_JSON = "application/json"


@dataclass(frozen=True, slots=True)
class QueryParameter:
    """One query parameter of an operation, with its schema's validator built."""

    name: str
    required: bool
    cast: type
    validator: Validator
    allow_empty: bool
    default: Any = None
    has_default: bool = False


@dataclass(frozen=True, slots=True)
class CompiledRequest:
    """Everything needed to check a request of one operation, built once."""

    operation: Operation
    codes: frozenset[str]
    """The catalog codes the operation lists (to choose among a failure's alternatives)."""
    parameters: tuple[QueryParameter, ...]
    body: Validator | None
    """The request body schema's validator; None when the operation takes no body or its
    media type names no schema."""
    accepts: FastAccept | None = None
    """Says "valid" for a body faster than ``body`` can; None when the schema needs ``body``."""

    def check(
        self, query: Sequence[tuple[str, str]], body: Any, has_body: bool
    ) -> tuple[dict[str, Any], list[Problem]]:
        """The query values read as their types, and every problem of the parameters and body.

        ``body`` is the parsed JSON object (``has_body`` False when none was sent).
        """
        first: dict[str, str] = {}
        for name, value in query:
            first.setdefault(name, value)
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for parameter in self.parameters:
            name = parameter.name
            raw = first.get(name)
            if raw is None:
                if parameter.has_default:
                    value = parameter.default
                elif parameter.required:
                    code = choose(self.codes, "SER0001")
                    problems.append(Problem(code, f"Query parameter {name} is required."))
                    continue
                else:
                    continue
            else:
                try:
                    value = parameter.cast(raw)
                except ValueError:
                    problems += parameter_problems(self.operation, self.codes, name, ())
                    continue
                if value == "" and not parameter.allow_empty:
                    problems += parameter_problems(self.operation, self.codes, name, ())
                    continue
                values[name] = value
            errors = list(parameter.validator.iter_errors(value))
            if errors:
                problems += parameter_problems(self.operation, self.codes, name, errors)
        if (
            self.body is not None
            and has_body
            and not (self.accepts is not None and self.accepts(body))
        ):
            problems += [
                body_problem(self.operation, self.codes, error)
                for error in self.body.iter_errors(body)
            ]
        return values, problems


def spec_registry(spec: ServiceSpec) -> tuple[str, Registry]:
    """The spec document as a JSON Schema resource, and the URI it is registered under."""
    uri = f"urn:crr-served-spec:{urllib.parse.quote(spec.file, safe='')}"
    resource = Resource.from_contents(spec.document, default_specification=DRAFT4)
    return uri, Registry().with_resource(uri, resource)


def compile_request(
    operation: Operation, registry: tuple[str, Registry] | None = None
) -> CompiledRequest | None:
    """The checks of ``operation``'s requests, or None when its shape needs openapi-core."""
    document = operation.spec.document
    if not str(document.get("openapi", "")).startswith("3.0"):
        return None
    if document.get("security") or operation.definition.get("security"):
        return None
    item_pointer = f"/paths/{_escape(operation.path)}"
    own_pointer = f"{item_pointer}/{operation.method.lower()}"
    if _at(document, own_pointer) is not operation.definition:
        return None
    uri, schemas = registry if registry is not None else spec_registry(operation.spec)

    def validator(pointer: str) -> Validator:
        schema = _inlined(document, uri, pointer)
        return OAS30WriteValidator(
            schema, registry=schemas, format_checker=OAS30WriteValidator.FORMAT_CHECKER
        )

    parameters: list[QueryParameter] = []
    seen: set[tuple[str, str]] = set()
    for owner in (own_pointer, item_pointer):
        for index in range(len(_at(document, owner).get("parameters") or ())):
            pointer, parameter = _follow(document, f"{owner}/parameters/{index}")
            key = (str(parameter.get("name")), str(parameter.get("in")))
            if key in seen:
                continue
            seen.add(key)
            compiled = _query_parameter(document, pointer, parameter, validator)
            if compiled is None:
                return None
            parameters.append(compiled)
    body: Validator | None = None
    accepts: FastAccept | None = None
    if "requestBody" in operation.definition:
        pointer, request_body = _follow(document, f"{own_pointer}/requestBody")
        content = request_body.get("content") or {}
        if [str(media).lower() for media in content] != [_JSON]:
            return None
        media_pointer, media = _follow(
            document, f"{pointer}/content/{_escape(next(iter(content)))}"
        )
        if "encoding" in media:
            return None
        if "schema" in media:
            body = validator(f"{media_pointer}/schema")
            accepts = FastAccept.build(body.schema, OAS30WriteValidator)
    return CompiledRequest(operation, operation.error_codes, tuple(parameters), body, accepts)


def _query_parameter(
    document: Mapping[str, Any],
    pointer: str,
    parameter: Mapping[str, Any],
    validator: Any,
) -> QueryParameter | None:
    """The compiled parameter, or None when it is not a plain query value of a scalar type."""
    if parameter.get("in") != "query" or "content" in parameter or "schema" not in parameter:
        return None
    if parameter.get("style", "form") != "form" or parameter.get("explode", True) is not True:
        return None
    _schema_pointer, schema = _follow(document, f"{pointer}/schema")
    cast = _CASTS.get(str(schema.get("type")))
    if cast is None:
        return None
    return QueryParameter(
        name=str(parameter["name"]),
        required=bool(parameter.get("required", False)),
        cast=cast,
        validator=validator(f"{pointer}/schema"),
        allow_empty=bool(parameter.get("allowEmptyValue", False)),
        default=schema.get("default"),
        has_default="default" in schema,
    )


def _inlined(document: Mapping[str, Any], uri: str, pointer: str) -> Any:
    """The schema at ``pointer`` with every local ``$ref`` replaced by what it points to.

    Following a reference on every request was a third of a body check. A
    ``$ref`` ignores the keywords beside it in the OpenAPI 3.0 (draft 4)
    dialect, so the node is replaced whole; a reference back into a schema
    being inlined (a recursive schema) is left as a reference into the
    registered document, and one that is not local is left as it is.
    """

    def inline(node: Any, pointer: str, open_refs: tuple[str, ...]) -> Any:
        if isinstance(node, Mapping):
            reference = node.get("$ref")
            if isinstance(reference, str):
                if not reference.startswith("#/"):
                    return dict(node)
                target = reference[1:]
                if target in open_refs:
                    return {"$ref": f"{uri}#{urllib.parse.quote(target, safe='/~')}"}
                return inline(_at(document, target), target, (*open_refs, target))
            return {key: inline(value, pointer, open_refs) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item, pointer, open_refs) for item in node]
        return node

    return inline(_at(document, pointer), pointer, (pointer,))


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def _at(document: Mapping[str, Any], pointer: str) -> Any:
    node: Any = document
    for part in pointer.lstrip("/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _follow(document: Mapping[str, Any], pointer: str) -> tuple[str, Any]:
    """The node at ``pointer`` with local ``$ref`` pointers followed, and where it really is."""
    node = _at(document, pointer)
    for _ in range(32):
        if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str)):
            break
        reference = str(node["$ref"])
        if not reference.startswith("#/"):
            break
        pointer = reference[1:]
        node = _at(document, pointer)
    return pointer, node
