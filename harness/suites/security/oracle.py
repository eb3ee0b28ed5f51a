"""The error-code oracle: provoke SER0001, SER0002 and GEN0003 on purpose, on every operation.

Which code a broken request deserves is data (``provocations.yaml``); this
module turns each played row into cases. Each starts from the operation's
example request (``crr_contract.examples.example_request``) sent by a
participant the operation allows, breaks it in one way, and expects exactly
the provoked code with the catalog's HTTP status (ERR-006); every other
check judges the answer too. An operation that does not list the code is
not asked: its spec says it cannot answer it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from crr_contract.examples import body_schema, example_request, query_parameters, resolve
from crr_contract.operations import Operation
from harness.checks.error_codes import error_codes_of
from harness.checks.registry import case_check
from harness.errors import InputError
from harness.results import Status
from harness.session import Session
from harness.suites.target_calls import allowed, record, send
from harness.target.config import SIMCONTROL, Participant

__all__ = ["PROVOCATIONS_FILE", "Provocation", "case_names", "load_provocations", "plan", "run"]

PROVOCATIONS_FILE = Path(__file__).with_name("provocations.yaml")

KNOWN_HOW = frozenset(
    {
        "missing_required",
        "outside_constraint",
        "malformed_json",
        "unknown_resource",
        "unknown_market",
        "role",
        "name",
    }
)

ORACLE_CHECK = case_check("ERR-006").id

_SKIPPED_FIELDS = frozenset({"participantName"})
"""Breaking the caller's own name provokes SEC0002 first on a target that checks it early."""


@dataclass(frozen=True, slots=True)
class Provocation:
    code: str
    provoke: str
    how: str
    run: bool


def load_provocations(path: Path = PROVOCATIONS_FILE) -> tuple[Provocation, ...]:
    """The rows of ``provocations.yaml``; a row that cannot be used is one InputError line."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rows = []
    for index, raw in enumerate(data.get("provocations") or ()):
        if not isinstance(raw, Mapping) or not {"code", "provoke", "how"} <= raw.keys():
            raise InputError(f"{path}: provocation {index + 1} needs code, provoke and how")
        if raw["how"] not in KNOWN_HOW:
            raise InputError(f"{path}: provocation {raw['code']}: unknown how {raw['how']!r}")
        rows.append(
            Provocation(
                str(raw["code"]), str(raw["provoke"]), str(raw["how"]), bool(raw.get("run"))
            )
        )
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class _Case:
    """One broken request: its name, the code it should get, and what to send."""

    name: str
    code: str
    operation: Operation
    caller: Participant
    params: dict[str, Any]
    body: Any = None
    content: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


def _violation(document: Mapping[str, Any], schema: Any) -> Any:
    """A value the schema's enum, pattern, bounds or length refuses (None: it states none)."""
    schema = resolve(document, schema)
    if not isinstance(schema, Mapping):
        return None
    for branch in schema.get("allOf") or ():
        found = _violation(document, branch)
        if found is not None:
            return found
    if schema.get("enum"):
        return "NOT_ONE_OF_THE_ENUM"
    if isinstance(schema.get("maxLength"), int):
        return "X" * (int(schema["maxLength"]) + 1)
    if "pattern" in schema:
        return " not matching "
    if isinstance(schema.get("minimum"), int | float):
        return schema["minimum"] - 1
    if isinstance(schema.get("maximum"), int | float):
        return schema["maximum"] + 1
    if schema.get("type") in ("integer", "number"):
        return "not a number"
    return None


def _cases_for(operation: Operation, caller: Participant, how: str, code: str) -> Iterator[_Case]:
    params, body = example_request(operation, caller.name)
    document = operation.spec.document
    schema = body_schema(operation)
    base = f"{operation.name}: provoke {code}"
    if how == "missing_required":
        for parameter in query_parameters(operation):
            name = parameter["name"]
            if parameter.get("required") and name in params and name not in _SKIPPED_FIELDS:
                rest = {k: v for k, v in params.items() if k != name}
                yield _Case(f"{base} without {name}", code, operation, caller, rest, body)
        if isinstance(body, dict):
            for name in schema.get("required") or ():
                if name in body and name not in _SKIPPED_FIELDS:
                    rest = {k: v for k, v in body.items() if k != name}
                    yield _Case(
                        f"{base} without body {name}", code, operation, caller, params, rest
                    )
    elif how == "outside_constraint":
        for parameter in query_parameters(operation):
            name = parameter["name"]
            value = _violation(document, parameter.get("schema"))
            if name in params and name not in _SKIPPED_FIELDS and value is not None:
                yield _Case(
                    f"{base} with {name}={value!r}",
                    code,
                    operation,
                    caller,
                    {**params, name: value},
                    body,
                )
                return
        if isinstance(body, dict):
            for name, node in (schema.get("properties") or {}).items():
                value = _violation(document, node)
                if name in body and name not in _SKIPPED_FIELDS and value is not None:
                    yield _Case(
                        f"{base} with body {name}={value!r}",
                        code,
                        operation,
                        caller,
                        params,
                        {**body, name: value},
                    )
                    return
    elif how == "malformed_json" and isinstance(body, dict):
        text = json.dumps(body).encode("utf-8")
        yield _Case(
            f"{base} with a body cut mid-value",
            code,
            operation,
            caller,
            params,
            content=text[: max(1, len(text) // 2)],
            headers={"content-type": "application/json"},
        )


def plan(session: Session) -> list[_Case]:
    """Every played provocation on every CAISO operation that lists its code, in spec order."""
    played = [row for row in load_provocations() if row.run]
    cases: list[_Case] = []
    for operation in session.operations():
        if operation.service == SIMCONTROL:
            continue
        callers = allowed(session, operation)
        if not callers:
            continue
        for row in played:
            if row.code in operation.error_codes:
                cases += _cases_for(operation, callers[0], row.how, row.code)
    return cases


def case_names(session: Session) -> list[str]:
    return [case.name for case in plan(session)]


def run(session: Session, suite: str) -> None:
    """Send each wanted provocation and judge it: every exchange check, then ERR-006."""
    for case in plan(session):
        if not session.wants(suite, case.name):
            continue
        exchange = send(
            session,
            case.caller,
            case.operation,
            params=case.params,
            body=case.body if case.content is None else None,
            content=case.content,
            headers=case.headers or None,
        )
        session.judge(suite, case.name, [exchange])
        entry = session.checks.catalog.get(case.code)
        expected = entry.http_status if entry is not None else 400
        if exchange.response is None:
            answer = f"no answer ({exchange.record.transport_error})"
            codes: list[str] = []
        else:
            codes = error_codes_of(exchange.json()) or []
            answer = f"HTTP {exchange.status} {', '.join(codes) or 'without an error code'}"
        exact = exchange.status == expected and bool(codes) and set(codes) == {case.code}
        record(
            session,
            suite,
            case.name,
            ORACLE_CHECK,
            Status.PASS if exact else Status.FAIL,
            f"{case.operation.name}: expected HTTP {expected} {case.code}, answered {answer}",
            evidence=(exchange.record,),
            operation=case.operation.name,
        )
