"""Nomination caps: the eligible quantities an LSE may nominate, derived from its load.

CAISO's exact percentages are in the BPM for CRR, which is not public; the
defaults in :class:`CapParameters` are the commonly cited figures
(DOMAIN.md section 1.3) and are **unverified**. Every figure is per
participant x sink x time of use (x season for the annual process).

Load metric and adjustments (both processes):

- ``LoadMetric``: the participant's peak accepted load at the sink for the
  process (:meth:`LoadBook.load_metric`: forecast before historical; records
  effective in the season or month when there are any).
- ``TransmissionOwnershipRights`` / ``ExistingTransmissionContractRights``:
  MW of TOR / ETC CRRs the participant holds at the sink over the period.
- ``LoadMigrationAdjust``: net load migrated to (+) or from (-) the
  participant at the sink, from posted load migration results.
- ``AdjustedLoadMetric = max(0, LoadMetric + LoadMigrationAdjust - TOR - ETC)``.

Annual process, per season (calendar quarter):

- ``SEQ = seq_share x AdjustedLoadMetric``.
- Upper bound for Tier 1 (PNP): ``min(pnp_share_of_seq x SEQ, PreviousYearCRRs
  + ExpiringLongTermPNP)`` less ``LongTermCRRs`` held, not below 0. A
  participant with no allocated CRRs last year (first year) is bounded by
  ``pnp_share_of_seq x SEQ`` only.
- Tier caps: T1 = min(SEQ, upper bound); LT = ``lt_share_of_seq x SEQ`` less
  LT CRRs held; T2 and T3 = SEQ less what earlier tiers of the year awarded.
  An annual nomination is for every season, so its cap is the least over the
  four seasons.

Monthly process:

- ``MEQ = meq_share x AdjustedLoadMetric - SeasonalCRRs - LongTermCRRs -
  LoadMigrationCRRs`` held for the month, not below 0.
- Tier caps: T1 = ``monthly_t1_share_of_meq x MEQ``; T2 = MEQ less what
  earlier tiers of the month awarded.

ETC tiers are not capped: ETC rights are fixed by contract.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from reference_impl.engine.holdings import CRR, CrrType, Holdings, MarketTerm
from reference_impl.engine.load import LoadBook
from reference_impl.engine.markets import (
    ANNUAL_TIERS,
    MONTHLY_TIERS,
    SUB_MARKETS,
    Market,
    MarketKey,
    MarketType,
    Period,
    Tier,
    TimeOfUse,
)
from reference_impl.engine.pacific_time import month_term, season_term, year_term
from reference_impl.engine.participants import Participant, ParticipantKind

__all__ = ["SEASONS", "CapCalculator", "CapParameters", "NominationCap"]

SEASONS = (1, 2, 3, 4)

NetMigration = Callable[[str, str, MarketKey], float]
"""(participant, sink, process) -> net migrated MW posted for that process."""


@dataclass(frozen=True, slots=True)
class CapParameters:
    """The percentages of the cap rules; defaults are commonly cited and unverified."""

    seq_share: float = 0.75
    pnp_share_of_seq: float = 2.0 / 3.0
    lt_share_of_seq: float = 0.50
    meq_share: float = 1.0
    monthly_t1_share_of_meq: float = 0.50


@dataclass(frozen=True, slots=True)
class NominationCap:
    """How many MW a participant may nominate to a sink in a time of use in one tier."""

    participant: str
    market_name: str
    tier: Tier
    sink: str
    time_of_use: TimeOfUse
    cap_mw: float | None

    def to_dict(self) -> dict:
        """The cap as plain data (``capMw`` null: uncapped)."""
        return {
            "participantName": self.participant,
            "marketName": self.market_name,
            "tier": str(self.tier),
            "sink": self.sink,
            "timeOfUse": str(self.time_of_use),
            "capMw": self.cap_mw,
        }


def _mw(crrs: list[CRR]) -> float:
    return round(math.fsum(c.mw for c in crrs), 6)


class CapCalculator:
    """Computes SEQ, MEQ, upper bounds and tier caps from load data and holdings."""

    def __init__(
        self,
        load: LoadBook,
        holdings: Holdings,
        net_migration: NetMigration,
        parameters: CapParameters | None = None,
    ) -> None:
        self._load = load
        self._holdings = holdings
        self._net_migration = net_migration
        self.parameters = parameters or CapParameters()

    # -- building blocks ------------------------------------------------------

    def _held(
        self,
        participant: str,
        sink: str,
        tou: TimeOfUse,
        period: tuple[datetime, datetime],
        keep: Callable[[CRR], bool],
    ) -> list[CRR]:
        return [
            c
            for c in self._holdings.owned_by(participant)
            if c.sink == sink and c.time_of_use is tou and c.overlaps(*period) and keep(c)
        ]

    def _migration_crrs(
        self, participant: str, sink: str, tou: TimeOfUse, period: tuple[datetime, datetime]
    ) -> float:
        lmt = [
            c
            for c in self._holdings.owned_by(participant)
            if c.crr_type is CrrType.LSE_LMT and c.time_of_use is tou and c.overlaps(*period)
        ]
        gained = math.fsum(c.mw for c in lmt if c.sink == sink)
        offset = math.fsum(c.mw for c in lmt if c.source == sink)
        return round(gained - offset, 6)

    def _adjusted(
        self, participant: str, sink: str, tou: TimeOfUse, process: MarketKey, period: tuple
    ) -> dict:
        metric = self._load.load_metric(participant, sink, tou, process, period)
        migration = round(self._net_migration(participant, sink, process), 6)
        tor = _mw(self._held(participant, sink, tou, period, lambda c: c.crr_type is CrrType.TOR))
        etc = _mw(self._held(participant, sink, tou, period, lambda c: c.crr_type is CrrType.ETC))
        return {
            "LoadMetric": metric,
            "LoadMigrationAdjust": migration,
            "TransmissionOwnershipRights": tor,
            "ExistingTransmissionContractRights": etc,
            "AdjustedLoadMetric": round(max(0.0, metric + migration - tor - etc), 6),
        }

    def _long_term(self, participant: str, sink: str, tou: TimeOfUse, period: tuple) -> float:
        return _mw(self._held(participant, sink, tou, period, _is_long_term))

    # -- annual -----------------------------------------------------------------

    def seq(self, participant: Participant, year: int) -> list[dict]:
        """CRRSEQResult rows: one per load location, time of use and season."""
        process = MarketKey(MarketType.ALLOCATION, Period.ANNUAL, year, None, Tier.T1)
        rows = []
        for sink in _sinks(participant):
            for tou in SUB_MARKETS:
                for season in SEASONS:
                    period = season_term(year, season)
                    base = self._adjusted(participant.name, sink, tou, process, period)
                    row = {"Season": season, "Sink": sink, "TimeOfUse": str(tou), **base}
                    row["LongTermCRRs"] = self._long_term(participant.name, sink, tou, period)
                    row["LoadMigrationCRRs"] = self._migration_crrs(
                        participant.name, sink, tou, period
                    )
                    row["SeasonalEligibleQuantity"] = round(
                        self.parameters.seq_share * base["AdjustedLoadMetric"], 6
                    )
                    rows.append(row)
        return rows

    def upper_bound(self, participant: Participant, year: int) -> list[dict]:
        """CRRUpperBoundResult rows: the Tier 1 (PNP) bound per sink, time of use and season."""
        rows = []
        seq = {(r["Sink"], r["TimeOfUse"], r["Season"]): r for r in self.seq(participant, year)}
        this_year_start = year_term(year)[0]
        for (sink, tou_text, season), seq_row in seq.items():
            tou = TimeOfUse.sub_market(tou_text)
            last = season_term(year - 1, season)
            previous = _mw(
                self._held(
                    participant.name,
                    sink,
                    tou,
                    last,
                    lambda c, y=year - 1: _is_annual_allocation(c, y) and not _is_long_term(c),
                )
            )
            expiring = _mw(
                self._held(
                    participant.name,
                    sink,
                    tou,
                    last,
                    lambda c, start=this_year_start: _is_long_term(c) and c.end <= start,
                )
            )
            share = self.parameters.pnp_share_of_seq * seq_row["SeasonalEligibleQuantity"]
            base = min(share, previous + expiring) if previous + expiring > 0 else share
            bound = max(0.0, base - seq_row["LongTermCRRs"])
            rows.append(
                {
                    "Season": season,
                    "Sink": sink,
                    "TimeOfUse": tou_text,
                    "PreviousYearCRRs": previous,
                    "ExpiringLongTermPNP": expiring,
                    "LongTermCRRs": seq_row["LongTermCRRs"],
                    "LoadMigrationCRRs": seq_row["LoadMigrationCRRs"],
                    "UpperBound": round(bound, 6),
                }
            )
        return rows

    # -- monthly ----------------------------------------------------------------

    def meq(self, participant: Participant, year: int, month: int) -> list[dict]:
        """CRRMEQResult rows: one per load location and time of use."""
        process = MarketKey(MarketType.ALLOCATION, Period.MONTHLY, year, month, Tier.T1)
        period = month_term(year, month)
        rows = []
        for sink in _sinks(participant):
            for tou in SUB_MARKETS:
                base = self._adjusted(participant.name, sink, tou, process, period)
                seasonal = _mw(
                    self._held(
                        participant.name,
                        sink,
                        tou,
                        period,
                        lambda c: c.market_term is MarketTerm.SEASONAL and not _is_long_term(c),
                    )
                )
                long_term = self._long_term(participant.name, sink, tou, period)
                migration = self._migration_crrs(participant.name, sink, tou, period)
                meq = self.parameters.meq_share * base["AdjustedLoadMetric"]
                meq = max(0.0, meq - seasonal - long_term - migration)
                rows.append(
                    {
                        "Sink": sink,
                        "TimeOfUse": str(tou),
                        "LoadMetric": base["LoadMetric"],
                        "TransmissionOwnershipRights": base["TransmissionOwnershipRights"],
                        "ExistingTransmissionContractRights": base[
                            "ExistingTransmissionContractRights"
                        ],
                        "AdjustedLoadMetric": base["AdjustedLoadMetric"],
                        "SeasonalCRRs": seasonal,
                        "LongTermCRRs": long_term,
                        "LoadMigrationCRRs": migration,
                        "MonthlyEligibleQuantity": round(meq, 6),
                    }
                )
        return rows

    # -- tier caps ----------------------------------------------------------------

    def tier_caps(self, participant: Participant, market: Market) -> list[NominationCap]:
        """The cap of every sink and time of use of ``participant`` in allocation ``market``."""
        key = market.key
        if key.market_type is not MarketType.ALLOCATION or key.tier is None:
            return []
        if key.tier is Tier.ETC:
            return [
                NominationCap(participant.name, market.name, key.tier, sink, tou, None)
                for sink in _sinks(participant)
                for tou in SUB_MARKETS
            ]
        if key.period is Period.MONTHLY:
            return self._monthly_caps(participant, market)
        return self._annual_caps(participant, market)

    def _earlier_awards(
        self, participant: str, sink: str, tou: TimeOfUse, market: Market, period: tuple
    ) -> float:
        order = _tier_order(market.key.period)
        earlier = {
            MarketKey(
                MarketType.ALLOCATION, market.key.period, market.key.year, market.key.month, t
            ).name
            for t in order[: order.index(market.key.tier)]
            if t is not Tier.ETC
        }
        return _mw(self._held(participant, sink, tou, period, lambda c: c.market_name in earlier))

    def _monthly_caps(self, participant: Participant, market: Market) -> list[NominationCap]:
        key = market.key
        period = month_term(key.year, key.month or 1)
        caps = []
        for row in self.meq(participant, key.year, key.month or 1):
            tou = TimeOfUse.sub_market(row["TimeOfUse"])
            meq = row["MonthlyEligibleQuantity"]
            if key.tier is Tier.T1:
                cap = self.parameters.monthly_t1_share_of_meq * meq
            else:
                cap = meq - self._earlier_awards(participant.name, row["Sink"], tou, market, period)
            caps.append(
                NominationCap(
                    participant.name,
                    market.name,
                    key.tier,
                    row["Sink"],
                    tou,
                    round(max(cap, 0.0), 6),
                )
            )
        return caps

    def _annual_caps(self, participant: Participant, market: Market) -> list[NominationCap]:
        key = market.key
        seq = {(r["Sink"], r["TimeOfUse"], r["Season"]): r for r in self.seq(participant, key.year)}
        bound = {
            (r["Sink"], r["TimeOfUse"], r["Season"]): r["UpperBound"]
            for r in (self.upper_bound(participant, key.year) if key.tier is Tier.T1 else [])
        }
        least: dict[tuple[str, str], float] = {}
        for (sink, tou_text, season), row in seq.items():
            amount = row["SeasonalEligibleQuantity"]
            if key.tier is Tier.T1:
                cap = min(amount, bound[(sink, tou_text, season)])
            elif key.tier is Tier.LT:
                cap = self.parameters.lt_share_of_seq * amount - row["LongTermCRRs"]
            else:
                period = season_term(key.year, season)
                cap = amount - self._earlier_awards(
                    participant.name, sink, TimeOfUse.sub_market(tou_text), market, period
                )
            slot = (sink, tou_text)
            least[slot] = min(least.get(slot, math.inf), max(cap, 0.0))
        return [
            NominationCap(
                participant.name,
                market.name,
                key.tier,
                sink,
                TimeOfUse.sub_market(tou),
                round(value, 6),
            )
            for (sink, tou), value in sorted(least.items())
        ]


def _sinks(participant: Participant) -> list[str]:
    return sorted(participant.load_locations) if participant.is_a(ParticipantKind.LSE) else []


def _tier_order(period: Period) -> tuple[Tier, ...]:
    return ANNUAL_TIERS if period is Period.ANNUAL else MONTHLY_TIERS


def _is_long_term(crr: CRR) -> bool:
    return crr.market_name.startswith("ALLOC_AN_") and crr.market_name.endswith("_LT")


def _is_annual_allocation(crr: CRR, year: int) -> bool:
    return crr.market_name.startswith(f"ALLOC_AN_{year:04d}_") and crr.crr_type in (
        CrrType.LSE,
        CrrType.LSE_LMT,
    )
