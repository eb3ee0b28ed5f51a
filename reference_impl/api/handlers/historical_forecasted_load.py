"""Historical and Forecasted Load: open submission windows, load submissions and their results."""

from __future__ import annotations

from reference_impl.api.call import Call, Handler, forward
from reference_impl.engine.system import CRRSystem

FORECAST_TYPES = ["FORECAST", "CEC_FORECAST"]


def open_forecast_load_submission_window(call: Call) -> list[dict]:
    """Forecast (and CEC forecast) load windows open now."""
    load_type = call.query.get("loadType")
    return call.run(
        CRRSystem.open_load_windows,
        load_types=[load_type] if load_type else FORECAST_TYPES,
        market_name=call.query.get("marketName"),
    )


HANDLERS: dict[str, Handler] = {
    "openHistLoadSubmissionWindow": forward(
        CRRSystem.open_load_windows, "query", optional=("marketName",), load_types=["HISTORICAL"]
    ),
    "openForecastLoadSubmissionWindow": open_forecast_load_submission_window,
    "getLoadData": forward(CRRSystem.get_load_data, "query", "participantName", "windowName"),
    "submitLoadData": forward(
        CRRSystem.submit_load_data, "body", "participantName", "windowName", "loadType", "records"
    ),
}
