"""Historical and forecasted load: windows, submissions and the per-sink exceedance check.

LSEs submit their historical and forecasted load per sink (their load
locations) while a load window is open; the CEC submits its own forecast.
Each window feeds the allocation markets of one process (a month or a year).

Request-level problems reject the whole submission: window not open or of
another load type (LHFV0001), a sink the participant does not serve
(LHFV0002), bad fields (SER0001, SER0002), more records than the spec's
``maxItems`` (SER0030).
A submission that passes is checked sink by sink against the sink's
exceedance limit, and the result is reported per sink: ACCEPTED, or FAILED
with LHFV0003. Accepted sinks' records replace what the participant had
stored for those sinks in that window; failed sinks change nothing, so data
accepted earlier stands. The latest accepted data per sink is what counts
for the nomination caps.

The exceedance limit (CAISO's exact rule is not public) is documented here
as: limit = ``exceedance_factor`` x the sink's reference peak load, the peak
being the one registered with the participant's load location, else
``default_peak_mw``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from reference_impl.engine.clock import format_utc, parse_utc
from reference_impl.engine.errors import DomainError, FindingCollector
from reference_impl.engine.identifiers import IdCounters
from reference_impl.engine.locations import LocationBook
from reference_impl.engine.markets import SUB_MARKETS, MarketKey, TimeOfUse, parse_market_name
from reference_impl.engine.participants import Participant, ParticipantKind
from reference_impl.engine.windows import Window, WindowStatus

__all__ = [
    "LoadBook",
    "LoadRecord",
    "LoadRules",
    "LoadSubmissionResult",
    "LoadType",
    "LoadWindow",
    "SinkResult",
]


class LoadType(StrEnum):
    """Which load a window collects."""

    HISTORICAL = "HISTORICAL"
    FORECAST = "FORECAST"
    CEC_FORECAST = "CEC_FORECAST"


@dataclass(frozen=True, slots=True)
class LoadRules:
    """Parameters of the exceedance check (documented choices, not CAISO figures)."""

    exceedance_factor: float = 1.10
    default_peak_mw: float = 5_000.0


@dataclass(slots=True)
class LoadWindow:
    """A load submission window feeding the allocation markets of one process."""

    name: str
    market_name: str
    load_type: LoadType
    window: Window

    def __post_init__(self) -> None:
        self.load_type = LoadType(self.load_type)
        parse_market_name(self.market_name)

    @property
    def process(self) -> MarketKey:
        """The market the window feeds (its process: period, year, month)."""
        return parse_market_name(self.market_name)

    def to_dict(self) -> dict:
        """The window as the ``LoadSubmissionWindow`` schema lays it out."""
        status = self.window.status
        return {
            "windowName": self.name,
            "marketName": self.market_name,
            "loadType": str(self.load_type),
            "submissionWindow": "OPEN" if status is WindowStatus.OPEN else "CLOSED",
            "status": str(status),
            "openTime": format_utc(self.window.open_time),
            "closeTime": format_utc(self.window.close_time),
        }


@dataclass(frozen=True, slots=True)
class LoadRecord:
    """The load of one sink on one operating day in one time of use."""

    sink: str
    effective_date: datetime
    time_of_use: TimeOfUse
    load_mw: float

    def to_dict(self) -> dict:
        """The record as the ``LoadRecord`` schema lays it out."""
        return {
            "sink": self.sink,
            "effectiveDate": format_utc(self.effective_date),
            "timeOfUse": str(self.time_of_use),
            "loadMw": self.load_mw,
        }


@dataclass(frozen=True, slots=True)
class SinkResult:
    """The exceedance check of one sink of a submission."""

    sink: str
    accepted: bool
    submitted_mw: float
    exceedance_limit_mw: float

    def to_dict(self) -> dict:
        """The result as the ``SinkResult`` schema lays it out."""
        record: dict = {
            "sink": self.sink,
            "status": "ACCEPTED" if self.accepted else "FAILED",
            "submittedMw": self.submitted_mw,
            "exceedanceLimitMw": self.exceedance_limit_mw,
        }
        if not self.accepted:
            record["errorCode"] = "LHFV0003"
            record["errorDescription"] = (
                f"Submitted load {self.submitted_mw:.1f} MW exceeds the exceedance limit of "
                f"{self.exceedance_limit_mw:.1f} MW for sink {self.sink}."
            )
        return record


@dataclass(frozen=True, slots=True)
class LoadSubmissionResult:
    """The outcome of one accepted-for-checking submission, sink by sink."""

    submission_id: str
    participant: str
    window_name: str
    submitted_at: datetime
    sink_results: tuple[SinkResult, ...]

    @property
    def status(self) -> str:
        """ACCEPTED, PARTIALLY_ACCEPTED or FAILED, summing up the sinks."""
        passed = sum(1 for r in self.sink_results if r.accepted)
        if passed == len(self.sink_results):
            return "ACCEPTED"
        return "FAILED" if passed == 0 else "PARTIALLY_ACCEPTED"

    def to_dict(self) -> dict:
        """The result as the ``LoadDataResponseSet`` schema lays it out."""
        return {
            "submissionId": self.submission_id,
            "participantName": self.participant,
            "windowName": self.window_name,
            "loadSubmissionStatus": self.status,
            "submittedAt": format_utc(self.submitted_at),
            "sinkResults": [r.to_dict() for r in self.sink_results],
        }


class LoadBook:
    """Load windows, the load stored per participant, window and sink, and submission results."""

    def __init__(self, ids: IdCounters, rules: LoadRules, max_records: int) -> None:
        self._ids = ids
        self.rules = rules
        self.max_records = max_records
        """Records in one submission at most (the spec's ``maxItems``, SER0030)."""
        self._windows: dict[str, LoadWindow] = {}
        self._stored: dict[tuple[str, str, str], tuple[LoadRecord, ...]] = {}
        self._latest: dict[tuple[str, str], LoadSubmissionResult] = {}

    # -- windows ----------------------------------------------------------------

    def add_window(self, window: LoadWindow) -> None:
        """Set up a load window."""
        if window.name in self._windows:
            raise DomainError("SER0002", f"Load window {window.name} exists.", "windowName")
        self._windows[window.name] = window

    def window(self, name: object) -> LoadWindow:
        """The window called ``name``; unknown is SER0028 (not found)."""
        window = self._windows.get(name) if isinstance(name, str) else None
        if window is None:
            raise DomainError("SER0028", f"Load window {name!r} does not exist.", "windowName")
        return window

    def windows(self) -> Iterator[LoadWindow]:
        """Every load window, by name."""
        return iter(sorted(self._windows.values(), key=lambda w: w.name))

    def open_windows(self, load_types: list[str], market_name: str | None) -> list[LoadWindow]:
        """The windows of ``load_types`` open now, feeding ``market_name`` when one is named."""
        return [
            w
            for w in self.windows()
            if w.window.is_open
            and str(w.load_type) in load_types
            and (market_name is None or w.market_name == market_name)
        ]

    # -- submissions ------------------------------------------------------------

    def submit(
        self,
        participant: Participant,
        window_name: str,
        load_type: str,
        records: object,
        now: datetime,
        locations: LocationBook,
    ) -> LoadSubmissionResult:
        """Check a submission, store the sinks that pass, and return the per-sink result."""
        window = self.window(window_name)
        if not window.window.is_open:
            raise DomainError(
                "LHFV0001", f"Load window {window.name} is {window.window.status}.", "windowName"
            )
        if load_type != window.load_type:
            raise DomainError(
                "LHFV0001",
                f"Load window {window.name} collects {window.load_type} load, not {load_type!r}.",
                "loadType",
            )
        parsed = self._parse(participant, window, records, locations)
        by_sink: dict[str, list[LoadRecord]] = {}
        for record in parsed:
            by_sink.setdefault(record.sink, []).append(record)
        results = []
        for sink in sorted(by_sink):
            submitted = max(r.load_mw for r in by_sink[sink])
            limit = self.exceedance_limit(participant, sink)
            results.append(SinkResult(sink, submitted <= limit, submitted, limit))
        result = LoadSubmissionResult(
            submission_id=f"LS-{now.year:04d}-{self._ids.next('load_submission'):06d}",
            participant=participant.name,
            window_name=window.name,
            submitted_at=now,
            sink_results=tuple(results),
        )
        for sink_result in results:
            if sink_result.accepted:
                key = (participant.name, window.name, sink_result.sink)
                self._stored[key] = tuple(
                    sorted(
                        by_sink[sink_result.sink], key=lambda r: (r.effective_date, r.time_of_use)
                    )
                )
        self._latest[(participant.name, window.name)] = result
        return result

    def exceedance_limit(self, participant: Participant, sink: str) -> float:
        """The most load a participant may submit for ``sink`` (see the module docstring)."""
        peak = participant.load_locations.get(sink)
        if peak is None:
            peak = self.rules.default_peak_mw
        return round(self.rules.exceedance_factor * peak, 6)

    def _parse(
        self,
        participant: Participant,
        window: LoadWindow,
        records: object,
        locations: LocationBook,
    ) -> list[LoadRecord]:
        if not isinstance(records, list) or not records:
            raise DomainError("SER0001", "A load submission needs at least one record.", "records")
        if len(records) > self.max_records:
            raise DomainError(
                "SER0030",
                f"A load submission holds at most {self.max_records} records; got {len(records)}.",
                "records",
            )
        found = FindingCollector()
        parsed: list[LoadRecord] = []
        seen: set[tuple[str, datetime, TimeOfUse]] = set()
        for i, raw in enumerate(records):
            where = f"records[{i}]"
            if not isinstance(raw, dict):
                found.add("SER0002", "A record must be an object.", where)
                continue
            missing = [k for k in ("sink", "effectiveDate", "timeOfUse", "loadMw") if k not in raw]
            if missing:
                found.add("SER0001", f"Missing {', '.join(missing)}.", where)
                continue
            sink = raw["sink"]
            if not self._may_submit(participant, window, sink, locations):
                found.add(
                    "LHFV0002",
                    f"{sink!r} is not a load location of {participant.name}.",
                    f"{where}.sink",
                )
                continue
            try:
                effective = parse_utc(raw["effectiveDate"], f"{where}.effectiveDate")
            except DomainError as error:
                found.add(error.code, error.message, error.field)
                continue
            if raw["timeOfUse"] not in SUB_MARKETS:
                found.add(
                    "SER0002", f"Invalid time of use {raw['timeOfUse']!r}.", f"{where}.timeOfUse"
                )
                continue
            mw = raw["loadMw"]
            if (
                isinstance(mw, bool)
                or not isinstance(mw, int | float)
                or not math.isfinite(mw)
                or mw < 0
            ):
                found.add("SER0002", f"Invalid load {mw!r}; expected MW >= 0.", f"{where}.loadMw")
                continue
            key = (sink, effective, TimeOfUse.sub_market(raw["timeOfUse"]))
            if key in seen:
                found.add("SER0002", "Duplicate sink, effective date and time of use.", where)
                continue
            seen.add(key)
            parsed.append(
                LoadRecord(sink, effective, TimeOfUse.sub_market(raw["timeOfUse"]), float(mw))
            )
        found.raise_if_any()
        return parsed

    @staticmethod
    def _may_submit(
        participant: Participant, window: LoadWindow, sink: object, locations: LocationBook
    ) -> bool:
        if window.load_type is LoadType.CEC_FORECAST and participant.is_a(ParticipantKind.CEC):
            location = locations.find(sink)
            return location is not None and location.is_load_zone
        return (
            participant.is_a(ParticipantKind.LSE)
            and isinstance(sink, str)
            and participant.serves(sink)
            and sink in locations
        )

    # -- queries ----------------------------------------------------------------

    def load_data(self, participant: str, window_name: str) -> dict:
        """The participant's stored records in a window and its latest result (SER0028 if none)."""
        window = self.window(window_name)
        latest = self._latest.get((participant, window.name))
        if latest is None:
            raise DomainError(
                "SER0028",
                f"{participant} has not submitted load to window {window.name}.",
                "windowName",
            )
        return {
            "participantName": participant,
            "windowName": window.name,
            "loadType": str(window.load_type),
            "records": [r.to_dict() for r in self.stored_records(participant, window.name)],
            "latestSubmission": latest.to_dict(),
        }

    def stored_records(self, participant: str, window_name: str) -> list[LoadRecord]:
        """The records that count for ``participant`` in a window, by sink."""
        return [
            record
            for (who, window, _sink), records in sorted(self._stored.items())
            if who == participant and window == window_name
            for record in records
        ]

    def load_metric(
        self,
        participant: str,
        sink: str,
        time_of_use: TimeOfUse,
        process: MarketKey,
        period: tuple[datetime, datetime] | None = None,
    ) -> float:
        """The participant's load metric at a sink for a process: its peak accepted load.

        Forecast data is preferred to historical data; within the preferred
        kind, records effective in ``period`` count when there are any,
        otherwise all of the process's records for the sink and time of use.
        CEC forecasts are a cross-check and do not count. No data: 0 MW.
        """
        for load_type in (LoadType.FORECAST, LoadType.HISTORICAL):
            records = [
                record
                for window in self._windows.values()
                if window.load_type is load_type and _same_process(window.process, process)
                for record in self._stored.get((participant, window.name, sink), ())
                if record.time_of_use is time_of_use
            ]
            if not records:
                continue
            if period is not None:
                inside = [r for r in records if period[0] <= r.effective_date < period[1]]
                records = inside or records
            return max(r.load_mw for r in records)
        return 0.0

    def participants_with_data(self) -> Iterable[str]:
        """Names of participants that have stored load."""
        return sorted({who for (who, _w, _s) in self._stored})

    def snapshot(self) -> dict:
        """Windows, stored load and latest results as plain data."""
        return {
            "windows": [w.to_dict() | {"window": w.window.to_dict()} for w in self.windows()],
            "stored": [
                {
                    "participantName": who,
                    "windowName": window,
                    "sink": sink,
                    "records": [r.to_dict() for r in records],
                }
                for (who, window, sink), records in sorted(self._stored.items())
            ],
            "latest": [result.to_dict() for _key, result in sorted(self._latest.items())],
        }


def _same_process(a: MarketKey, b: MarketKey) -> bool:
    return a.period is b.period and a.year == b.year and a.month == b.month
