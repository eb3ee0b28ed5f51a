"""Operator steps: move the market with the sim-control API, or wait for it to move.

Against a target that offers the operator API the runner drives the
virtual clock and the windows itself, so three market-sim weeks run in
seconds. Against a live environment (a Map-Stage-like target without it)
the same step waits until the market status API shows the state the step
would have produced, polling until the step's timeout; a state that never
comes is reported, never assumed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from harness.client import Exchange
from harness.scenarios.model import Step

__all__ = [
    "WINDOW_PROBES",
    "OperatorOutcome",
    "WindowProbe",
    "apply_operator_step",
    "simcontrol_request",
    "window_probe",
]

# What each action asks of the sim-control API: operation and body.
_SIMCONTROL: Mapping[str, tuple[str, Callable[[Mapping[str, Any]], dict]]] = {
    "open": ("openWindow", lambda a: {"windowName": a["window"]}),
    "close": ("closeWindow", lambda a: {"windowName": a["window"]}),
    "clear": ("runClearing", lambda a: {"marketName": a["market"]}),
    "publish": ("publishResults", lambda a: {"marketName": a["market"]}),
    "clock": (
        "setClock",
        lambda a: {"now": a["now"]} if "now" in a else {"advanceSeconds": int(a["advance"])},
    ),
}

# Without sim control: the market status each action leads to (later ones count too).
_ORDER = ["PREP", "OPEN", "CLOSED", "PUBLISHED"]
_REACHES = {"open": "OPEN", "close": "CLOSED", "clear": "CLOSED", "publish": "PUBLISHED"}


@dataclass(frozen=True, slots=True)
class OperatorOutcome:
    ok: bool
    message: str
    exchanges: tuple[Exchange, ...] = ()
    waited: bool = False


def simcontrol_request(action: str, arguments: Mapping[str, Any]) -> tuple[str, dict]:
    """The sim-control operation and body of an operator action."""
    operation_id, body = _SIMCONTROL[action]
    return operation_id, body(arguments)


def apply_operator_step(
    step: Step,
    *,
    call_simcontrol: Callable[[str, dict], Exchange] | None,
    read_status: Callable[[str], tuple[str | None, Exchange | None]] | None,
    timeout: float,
    poll_every: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> OperatorOutcome:
    """Do ``step`` through the operator API, or wait for its effect when there is none."""
    assert step.operator is not None
    if call_simcontrol is not None:
        operation_id, body = simcontrol_request(step.operator, step.arguments)
        exchange = call_simcontrol(operation_id, body)
        if exchange.status == 200:
            return OperatorOutcome(True, f"{operation_id} {body}", (exchange,))
        answer = (
            exchange.record.response.body[:300].decode("utf-8", "replace")
            if (exchange.record.response)
            else exchange.record.transport_error
        )
        return OperatorOutcome(
            False, f"{operation_id} {body} answered {exchange.status}: {answer}", (exchange,)
        )
    if step.operator == "clock":
        return OperatorOutcome(True, "no sim control: the live market clock moves by itself")
    target_status = _REACHES[step.operator]
    name = str(step.arguments.get("window") or step.arguments.get("market"))
    if read_status is None or window_probe(name) is None:
        return OperatorOutcome(
            False, f"without sim control the harness cannot observe window {name}"
        )
    deadline = clock() + timeout
    while True:
        status, exchange = read_status(name)
        exchanges = (exchange,) if exchange is not None else ()
        if status in _ORDER and _ORDER.index(status) >= _ORDER.index(target_status):
            return OperatorOutcome(True, f"{name} is {status}", exchanges, True)
        if clock() >= deadline:
            return OperatorOutcome(
                False,
                f"{name} never reached {target_status} within {timeout:g} s (last status {status})",
                exchanges,
                True,
            )
        sleep(min(poll_every, max(0.0, deadline - clock())))


@dataclass(frozen=True, slots=True)
class WindowProbe:
    """How to read a window's status from the CAISO APIs when there is no operator API."""

    operation: str
    params: Callable[[str], dict]
    status_path: Callable[[str], str]
    listed_only_when_open: bool = False
    """The operation lists open windows only: a window missing from it is not open."""


_MARKET = WindowProbe("market_info.getMarket", lambda n: {"marketName": n}, lambda n: "status")
WINDOW_PROBES: Mapping[str, WindowProbe] = {
    "AUC_": _MARKET,
    "ALLOC_": _MARKET,
    "LM_": WindowProbe(
        "load_migration.getLoadMigrationMarkets", lambda n: {}, lambda n: f"[marketName={n}].status"
    ),
    "TOR_": WindowProbe(
        "tor_conversion.getConversionWindow", lambda n: {"windowName": n}, lambda n: "status"
    ),
    "HIST_LOAD_": WindowProbe(
        "historical_forecasted_load.openHistLoadSubmissionWindow",
        lambda n: {},
        lambda n: f"[windowName={n}].submissionWindow",
        listed_only_when_open=True,
    ),
    "FCST_LOAD_": WindowProbe(
        "historical_forecasted_load.openForecastLoadSubmissionWindow",
        lambda n: {},
        lambda n: f"[windowName={n}].submissionWindow",
        listed_only_when_open=True,
    ),
}
"""Window name prefix → where its status shows (names as the market-sim calendar gives them)."""


def window_probe(name: str) -> WindowProbe | None:
    return next((p for prefix, p in WINDOW_PROBES.items() if name.startswith(prefix)), None)
