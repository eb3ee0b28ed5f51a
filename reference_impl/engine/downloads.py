"""Market data downloads: the ``data`` of each download type, built from the engine's state.

Public downloads (existing CRRs, public auction and allocation results, the
source and sink list) are the same for everyone and carry no participant's
private data: the existing CRRs list leaves the owner out. Private downloads
(private auction and allocation results, load data, SEQ, MEQ and upper
bounds) are built for the requesting participant only. Field names follow
the JSON Schemas in ``specs/schemas/``. An unknown download type is MDT0001;
results not yet published, or a type this engine does not produce, MDT0002.
"""

from __future__ import annotations

from datetime import datetime

from reference_impl.engine.caps import CapCalculator
from reference_impl.engine.clearing_runs import MarketResults
from reference_impl.engine.clock import format_utc
from reference_impl.engine.errors import DomainError
from reference_impl.engine.holdings import Holdings
from reference_impl.engine.load import LoadBook
from reference_impl.engine.locations import LocationBook
from reference_impl.engine.markets import Market, MarketBook, Period
from reference_impl.engine.participants import ParticipantBook
from reference_impl.engine.windows import WindowStatus

__all__ = ["PRIVATE_TYPES", "PUBLIC_TYPES", "RESTRICTED_TYPES", "Downloads"]

PUBLIC_TYPES = (
    "CRRExistingCRRs",
    "CRRPublicAuctionResult",
    "CRRPublicAllocationResult",
    "CRRSourceandSinkNameMapping",
)
PRIVATE_TYPES = (
    "CRRPrivateAuction",
    "CRRPrivateAllocation",
    "CRRTorConversionRequest",
    "CRRLoadMigrationResult",
    "CRRHistoricalForecastLoad",
    "CRRSecondaryMarketOffer",
    "CRRSecondaryMarketResponse",
    "CRRMEQResult",
    "CRRSEQResult",
    "CRRUpperBoundResult",
)
RESTRICTED_TYPES = ("CRRResource",)


class Downloads:
    """Builds download payloads; private ones only for the participant asking."""

    def __init__(
        self,
        markets: MarketBook,
        participants: ParticipantBook,
        locations: LocationBook,
        holdings: Holdings,
        caps: CapCalculator,
        load: LoadBook,
        results: dict[str, MarketResults],
    ) -> None:
        self._markets = markets
        self._participants = participants
        self._locations = locations
        self._holdings = holdings
        self._caps = caps
        self._load = load
        self._results = results

    def build(
        self,
        download_type: str,
        market_name: str,
        participant_name: str | None,
        now: datetime,
    ) -> dict:
        """The ``data`` of one download."""
        if download_type not in (*PUBLIC_TYPES, *PRIVATE_TYPES, *RESTRICTED_TYPES):
            raise DomainError(
                "MDT0001", f"Download type {download_type!r} is unknown.", "downloadType"
            )
        market = self._markets.get(market_name)
        head = {"MarketName": market.name, "GeneratedAt": format_utc(now)}
        if download_type in PRIVATE_TYPES:
            if participant_name is None:
                raise DomainError(
                    "SER0001", "A private download names the participant.", "participantName"
                )
            participant = self._participants.get(participant_name).name
            head["ParticipantName"] = participant
        builder = {
            "CRRExistingCRRs": lambda: self._existing(market),
            "CRRSourceandSinkNameMapping": lambda: self._source_sink(market),
            "CRRPublicAuctionResult": lambda: self._public_auction(market),
            "CRRPublicAllocationResult": lambda: self._public_allocation(market),
            "CRRPrivateAuction": lambda: self._private_auction(market, participant),
            "CRRPrivateAllocation": lambda: self._private_allocation(market, participant),
            "CRRSEQResult": lambda: self._seq(market, participant),
            "CRRUpperBoundResult": lambda: self._upper_bound(market, participant),
            "CRRMEQResult": lambda: self._meq(market, participant),
            "CRRHistoricalForecastLoad": lambda: self._load_data(market, participant),
        }.get(download_type)
        if builder is None:
            raise DomainError(
                "MDT0002",
                f"{download_type} is not available for market {market.name}.",
                "downloadType",
            )
        data = head | builder()
        if download_type == "CRRHistoricalForecastLoad":
            # It covers every load window feeding the market; its schema has no MarketName.
            del data["MarketName"]
        return data

    def _published(self, market: Market) -> MarketResults:
        results = self._results.get(market.name)
        if market.status is not WindowStatus.PUBLISHED or results is None:
            raise DomainError(
                "MDT0002", f"The results of {market.name} are not published yet.", "marketName"
            )
        return results

    def _existing(self, market: Market) -> dict:
        rows = [
            {
                "CrrID": c.crr_id,
                "Source": c.source,
                "Sink": c.sink,
                "MW": c.mw,
                "TimeOfUse": str(c.time_of_use),
                "HedgeType": str(c.hedge_type),
                "MarketTerm": str(c.market_term),
                "StartDate": format_utc(c.start),
                "EndDate": format_utc(c.end),
            }
            | ({"CRRType": str(c.crr_type)} if c.crr_type and str(c.crr_type) != "TER" else {})
            for c in self._holdings
            if c.overlaps(market.start_date, market.end_date)
        ]
        return {"ExistingCRRs": rows}

    def _source_sink(self, market: Market) -> dict:
        rows = []
        for location in self._locations:
            if not location.effective_for(market.start_date, market.end_date):
                continue
            row = {
                "APnodeName": location.name,
                "Type": str(location.role),
                "EffectiveStartDate": format_utc(location.effective_start or market.start_date),
            }
            if location.effective_end:
                row["EffectiveEndDate"] = format_utc(location.effective_end)
            if location.aggregate_of:
                row["AggregateOf"] = list(location.aggregate_of)
            if location.retired_remap_target:
                row["RetiredRemapTarget"] = location.retired_remap_target
            rows.append(row)
        return {"SourceSinkMappings": rows}

    def _term(self, market: Market) -> dict:
        return {"StartDate": format_utc(market.start_date), "EndDate": format_utc(market.end_date)}

    def _public_auction(self, market: Market) -> dict:
        results = self._published(market)
        term = self._term(market)
        prices = [
            {
                "Source": p["source"],
                "Sink": p["sink"],
                "TimeOfUse": p["timeOfUse"],
                "HedgeType": "OBLIGATION",
                **term,
                "ClearingPrice": p["clearingPrice"],
                "AwardedMW": p["awardedMw"],
            }
            for p in results.prices
        ]
        totals = []
        for tou in market.times_of_use:
            buys = [
                a
                for a in results.awards
                if a["timeOfUse"] == tou and a["bidType"] == "BUY" and a["awardedMw"] > 0
            ]
            totals.append(
                {
                    **term,
                    "TimeOfUse": str(tou),
                    "AwardedMW": round(sum(a["awardedMw"] for a in buys), 6),
                    "AwardedCRRCount": len(buys),
                }
            )
        binding = [
            {
                "ConstraintName": b["constraintName"],
                "ConstraintType": b["constraintType"],
                "TimeOfUse": b["timeOfUse"],
                **term,
                "ShadowPrice": b["shadowPrice"],
            }
            | ({"ContingencyName": b["contingencyName"]} if b["contingencyName"] else {})
            for b in results.binding
        ]
        return {"ClearingPrices": prices, "AwardedTotals": totals, "BindingConstraints": binding}

    def _public_allocation(self, market: Market) -> dict:
        results = self._published(market)
        totals = []
        for tou in market.times_of_use:
            rows = [a for a in results.awards if a["timeOfUse"] == tou]
            totals.append(
                {
                    **self._term(market),
                    "TimeOfUse": str(tou),
                    "NominatedMW": round(sum(a["nominatedMw"] for a in rows), 6),
                    "AllocatedMW": round(sum(a["allocatedMw"] for a in rows), 6),
                    "ParticipantCount": len({a["participantName"] for a in rows}),
                }
            )
        return {"AllocationTotals": totals}

    def _private_auction(self, market: Market, participant: str) -> dict:
        results = self._published(market)
        rows = [
            {
                "CrrID": a.get("awardedCrrId") or a.get("crrId") or "",
                "PortfolioName": a["portfolioName"],
                "BidType": a["bidType"],
                "Source": a["source"],
                "Sink": a["sink"],
                "TimeOfUse": a["timeOfUse"],
                "HedgeType": "OBLIGATION",
                **self._term(market),
                "ClearingPrice": a["clearingPrice"],
                "AwardedMW": a["awardedMw"],
                "Segments": a["segments"],
            }
            for a in results.awards
            if a["participantName"] == participant
        ]
        return {"AwardedBids": rows}

    def _private_allocation(self, market: Market, participant: str) -> dict:
        results = self._published(market)
        crr_type = "ETC" if str(market.key.tier) == "ETC" else "LSE"
        rows = [
            {
                "Tier": a["tier"],
                "CRRType": crr_type,
                "Source": a["source"],
                "Sink": a["sink"],
                "TimeOfUse": a["timeOfUse"],
                **self._term(market),
                "NominatedMW": a["nominatedMw"],
                "AllocatedMW": a["allocatedMw"],
            }
            | ({"CrrID": a["crrId"]} if a.get("crrId") else {})
            for a in results.awards
            if a["participantName"] == participant
        ]
        return {"AllocationResults": rows}

    def _seq(self, market: Market, participant: str) -> dict:
        who = self._participants.get(participant)
        return {"SEQResults": self._caps.seq(who, market.key.year)}

    def _upper_bound(self, market: Market, participant: str) -> dict:
        who = self._participants.get(participant)
        return {"UpperBoundResults": self._caps.upper_bound(who, market.key.year)}

    def _meq(self, market: Market, participant: str) -> dict:
        if market.key.period is not Period.MONTHLY or market.key.month is None:
            raise DomainError(
                "MDT0002", f"MEQ results are for monthly markets, not {market.name}.", "marketName"
            )
        who = self._participants.get(participant)
        return {"MEQResults": self._caps.meq(who, market.key.year, market.key.month)}

    def _load_data(self, market: Market, participant: str) -> dict:
        rows = []
        for window in self._load.windows():
            if window.market_name != market.name or str(window.load_type) == "CEC_FORECAST":
                continue
            for record in self._load.stored_records(participant, window.name):
                rows.append(
                    {
                        "Sink": record.sink,
                        "EffectiveDate": format_utc(record.effective_date),
                        "TimeOfUse": str(record.time_of_use),
                        "LoadType": str(window.load_type),
                        "LoadMW": record.load_mw,
                    }
                )
        return {"LoadData": rows}
