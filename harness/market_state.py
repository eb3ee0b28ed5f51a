"""What the target says it is: its windows and markets, their status and calendar, its clock.

Two sources answer the same question. A target with the operator API
(sim control) lists every window in one read (``getSimState``); any other
target (CAISO's Map-Stage, a vendor's test system) is asked through the
CAISO read operations themselves: the active auction and allocation
markets, the TOR conversion windows, the load-migration markets, the open
load submission windows and the market calendar, with the app status
timestamp as the target's "now". Suites use what is open now; a case that
needs a state the target is not in says which state and, where the
calendar says, when it comes (``TargetState.unmet``).

Every call goes through the harness client (so it is recorded) and through
``judge`` when given; a read that fails leaves its part of the state empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crr_contract.operations import Operation
from harness.client import Exchange, TargetClient
from harness.target.config import SIMCONTROL, Participant

__all__ = [
    "KIND_LABELS",
    "TargetState",
    "Window",
    "learn",
    "parse_time",
]

Judge = Callable[[Exchange], None]

KIND_LABELS: Mapping[str, str] = {
    "AUCTION_MARKET": "bid window",
    "ALLOCATION_MARKET": "nomination window",
    "HISTORICAL_LOAD": "historical load window",
    "FORECAST_LOAD": "forecast load window",
    "CEC_FORECAST_LOAD": "CEC forecast load window",
    "LOAD_MIGRATION": "load migration window",
    "TOR_CONVERSION": "TOR conversion window",
}
"""Window kind (the sim-control vocabulary) → how a reason names it."""

_CALENDAR_KINDS: Mapping[str, tuple[str, str]] = {
    "HISTORICAL_LOAD": ("HIST_LOAD_", "historical_forecasted_load.openHistLoadSubmissionWindow"),
    "FORECAST_LOAD": ("FCST_LOAD_", "historical_forecasted_load.openForecastLoadSubmissionWindow"),
    "CEC_FORECAST_LOAD": ("CEC_LOAD_", ""),
}
"""Load windows: the market calendar gives their times under the Tier 1 market's name, the
open-window lists give their names (market-sim calendar naming: ALLOC_MN_2025_M10_T1 →
HIST_LOAD_MN_2025_M10)."""


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 UTC time as the specs write it, or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Window:
    """One window (a market's bid or nomination window, a load, TOR or migration window)."""

    name: str
    kind: str
    status: str
    open_time: str | None = None
    close_time: str | None = None

    def describe(self) -> str:
        """``AUC_MN_2025_M10 bid window is PREP; opens 2025-09-18T08:00:00Z``."""
        text = f"{self.name} {KIND_LABELS.get(self.kind, 'window')} is {self.status}"
        if self.status == "PREP" and self.open_time:
            text += f"; opens {self.open_time}"
        elif self.status == "OPEN" and self.close_time:
            text += f"; closes {self.close_time}"
        return text


@dataclass
class TargetState:
    """The target's windows, clock and holdings, and which source said so."""

    source: str
    now: str | None = None
    windows: list[Window] = field(default_factory=list)
    holdings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Participant name → the CRRs it holds (as getCrrHoldings answers)."""
    download_types: list[str] = field(default_factory=list)

    def window(self, name: str) -> Window | None:
        return next((w for w in self.windows if w.name == name), None)

    def of_kind(self, kind: str) -> list[Window]:
        return [w for w in self.windows if w.kind == kind]

    def open(self, kind: str) -> Window | None:
        """An OPEN window of ``kind`` (the one closing first), or None."""
        found = [w for w in self.of_kind(kind) if w.status == "OPEN"]
        return min(found, key=lambda w: w.close_time or "~") if found else None

    def next_opening(self, kind: str) -> Window | None:
        """The window of ``kind`` that opens next (the earliest in PREP), or None."""
        found = [w for w in self.of_kind(kind) if w.status == "PREP"]
        return min(found, key=lambda w: w.open_time or "~") if found else None

    def unmet(self, kind: str) -> str:
        """Why no window of ``kind`` is open, and when one comes if the calendar says."""
        label = KIND_LABELS.get(kind, kind.lower())
        coming = self.next_opening(kind)
        if coming is not None:
            return f"no {label} is open: {coming.describe()}"
        if self.of_kind(kind):
            return f"no {label} is open and none is in PREP (per {self.source})"
        return f"the target lists no {label} (per {self.source})"

    def held_by(self, names: Iterable[str]) -> dict[str, int]:
        """Participant name → how many CRRs it holds, for ``names`` that hold any."""
        return {n: len(self.holdings[n]) for n in names if self.holdings.get(n)}


def _ops(operations: Iterable[Operation]) -> dict[str, Operation]:
    return {op.name: op for op in operations}


def _rows(exchange: Exchange | None) -> list[dict[str, Any]]:
    body = exchange.json() if exchange is not None and exchange.status == 200 else None
    return [row for row in body if isinstance(row, dict)] if isinstance(body, list) else []


class _Reader:
    """Calls a declared read as the first participant allowed to make it."""

    def __init__(self, client: TargetClient, operations: Iterable[Operation], judge: Judge | None):
        self.client = client
        self.ops = _ops(operations)
        self.judge = judge

    def caller(self, operation: Operation) -> Participant | None:
        return next((p for p in self.client.config.participants if p.role in operation.roles), None)

    def __call__(
        self, name: str, params: Mapping[str, Any] | None = None, *, own: bool = False
    ) -> Exchange | None:
        operation = self.ops.get(name)
        caller = self.caller(operation) if operation is not None else None
        if operation is None or caller is None:
            return None
        query = dict(params or {})
        if own:
            query["participantName"] = caller.name
        exchange = self.client.call(caller, operation, params=query)
        if self.judge is not None:
            self.judge(exchange)
        return exchange


def _from_simcontrol(read: _Reader) -> TargetState | None:
    config = read.client.config
    operation = read.ops.get(f"{SIMCONTROL}.getSimState")
    if not config.sim_control or config.operator is None or operation is None:
        return None
    exchange = read.client.call(config.participant(config.operator), operation)
    if read.judge is not None:
        read.judge(exchange)
    body = exchange.json() if exchange.status == 200 else None
    if not isinstance(body, dict):
        return None
    state = TargetState(source="the sim-control state", now=body.get("now"))
    for row in body.get("windows") or ():
        if isinstance(row, dict) and row.get("windowName"):
            state.windows.append(
                Window(
                    str(row["windowName"]),
                    str(row.get("kind")),
                    str(row.get("status")),
                    row.get("openTime"),
                    row.get("closeTime"),
                )
            )
    return state


def _from_caiso_apis(read: _Reader) -> TargetState:
    state = TargetState(source="the CAISO read APIs")
    status = read("app_status.getAppStatus")
    body = status.json() if status is not None and status.status == 200 else None
    state.now = body.get("timestamp") if isinstance(body, dict) else None
    for operation, kind in (
        ("market_info.getActiveAuctionMarkets", "AUCTION_MARKET"),
        ("market_info.getActiveAllocationMarkets", "ALLOCATION_MARKET"),
    ):
        for row in _rows(read(operation, own=True)):
            if isinstance(row.get("marketName"), str):
                state.windows.append(
                    Window(
                        row["marketName"],
                        kind,
                        str(row.get("status")),
                        row.get("windowOpenTime"),
                        row.get("windowCloseTime"),
                    )
                )
    for operation, key, kind in (
        ("tor_conversion.getConversionWindowList", "windowName", "TOR_CONVERSION"),
        ("load_migration.getLoadMigrationMarkets", "marketName", "LOAD_MIGRATION"),
    ):
        for row in _rows(read(operation)):
            if isinstance(row.get(key), str):
                state.windows.append(
                    Window(
                        row[key],
                        kind,
                        str(row.get("status")),
                        row.get("openTime"),
                        row.get("closeTime"),
                    )
                )
    open_names: set[str] = set()
    for kind, (_prefix, operation) in _CALENDAR_KINDS.items():
        for row in _rows(read(operation)) if operation else []:
            name = row.get("windowName")
            if isinstance(name, str) and row.get("submissionWindow") == "OPEN":
                open_names.add(name)
                state.windows.append(Window(name, kind, "OPEN"))
    now = parse_time(state.now)
    for row in _rows(read("market_info.getMarketCalendar")):
        kind = str(row.get("windowType"))
        if kind not in _CALENDAR_KINDS or not isinstance(row.get("marketName"), str):
            continue
        name = _CALENDAR_KINDS[kind][0] + _load_suffix(row["marketName"])
        if name in open_names or state.window(name) is not None:
            continue
        opens, closes = parse_time(row.get("openTime")), parse_time(row.get("closeTime"))
        if now is None or opens is None or closes is None:
            continue
        status = "PREP" if now < opens else ("CLOSED" if now >= closes else "OPEN")
        state.windows.append(Window(name, kind, status, row["openTime"], row["closeTime"]))
    return state


def _load_suffix(market: str) -> str:
    """ALLOC_MN_2025_M10_T1 → MN_2025_M10: the part a load window's name shares with it."""
    core = market.removeprefix("ALLOC_")
    return core.rsplit("_", 1)[0] if core.endswith("_T1") else core


def learn(
    client: TargetClient,
    operations: Iterable[Operation],
    judge: Judge | None = None,
    *,
    holdings: bool = True,
) -> TargetState:
    """The target's state: from sim control when the target offers it, else the CAISO APIs.

    ``holdings`` also asks every participant allowed to for the CRRs it holds
    and the download types (both through the CAISO APIs, with or without
    sim control).
    """
    read = _Reader(client, operations, judge)
    state = _from_simcontrol(read) or _from_caiso_apis(read)
    if not holdings:
        return state
    for row in _rows(read("market_data.getDownloadTypes")):
        if isinstance(row.get("downloadType"), str):
            state.download_types.append(row["downloadType"])
    operation = read.ops.get("secondary_market.getCrrHoldings")
    for participant in client.config.participants if operation is not None else ():
        if participant.role not in operation.roles or participant.name in state.holdings:
            continue
        exchange = client.call(participant, operation, params={"participantName": participant.name})
        if judge is not None:
            judge(exchange)
        state.holdings[participant.name] = [r for r in _rows(exchange) if r.get("crrId")]
    return state
