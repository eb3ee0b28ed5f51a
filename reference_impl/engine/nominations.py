"""Nomination portfolios: what LSEs ask for in the allocation markets.

Only load-serving entities nominate (NOM0002). A nomination is
``{source, sink, timeOfUse, mw}`` (plus an optional priority): the sink must
be one of the LSE's load locations and a listed sink for the market, the
source a listed source, the two different (POR0005, POR0006, POR0010), the
time of use one the market clears (POR0011) and the MW above zero (POR0007).
The nominations of a portfolio, added to those of the participant's other
submitted portfolios in the market, must stay within the participant's cap
for each sink and time of use in the market's tier (NOM0001; see
:mod:`~reference_impl.engine.caps`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from reference_impl.engine.clearing.records import Nomination as ClearingNomination
from reference_impl.engine.errors import DomainError, Finding, FindingCollector
from reference_impl.engine.identifiers import IdCounters
from reference_impl.engine.locations import LocationBook, MarketTerm
from reference_impl.engine.markets import SUB_MARKETS, Market, MarketBook, MarketType, TimeOfUse
from reference_impl.engine.participants import Participant, ParticipantBook, ParticipantKind
from reference_impl.engine.portfolio_lifecycle import (
    PortfolioBase,
    PortfolioOperations,
    PortfolioStatus,
    check_record_count,
)
from reference_impl.engine.quantities import is_finite_number

__all__ = [
    "CapLookup",
    "NominationPortfolio",
    "NominationPortfolios",
    "NominationRecord",
]

CapLookup = Callable[[Participant, Market], dict[tuple[str, TimeOfUse], float | None]]
"""(participant, market) -> cap in MW per (sink, time of use); None: uncapped."""

_NOMINATION_ID = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


@dataclass(frozen=True, slots=True)
class NominationRecord:
    """One nomination as stored."""

    nomination_id: str
    source: str
    sink: str
    time_of_use: TimeOfUse
    mw: float
    priority: int | None = None

    def to_dict(self, awarded_mw: float = 0.0) -> dict:
        """The ``Nomination`` schema."""
        record: dict = {
            "nominationId": self.nomination_id,
            "source": self.source,
            "sink": self.sink,
            "timeOfUse": str(self.time_of_use),
            "mw": self.mw,
            "awardedMw": awarded_mw,
        }
        if self.priority is not None:
            record["priority"] = self.priority
        return record


@dataclass(slots=True, kw_only=True)
class NominationPortfolio(PortfolioBase):
    """A nomination portfolio and, once results are published, its awards."""

    nominations: tuple[NominationRecord, ...] = ()
    awards: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The ``NominationPortfolio`` schema."""
        body = self.header()
        body["nominations"] = [
            n.to_dict(self.awards.get(n.nomination_id, 0.0)) for n in self.nominations
        ]
        return body

    def summary(self) -> dict:
        """The ``PortfolioSummary`` schema."""
        return {
            "portfolioName": self.name,
            "marketName": self.market_name,
            "status": str(self.status),
            "nominationCount": len(self.nominations),
            "updatedAt": self.header()["updatedAt"],
        }

    def clearing_nominations(self) -> list[ClearingNomination]:
        """The nominations as the clearing module takes them (IDs unique across the market)."""
        return [
            ClearingNomination(
                nomination_id=f"{self.portfolio_id}/{n.nomination_id}",
                participant=self.participant,
                source=n.source,
                sink=n.sink,
                time_of_use=str(n.time_of_use),
                mw=n.mw,
            )
            for n in self.nominations
        ]


class NominationPortfolios(PortfolioOperations[NominationPortfolio]):
    """The nomination portfolio operations; every query is scoped to the requesting participant."""

    market_type = MarketType.ALLOCATION
    id_prefix = "NP"
    submit_code = "NOM0128"
    retract_code = "POR0013"

    def __init__(
        self,
        markets: MarketBook,
        participants: ParticipantBook,
        locations: LocationBook,
        ids: IdCounters,
        caps: CapLookup,
        max_records: int,
    ) -> None:
        super().__init__(markets, participants, ids, "nomination")
        self._locations = locations
        self._caps = caps
        self._max_records = max_records
        """Nominations in one portfolio at most (the spec's ``maxItems``, SER0030)."""

    def _lse(self, participant_name: str) -> Participant:
        participant = self._participants.get(participant_name)
        if not participant.is_a(ParticipantKind.LSE):
            raise DomainError(
                "NOM0002",
                f"{participant.name} is not a load-serving entity and cannot nominate.",
                "participantName",
            )
        return participant

    def _parse(
        self, participant: Participant, market: Market, raw_nominations: object
    ) -> tuple[NominationRecord, ...]:
        if not isinstance(raw_nominations, list):
            raise DomainError("SER0001", "A portfolio needs a list of nominations.", "nominations")
        check_record_count(len(raw_nominations), "nominations", self._max_records, one="nomination")
        found = FindingCollector()
        term = MarketTerm(market.name, market.start_date, market.end_date)
        parsed: list[NominationRecord] = []
        seen: set[str] = set()
        for i, where, raw in found.records(
            raw_nominations, "nominations", "A nomination", ("source", "sink", "timeOfUse", "mw")
        ):
            nomination_id = raw.get("nominationId", f"N{i + 1:04d}")
            if not isinstance(nomination_id, str) or not _NOMINATION_ID.match(nomination_id):
                found.add("SER0002", f"Invalid nomination ID {nomination_id!r}.", where)
                continue
            if nomination_id in seen:
                found.add("SER0002", f"Nomination ID {nomination_id} appears twice.", where)
                continue
            seen.add(nomination_id)
            priority = raw.get("priority")
            if priority is not None and (
                not isinstance(priority, int) or isinstance(priority, bool)
            ):
                found.add("SER0002", "priority must be an integer.", f"{where}.priority")
                continue
            bad = len(found.findings)
            for finding in self._locations.check_path(raw["source"], raw["sink"], term, where):
                found.add(finding.code, finding.message, finding.field)
            if len(found.findings) == bad and not participant.serves(raw["sink"]):
                found.add(
                    "POR0005",
                    f"{raw['sink']} is not a load location of {participant.name}.",
                    f"{where}.sink",
                )
            tou = raw["timeOfUse"]
            if tou not in SUB_MARKETS or TimeOfUse.sub_market(tou) not in market.times_of_use:
                found.add(
                    "POR0011",
                    f"Time of use {tou!r} is not valid in {market.name}.",
                    f"{where}.timeOfUse",
                )
            mw = raw["mw"]
            if not is_finite_number(mw):
                found.add("SER0002", "mw must be a finite number.", f"{where}.mw")
            elif mw <= 0:
                found.add(
                    "POR0007", f"Nominated MW must be greater than zero; got {mw}.", f"{where}.mw"
                )
            if len(found.findings) > bad:
                continue
            parsed.append(
                NominationRecord(
                    nomination_id,
                    raw["source"],
                    raw["sink"],
                    TimeOfUse.sub_market(tou),
                    float(mw),
                    priority,
                )
            )
        found.raise_if_any()
        return tuple(parsed)

    def _cap_findings(
        self,
        participant: Participant,
        market: Market,
        nominations: list[NominationRecord],
    ) -> list[Finding]:
        caps = self._caps(participant, market)
        totals: dict[tuple[str, TimeOfUse], float] = {}
        for n in nominations:
            totals[(n.sink, n.time_of_use)] = totals.get((n.sink, n.time_of_use), 0.0) + n.mw
        findings = []
        for (sink, tou), total in sorted(totals.items()):
            cap = caps.get((sink, tou), 0.0)
            if cap is not None and total > cap + 1e-9:
                findings.append(
                    Finding(
                        "NOM0001",
                        f"Nominations to {sink} {tou} total {total:g} MW, above the "
                        f"{market.key.tier} cap of {cap:g} MW.",
                        "nominations",
                    )
                )
        return findings

    # -- operations ---------------------------------------------------------------

    def create(
        self,
        participant_name: str,
        market_name: str,
        portfolio_name: str,
        nominations: object,
        now: datetime,
    ) -> NominationPortfolio:
        """Check and store a new portfolio (status CREATED)."""
        market = self._market(market_name)
        participant = self._lse(participant_name)
        name = self._unused_name(participant.name, market, portfolio_name)
        parsed = self._parse(participant, market, nominations)
        findings = self._cap_findings(participant, market, list(parsed))
        if findings:
            raise DomainError.from_findings(findings)
        return self._add_new(
            NominationPortfolio, name, market, participant.name, now, nominations=parsed
        )

    def submit(
        self, participant_name: str, market_name: str, portfolio_name: object, now: datetime
    ) -> NominationPortfolio:
        """Submit: window open, status, locations still biddable, caps with the other submitted."""
        portfolio, market = self._submittable(participant_name, market_name, portfolio_name)
        participant = self._participants.get(participant_name)
        term = MarketTerm(market.name, market.start_date, market.end_date)
        findings = [
            f
            for i, n in enumerate(portfolio.nominations)
            for f in self._locations.check_path(n.source, n.sink, term, f"nominations[{i}]")
        ]
        submitted = [
            n
            for p in self.book.of_market(market.name, PortfolioStatus.SUBMITTED)
            if p.participant == participant.name
            for n in p.nominations
        ]
        findings += self._cap_findings(participant, market, [*submitted, *portfolio.nominations])
        if findings:
            raise DomainError.from_findings(findings)
        portfolio.set_status(PortfolioStatus.SUBMITTED, now)
        return portfolio

    def summaries(self, participant_name: str, market_name: str | None) -> list[dict]:
        """The participant's portfolios, optionally of one allocation market."""
        return [p.summary() for p in self._of_participant(participant_name, market_name)]
