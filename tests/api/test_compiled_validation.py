"""The checks built once per operation give the verdicts openapi-core gives, request by request.

``RequestValidator`` checks requests with validators compiled per operation
(``compiled_requests``) and falls back to openapi-core only for shapes those
do not cover. Here both are run on the same requests, good and bad, for every
operation of every served spec: the same problems (code and words, in order)
or the same accepted values.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from crr_contract.operations import Operation, ServiceSpec, default_spec_files, load_specs
from reference_impl.api.compiled_requests import compile_request
from reference_impl.api.validation import InvalidRequest, RawRequest, RequestValidator
from tests.api.request_samples import bodies, resolve, sample

SPECS: tuple[ServiceSpec, ...] = tuple(load_specs(default_spec_files()))
OPERATIONS: list[Operation] = [op for spec in SPECS for op in spec.operations()]


def _queries(operation: Operation) -> Iterator[list[tuple[str, str]]]:
    document = operation.spec.document
    names = []
    for parameter in operation.definition.get("parameters") or ():
        parameter = resolve(document, parameter)
        if parameter.get("in") == "query":
            names.append((parameter["name"], resolve(document, parameter.get("schema") or {})))
    good = [(name, str(sample(document, schema))) for name, schema in names]
    yield []
    yield good
    yield [*good, ("unknownParameter", "1")]
    for name, _schema in names:
        rest = [(n, v) for n, v in good if n != name]
        for bad in ("", "not a date", "lower_case-name!", "x" * 300, "MAYBE", "2025-13-45"):
            yield [*rest, (name, bad)]
        yield rest


def _requests() -> Iterator[tuple[Operation, RawRequest]]:
    for operation in OPERATIONS:
        if operation.takes_body:
            for query in ([], [("participantName", "ALPHA_LSE")]):
                for body in bodies(operation):
                    yield (
                        operation,
                        RawRequest(
                            operation.method,
                            operation.path,
                            query,
                            "application/json",
                            json.dumps(body).encode(),
                        ),
                    )
            yield operation, RawRequest(operation.method, operation.path, (), "application/json")
        else:
            for query in _queries(operation):
                yield operation, RawRequest(operation.method, operation.path, query)


def _verdict(validator: RequestValidator, operation: Operation, raw: RawRequest) -> Any:
    try:
        validated = validator.validate(operation, raw)
    except InvalidRequest as invalid:
        return [(p.code, p.description) for p in invalid.problems]
    return ("accepted", dict(validated.query), validated.body)


COMPILED = RequestValidator(SPECS)
OPENAPI_CORE = RequestValidator(SPECS, compiled=False)
REQUESTS = list(_requests())


def test_every_shipped_operation_is_compiled() -> None:
    assert [op.name for op in OPERATIONS if COMPILED.compiled(op) is None] == []


def test_the_sample_holds_accepted_and_refused_requests_of_every_operation() -> None:
    verdicts = {op.name: set() for op in OPERATIONS}
    for operation, raw in REQUESTS:
        verdict = _verdict(COMPILED, operation, raw)
        verdicts[operation.name].add("accepted" if verdict[0] == "accepted" else "refused")
    checked = [op.name for op in OPERATIONS if op.takes_body or op.definition.get("parameters")]
    assert [name for name in checked if "refused" not in verdicts[name]] == []
    accepted = [name for name, kinds in verdicts.items() if "accepted" in kinds]
    assert len(accepted) > len(OPERATIONS) // 2


@pytest.mark.parametrize("service", sorted({op.service for op in OPERATIONS}))
def test_compiled_checks_agree_with_openapi_core(service: str) -> None:
    disagreements = []
    for operation, raw in REQUESTS:
        if operation.service != service:
            continue
        compiled = _verdict(COMPILED, operation, raw)
        reference = _verdict(OPENAPI_CORE, operation, raw)
        if compiled != reference:
            disagreements.append((operation.name, raw.query, raw.body[:200], compiled, reference))
    assert disagreements == []


def test_a_shape_the_compiled_checks_do_not_cover_falls_back_to_openapi_core() -> None:
    operation = next(op for op in OPERATIONS if op.operation_id == "getPortfolioList")
    document = copy.deepcopy(operation.spec.document)
    definition = document["paths"][operation.path][operation.method.lower()]
    definition["parameters"].append(
        {"name": "X-Trace", "in": "header", "required": False, "schema": {"type": "string"}}
    )
    spec = ServiceSpec.__new__(ServiceSpec)
    for slot in ServiceSpec.__dataclass_fields__:
        object.__setattr__(spec, slot, getattr(operation.spec, slot))
    object.__setattr__(spec, "document", document)
    changed = Operation(
        operation.service,
        operation.version,
        operation.method,
        operation.path,
        operation.operation_id,
        definition,
        spec,
    )
    assert compile_request(changed) is None
