"""Historical and Forecasted Load: open submission windows, load submissions and their results."""

from __future__ import annotations

from reference_impl.api.call import Call, Handler
from reference_impl.engine.system import CRRSystem

FORECAST_TYPES = ["FORECAST", "CEC_FORECAST"]


def open_hist_load_submission_window(call: Call) -> list[dict]:
    """Historical load windows open now, optionally feeding one market."""
    return call.run(
        CRRSystem.open_load_windows,
        load_types=["HISTORICAL"],
        market_name=call.query.get("marketName"),
    )


def open_forecast_load_submission_window(call: Call) -> list[dict]:
    """Forecast (and CEC forecast) load windows open now."""
    load_type = call.query.get("loadType")
    return call.run(
        CRRSystem.open_load_windows,
        load_types=[load_type] if load_type else FORECAST_TYPES,
        market_name=call.query.get("marketName"),
    )


def get_load_data(call: Call) -> dict:
    """The participant's stored load in a window and its latest result."""
    return call.run(
        CRRSystem.get_load_data,
        participant_name=call.query["participantName"],
        window_name=call.query["windowName"],
    )


def submit_load_data(call: Call) -> dict:
    """Submit load records; per-sink results come back."""
    body = call.body
    return call.run(
        CRRSystem.submit_load_data,
        participant_name=body["participantName"],
        window_name=body["windowName"],
        load_type=body["loadType"],
        records=body["records"],
    )


HANDLERS: dict[str, Handler] = {
    "openHistLoadSubmissionWindow": open_hist_load_submission_window,
    "openForecastLoadSubmissionWindow": open_forecast_load_submission_window,
    "getLoadData": get_load_data,
    "submitLoadData": submit_load_data,
}
