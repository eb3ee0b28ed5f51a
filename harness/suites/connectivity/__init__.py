"""The connectivity suite: every declared operation answers, and answers by the spec.

For each operation of each declared service version it makes the calls
whose answers the spec fully determines in shape: the spec's own example
request as a participant whose role may call it, the same as a role that
may not (SEC0001 expected), and, for operations that name a participant,
as an allowed caller naming another participant (SEC0002 expected). Every
answer goes through every check. Sim-control operations are only read
here: writing them (reset, load data set, move the clock) would change the
market under the other suites.

Spec examples name markets the target may not have, so most of those calls
meet a documented error. To see success answers too, the suite then reads
the target's own markets and download types and calls every read operation
that takes a market with each market kind the target lists, and every
download type the target lists with its markets.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from crr_contract.examples import example_request, takes_participant
from crr_contract.operations import Operation
from harness.session import Session
from harness.target.config import SIMCONTROL, Participant

NAME = "connectivity"
DESCRIPTION = (
    "every declared operation called with its spec example, by allowed and forbidden roles"
)

CASE_CHECKS: tuple[str, ...] = ()
"""The check IDs this suite judges itself (requirements.yaml names it as their suite)."""
JUDGES_EXCHANGES = True
"""Whether every per-exchange check runs on this suite's exchanges (``Session.judge``)."""

_SERVICE_ORDER = ("app_status", "market_info")

Submit = Callable[..., None]
"""``Session.independent_cases``' ``submit(work, lane=None)``."""


def _allowed(session: Session, operation: Operation) -> Participant | None:
    allowed = [p for p in session.config.participants if p.role in operation.roles]
    return allowed[0] if allowed else None


def _forbidden(session: Session, operation: Operation) -> Participant | None:
    forbidden = [p for p in session.config.participants if p.role not in operation.roles]
    return forbidden[0] if forbidden else None


def _other_name(session: Session, participant: Participant) -> str:
    for other in session.config.participants:
        if other.name != participant.name:
            return other.name
    return f"NOT_{participant.name}"


def _ordered(session: Session) -> list[Operation]:
    operations = session.operations()

    def key(op: Operation) -> tuple[int, int]:
        service = _SERVICE_ORDER.index(op.service) if op.service in _SERVICE_ORDER else 9
        writes = 1 if "write" in (op.definition.get("tags") or ()) else 0
        return service, writes

    return sorted(operations, key=key)


def run(session: Session) -> None:
    declared = set(session.config.services)
    for service in session.config.known_services:
        if service not in declared:
            case = f"{service}: not declared"
            if session.wants(NAME, case):
                session.skip(
                    NAME, case, "CON-001", "the target does not declare this service", declared=True
                )
    with session.independent_cases() as submit:
        for operation in _ordered(session):
            if operation.service == SIMCONTROL and not _reads(operation):
                continue
            _exercise(session, operation, submit)
    markets = _discover_markets(session)
    with session.independent_cases() as submit:
        for operation in session.operations():
            if operation.service != SIMCONTROL and _reads(operation):
                _with_target_markets(session, operation, markets, submit)
        _downloads(session, markets, submit)


def _reads(operation: Operation) -> bool:
    return "read" in (operation.definition.get("tags") or ())


def _lane(operation: Operation, caller: Participant) -> str | None:
    """Reads may overlap anything; a participant's writes keep their order (``_ordered``)."""
    return None if _reads(operation) else caller.id


def _call_and_judge(
    session: Session,
    case: str,
    caller: Participant,
    operation: Operation,
    params: dict,
    body: object = None,
) -> None:
    session.judge(NAME, case, [session.client.call(caller, operation, params=params, body=body)])


def _find(session: Session, service: str, operation_id: str) -> Operation | None:
    return next(
        (
            op
            for op in session.operations()
            if op.service == service and op.operation_id == operation_id
        ),
        None,
    )


def _list_answer(session: Session, service: str, operation_id: str) -> list[dict]:
    """The target's answer to a list read, as the first allowed participant; [] if none."""
    operation = _find(session, service, operation_id)
    caller = _allowed(session, operation) if operation else None
    if operation is None or caller is None:
        return []
    answer = session.client.call(caller, operation).json()
    return [item for item in answer if isinstance(item, dict)] if isinstance(answer, list) else []


def _discover_markets(session: Session) -> list[str]:
    """The first market of each kind the target lists (auction, allocation)."""
    found = []
    for operation_id in ("getActiveAuctionMarkets", "getActiveAllocationMarkets"):
        listed = _list_answer(session, "market_info", operation_id)
        names = [m["marketName"] for m in listed if isinstance(m.get("marketName"), str)]
        found.extend(names[:1])
    return found


def _with_target_markets(
    session: Session, operation: Operation, markets: list[str], submit: Submit
) -> None:
    caller = _allowed(session, operation)
    if caller is None:
        return
    params, _body = example_request(operation, caller.name)
    if "marketName" not in params:
        return
    for market in markets:
        case = f"{operation.name} as {caller.id}: target market {market}"
        if session.wants(NAME, case):
            submit(
                functools.partial(
                    _call_and_judge,
                    session,
                    case,
                    caller,
                    operation,
                    {**params, "marketName": market},
                ),
                lane=_lane(operation, caller),
            )


_DOWNLOAD_OPERATION = {
    "PUBLIC": "getPublicDownload",
    "PRIVATE": "getPrivateDownload",
    "RESTRICTED": "getRestrictedDownload",
}


def _downloads(session: Session, markets: list[str], submit: Submit) -> None:
    """Every download type the target lists, for each market kind, by an allowed caller."""
    for entry in _list_answer(session, "market_data", "getDownloadTypes"):
        operation_id = _DOWNLOAD_OPERATION.get(str(entry.get("access")), "")
        operation = _find(session, "market_data", operation_id)
        caller = _allowed(session, operation) if operation else None
        if operation is None or caller is None:
            continue
        case = f"{operation.name} as {caller.id}: target type {entry.get('downloadType')}"
        if not session.wants(NAME, case):
            continue
        submit(
            functools.partial(
                _download_case, session, case, caller, operation, entry.get("downloadType"), markets
            )
        )


def _download_case(
    session: Session,
    case: str,
    caller: Participant,
    operation: Operation,
    download_type: object,
    markets: list[str],
) -> None:
    exchanges = []
    for market in markets:
        params, _body = example_request(operation, caller.name)
        params.update(downloadType=download_type, marketName=market)
        exchanges.append(session.client.call(caller, operation, params=params))
    session.judge(NAME, case, exchanges)


def _exercise(session: Session, operation: Operation, submit: Submit) -> None:
    allowed = _allowed(session, operation)
    base = operation.name
    if allowed is None:
        case = f"{base}: spec example"
        if session.wants(NAME, case):
            session.skip(
                NAME,
                case,
                "CON-001",
                f"no participant of the target config has a role in x-roles "
                f"({', '.join(operation.roles)})",
                declared=False,
                operation=base,
            )
    else:
        case = f"{base} as {allowed.id}: spec example"
        if session.wants(NAME, case):
            params, body = example_request(operation, allowed.name)
            submit(
                functools.partial(_call_and_judge, session, case, allowed, operation, params, body),
                lane=_lane(operation, allowed),
            )
        if takes_participant(operation):
            other = _other_name(session, allowed)
            case = f"{base} as {allowed.id}: naming {other}"
            if session.wants(NAME, case):
                params, body = example_request(operation, other)
                submit(
                    functools.partial(
                        _call_and_judge, session, case, allowed, operation, params, body
                    ),
                    lane=_lane(operation, allowed),
                )
    forbidden = _forbidden(session, operation)
    if forbidden is not None:
        case = f"{base} as {forbidden.id}: role not allowed"
        if session.wants(NAME, case):
            params, body = example_request(operation, forbidden.name)
            submit(
                functools.partial(
                    _call_and_judge, session, case, forbidden, operation, params, body
                ),
                lane=_lane(operation, forbidden),
            )
