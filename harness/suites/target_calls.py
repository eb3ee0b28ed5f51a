"""What the security and reliability suites share: finding operations and callers, recording
results they judge themselves, sending requests the recorded client cannot parse back, and
the operator's sim-control moves (reading the windows, opening one).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from crr_contract.examples import example_request
from crr_contract.operations import Operation
from harness.checks import REGISTRY
from harness.client import Exchange, TargetClient
from harness.market_state import TargetState, learn
from harness.results import CheckResult, RecordedExchange, Status
from harness.session import Session
from harness.target.config import SIMCONTROL, Participant, TargetConfig

__all__ = [
    "Reach",
    "SimControl",
    "Target",
    "allowed",
    "by_role",
    "find",
    "health",
    "open_market",
    "open_window_or_reason",
    "portfolio_request",
    "record",
    "send",
    "target_state",
    "writes",
]

logger = logging.getLogger(__name__)


class Reach(Protocol):
    """What finding operations and calling them needs: a ``Session``, or a ``Target``."""

    config: TargetConfig
    client: TargetClient

    def operations(self) -> list[Operation]: ...


@dataclass
class Target:
    """A target outside the session (the crash case's own server): its config, a recorded
    client and its declared operations."""

    config: TargetConfig
    client: TargetClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = TargetClient(self.config)
        self._operations = [op for spec in self.config.load_specs() for op in spec.operations()]

    def operations(self) -> list[Operation]:
        return list(self._operations)

    def close(self) -> None:
        self.client.close()


def find(session: Reach, service: str, operation_id: str) -> Operation | None:
    """The declared operation ``service.operation_id``, or None when the target lacks it."""
    for operation in session.operations():
        if operation.service == service and operation.operation_id == operation_id:
            return operation
    return None


def writes(operation: Operation) -> bool:
    """Whether the spec tags the operation ``write``."""
    return "write" in (operation.definition.get("tags") or ())


def allowed(
    session: Reach, operation: Operation, *, not_named: Iterable[str] = ()
) -> list[Participant]:
    """The config's participants whose role ``x-roles`` allows, in config order."""
    excluded = set(not_named)
    return [
        p
        for p in session.config.participants
        if p.role in operation.roles and p.name not in excluded
    ]


def by_role(session: Reach) -> dict[str, Participant]:
    """One participant per role present in the config (the first that carries it)."""
    found: dict[str, Participant] = {}
    for participant in session.config.participants:
        found.setdefault(participant.role, participant)
    return found


def send(
    session: Reach,
    participant: Participant,
    operation: Operation,
    *,
    params: Mapping[str, Any] | None = None,
    body: Any = None,
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    shown: bytes | None = None,
) -> Exchange:
    """``TargetClient.call``, also for raw bodies nobody can read back as JSON.

    The client records every exchange before it parses the sent body for
    the checks; a body nested deeper than Python's recursion limit makes
    that parse fail, so the recorded exchange is taken from the log. Such a
    body would also break whatever reads the evidence later, so ``shown``
    replaces it there (the request really sent is the one described).
    """
    try:
        exchange = session.client.call(
            participant, operation, params=params, body=body, content=content, headers=headers
        )
    except RecursionError:
        record: RecordedExchange = session.client.log[-1]
        exchange = Exchange(operation, participant, record, dict(params or {}), None)
    if shown is None:
        return exchange
    recorded = dataclasses.replace(
        exchange.record, request=dataclasses.replace(exchange.record.request, body=shown)
    )
    if session.client.log and session.client.log[-1] is exchange.record:
        session.client.log[-1] = recorded
    return dataclasses.replace(exchange, record=recorded, body=None)


def health(session: Reach) -> Exchange | None:
    """An app status read by a participant allowed to make it (None: the target has none)."""
    operation = find(session, "app_status", "getAppStatus")
    callers = allowed(session, operation) if operation is not None else []
    if operation is None or not callers:
        return None
    return session.client.call(callers[0], operation)


def record(
    session: Session,
    suite: str,
    case: str,
    check_id: str,
    status: Status,
    message: str,
    *,
    evidence: Iterable[RecordedExchange] = (),
    operation: str | None = None,
    clause: str | None = None,
    declared_skip: bool = False,
) -> CheckResult:
    """Record a result the suite judged itself (a case check), with a progress line."""
    result = CheckResult.of(
        REGISTRY[check_id],
        suite,
        case,
        status,
        message,
        operation=operation,
        clause=clause,
        evidence=tuple(evidence),
        rerun=session.rerun(suite, case),
        declared_skip=declared_skip,
    )
    session.record(result)
    line = f"[    ] {suite:<13} {status:<5} {case}"
    if status in (Status.FAIL, Status.ERROR):
        line += f"  ({check_id})"
    print(line, file=session.out, flush=True)
    return result


class SimControl:
    """The operator API as the suites use it: read the windows, open one of a kind.

    ``available`` is False when the target offers no sim control (or the
    operator cannot read its state); every method then does nothing.
    """

    def __init__(self, session: Reach) -> None:
        self.session = session
        self.operator = (
            session.config.participant(session.config.operator) if session.config.operator else None
        )
        self._state = find(session, SIMCONTROL, "getSimState")
        self._open = find(session, SIMCONTROL, "openWindow")
        self.opened: list[str] = []
        """Windows this object opened, in order (the suites report them)."""

    @property
    def available(self) -> bool:
        return self.operator is not None and self._state is not None and self._open is not None

    def windows(self) -> list[dict[str, Any]]:
        """Every window the target's sim state lists (empty without sim control)."""
        if not self.available:
            return []
        assert self.operator is not None and self._state is not None
        answer = self.session.client.call(self.operator, self._state).json()
        rows = answer.get("windows") if isinstance(answer, dict) else None
        return [row for row in rows or () if isinstance(row, dict)]

    def open_window(self, kind: str) -> str | None:
        """The name of an OPEN window of ``kind``, opening one (PREP first) when none is;
        None when none is open and there is no operator to open one."""
        if not self.available:
            return None
        rows = [row for row in self.windows() if row.get("kind") == kind]
        for row in rows:
            if row.get("status") == "OPEN":
                return str(row["windowName"])
        candidates = [r for r in rows if r.get("status") == "PREP"] + [
            r for r in rows if r.get("status") != "PREP"
        ]
        assert self.operator is not None and self._open is not None
        for row in candidates:
            name = str(row["windowName"])
            answer = self.session.client.call(self.operator, self._open, body={"windowName": name})
            if answer.status == 200:
                self.opened.append(name)
                return name
            logger.info("could not open %s: HTTP %s", name, answer.status)
        return None


def target_state(session: Reach) -> TargetState:
    """What the target says it is now (windows and markets only: no holdings)."""
    return learn(session.client, session.operations(), holdings=False)


def open_window_or_reason(session: Reach, sim: SimControl, kind: str) -> tuple[str | None, str]:
    """An OPEN window of ``kind`` (one the target shows as open, else one the operator opens)
    and, when there is none, why not: the state the target is in and when that changes."""
    state = target_state(session)
    window = state.open(kind)
    if window is not None:
        return window.name, ""
    opened = sim.open_window(kind)
    if opened is not None:
        return opened, ""
    reason = state.unmet(kind)
    if not sim.available:
        reason += "; the target offers no sim control to open one"
    return None, reason


def open_market(session: Reach, sim: SimControl, kind: str) -> str | None:
    """An OPEN market of ``kind`` (AUCTION_MARKET, ALLOCATION_MARKET): one the target shows
    as open, else one the operator opens; None when there is neither."""
    return open_window_or_reason(session, sim, kind)[0]


def portfolio_request(
    operation: Operation, participant: str, market: str | None, portfolio: str
) -> dict[str, Any]:
    """A portfolio creation body from the spec example: ``participant``'s, in ``market``,
    named ``portfolio``, without sell offers (those need CRRs the participant holds)."""
    _params, body = example_request(operation, participant)
    body = dict(body or {})
    if market is not None and "marketName" in body:
        body["marketName"] = market
    if "portfolioName" in body:
        body["portfolioName"] = portfolio
    body.pop("offers", None)
    return body
