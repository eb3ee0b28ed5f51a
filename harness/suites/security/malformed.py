"""Oversized and malformed input to every write operation, and the server's health after each.

For each write operation of the declared CAISO services the suite starts
from a request the target should accept: for auction portfolio creation a
portfolio in the open auction market the private-records step used, for
the others the spec example. It then breaks that request in one way per
case: one item more than each business limit ``crr_contract.limits`` knows
(records per submission, segments per bid), at the ``maxItems`` the declared
spec states (500 records and 20 segments in the shipped files); a body
padded with JSON whitespace past the documented size (one operation per
service), JSON nested 10,000 deep, a string with a byte that is not UTF-8,
and a ``text/plain`` content type. ROB-001 judges the answer, every other
check judges it too, and an app status read right after must answer 200
(ROB-002). Where the starting request is known to be acceptable, the same
request at the limit (500 records, 20 segments) is sent as a control and
its answer is quoted, so a refusal can be told from a refusal for another
reason.
"""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from crr_contract.examples import body_schema, example_request, resolve
from crr_contract.limits import REQUEST_LIMITS
from crr_contract.operations import Operation
from harness.checks.error_codes import error_codes_of
from harness.checks.robustness import documented_body_limit, malformed_refused
from harness.client import Exchange
from harness.results import Status
from harness.session import Session
from harness.suites.security.private import Garden
from harness.suites.target_calls import (
    allowed,
    health,
    portfolio_request,
    record,
    send,
    writes,
)
from harness.target.config import SIMCONTROL, Participant

__all__ = ["NESTING_DEPTH", "case_names", "grow", "plan", "run"]

NESTING_DEPTH = 10_000
PADDING_BEYOND_LIMIT = 1024 * 1024

Path = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Start:
    """A request to break: who sends it, its body, and whether it is known to be acceptable."""

    caller: Participant
    body: dict[str, Any]
    baseline: bool


def _arrays(
    document: Mapping[str, Any], schema: Any, path: Path = ()
) -> Iterator[tuple[Path, int]]:
    """``(path, maxItems)`` of every array with a ``maxItems`` in a request body schema."""
    schema = resolve(document, schema)
    if not isinstance(schema, Mapping):
        return
    if schema.get("type") == "array" or "items" in schema:
        if isinstance(schema.get("maxItems"), int):
            yield path, int(schema["maxItems"])
        yield from _arrays(document, schema.get("items") or {}, (*path, "[]"))
    for key, child in (schema.get("properties") or {}).items():
        yield from _arrays(document, child, (*path, str(key)))
    for combinator in ("allOf", "oneOf", "anyOf"):
        for child in schema.get(combinator) or ():
            yield from _arrays(document, child, path)


def _copy_item(item: Any, index: int) -> Any:
    """Item ``index`` of a grown array: ``*Id`` strings made unique; MW up, price down."""
    if not isinstance(item, dict):
        return copy.deepcopy(item)
    new = copy.deepcopy(item)
    for key, value in item.items():
        if key.endswith("Id") and isinstance(value, str):
            new[key] = f"{value}-{index}"
    if isinstance(item.get("mw"), int | float):
        new["mw"] = round(float(item["mw"]) + index, 3)
    if isinstance(item.get("price"), int | float):
        new["price"] = round(float(item["price"]) - index, 3)
    return new


def grow(body: dict[str, Any], path: Path, size: int) -> dict[str, Any] | None:
    """A copy of ``body`` whose array at ``path`` holds ``size`` items (None: no such array)."""
    grown = copy.deepcopy(body)
    node: Any = grown
    for step in path[:-1]:
        if step == "[]":
            if not isinstance(node, list) or not node:
                return None
            node = node[0]
        elif isinstance(node, dict) and step in node:
            node = node[step]
        else:
            return None
    if not isinstance(node, dict) or not isinstance(node.get(path[-1]), list):
        return None
    items = node[path[-1]]
    if not items:
        return None
    kept = items[:size]
    template = kept[-1]
    node[path[-1]] = kept + [_copy_item(template, i) for i in range(1, size - len(kept) + 1)]
    return grown


def _business_limits(operation: Operation) -> list[frozenset[str]]:
    """The arrays of each business limit ``crr_contract.limits`` knows on this operation, one
    set per limit (bids and offers share one), in its order; the number is the spec's."""
    groups: dict[str, set[str]] = {}
    for limit in REQUEST_LIMITS:
        if (limit.service, limit.operation_id) == (operation.service, operation.operation_id):
            groups.setdefault(limit.name, set()).add(limit.array)
    return [frozenset(arrays) for arrays in groups.values()]


def _named(path: Path) -> str:
    """``("bids", "[]", "segments")`` → ``bids[].segments``."""
    text = ""
    for step in path:
        text += "[]" if step == "[]" else (f".{step}" if text else step)
    return text or "body"


def _starts(session: Session, garden: Garden) -> dict[str, _Start]:
    """Each CAISO write operation with a body → the request its cases break."""
    found: dict[str, _Start] = {}
    for operation in session.operations():
        if operation.service == SIMCONTROL or not writes(operation) or not operation.takes_body:
            continue
        callers = allowed(session, operation)
        if not callers:
            continue
        caller = next((p for p in callers if garden.owner and p.id == garden.owner.id), callers[0])
        if operation.name == "auction.portfolioCreation" and garden.auction_market:
            body = portfolio_request(operation, caller.name, garden.auction_market, "?")
            found[operation.name] = _Start(caller, body, True)
            continue
        _params, body = example_request(operation, caller.name)
        if isinstance(body, dict):
            found[operation.name] = _Start(caller, body, False)
    return found


class _Names:
    """Fresh portfolio names, so a case never collides with an earlier one."""

    def __init__(self) -> None:
        self.token = secrets.token_hex(3).upper()
        self.count = 0

    def fresh(self, body: dict[str, Any]) -> dict[str, Any]:
        if "portfolioName" in body:
            self.count += 1
            body = {**body, "portfolioName": f"ROB_{self.token}_{self.count}"}
        return body


def _raw(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body).encode("utf-8")


def _nested(body: dict[str, Any], operation: Operation) -> bytes:
    """``body`` with its first array (or a new field) replaced by arrays nested deep."""
    marker = "__crr_harness_nesting__"
    arrays = [path for path, _ in _arrays(operation.spec.document, body_schema(operation))]
    top = next((p[0] for p in arrays if len(p) == 1 and p[0] in body), "nested")
    text = json.dumps({**body, top: marker})
    deep = "[" * NESTING_DEPTH + "]" * NESTING_DEPTH
    return text.replace(json.dumps(marker), deep, 1).encode("utf-8")


def _invalid_utf8(body: dict[str, Any]) -> bytes:
    """``body`` with one string value carrying a 0xFF byte (never valid in UTF-8)."""
    key = next(
        (k for k, v in body.items() if isinstance(v, str) and k != "participantName"),
        "participantName",
    )
    broken = {**body, key: f"{body.get(key, '')}\udcff"}
    return json.dumps(broken, ensure_ascii=False).encode("utf-8", "surrogateescape")


def _padded(body: dict[str, Any], operation: Operation) -> bytes:
    """``body`` with JSON whitespace before its closing brace, past the documented size."""
    text = _raw(body)
    size = documented_body_limit(operation) + PADDING_BEYOND_LIMIT
    return text[:-1] + b" " * max(0, size - len(text)) + b"}"


def _answer(exchange: Exchange) -> str:
    if exchange.response is None:
        return f"no answer ({exchange.record.transport_error})"
    codes = error_codes_of(exchange.json()) or []
    return f"HTTP {exchange.status} {', '.join(codes)}".rstrip()


@dataclass(frozen=True, slots=True)
class _Case:
    """One planned case: its name, the operation and request it breaks, and how."""

    name: str
    operation: Operation
    start: _Start
    kind: str
    """``limit`` (an array grown past its maxItems), or a malformed body kind."""
    path: Path = ()
    limit: int = 0
    items: str = ""


def plan(session: Session, garden: Garden) -> list[_Case]:
    """Every malformed-input case of every CAISO write operation, in run order."""
    cases: list[_Case] = []
    services_padded: set[str] = set()
    operations = {op.name: op for op in session.operations()}
    for name, start in _starts(session, garden).items():
        operation = operations[name]
        arrays = list(_arrays(operation.spec.document, body_schema(operation)))
        for stated in _business_limits(operation):
            found = next(
                ((p, most) for p, most in arrays if _named(p) in stated and grow(start.body, p, 1)),
                None,
            )
            if found is not None:
                path, limit = found
                items = "segments" if path[-1] == "segments" else "records"
                label = f"{name}: {limit + 1} {items} in {_named(path)}"
                cases.append(_Case(label, operation, start, "limit", path, limit, items))
        if operation.service not in services_padded:
            services_padded.add(operation.service)
            size = documented_body_limit(operation) + PADDING_BEYOND_LIMIT
            cases.append(_Case(f"{name}: a {size:,}-byte body", operation, start, "oversized"))
        cases += [
            _Case(f"{name}: JSON nested {NESTING_DEPTH:,} deep", operation, start, "nested"),
            _Case(f"{name}: invalid UTF-8", operation, start, "utf8"),
            _Case(f"{name}: content type text/plain", operation, start, "text"),
        ]
    return cases


def case_names(session: Session) -> list[str]:
    """The names ``run`` would use (without planting anything first)."""
    return [case.name for case in plan(session, Garden(None))]


def run(session: Session, suite: str, garden: Garden) -> None:
    """Every wanted malformed-input case, each judged and followed by a health read."""
    names = _Names()
    for case in plan(session, garden):
        if not session.wants(suite, case.name):
            continue
        start, operation = case.start, case.operation
        if case.kind == "limit":
            over = grow(names.fresh(start.body), case.path, case.limit + 1)
            assert over is not None
            exchange = send(session, start.caller, operation, body=over)
            control = None
            if start.baseline:
                at_limit = grow(names.fresh(start.body), case.path, case.limit)
                assert at_limit is not None
                control = send(session, start.caller, operation, body=at_limit)
            _judge(session, suite, case.name, exchange, control, f"{case.limit} {case.items}")
            continue
        media, shown = "application/json", None
        body = names.fresh(start.body)
        if case.kind == "oversized":
            content = _padded(body, operation)
        elif case.kind == "nested":
            content = _nested(body, operation)
            cut = content.index(b"[" * 8)
            shown = content[: cut + 8] + f"... ({len(content):,} bytes, cut)".encode()
        elif case.kind == "utf8":
            content = _invalid_utf8(body)
        else:
            content, media = _raw(body), "text/plain"
        exchange = send(
            session,
            start.caller,
            operation,
            content=content,
            headers={"content-type": media},
            shown=shown,
        )
        _judge(session, suite, case.name, exchange, None, "")


def _judge(
    session: Session,
    suite: str,
    case: str,
    exchange: Exchange,
    control: Exchange | None,
    at_limit: str,
) -> None:
    operation = exchange.operation
    assert operation is not None
    session.judge(suite, case, [exchange])
    problem = malformed_refused(exchange, session.checks)
    note = ""
    if control is not None:
        note = f"; the same request with {at_limit} was answered {_answer(control)}"
    record(
        session,
        suite,
        case,
        "ROB-001",
        Status.FAIL if problem else Status.PASS,
        f"{operation.name}: {problem or 'refused with ' + _answer(exchange)}{note}",
        evidence=(exchange.record,),
        operation=operation.name,
    )
    after = health(session)
    if after is None:
        session.skip(
            suite, case, "ROB-002", "the target declares no app status read", declared=True
        )
        return
    healthy = after.status == 200
    record(
        session,
        suite,
        case,
        "ROB-002",
        Status.PASS if healthy else Status.FAIL,
        f"app status read after it: {_answer(after)}",
        evidence=(after.record,) if not healthy else (),
        operation=operation.name,
    )
