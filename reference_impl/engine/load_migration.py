"""Load migration: customers moving between LSEs, and the CRRs that follow the load.

Load migration markets are ``LM_AN_<year>`` (annual) and
``LM_MN_<year>_M<month>`` (monthly); any other name is LMV1003. While a
market is OPEN (else LMV1004), each UDC (only UDCs: LMV1001) submits the
customers moving from one LSE to another at a sink: ``{fromLse, toLse,
sink, customerCount, migratedLoadMw, effectiveDate}`` (an unknown LSE or
sink is LMV1002). A later submission of the same UDC for the same market
replaces the earlier one, which becomes REJECTED; when the market closes the
latest becomes ACCEPTED.

When the results are posted (the operator publishes the market):

- net migrated MW per LSE and sink: load gained minus load lost;
- CRR adjustments, moving allocated seasonal CRRs with the load (a
  documented rule; CAISO's exact one is in the BPM): for each migration,
  the share ``min(1, migrated MW / losing LSE's load metric at the sink)``
  of each of the losing LSE's allocated CRRs (type LSE) to that sink, for
  the part of its term from the effective date within the market's term,
  becomes an ``LSE_LMT`` CRR of the gaining LSE (TRANSFERRED) and a
  counter-flow ``LSE_LMT`` CRR (sink to source) of the losing LSE
  (COUNTER_FLOW), which offsets the CRR it keeps.

The net migration feeds the ``LoadMigrationAdjust`` of the nomination caps.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from reference_impl.engine.clock import format_utc, parse_utc
from reference_impl.engine.errors import DomainError, FindingCollector
from reference_impl.engine.holdings import CrrType, Holdings, IssueOrigin, MarketTerm
from reference_impl.engine.identifiers import IdCounters, by_id
from reference_impl.engine.limits import require_items
from reference_impl.engine.locations import LocationBook
from reference_impl.engine.markets import MarketKey, MarketType, Period, Tier, TimeOfUse
from reference_impl.engine.pacific_time import month_term, year_term
from reference_impl.engine.participants import ParticipantBook, ParticipantKind
from reference_impl.engine.quantities import is_finite_number
from reference_impl.engine.windows import Window, WindowStatus, latest_first

__all__ = [
    "LoadMigration",
    "LoadMigrationMarket",
    "MigrationRecord",
    "SubmissionStatus",
    "UdcSubmission",
    "parse_migration_market_name",
]

LOAD_MIGRATION_MARKET = "LOAD_MIGRATION"
LOAD_MIGRATION_ORIGIN = IssueOrigin(
    LOAD_MIGRATION_MARKET, MarketTerm.LOAD_MIGRATION, CrrType.LSE_LMT
)
"""A share moved with the load becomes an ``LSE_LMT`` CRR of market ``LOAD_MIGRATION``."""
_NAME = re.compile(r"^LM_(?:AN_(?P<ay>\d{4})|MN_(?P<my>\d{4})_M(?P<mm>0[1-9]|1[0-2]))$")

LoadMetric = Callable[[str, str, TimeOfUse, MarketKey], float]
"""(lse, sink, time of use, process) -> the LSE's load metric."""


def parse_migration_market_name(name: object) -> tuple[int, int | None]:
    """(year, month or None) of a load migration market name; LMV1003 when it is not one."""
    match = _NAME.match(name) if isinstance(name, str) else None
    if match is None:
        raise DomainError(
            "LMV1003", f"Load migration market {name!r} does not exist.", "marketName"
        )
    if match["ay"]:
        return int(match["ay"]), None
    return int(match["my"]), int(match["mm"])


class SubmissionStatus(StrEnum):
    """What became of a UDC submission."""

    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


@dataclass(slots=True)
class LoadMigrationMarket:
    """A load migration market with its window and, once posted, its results."""

    name: str
    window: Window
    net: dict[tuple[str, str], float] = field(default_factory=dict)
    adjustments: list[dict] = field(default_factory=list)
    udc_net: dict[tuple[str, str, str], float] = field(default_factory=dict)
    """(UDC, LSE, sink) -> net MW the UDC's accepted submission migrated to the LSE."""
    adjustment_udcs: dict[str, str] = field(default_factory=dict)
    """CRR ID of an adjustment -> the UDC whose migration record caused it."""

    def __post_init__(self) -> None:
        parse_migration_market_name(self.name)

    @property
    def year(self) -> int:
        """The year of the market."""
        return parse_migration_market_name(self.name)[0]

    @property
    def month(self) -> int | None:
        """The month of a monthly market, else None."""
        return parse_migration_market_name(self.name)[1]

    @property
    def term(self) -> tuple[datetime, datetime]:
        """The period whose allocated CRRs the migration moves."""
        return month_term(self.year, self.month) if self.month else year_term(self.year)

    @property
    def process(self) -> MarketKey:
        """The allocation process the migration adjusts."""
        period = Period.MONTHLY if self.month else Period.ANNUAL
        return MarketKey(MarketType.ALLOCATION, period, self.year, self.month, Tier.T1)

    def to_dict(self) -> dict:
        """The ``LoadMigrationMarket`` schema (PUBLISHED shows as CLOSED, with its post time)."""
        record = {"marketName": self.name} | self.window.shown()
        if self.window.published_at is not None:
            record["resultsPostedAt"] = format_utc(self.window.published_at)
        return record


@dataclass(frozen=True, slots=True)
class MigrationRecord:
    """Customers moving from one LSE to another at a sink."""

    from_lse: str
    to_lse: str
    sink: str
    customer_count: int
    migrated_mw: float
    effective: datetime
    customer_rate: str | None = None

    def to_dict(self) -> dict:
        """The ``LoadMigrationRecord`` schema."""
        record: dict = {
            "fromLse": self.from_lse,
            "toLse": self.to_lse,
            "sink": self.sink,
            "customerCount": self.customer_count,
            "migratedLoadMw": self.migrated_mw,
            "effectiveDate": format_utc(self.effective),
        }
        if self.customer_rate is not None:
            record["customerRate"] = self.customer_rate
        return record


@dataclass(slots=True)
class UdcSubmission:
    """One UDC submission to a load migration market."""

    submission_id: str
    participant: str
    market_name: str
    submitted_at: datetime
    records: tuple[MigrationRecord, ...]
    status: SubmissionStatus = SubmissionStatus.SUBMITTED

    def status_view(self) -> dict:
        """The ``UDCSubmissionStatus`` schema."""
        return {
            "submissionId": self.submission_id,
            "participantName": self.participant,
            "marketName": self.market_name,
            "status": str(self.status),
            "submittedAt": format_utc(self.submitted_at),
            "recordCount": len(self.records),
        }

    def to_dict(self) -> dict:
        """The ``UDCSubmission`` schema."""
        return self.status_view() | {"records": [r.to_dict() for r in self.records]}


class LoadMigration:
    """Load migration markets, UDC submissions and posted results."""

    def __init__(
        self,
        participants: ParticipantBook,
        locations: LocationBook,
        holdings: Holdings,
        ids: IdCounters,
        max_records: int,
    ) -> None:
        self._participants = participants
        self._locations = locations
        self._holdings = holdings
        self._ids = ids
        self._max_records = max_records
        """Records in one submission at most (the spec's ``maxItems``, SER0030)."""
        self._markets: dict[str, LoadMigrationMarket] = {}
        self._submissions: dict[str, UdcSubmission] = {}

    def add_market(self, market: LoadMigrationMarket) -> None:
        """Set up a load migration market."""
        if market.name in self._markets:
            raise DomainError("SER0002", f"Market {market.name} exists.", "marketName")
        self._markets[market.name] = market

    def market(self, name: object) -> LoadMigrationMarket:
        """The market called ``name``; LMV1003 when it does not exist."""
        parse_migration_market_name(name)
        market = self._markets.get(str(name))
        if market is None:
            raise DomainError(
                "LMV1003", f"Load migration market {name!r} does not exist.", "marketName"
            )
        return market

    def markets(self, status: str | None = None) -> list[LoadMigrationMarket]:
        """Markets, latest open time first, optionally of one status."""
        return latest_first(self._markets.values(), status, "market")

    def submit(
        self, participant_name: str, market_name: str, records: object, now: datetime
    ) -> UdcSubmission:
        """A UDC submits the migrations in its area; replaces its earlier submission."""
        participant = self._participants.get(participant_name)
        market = self.market(market_name)
        if not market.window.is_open:
            raise DomainError(
                "LMV1004",
                f"Load migration market {market.name} is {market.window.status}, not OPEN.",
                "marketName",
            )
        if not participant.is_a(ParticipantKind.UDC):
            raise DomainError("LMV1001", f"{participant.name} is not a UDC.", "participantName")
        records = require_items(records, "migration_records", self._max_records)
        parsed = self._parse(records)
        for earlier in self._submissions.values():
            if (
                earlier.participant == participant.name
                and earlier.market_name == market.name
                and earlier.status is SubmissionStatus.SUBMITTED
            ):
                earlier.status = SubmissionStatus.REJECTED
        submission = UdcSubmission(
            submission_id=f"LMS-{now:%Y%m%d}-{self._ids.next('lm_submission'):04d}",
            participant=participant.name,
            market_name=market.name,
            submitted_at=now,
            records=parsed,
        )
        self._submissions[submission.submission_id] = submission
        return submission

    def _parse(self, records: list) -> tuple[MigrationRecord, ...]:
        found = FindingCollector()
        parsed: list[MigrationRecord] = []
        keys = ("fromLse", "toLse", "sink", "customerCount", "migratedLoadMw", "effectiveDate")
        for i, raw in enumerate(records):
            where = f"records[{i}]"
            if not isinstance(raw, dict) or any(k not in raw for k in keys):
                found.add("SER0001", f"A record needs {', '.join(keys)}.", where)
                continue
            unknown = [
                f"{raw[k]!r}"
                for k in ("fromLse", "toLse")
                if (p := self._participants.find(raw[k])) is None or not p.is_a(ParticipantKind.LSE)
            ]
            location = self._locations.find(raw["sink"])
            if location is None or not location.is_load_zone:
                unknown.append(f"sink {raw['sink']!r}")
            if unknown:
                found.add("LMV1002", f"Unknown LSE or sink: {', '.join(unknown)}.", where)
                continue
            if raw["fromLse"] == raw["toLse"]:
                found.add("SER0002", "fromLse and toLse must differ.", where)
                continue
            count, mw = raw["customerCount"], raw["migratedLoadMw"]
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                found.add("SER0002", "customerCount must be an integer of at least 1.", where)
                continue
            if not is_finite_number(mw) or mw <= 0:
                found.add("SER0002", "migratedLoadMw must be above zero.", where)
                continue
            rate = raw.get("customerRate")
            if rate is not None and not isinstance(rate, str):
                found.add("SER0002", "customerRate must be a string.", where)
                continue
            try:
                effective = parse_utc(raw["effectiveDate"], f"{where}.effectiveDate")
            except DomainError as error:
                found.add(error.code, error.message, error.field)
                continue
            parsed.append(
                MigrationRecord(
                    raw["fromLse"], raw["toLse"], raw["sink"], count, float(mw), effective, rate
                )
            )
        found.raise_if_any()
        return tuple(parsed)

    def close(self, market_name: str) -> None:
        """The window closed: each UDC's latest submission is ACCEPTED."""
        for submission in self._submissions.values():
            if (
                submission.market_name == market_name
                and submission.status is SubmissionStatus.SUBMITTED
            ):
                submission.status = SubmissionStatus.ACCEPTED

    def post_results(self, market_name: str, load_metric: LoadMetric) -> list[dict]:
        """Compute net migration and the CRR adjustments; create the LSE_LMT CRRs."""
        market = self.market(market_name)
        accepted = [
            s
            for k, s in sorted(self._submissions.items())
            if s.market_name == market.name and s.status is SubmissionStatus.ACCEPTED
        ]
        net: dict[tuple[str, str], float] = {}
        udc_net: dict[tuple[str, str, str], float] = {}
        adjustments: list[dict] = []
        udcs: dict[str, str] = {}
        term_start, term_end = market.term
        for submission in accepted:
            udc = submission.participant
            for record in submission.records:
                for lse, mw in (
                    (record.to_lse, record.migrated_mw),
                    (record.from_lse, -record.migrated_mw),
                ):
                    net[(lse, record.sink)] = net.get((lse, record.sink), 0.0) + mw
                    udc_net[(udc, lse, record.sink)] = (
                        udc_net.get((udc, lse, record.sink), 0.0) + mw
                    )
                moved = self._move_crrs(market, record, term_start, term_end, load_metric)
                udcs.update((a["crrId"], udc) for a in moved)
                adjustments += moved
        market.net = {k: round(v, 6) for k, v in sorted(net.items())}
        market.udc_net = {k: round(v, 6) for k, v in sorted(udc_net.items())}
        market.adjustments = adjustments
        market.adjustment_udcs = udcs
        return adjustments

    def _move_crrs(
        self,
        market: LoadMigrationMarket,
        record: MigrationRecord,
        term_start: datetime,
        term_end: datetime,
        load_metric: LoadMetric,
    ) -> list[dict]:
        start = max(term_start, record.effective)
        moved: list[dict] = []
        for crr in self._holdings.owned_by(record.from_lse):
            if (
                crr.crr_type is not CrrType.LSE
                or crr.sink != record.sink
                or not crr.overlaps(start, term_end)
            ):
                continue
            metric = load_metric(record.from_lse, record.sink, crr.time_of_use, market.process)
            if metric <= 0:
                continue
            mw = round(crr.mw * min(1.0, record.migrated_mw / metric), 6)
            if mw <= 0:
                continue
            begin, end = max(start, crr.start), min(term_end, crr.end)
            for lse, source, sink, kind in (
                (record.to_lse, crr.source, crr.sink, "TRANSFERRED"),
                (record.from_lse, crr.sink, crr.source, "COUNTER_FLOW"),
            ):
                share = replace(crr, source=source, sink=sink, mw=mw, start=begin, end=end)
                created = self._holdings.issue(lse, share, LOAD_MIGRATION_ORIGIN)
                moved.append(
                    {
                        "lse": lse,
                        "crrId": created.crr_id,
                        "crrType": str(CrrType.LSE_LMT),
                        "adjustmentType": kind,
                        "source": source,
                        "sink": sink,
                        "mw": mw,
                        "timeOfUse": str(crr.time_of_use),
                        "startDate": format_utc(begin),
                        "endDate": format_utc(end),
                        "migratedSink": record.sink,
                    }
                )
        return moved

    def net_migration(self, lse: str, sink: str, process: MarketKey) -> float:
        """Net MW migrated to ``lse`` at ``sink`` in posted markets of ``process``."""
        total = 0.0
        for market in self._markets.values():
            if market.window.status is not WindowStatus.PUBLISHED:
                continue
            key = market.process
            if (key.period, key.year, key.month) == (process.period, process.year, process.month):
                total += market.net.get((lse, sink), 0.0)
        return total

    # -- queries --------------------------------------------------------------------

    def submission(self, participant_name: str, submission_id: object) -> dict:
        """The UDC's own submission; SER0028 for an unknown ID or someone else's."""
        participant = self._participants.get(participant_name)
        found = self._submissions.get(submission_id) if isinstance(submission_id, str) else None
        if found is None or found.participant != participant.name:
            raise DomainError(
                "SER0028", f"Submission {submission_id!r} was not found.", "submissionId"
            )
        return found.to_dict()

    def result(self, participant_name: str, market_name: str) -> dict:
        """The posted results that concern the participant (empty lists until posted)."""
        participant = self._participants.get(participant_name)
        market = self.market(market_name)
        posted = market.window.status is WindowStatus.PUBLISHED
        body: dict = {
            "marketName": market.name,
            "participantName": participant.name,
            "netMigrations": [
                {"lse": lse, "sink": sink, "netMigratedMw": mw}
                for (lse, sink), mw in market.net.items()
                if posted and lse == participant.name
            ],
            "crrAdjustments": [
                {k: v for k, v in a.items() if k != "migratedSink"}
                for a in market.adjustments
                if posted and a["lse"] == participant.name
            ],
        }
        if posted and market.window.published_at is not None:
            body["postedAt"] = format_utc(market.window.published_at)
        return body

    def all_markets(self) -> list[LoadMigrationMarket]:
        """Every market, by name."""
        return by_id(self._markets)

    def snapshot(self) -> dict:
        """Markets, submissions and results as plain data."""
        return {
            "markets": [
                m.to_dict()
                | {
                    "window": m.window.to_dict(),
                    "net": [
                        {"lse": lse, "sink": sink, "netMigratedMw": mw}
                        for (lse, sink), mw in m.net.items()
                    ],
                    "adjustments": m.adjustments,
                }
                for m in self.all_markets()
            ],
            "submissions": [s.to_dict() for s in by_id(self._submissions)],
        }
