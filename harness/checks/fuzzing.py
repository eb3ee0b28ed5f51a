"""What fuzzed input must get: never a 5xx, a 4xx for invalid input, no schema refusal of valid input.

The fuzzer (``harness.fuzz``) generates requests with schemathesis and runs
schemathesis' own verdict for each of these rules; schemathesis' raw
verdicts are noisy (its negative/positive data checks disagree with the
spec's own validator on edge cases), so here each rule is judged again with
the harness's oracle: openapi-core validating the request *as it was sent*
against the declared spec version, and the error catalog. A schemathesis
verdict that the oracle overrules is kept on the exchange (``upstream``)
and shown in messages, never counted.

The oracle runs only where a verdict depends on it (an answer that would
be wrong for valid, or for invalid, input); an answer that is right either
way (a 4xx with a catalog code) is counted under the generator's own label.
These checks judge only ``FuzzedExchange`` records (the fuzzer's); any other
exchange is not applicable, so other suites are unaffected. Which
schemathesis check each ID confirms is ``UPSTREAM``; the ones it does not
run, and why, ``COVERED``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from crr_contract.examples import query_parameters, resolve
from crr_contract.openapi_messages import OpenAPIRequest
from crr_contract.operations import Operation
from harness.checks.error_codes import error_codes_of
from harness.checks.registry import (
    CheckContext,
    CheckFailed,
    NotApplicable,
    check,
    operation_clause,
)
from harness.client import Exchange
from harness.results import RecordedRequest

__all__ = [
    "COVERED",
    "SCHEMA_REASON_CODES",
    "UPSTREAM",
    "VALUE_REASON_CODES",
    "FuzzedExchange",
    "documented_input_codes",
    "input_fields",
    "query_params",
    "request_problems",
]

UPSTREAM: Mapping[str, str] = {
    "FUZ-001": "not_a_server_error",
    "FUZ-002": "negative_data_rejection",
    "FUZ-003": "positive_data_acceptance",
}
"""Harness check ID → the schemathesis check whose verdict it confirms."""

COVERED: Mapping[str, str] = {
    "status_code_conformance": "RSP-001",
    "content_type_conformance": "RSP-002",
    "response_schema_conformance": "RSP-003",
    "response_headers_conformance": "RSP-003",
}
"""schemathesis checks the fuzzer does not run, and the harness check that judges the same
thing on every fuzzed answer with openapi-core against the declared spec (the specs declare
no response headers). Its other checks add nothing here: the API has no auth scheme to ignore
(``ignored_auth``, mTLS is checked by SEC-001), no required headers, no CRUD links
(``use_after_free``, ``ensure_resource_availability``), and an undeclared method is not an
operation the checks could judge (``unsupported_method``)."""

SCHEMA_REASON_CODES = frozenset({"GEN0003", "SER0018"})
"""Codes that refuse a request's body as unreadable (GEN0003, and SER0018 before it): never
right for a JSON body that satisfies the schema."""

VALUE_REASON_CODES = frozenset({"SER0001", "SER0002"})
"""Missing or invalid: a schema refusal unless the spec documents a rule of its own for them."""


@dataclass(frozen=True, slots=True)
class FuzzedExchange(Exchange):
    """An exchange the fuzzer made: how its input was generated and schemathesis' verdicts."""

    generation: str = "positive"
    """``positive`` or ``negative`` (schemathesis' generation mode), or ``stateful``."""
    upstream: Mapping[str, str] = field(default_factory=dict)
    """schemathesis check name → its failure text, for each of its checks that failed."""
    problems: tuple[str, ...] | None = None
    """The request's problems against the declared spec (None: not computed yet)."""

    def request_problems(self) -> tuple[str, ...]:
        """Why the request as sent does not satisfy the declared spec (empty: it does).

        The oracle (openapi-core) runs once per exchange, and only when a verdict needs it.
        """
        if self.problems is None:
            found = (
                ()
                if self.operation is None
                else tuple(request_problems(self.operation, self.record.request))
            )
            object.__setattr__(self, "problems", found)  # a cache on a frozen record
        return self.problems  # type: ignore[return-value]

    def claims_valid(self) -> bool:
        """The generator's own view of the input, or the oracle's once it has run: used to
        count what a check judged when its verdict does not depend on validity."""
        if self.problems is not None:
            return not self.problems
        return self.generation in ("positive", "stateful")


def query_params(url: str) -> dict[str, Any]:
    """The query of ``url`` as checks read it: a string per name, a list when it repeats."""
    params: dict[str, Any] = {}
    for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if name in params:
            earlier = params[name]
            params[name] = [*earlier, value] if isinstance(earlier, list) else [earlier, value]
        else:
            params[name] = value
    return params


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def request_problems(operation: Operation, request: RecordedRequest) -> list[str]:
    """Each way the request as sent breaks the operation's declared parameters and body.

    openapi-core judges the parameters and the body schema. Two rules of
    the wire it does not judge are added: a query parameter that is not an
    array given more than once, and a body that is not strict JSON (NaN,
    Infinity) or not sent as ``application/json``.
    """
    parts = urlsplit(request.url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    problems: list[str] = []
    arrays = {
        p["name"]
        for p in query_parameters(operation)
        if resolve(operation.spec.document, p.get("schema") or {}).get("type") == "array"
    }
    names = [name for name, _ in query]
    for name in sorted({n for n in names if names.count(n) > 1} - arrays):
        problems.append(f"query parameter {name} given {names.count(name)} times")
    headers = {k.lower(): v for k, v in request.headers.items()}
    content_type = headers.get("content-type", "")
    if operation.takes_body and request.body:
        if content_type.split(";")[0].strip().lower() != "application/json":
            problems.append(f"body sent as {content_type or 'no content type'!r}")
        try:
            json.loads(request.body, parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(f"body is not JSON ({exc})")
        except RecursionError:
            problems.append("body is JSON nested too deeply to read")
    core = OpenAPIRequest(
        host_url=operation.spec.base_url,
        path=parts.path,
        method=operation.method.lower(),
        parameters=RequestParameters(
            query=ImmutableMultiDict(query),
            header=Headers(),
            cookie=ImmutableMultiDict(),
        ),
        content_type=content_type or "application/json",
        body=(request.body or None) if operation.takes_body else None,
    )
    if not problems:
        try:
            for error in operation.spec.openapi.iter_request_errors(core):
                problems.extend(_describe(error))
        except RecursionError:
            problems.append("body is nested too deeply for the spec validator")
    return problems


def _describe(error: Exception) -> list[str]:
    cause = error.__cause__ or error
    schema_errors = getattr(cause, "schema_errors", None)
    name = getattr(error, "name", None)
    prefix = f"{name}: " if name else ""
    if not schema_errors:
        return [prefix + (str(error) or type(error).__name__)]
    described = []
    for schema_error in schema_errors:
        where = "/".join(str(p) for p in getattr(schema_error, "absolute_path", ()) or ())
        described.append(f"{prefix}at /{where}: {getattr(schema_error, 'message', schema_error)}")
    return described


def _fuzzed(exchange: Exchange) -> tuple[FuzzedExchange, Operation, int]:
    if not isinstance(exchange, FuzzedExchange):
        raise NotApplicable
    if exchange.operation is None or exchange.status is None:
        raise NotApplicable
    return exchange, exchange.operation, exchange.status


def _upstream_note(exchange: FuzzedExchange, check_id: str) -> str:
    name = UPSTREAM[check_id]
    text = exchange.upstream.get(name)
    if not text:
        return ""
    return f" [schemathesis {name}: {' '.join(text.split())[:200]}]"


def _codes(exchange: Exchange) -> list[str]:
    return error_codes_of(exchange.json()) or []


@check("FUZ-001")
def no_server_error(exchange: Exchange, context: CheckContext) -> None:
    fuzzed, operation, status = _fuzzed(exchange)
    if status >= 500:
        codes = ", ".join(_codes(fuzzed)) or "no code"
        raise CheckFailed(
            f"{operation.name} answered HTTP {status} ({codes}) to a {fuzzed.generation} "
            f"request{_upstream_note(fuzzed, 'FUZ-001')}",
            operation_clause(operation, "responses"),
        )


@check("FUZ-002")
def invalid_input_rejected(exchange: Exchange, context: CheckContext) -> None:
    fuzzed, operation, status = _fuzzed(exchange)
    codes = _codes(fuzzed)
    known = [code for code in codes if code in context.catalog]
    if 400 <= status < 500 and known:
        if fuzzed.claims_valid():
            raise NotApplicable  # refused, as invalid input must be; valid input is FUZ-003's
        return
    problems = fuzzed.request_problems()
    if not problems:
        raise NotApplicable  # valid input: FUZ-003 judges it
    if status < 400:
        verdict = f"accepted it with HTTP {status}"
    elif status >= 500:
        verdict = f"answered HTTP {status} ({', '.join(codes) or 'no code'})"
    else:
        verdict = (
            f"refused it with HTTP {status} but no catalog code ({', '.join(codes) or 'none'})"
        )
    raise CheckFailed(
        f"{operation.name} {verdict}; the request breaks the spec: {'; '.join(problems[:3])}"
        f"{_upstream_note(fuzzed, 'FUZ-002')}",
        operation_clause(operation),
    )


@check("FUZ-003")
def valid_input_accepted(exchange: Exchange, context: CheckContext) -> None:
    fuzzed, operation, status = _fuzzed(exchange)
    if status != 400:
        raise NotApplicable
    body = fuzzed.json()
    details = body.get("errorDetails") if isinstance(body, dict) else None
    details = [d for d in details or () if isinstance(d, dict)]
    if not details or not all(isinstance(d.get("errorCode"), str) for d in details):
        raise NotApplicable  # ERR-001 reports an error without codes
    if not fuzzed.claims_valid():
        raise NotApplicable  # generated as invalid: refusing it is right (FUZ-002 judges it)
    inputs = input_fields(operation)
    documented = documented_input_codes(operation)
    if not all(_schema_refusal(detail, inputs, documented) for detail in details):
        return  # a business refusal of valid input: an answer
    if fuzzed.request_problems():
        raise NotApplicable  # the oracle finds it invalid after all: refusing it is right
    shown = "; ".join(
        f"{d['errorCode']}: {' '.join(str(d.get('errorDescription')).split())[:120]}"
        for d in details
    )
    raise CheckFailed(
        f"{operation.name} refused a request that satisfies its declared schema as malformed "
        f"(HTTP 400 {shown}), and the spec states no such rule"
        f"{_upstream_note(fuzzed, 'FUZ-003')}",
        operation_clause(operation),
    )


_CODE = re.compile(r"\b[A-Z]{3,4}[0-9]{4}\b")


def _schema_refusal(
    detail: Mapping[str, Any], inputs: Mapping[str, str], documented: frozenset[str]
) -> bool:
    """Whether one error detail refuses the request for a schema reason the spec does not back."""
    code = detail["errorCode"]
    if code in SCHEMA_REASON_CODES:
        return True
    if code not in VALUE_REASON_CODES or code in documented:
        return False
    text = str(detail.get("errorDescription") or "")
    named = [name for name in inputs if re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}\b", text)]
    if not named:
        return False  # it names no field: whether it is a schema reason cannot be told
    return not any(_states_rule(name, inputs) for name in named)


def _states_rule(name: str, inputs: Mapping[str, str]) -> bool:
    """Whether a field's description states a rule beyond its schema (another field, a code)."""
    text = inputs[name]
    if _CODE.search(text):
        return True
    return any(
        other != name and re.search(rf"(?<![A-Za-z0-9_]){re.escape(other)}\b", text)
        for other in inputs
    )


def _cache_key(operation: Operation) -> tuple[str, str, str]:
    return operation.spec.sha256, operation.method, operation.path


_INPUT_FIELDS: dict[tuple[str, str, str], dict[str, str]] = {}
_DOCUMENTED: dict[tuple[str, str, str], frozenset[str]] = {}


def input_fields(operation: Operation) -> dict[str, str]:
    """Every parameter and request-body property of the operation, with its descriptions."""
    key = _cache_key(operation)
    if key not in _INPUT_FIELDS:
        _INPUT_FIELDS[key] = _input_fields(operation)
    return _INPUT_FIELDS[key]


def _input_fields(operation: Operation) -> dict[str, str]:
    document = operation.spec.document
    fields: dict[str, list[str]] = {}
    for parameter in operation.definition.get("parameters") or ():
        parameter = resolve(document, parameter)
        texts = fields.setdefault(str(parameter.get("name")), [])
        texts.append(str(parameter.get("description") or ""))
        texts.extend(_schema_texts(document, parameter.get("schema"), set(), shallow=True))
    if operation.takes_body:
        body = resolve(document, operation.definition["requestBody"])
        for media in (body.get("content") or {}).values():
            _properties(document, (media or {}).get("schema"), fields, set())
    return {name: " ".join(texts) for name, texts in fields.items()}


def _properties(
    document: Mapping[str, Any], node: Any, fields: dict[str, list[str]], seen: set[str]
) -> None:
    if isinstance(node, Mapping) and "$ref" in node:
        if node["$ref"] in seen:
            return
        seen = seen | {str(node["$ref"])}
        node = resolve(document, node)
    if not isinstance(node, Mapping):
        return
    for name, value in (node.get("properties") or {}).items():
        fields.setdefault(str(name), []).extend(
            _schema_texts(document, value, set(seen), shallow=True)
        )
        _properties(document, value, fields, seen)
    for key in ("items", "allOf", "anyOf", "oneOf"):
        value = node.get(key)
        for item in value if isinstance(value, list) else [value]:
            _properties(document, item, fields, seen)


def documented_input_codes(operation: Operation) -> frozenset[str]:
    """The codes among SER0001/SER0002 that the spec's prose ties to this operation's input.

    They are the codes named in the operation's description or summary, in a parameter's
    description or in any description of its parameter and request-body schemas.
    """
    key = _cache_key(operation)
    if key not in _DOCUMENTED:
        _DOCUMENTED[key] = _documented_input_codes(operation)
    return _DOCUMENTED[key]


def _documented_input_codes(operation: Operation) -> frozenset[str]:
    document = operation.spec.document
    texts: list[str] = [str(operation.definition.get("description") or "")]
    texts.append(str(operation.definition.get("summary") or ""))
    for parameter in operation.definition.get("parameters") or ():
        parameter = resolve(document, parameter)
        texts.append(str(parameter.get("description") or ""))
        texts.extend(_schema_texts(document, parameter.get("schema"), set()))
    if operation.takes_body:
        body = resolve(document, operation.definition["requestBody"])
        texts.append(str(body.get("description") or ""))
        for media in (body.get("content") or {}).values():
            texts.extend(_schema_texts(document, (media or {}).get("schema"), set()))
    joined = " ".join(texts)
    return frozenset(code for code in VALUE_REASON_CODES if code in joined)


def _schema_texts(
    document: Mapping[str, Any], node: Any, seen: set[str], *, shallow: bool = False
) -> list[str]:
    """The descriptions of a schema (and, unless ``shallow``, of everything inside it)."""
    if isinstance(node, Mapping) and "$ref" in node:
        ref = str(node["$ref"])
        if ref in seen:
            return []
        seen.add(ref)
        node = resolve(document, node)
    if isinstance(node, list):
        return [
            text for item in node for text in _schema_texts(document, item, seen, shallow=shallow)
        ]
    if not isinstance(node, Mapping):
        return []
    texts = [str(node["description"])] if isinstance(node.get("description"), str) else []
    for key, value in node.items():
        if key in ("allOf", "anyOf", "oneOf"):
            texts.extend(_schema_texts(document, value, seen, shallow=shallow))
        elif shallow:
            continue
        elif key in ("properties", "patternProperties", "definitions") and isinstance(
            value, Mapping
        ):
            for item in value.values():
                texts.extend(_schema_texts(document, item, seen))
        elif key in ("items", "additionalProperties", "not"):
            texts.extend(_schema_texts(document, value, seen))
    return texts
