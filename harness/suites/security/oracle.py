"""The error-code oracle: provoke every documented error code on purpose, on every operation.

Which code a broken request deserves is data (``provocations.yaml``); this
module turns each played row into cases. A family row (SER0001, SER0002,
GEN0003, SER0028, MKT0001, SEC0001, SEC0002) starts from the operation's
example request (``crr_contract.examples.example_request``) sent by a
participant the operation allows, breaks it in one way, and expects exactly
the provoked code with the catalog's HTTP status (ERR-006). A business row
(POR, AUC, NOM, ... SIM) gives, per operation, the one request built from
the market-sim data set that deserves the code. Every other check judges
the answer too. An operation that does not list the code is not asked: its
spec says it cannot answer it.

The file also says which codes no request from outside can provoke
(``unprovokable``, SER0029) and which (operation, code) pairs it has no
provocation for yet (``not_played``), each with the reason; the coverage
shows those reasons in its cells (``coverage_reasons``).
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crr_contract.examples import (
    body_schema,
    example_request,
    query_parameters,
    resolve,
    takes_participant,
)
from crr_contract.files import load_document
from crr_contract.operations import Operation
from harness.checks.error_codes import error_codes_of
from harness.checks.registry import case_check
from harness.errors import InputError
from harness.results import Status
from harness.session import Session
from harness.suites.target_calls import SimControl, allowed, open_market, record, send
from harness.target.config import Participant

__all__ = [
    "PROVOCATIONS_FILE",
    "Provocation",
    "ProvocationRequest",
    "Unplayed",
    "case_names",
    "coverage_reasons",
    "load_provocations",
    "load_unplayed",
    "plan",
    "run",
]

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
        "request",
    }
)

ORACLE_CHECK = case_check("ERR-006").id

_SKIPPED_FIELDS = frozenset({"participantName"})
"""Putting a wrong value in the caller's own name provokes SEC0002 first on a target that
checks it early; the ``name`` row provokes that on purpose."""

UNKNOWN_SEGMENT = "NO_SUCH_RESOURCE"
"""The path segment ``unknown_resource`` appends: no spec defines a path that ends in it."""

UNKNOWN_YEAR = "2099"
"""``unknown_market`` puts this year into the example's market name: a name the schema's
pattern accepts that no market has."""


@dataclass(frozen=True, slots=True)
class Step:
    """A request a business row sends first, by the same caller, to make the state it needs."""

    call: str
    params: Mapping[str, Any] = field(default_factory=dict)
    body: Any = None


@dataclass(frozen=True, slots=True)
class ProvocationRequest:
    """One request of a business row: what to send to one operation, built from a data set."""

    params: Mapping[str, Any] = field(default_factory=dict)
    body: Any = None
    open: str | None = None
    """The kind of window or market the operator opens first; its name fills ``{market}``."""
    before: tuple[Step, ...] = ()


@dataclass(frozen=True, slots=True)
class Provocation:
    code: str
    provoke: str
    how: str
    run: bool
    needs: tuple[str, ...] = ()
    requests: Mapping[str, ProvocationRequest] = field(default_factory=dict)
    skip_fields: frozenset[str] = frozenset()
    """Fields this row leaves alone: the specs give breaking them a code of their own."""


@dataclass(frozen=True, slots=True)
class Unplayed:
    """A code no case provokes on the operations named (every operation: ``operations`` empty),
    and why; ``unprovokable``: no request from outside can provoke it on a conformant target."""

    code: str
    reason: str
    operations: tuple[str, ...] = ()
    unprovokable: bool = False


def _load(path: Path) -> Mapping[str, Any]:
    data = load_document(path) or {}
    if not isinstance(data, Mapping):
        raise InputError(f"{path}: a mapping with provocations, unprovokable and not_played")
    return data


def _request(path: Path, code: str, operation: str, raw: Any) -> ProvocationRequest:
    if not isinstance(raw, Mapping) or not ({"params", "body"} & raw.keys()):
        raise InputError(f"{path}: provocation {code}: {operation} needs params or body")
    steps = []
    for step in raw.get("before") or ():
        if not isinstance(step, Mapping) or "call" not in step:
            raise InputError(f"{path}: provocation {code}: each step before {operation} needs call")
        steps.append(Step(str(step["call"]), dict(step.get("params") or {}), step.get("body")))
    return ProvocationRequest(
        dict(raw.get("params") or {}), raw.get("body"), raw.get("open"), tuple(steps)
    )


def load_provocations(path: Path = PROVOCATIONS_FILE) -> tuple[Provocation, ...]:
    """The rows of ``provocations.yaml``; a row that cannot be used is one InputError line."""
    rows = []
    for index, raw in enumerate(_load(path).get("provocations") or ()):
        if not isinstance(raw, Mapping) or not {"code", "provoke", "how"} <= raw.keys():
            raise InputError(f"{path}: provocation {index + 1} needs code, provoke and how")
        code = str(raw["code"])
        if raw["how"] not in KNOWN_HOW:
            raise InputError(f"{path}: provocation {code}: unknown how {raw['how']!r}")
        requests = raw.get("requests") or {}
        if raw["how"] == "request" and not requests:
            raise InputError(f"{path}: provocation {code}: how: request needs requests")
        rows.append(
            Provocation(
                code,
                str(raw["provoke"]),
                str(raw["how"]),
                bool(raw.get("run")),
                tuple(str(need) for need in raw.get("needs") or ()),
                {str(op): _request(path, code, str(op), spec) for op, spec in requests.items()},
                frozenset(str(name) for name in raw.get("skip_fields") or ()),
            )
        )
    return tuple(rows)


def load_unplayed(path: Path = PROVOCATIONS_FILE) -> tuple[Unplayed, ...]:
    """The ``unprovokable`` and ``not_played`` entries, each with its reason."""
    data = _load(path)
    found = []
    for key, unprovokable in (("unprovokable", True), ("not_played", False)):
        for raw in data.get(key) or ():
            if not isinstance(raw, Mapping) or not {"code", "reason"} <= raw.keys():
                raise InputError(f"{path}: every {key} entry needs code and reason")
            operations = tuple(str(op) for op in raw.get("operations") or ())
            found.append(Unplayed(str(raw["code"]), str(raw["reason"]), operations, unprovokable))
    return tuple(found)


def coverage_reasons(
    path: Path = PROVOCATIONS_FILE,
) -> dict[tuple[str, str], tuple[str, bool]]:
    """``(operation or "*", code) -> (reason, unprovokable)`` for the coverage's cells."""
    found: dict[tuple[str, str], tuple[str, bool]] = {}
    for entry in load_unplayed(path):
        for operation in entry.operations or ("*",):
            found[(operation, entry.code)] = (entry.reason, entry.unprovokable)
    return found


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
    path: str | None = None
    """Another path than the operation's (``unknown_resource``)."""
    open: str | None = None
    before: tuple[Step, ...] = ()


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
    if schema.get("format") in ("date", "date-time"):
        return "not a date"
    return None


def _unknown_market(document: Mapping[str, Any], node: Any, example: Any) -> str:
    """A market name the schema accepts and no market has: the example's, in another year."""
    schema = resolve(document, node) if node is not None else {}
    example = example or (schema.get("example") if isinstance(schema, Mapping) else None)
    if isinstance(example, str) and re.search(r"\d{4}", example):
        return re.sub(r"\d{4}", UNKNOWN_YEAR, example, count=1)
    return f"AUC_MN_{UNKNOWN_YEAR}_M01"


def _filled(value: Any, values: Mapping[str, str]) -> Any:
    """``value`` with ``{participant}`` and ``{market}`` filled in, at any depth."""
    if isinstance(value, str):
        for key, filler in values.items():
            value = value.replace("{" + key + "}", filler)
        return value
    if isinstance(value, list):
        return [_filled(item, values) for item in value]
    if isinstance(value, Mapping):
        return {key: _filled(item, values) for key, item in value.items()}
    return value


def _other_name(participants: Sequence[Participant], caller: Participant) -> str:
    for other in participants:
        if other.name != caller.name:
            return other.name
    return f"NOT_{caller.name}"


def _cases_for(
    session: Session, operation: Operation, caller: Participant, row: Provocation
) -> Iterator[_Case]:
    how, code = row.how, row.code
    params, body = example_request(operation, caller.name)
    document = operation.spec.document
    schema = body_schema(operation)
    base = f"{operation.name}: provoke {code}"
    skipped = _SKIPPED_FIELDS | row.skip_fields
    if how == "missing_required":
        for parameter in query_parameters(operation):
            name = parameter["name"]
            if parameter.get("required") and name in params:
                rest = {k: v for k, v in params.items() if k != name}
                yield _Case(f"{base} without {name}", code, operation, caller, rest, body)
        if isinstance(body, dict):
            for name in schema.get("required") or ():
                if name in body:
                    rest = {k: v for k, v in body.items() if k != name}
                    yield _Case(
                        f"{base} without body {name}", code, operation, caller, params, rest
                    )
            if not schema.get("required") and schema.get("minProperties"):
                yield _Case(f"{base} with an empty body", code, operation, caller, params, {})
    elif how == "outside_constraint":
        parameters = sorted(query_parameters(operation), key=lambda p: p["name"] not in params)
        for parameter in parameters:
            name = parameter["name"]
            value = _violation(document, parameter.get("schema"))
            if name not in skipped and value is not None:
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
                if name in body and name not in skipped and value is not None:
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
    elif how == "unknown_resource":
        path = f"{operation.path.rstrip('/')}/{UNKNOWN_SEGMENT}"
        yield _Case(f"{base} at {path}", code, operation, caller, params, body, path=path)
    elif how == "unknown_market":
        for parameter in query_parameters(operation):
            if parameter["name"] == "marketName":
                market = _unknown_market(
                    document, parameter.get("schema"), params.get("marketName")
                )
                yield _Case(
                    f"{base} with marketName={market}",
                    code,
                    operation,
                    caller,
                    {**params, "marketName": market},
                    body,
                )
                return
        if isinstance(body, dict) and "marketName" in body:
            node = (schema.get("properties") or {}).get("marketName")
            market = _unknown_market(document, node, body["marketName"])
            yield _Case(
                f"{base} with body marketName={market}",
                code,
                operation,
                caller,
                params,
                {**body, "marketName": market},
            )
    elif how == "role":
        for participant in session.config.participants:
            if participant.role not in operation.roles:
                params, body = example_request(operation, participant.name)
                yield _Case(
                    f"{base} as {participant.id} ({participant.role})",
                    code,
                    operation,
                    participant,
                    params,
                    body,
                )
                return
    elif how == "name" and takes_participant(operation):
        other = _other_name(session.config.participants, caller)
        params, body = example_request(operation, other)
        yield _Case(f"{base} naming {other}", code, operation, caller, params, body)
    elif how == "request" and operation.name in row.requests:
        wanted = row.requests[operation.name]
        values = {"participant": caller.name}
        yield _Case(
            f"{base} with the data set's {operation.name.split('.')[-1]} request",
            code,
            operation,
            caller,
            dict(_filled(wanted.params, values)),
            _filled(wanted.body, values),
            open=wanted.open,
            before=tuple(
                Step(step.call, _filled(step.params, values), _filled(step.body, values))
                for step in wanted.before
            ),
        )


def plan(session: Session) -> list[_Case]:
    """Every played provocation on every declared operation that lists its code, in spec
    order; a row whose ``needs`` the target does not declare is not played."""
    features = session.config.features
    played = [row for row in load_provocations() if row.run and set(row.needs) <= features]
    cases: list[_Case] = []
    for operation in session.operations():
        callers = allowed(session, operation)
        if not callers:
            continue
        for row in played:
            if row.code in operation.error_codes:
                cases += _cases_for(session, operation, callers[0], row)
    return cases


def case_names(session: Session) -> list[str]:
    return [case.name for case in plan(session)]


def _opened(
    session: Session, case: _Case, sim: SimControl | None, token: str
) -> tuple[_Case, str | None]:
    """The case with ``{token}`` filled in, and ``{market}`` by the market it needs opened;
    or why it cannot run."""
    values = {"token": token}
    if case.open is not None:
        market = open_market(session, sim, case.open) if sim is not None else None
        if market is None:
            return case, f"no {case.open} is open and the operator could not open one"
        values["market"] = market
    filled = dataclasses.replace(
        case,
        params=dict(_filled(case.params, values)),
        body=_filled(case.body, values),
        before=tuple(
            dataclasses.replace(
                step, params=_filled(step.params, values), body=_filled(step.body, values)
            )
            for step in case.before
        ),
    )
    return filled, None


def _prepared(session: Session, case: _Case) -> str | None:
    """Send the case's steps; why the case cannot run when one is refused (None: all taken)."""
    operations = {op.name: op for op in session.operations()}
    for step in case.before:
        operation = operations.get(step.call)
        if operation is None:
            return f"the target declares no {step.call} to prepare the state with"
        exchange = send(session, case.caller, operation, params=step.params, body=step.body)
        if exchange.status is None or exchange.status >= 400:
            codes = error_codes_of(exchange.json()) or []
            return f"preparing with {step.call} was answered {exchange.status} {' '.join(codes)}"
    return None


def run(session: Session, suite: str) -> None:
    """Send each wanted provocation and judge it: every exchange check, then ERR-006."""
    sim: SimControl | None = None
    token = secrets.token_hex(3).upper()
    for case in plan(session):
        if not session.wants(suite, case.name):
            continue
        if case.open is not None and sim is None:
            sim = SimControl(session)
        case, why_not = _opened(session, case, sim, token)
        if why_not is None:
            why_not = _prepared(session, case)
        if why_not is not None:
            # without an operator, a market nobody opened is the state the target declared
            declared = case.open is not None and not session.config.sim_control
            session.skip(
                suite,
                case.name,
                ORACLE_CHECK,
                f"{case.operation.name}: {why_not}"
                + ("; the target offers no sim control to open one" if declared else ""),
                declared=declared,
                operation=case.operation.name,
            )
            continue
        if case.path is None:
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
        else:
            exchange = session.client.request(
                case.caller,
                case.operation.method,
                case.path,
                operation=case.operation,
                params=case.params,
                body=case.body,
            )
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
