"""Sim Control: the operator moves the market clock, opens and closes windows, clears, publishes.

The engine reports an operator action in the wrong state as a generic
SER0002 (and an unknown window as SER0028); the sim-control spec has codes
of its own for these (SIM0001 to SIM0004), so each handler translates the
engine's codes into the ones its operation lists.

The market clock is virtual (``mode: VIRTUAL``): it moves only through
``setClock`` and ``resetSystem``, which are journaled like every other
command (see ``reference_impl.store.durable``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from reference_impl.api.call import Call, Handler
from reference_impl.engine.clock import format_utc
from reference_impl.engine.errors import DomainError, Finding
from reference_impl.engine.system import CRRSystem

CLOCK_MODE = "VIRTUAL"

_LOAD_KINDS = {
    "HISTORICAL": "HISTORICAL_LOAD",
    "FORECAST": "FORECAST_LOAD",
    "CEC_FORECAST": "CEC_FORECAST_LOAD",
}


def _translated(
    call: Call, table: Mapping[str, str], method: Callable[..., Any], **kwargs: Any
) -> Any:
    """Run an engine method, answering its generic codes with the operator API's own."""
    try:
        return call.run(method, **kwargs)
    except DomainError as error:
        raise DomainError.from_findings(
            Finding(table.get(f.code, f.code), f.message, f.field) for f in error.details
        ) from None


def _clock(call: Call) -> dict:
    return {"now": format_utc(call.engine.now()), "mode": CLOCK_MODE}


def _windows(snapshot: dict) -> list[dict]:
    rows = []

    def add(name: str, kind: str, entry: dict) -> None:
        window = entry.get("window") or entry
        rows.append(
            {
                "windowName": name,
                "kind": kind,
                "status": window["status"],
                "openTime": window["openTime"],
                "closeTime": window["closeTime"],
            }
        )

    for market in snapshot["markets"]:
        name = market["marketName"]
        add(name, "AUCTION_MARKET" if name.startswith("AUC_") else "ALLOCATION_MARKET", market)
    for window in snapshot["load"]["windows"]:
        add(window["windowName"], _LOAD_KINDS[window["loadType"]], window)
    for window in snapshot["torConversion"]["windows"]:
        add(window["windowName"], "TOR_CONVERSION", window)
    for market in snapshot["loadMigration"]["markets"]:
        add(market["marketName"], "LOAD_MIGRATION", market)
    return sorted(rows, key=lambda row: (row["openTime"], row["windowName"]))


def get_clock(call: Call) -> dict:
    """The market clock."""
    return _clock(call)


def set_clock(call: Call) -> dict:
    """Move the clock to ``now`` or forward by ``advanceSeconds``; never backwards (SIM0003)."""
    if "now" in call.body:
        _translated(call, {"SER0002": "SIM0003"}, CRRSystem.set_clock, time=call.body["now"])
    else:
        call.run(CRRSystem.advance_clock, seconds=call.body["advanceSeconds"])
    return _clock(call)


def get_sim_state(call: Call) -> dict:
    """The clock and every market and window, in calendar order."""
    snapshot = call.engine.snapshot()
    return {"now": snapshot["now"], "windows": _windows(snapshot)}


def _window_action(call: Call, method: Callable[..., Any]) -> dict:
    name = call.body["windowName"]
    _translated(call, {"SER0002": "SIM0001", "SER0028": "SIM0004"}, method, name=name)
    for row in _windows(call.engine.snapshot()):
        if row["windowName"] == name:
            return row
    raise DomainError("SIM0004", f"No market or window is called {name!r}.", "windowName")


def open_window(call: Call) -> dict:
    """Open a window now, whatever its calendar says."""
    return _window_action(call, CRRSystem.open_window)


def close_window(call: Call) -> dict:
    """Close a window now."""
    return _window_action(call, CRRSystem.close_window)


def _awarded_segments(award: dict) -> int:
    if "segments" in award:
        return sum(1 for s in award["segments"] if s.get("AwardedMW", 0) > 0)
    return 1 if award.get("allocatedMw", 0) > 0 else 0


def run_clearing(call: Call) -> dict:
    """Clear a CLOSED market; results stay with the operator until published."""
    name = call.body["marketName"]
    summary = _translated(call, {"SER0002": "SIM0001"}, CRRSystem.run_clearing, market_name=name)
    snapshot = call.engine.snapshot()
    results = next(r for r in snapshot["results"] if r["marketName"] == name)
    market = next(m for m in snapshot["markets"] if m["marketName"] == name)
    return {
        "marketName": name,
        "clearedAt": summary["clearedAt"],
        "timesOfUse": [
            _time_of_use_totals(results, tou) for tou in market.get("timesOfUse", ("ON", "OFF"))
        ],
    }


def _time_of_use_totals(results: dict, tou: str) -> dict:
    awards = [a for a in results["awards"] if a["timeOfUse"] == tou]
    return {
        "timeOfUse": tou,
        "awardedMw": round(sum(a.get("awardedMw", a.get("allocatedMw", 0.0)) for a in awards), 6),
        "awardedSegments": sum(_awarded_segments(a) for a in awards),
        "bindingConstraints": sum(
            1 for b in results["bindingConstraints"] if b.get("timeOfUse") == tou
        ),
    }


def publish_results(call: Call) -> dict:
    """Publish a cleared market's results, or post a load migration market's results."""
    name = call.body["marketName"]
    table = {"SER0002": "SIM0001", "LMV1003": "MKT0001"}
    summary = _translated(call, table, CRRSystem.publish_results, market_name=name)
    published_at = summary.get("publishedAt") or summary.get("postedAt")
    return {"marketName": name, "status": "PUBLISHED", "publishedAt": published_at}


def load_dataset(call: Call) -> dict:
    """Add a market-sim data set; an invalid one changes nothing (SIM0002)."""
    counts = _translated(
        call, {"SER0002": "SIM0002"}, CRRSystem.load_dataset, data=call.body["dataset"]
    )
    return {"name": call.body["name"], **counts}


def reset_system(
    call: Call, wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> dict:
    """Erase all state and restart the clock at ``now`` (default: the wall time)."""
    restart = call.body.get("now") or format_utc(wall_clock())
    call.run(CRRSystem.reset, clock_time=restart)
    return _clock(call)


HANDLERS: dict[str, Handler] = {
    "getClock": get_clock,
    "setClock": set_clock,
    "getSimState": get_sim_state,
    "openWindow": open_window,
    "closeWindow": close_window,
    "runClearing": run_clearing,
    "publishResults": publish_results,
    "loadDataset": load_dataset,
    "resetSystem": reset_system,
}
