"""What the fuzzer learns from the target before it fuzzes, and the windows the operator opens.

Random names almost never exist: a generated ``marketName`` meets MKT0001,
a generated ``participantName`` SEC0002, and nothing deeper is reached. So
the fuzzer first asks the target what it has (its markets, download types,
each market's sources and sinks, each participant's CRR holdings) through
the declared operations themselves, and later steers part of the positive
examples onto those values (``harness.fuzz.steer``). When the target offers
the sim-control API, the operator first opens the earliest window of each
kind that is still in PREP, so that submissions meet an open window.

Every call here goes through the harness client and is judged like any
fuzzed exchange; a discovery call that fails leaves its pool empty and the
run goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crr_contract.operations import Operation
from harness.client import Exchange, TargetClient
from harness.target.config import SIMCONTROL, Participant, TargetConfig

__all__ = ["TargetState", "discover", "open_windows"]

logger = logging.getLogger(__name__)

Judge = Callable[[Exchange], None]


@dataclass(slots=True)
class TargetState:
    """Values the target has, by the field names the specs use for them."""

    markets: list[str] = field(default_factory=list)
    market_times_of_use: dict[str, list[str]] = field(default_factory=dict)
    open_markets: list[str] = field(default_factory=list)
    """Markets whose status is OPEN after setup (auction and allocation)."""
    download_types: list[str] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)
    """Market → its eligible sources (SOURCE or BOTH)."""
    sinks: dict[str, list[str]] = field(default_factory=dict)
    unusable: dict[str, set[str]] = field(default_factory=dict)
    """Market → locations a POR0010 refusal named (islanded or retired there)."""
    holdings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Participant name → the CRRs it holds (as getCrrHoldings answers)."""
    opened: list[str] = field(default_factory=list)
    """The windows the operator opened."""

    def pool(self, name: str, participant: Participant) -> list[Any]:
        """Known values for a field called ``name``, for a request made as ``participant``."""
        if name == "participantName":
            return [participant.name]
        if name == "marketName":
            return list(dict.fromkeys([*self.open_markets, *self.markets]))
        if name == "downloadType":
            return list(self.download_types)
        if name == "source":
            return sorted({s for values in self.sources.values() for s in values})
        if name == "sink":
            return sorted({s for values in self.sinks.values() for s in values})
        if name == "crrId":
            return [h["crrId"] for h in self.holdings.get(participant.name, []) if "crrId" in h]
        return []


def _operations(operations: Iterable[Operation]) -> dict[tuple[str, str], Operation]:
    return {(op.service, op.operation_id): op for op in operations}


def _caller(config: TargetConfig, operation: Operation) -> Participant | None:
    """The first participant whose role may call ``operation``."""
    for participant in config.participants:
        if participant.role in operation.roles:
            return participant
    return None


def _json_list(exchange: Exchange) -> list[dict[str, Any]]:
    body = exchange.json() if exchange.status == 200 else None
    return [item for item in body if isinstance(item, dict)] if isinstance(body, list) else []


def open_windows(client: TargetClient, operations: Iterable[Operation], judge: Judge) -> list[str]:
    """As the operator, open the earliest window of each kind still in PREP; the names opened."""
    config = client.config
    if not config.sim_control or config.operator is None:
        return []
    ops = _operations(operations)
    state_op = ops.get((SIMCONTROL, "getSimState"))
    open_op = ops.get((SIMCONTROL, "openWindow"))
    if state_op is None or open_op is None:
        return []
    operator = config.participant(config.operator)
    exchange = client.call(operator, state_op)
    judge(exchange)
    body = exchange.json() if exchange.status == 200 else None
    windows = body.get("windows") if isinstance(body, dict) else None
    first: dict[str, dict[str, Any]] = {}
    for window in windows or ():
        if not isinstance(window, dict) or window.get("status") != "PREP":
            continue
        kind = str(window.get("kind"))
        earlier = first.get(kind)
        if earlier is None or str(window.get("openTime")) < str(earlier.get("openTime")):
            first[kind] = window
    opened = []
    for kind in sorted(first):
        name = first[kind].get("windowName")
        exchange = client.call(operator, open_op, body={"windowName": name})
        judge(exchange)
        if exchange.status == 200:
            opened.append(str(name))
        else:
            logger.info("could not open window %s: HTTP %s", name, exchange.status)
    return opened


def discover(client: TargetClient, operations: Iterable[Operation], judge: Judge) -> TargetState:
    """Ask the target for its markets, download types, locations and holdings."""
    config = client.config
    ops = _operations(operations)
    state = TargetState()

    def call(key: tuple[str, str], params: Mapping[str, Any], as_: Participant | None = None):
        operation = ops.get(key)
        if operation is None:
            return None
        caller = as_ or _caller(config, operation)
        if caller is None:
            return None
        filled = {k: (caller.name if v is _SELF else v) for k, v in params.items()}
        exchange = client.call(caller, operation, params=filled)
        judge(exchange)
        return exchange

    for operation_id in ("getActiveAuctionMarkets", "getActiveAllocationMarkets"):
        exchange = call(("market_info", operation_id), {"participantName": _SELF})
        for market in _json_list(exchange) if exchange else []:
            name = market.get("marketName")
            if not isinstance(name, str):
                continue
            state.markets.append(name)
            if isinstance(market.get("timesOfUse"), list):
                state.market_times_of_use[name] = [str(t) for t in market["timesOfUse"]]
            if market.get("status") == "OPEN":
                state.open_markets.append(name)
    exchange = call(("market_data", "getDownloadTypes"), {})
    for entry in _json_list(exchange) if exchange else []:
        if isinstance(entry.get("downloadType"), str):
            state.download_types.append(entry["downloadType"])
    if "CRRSourceandSinkNameMapping" in state.download_types:
        for market in state.markets:
            exchange = call(
                ("market_data", "getPublicDownload"),
                {"marketName": market, "downloadType": "CRRSourceandSinkNameMapping"},
            )
            body = exchange.json() if exchange is not None and exchange.status == 200 else None
            data = body.get("data") if isinstance(body, dict) else None
            rows = data.get("SourceSinkMappings") if isinstance(data, dict) else None
            for row in rows or ():
                if not isinstance(row, dict) or not isinstance(row.get("APnodeName"), str):
                    continue
                kind = row.get("Type")
                if kind in ("SOURCE", "BOTH"):
                    state.sources.setdefault(market, []).append(row["APnodeName"])
                if kind in ("SINK", "BOTH"):
                    state.sinks.setdefault(market, []).append(row["APnodeName"])
    holdings_op = ops.get(("secondary_market", "getCrrHoldings"))
    if holdings_op is not None:
        seen: set[str] = set()
        for participant in config.participants:
            if participant.role not in holdings_op.roles or participant.name in seen:
                continue
            seen.add(participant.name)
            exchange = call(
                ("secondary_market", "getCrrHoldings"), {"participantName": _SELF}, participant
            )
            if exchange is not None:
                state.holdings[participant.name] = _json_list(exchange)
    return state


_SELF = object()
"""A parameter value meaning: the caller's own participant name."""
