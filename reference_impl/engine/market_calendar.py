"""The market calendar: every market and load window, as the Market Info API lists them.

A calendar entry is a window with the market it belongs to and the kind of
submission it takes (bids, nominations, or one of the three load types);
the list is filtered to the requested period and sorted by opening time, so
a participant can plan its submissions from it.
"""

from __future__ import annotations

from datetime import datetime

from reference_impl.engine.clock import format_utc
from reference_impl.engine.errors import DomainError
from reference_impl.engine.load import LoadBook, LoadType
from reference_impl.engine.markets import MarketBook

__all__ = ["WINDOW_TYPES", "calendar_rows"]

WINDOW_TYPES = {
    LoadType.HISTORICAL: "HISTORICAL_LOAD",
    LoadType.FORECAST: "FORECAST_LOAD",
    LoadType.CEC_FORECAST: "CEC_FORECAST_LOAD",
}
"""Load type -> the calendar's ``windowType``."""


def calendar_rows(
    markets: MarketBook, load: LoadBook, begin: datetime | None, finish: datetime | None
) -> list[dict]:
    """Calendar entries (market and load windows) overlapping ``[begin, finish]``."""
    if begin is not None and finish is not None and begin > finish:
        raise DomainError("SER0002", "from must not be after to.", "from")
    entries = [(m.name, "BID" if m.is_auction else "NOMINATION", m.window) for m in markets]
    entries += [(w.market_name, WINDOW_TYPES[w.load_type], w.window) for w in load.windows()]
    rows = [
        {
            "marketName": name,
            "windowType": kind,
            "openTime": format_utc(w.open_time),
            "closeTime": format_utc(w.close_time),
        }
        for name, kind, w in entries
        if (begin is None or w.close_time >= begin) and (finish is None or w.open_time <= finish)
    ]
    return sorted(rows, key=lambda r: (r["openTime"], r["marketName"], r["windowType"]))
