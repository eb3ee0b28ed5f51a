"""Private records: participant A plants some, every other participant reads everything it may.

A is the first participant allowed to create auction portfolios. With the
operator opening windows where needed (or markets the target already lists
as open), A creates an auction portfolio, a nomination portfolio, a
secondary-market offer (on a CRR A holds, offered only to a third
participant) and a load submission; what the target refuses is reported,
not planted. Without sim control the records go into whatever window the
target shows open now; a kind of record no open window allows is a SKIP
naming the window's state and when it opens. Each record's key (the portfolio name, the request or
submission ID the target assigned) becomes a marker.

Then one participant of each role under another name (B) calls every read
that names a participant, as itself: lists, gets with A's keys, and every
private download type the target lists with A's markets and windows. Every
answer goes through every check (PRV-001 among them); PRV-002 fails when an
answer to B carries one of A's markers. A first makes the same reads as a
control (not judged): a marker A cannot see either is said so in the result.
"""

from __future__ import annotations

import functools
import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crr_contract.examples import example_request, query_parameters, takes_participant
from crr_contract.operations import Operation
from harness.checks.error_codes import error_codes_of
from harness.checks.private_records import planted_in
from harness.client import Exchange
from harness.results import RecordedExchange, Status
from harness.session import Session
from harness.suites.target_calls import (
    SimControl,
    allowed,
    find,
    open_window_or_reason,
    portfolio_request,
    record,
    writes,
)
from harness.target.config import SIMCONTROL, Participant

__all__ = ["Garden", "Planted", "case_names", "owner", "plant", "run"]

PLANTED_CASE = "private records: planted"
MAX_VARIANTS = 12
"""Reads per operation and caller at most (download types x markets grow fast)."""


@dataclass(frozen=True, slots=True)
class Planted:
    """A private record A created: what it is, its key, and the query values that reach it."""

    kind: str
    key: str
    service: str
    params: dict[str, str]
    evidence: RecordedExchange


@dataclass
class Garden:
    """What the suite planted as ``owner``, what it could not, and the markets it used."""

    owner: Participant | None
    planted: list[Planted] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    unplanted: list[tuple[str, str]] = field(default_factory=list)
    """(kind, why) for every kind of record that could not be planted."""
    auction_market: str | None = None
    token: str = field(default_factory=lambda: secrets.token_hex(3).upper())

    @property
    def markers(self) -> dict[str, str]:
        owner = self.owner.name if self.owner else "?"
        return {p.key: f"{owner}'s {p.kind} {p.key}" for p in self.planted}


def _refused(exchange: Exchange) -> str:
    codes = error_codes_of(exchange.json()) or []
    if exchange.response is None:
        return f"no answer ({exchange.record.transport_error})"
    return f"HTTP {exchange.status} {', '.join(codes)}".rstrip()


def _portfolio(
    session: Session, sim: SimControl, garden: Garden, service: str, kind: str
) -> Planted | str:
    operation = find(session, service, "portfolioCreation")
    if operation is None or garden.owner is None:
        return f"{service} portfolioCreation is not declared"
    market, reason = open_window_or_reason(session, sim, kind)
    if market is None:
        return reason
    if service == "auction":
        garden.auction_market = market
    name = f"PRV_{garden.token}_{service.upper()[:3]}"
    body = portfolio_request(operation, garden.owner.name, market, name)
    exchange = session.client.call(garden.owner, operation, body=body)
    if exchange.status != 200:
        return f"refused in {market}: {_refused(exchange)}"
    return Planted(
        f"{service} portfolio",
        name,
        service,
        {"marketName": market, "portfolioName": name},
        exchange.record,
    )


def _auction(session: Session, sim: SimControl, garden: Garden) -> Planted | str:
    return _portfolio(session, sim, garden, "auction", "AUCTION_MARKET")


def _nomination(session: Session, sim: SimControl, garden: Garden) -> Planted | str:
    return _portfolio(session, sim, garden, "nomination", "ALLOCATION_MARKET")


def _offer(session: Session, sim: SimControl, garden: Garden) -> Planted | str:
    holdings = find(session, "secondary_market", "getCrrHoldings")
    submit = find(session, "secondary_market", "submitOffer")
    owner = garden.owner
    if holdings is None or submit is None or owner is None:
        return "secondary_market getCrrHoldings/submitOffer are not declared"
    held = session.client.call(owner, holdings, params={"participantName": owner.name}).json()
    crrs = (
        [c for c in held if isinstance(c, dict) and c.get("crrId")]
        if isinstance(held, list)
        else []
    )
    if not crrs:
        return f"{owner.name} holds no CRR to offer"
    crr = crrs[0]
    _params, body = example_request(submit, owner.name)
    body = dict(body or {})
    body["crrId"] = crr["crrId"]
    if isinstance(crr.get("mw"), int | float) and isinstance(body.get("mw"), int | float):
        body["mw"] = min(body["mw"], crr["mw"])
    for key in ("startDate", "endDate", "timeOfUse"):
        if key in body and crr.get(key):
            body[key] = crr[key]
    targets = body.get("targetRespondingMps")
    if isinstance(targets, list):
        # offered only to a participant that is neither A nor a reader: a reader it named
        # could rightly see the offer
        readers = {p.name for p in _readers(session, owner)}
        third = [n for n in _names(session) if n != owner.name and n not in readers]
        first = targets[0] if targets and isinstance(targets[0], dict) else {}
        price = first.get("price", 1.0)
        body["targetRespondingMps"] = [{"participantName": n, "price": price} for n in third[:1]]
    exchange = session.client.call(owner, submit, body=body)
    answer = exchange.json()
    request_id = answer.get("requestId") if isinstance(answer, dict) else None
    if exchange.status != 200 or not isinstance(request_id, str):
        return f"refused on CRR {crr['crrId']}: {_refused(exchange)}"
    return Planted(
        "secondary-market offer",
        request_id,
        "secondary_market",
        {"requestId": request_id},
        exchange.record,
    )


def _names(session: Session) -> list[str]:
    """Participant names of the config, each once, in order (the operator's excluded)."""
    operator = session.config.operator
    names: list[str] = []
    for participant in session.config.participants:
        if participant.id != operator and participant.name not in names:
            names.append(participant.name)
    return names


def _readers(session: Session, owner: Participant) -> list[Participant]:
    """One participant of each role under a name other than ``owner``'s (never the operator)."""
    found: dict[str, Participant] = {}
    for participant in session.config.participants:
        if participant.name != owner.name and participant.id != session.config.operator:
            found.setdefault(participant.role, participant)
    return list(found.values())


def _load(session: Session, sim: SimControl, garden: Garden) -> Planted | str:
    submit = find(session, "historical_forecasted_load", "submitLoadData")
    if submit is None or garden.owner is None:
        return "historical_forecasted_load submitLoadData is not declared"
    reasons = []
    for kind, load_type in (("FORECAST_LOAD", "FORECAST"), ("HISTORICAL_LOAD", "HISTORICAL")):
        window, reason = open_window_or_reason(session, sim, kind)
        if window is None:
            reasons.append(reason)
            continue
        _params, body = example_request(submit, garden.owner.name)
        body = dict(body or {})
        body["windowName"] = window
        if "loadType" in body:
            body["loadType"] = load_type
        exchange = session.client.call(garden.owner, submit, body=body)
        answer = exchange.json()
        submission = answer.get("submissionId") if isinstance(answer, dict) else None
        if exchange.status == 200 and isinstance(submission, str):
            return Planted(
                "load submission",
                submission,
                "historical_forecasted_load",
                {"windowName": window, "submissionId": submission},
                exchange.record,
            )
        return f"refused in {window}: {_refused(exchange)}"
    return "; ".join(reasons) or "no open load submission window and no way to open one"


PLANTERS: tuple[tuple[str, Callable[[Session, SimControl, Garden], Planted | str]], ...] = (
    ("auction portfolio", _auction),
    ("nomination portfolio", _nomination),
    ("secondary-market offer", _offer),
    ("load submission", _load),
)


def owner(session: Session) -> Participant | None:
    """A: the first participant that may create auction portfolios (else write at all)."""
    creation = find(session, "auction", "portfolioCreation")
    owners = allowed(session, creation) if creation is not None else []
    if not owners:
        owners = [
            p
            for p in session.config.participants
            if any(p.role in op.roles for op in session.operations() if writes(op))
            and p.id != session.config.operator
        ]
    return owners[0] if owners else None


def case_names(session: Session) -> list[str]:
    """The names ``run`` would use (without planting anything first)."""
    planter = owner(session)
    if planter is None:
        return [PLANTED_CASE]
    return [PLANTED_CASE, *(_unplanted_case(kind) for kind, _ in PLANTERS)] + [
        _case(operation, reader, planter)
        for reader in _readers(session, planter)
        for operation in _reads(session, reader)
    ]


def _unplanted_case(kind: str) -> str:
    return f"{PLANTED_CASE}: {kind}"


def _case(operation: Operation, reader: Participant, planter: Participant) -> str:
    return f"{operation.name} as {reader.id}: {planter.name}'s private records"


def plant(session: Session, sim: SimControl) -> Garden:
    """Create A's private records; what could not be created is in ``missed``."""
    garden = Garden(owner(session))
    if garden.owner is None:
        garden.missed.append("no participant of the config may write")
        return garden
    for kind, planter in PLANTERS:
        outcome = planter(session, sim, garden)
        if isinstance(outcome, Planted):
            garden.planted.append(outcome)
        else:
            garden.missed.append(f"{kind}: {outcome}")
            garden.unplanted.append((kind, outcome))
    return garden


# --------------------------------------------------------------------------- reading


def _private_types(session: Session, reader: Participant) -> list[str]:
    """The PRIVATE download types the target lists to ``reader``."""
    operation = find(session, "market_data", "getDownloadTypes")
    if operation is None or reader.role not in operation.roles:
        return []
    answer = session.client.call(reader, operation).json()
    return [
        str(entry["downloadType"])
        for entry in (answer if isinstance(answer, list) else ())
        if isinstance(entry, dict)
        and entry.get("access") == "PRIVATE"
        and entry.get("downloadType")
    ]


def _variants(
    operation: Operation, reader: str, garden: Garden, download_types: list[str]
) -> list[dict[str, Any]]:
    """The queries ``reader`` sends: the spec example, then with each planted record's keys."""
    base, _body = example_request(operation, reader)
    names = {p["name"] for p in query_parameters(operation)}
    found: list[dict[str, Any]] = [base]
    for planted in garden.planted:
        variant = dict(base)
        variant.update({k: v for k, v in planted.params.items() if k in names})
        if "marketName" in names and "marketName" not in planted.params:
            window = planted.params.get("windowName")
            if window:
                variant["marketName"] = window
        found.append(variant)
    if "downloadType" in names:
        found = [
            {**variant, "downloadType": kind}
            for variant, kind in itertools.product(found, download_types or [None])
            if kind is not None
        ] or found
    unique: list[dict[str, Any]] = []
    for variant in found:
        if variant not in unique:
            unique.append(variant)
    return unique[:MAX_VARIANTS]


def _reads(session: Session, participant: Participant) -> list[Operation]:
    return [
        op
        for op in session.operations()
        if op.service != SIMCONTROL
        and not writes(op)
        and takes_participant(op)
        and participant.role in op.roles
    ]


def run(session: Session, suite: str, garden: Garden) -> None:
    """A's control reads, then every other participant's reads, judged (PRV-002 included)."""
    owner = garden.owner
    case_all = PLANTED_CASE
    if owner is None or not garden.planted:
        if session.wants(suite, case_all):
            declared = not session.config.sim_control
            session.skip(
                suite,
                case_all,
                "PRV-002",
                "no private record could be planted ("
                + "; ".join(garden.missed or ["nothing to plant with"])
                + ")"
                + (" and the target offers no sim control to open windows" if declared else ""),
                declared=declared,
            )
        return
    if not session.config.sim_control:
        # without an operator to open windows, a record that needs one is a case not run
        for kind, why in garden.unplanted:
            if session.wants(suite, _unplanted_case(kind)):
                session.skip(
                    suite,
                    _unplanted_case(kind),
                    "PRV-002",
                    f"no {kind} planted, so no read was checked against one: {why}",
                    declared=True,
                )
    markers = garden.markers
    # A's own reads are a control, not judged: they tell whether a marker is readable at all.
    # (PRV-001 reads an offer's targets as records of their own, so an offer's owner reading
    # it would be flagged for the targets it named.)
    seen_by_owner: set[str] = set()
    owner_types = _private_types(session, owner)
    for operation in _reads(session, owner):
        for params in _variants(operation, owner.name, garden, owner_types):
            exchange = session.client.call(owner, operation, params=params)
            if exchange.status == 200:
                seen_by_owner.update(planted_in(exchange.json(), {k: k for k in markers}))
    unseen = [markers[k] for k in markers if k not in seen_by_owner]
    note = f"; not visible to {owner.name} either: {', '.join(unseen)}" if unseen else ""
    missed = f"; not planted: {'; '.join(garden.missed)}" if garden.missed else ""
    with session.independent_cases() as submit:  # reads only: the readers' cases overlap
        for reader in _readers(session, owner):
            types = _private_types(session, reader)
            for operation in _reads(session, reader):
                case = _case(operation, reader, owner)
                if not session.wants(suite, case):
                    continue
                submit(
                    functools.partial(
                        _read_case,
                        session,
                        suite,
                        case,
                        reader,
                        operation,
                        garden,
                        types,
                        note + missed,
                    )
                )


def _read_case(
    session: Session,
    suite: str,
    case: str,
    reader: Participant,
    operation: Operation,
    garden: Garden,
    types: list[str],
    also: str,
) -> None:
    """One reader's reads of one operation, judged, then PRV-002: none shows a marker."""
    markers = garden.markers
    exchanges = [
        session.client.call(reader, operation, params=params)
        for params in _variants(operation, reader.name, garden, types)
    ]
    session.judge(suite, case, exchanges)
    leaks = [
        (exchange, planted_in(exchange.json(), markers))
        for exchange in exchanges
        if exchange.status is not None and 200 <= exchange.status < 300
    ]
    leaks = [(exchange, found) for exchange, found in leaks if found]
    if leaks:
        exchange, found = leaks[0]
        record(
            session,
            suite,
            case,
            "PRV-002",
            Status.FAIL,
            f"{operation.name} answered {reader.name} (HTTP {exchange.status}, "
            f"query {dict(exchange.params)}) with {', '.join(found)}",
            evidence=(exchange.record, *(p.evidence for p in garden.planted)),
            operation=operation.name,
        )
    else:
        record(
            session,
            suite,
            case,
            "PRV-002",
            Status.PASS,
            f"{len(exchanges)} read(s) by {reader.name} showed none of "
            f"{', '.join(markers.values())}{also}",
            operation=operation.name,
        )
