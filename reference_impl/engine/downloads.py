"""Market data downloads: the ``data`` of each download type, built from the engine's state.

Public downloads (existing CRRs, public auction and allocation results, the
source and sink list) are the same for everyone and carry no participant's
private data: the existing CRRs list leaves the owner out. Private downloads
(private auction and allocation results, load data, SEQ, MEQ and upper
bounds, secondary market offers and responses, TOR conversion requests, load
migration results) are built for the requesting participant only. Field
names follow the JSON Schemas in ``specs/schemas/``. An unknown download
type is MDT0001; results not yet published MDT0002.

- ``CRRSecondaryMarketOffer`` and ``CRRSecondaryMarketResponse``: the
  offers the participant made or was offered whose term overlaps the
  market's. The offerer sees every target (one offer row per price, naming
  the targets offered that price) and every response; a target sees only its
  own entry. A target's entry WITHDRAWN (the offer was withdrawn, or another
  target accepted first) never became a response and is left out of the
  responses. The schemas' request IDs are numeric: a download's
  ``RequestID`` is the digits of the engine's request ID
  (``SM-20250901-000001`` is ``20250901000001``).
- ``CRRTorConversionRequest``: one row per conversion record the participant
  submitted or approves whose term overlaps the market's, from the latest
  conversion window holding such a record (named in
  ``TorConversionWindowName``); with none, the latest window and no rows.
  The row's ``RequestStatus`` is the record's; ``RequestID`` is the digits of
  the engine's request ID, as above.
- ``CRRLoadMigrationResult``: the posted results of the load migration
  market named, or of the one feeding the allocation or auction market named
  (same period, year and month); MDT0002 until the operator posts them. One
  row per UDC, sink and time of use where the participant gained or lost
  load, with the LSE_LMT CRR adjustments that migration caused.
- ``CRRResource`` (restricted): the generating resources of the data set's
  network model, for the market's model (``MN_2025_M10_V0``, ``AN_2026_V1``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from reference_impl.engine.caps import CapCalculator
from reference_impl.engine.clearing_runs import MarketResults
from reference_impl.engine.clock import format_utc
from reference_impl.engine.errors import DomainError
from reference_impl.engine.holdings import Holdings
from reference_impl.engine.load import LoadBook
from reference_impl.engine.load_migration import LoadMigration, LoadMigrationMarket
from reference_impl.engine.locations import LocationBook
from reference_impl.engine.markets import SUB_MARKETS, Market, MarketBook, Period
from reference_impl.engine.participants import ParticipantBook
from reference_impl.engine.secondary_market import OfferStatus, SecondaryMarket
from reference_impl.engine.tor_conversion import ConversionStatus, TorConversion
from reference_impl.engine.windows import WindowStatus

__all__ = [
    "BUILDERS",
    "FUELS",
    "PRIVATE_TYPES",
    "PUBLIC_TYPES",
    "RESTRICTED_TYPES",
    "DownloadType",
    "Downloads",
    "Resource",
    "Visibility",
    "download_type",
    "read_resource",
    "types_of",
]

FUELS = (
    "GAS",
    "HYDRO",
    "NUCLEAR",
    "GEOTHERMAL",
    "BIOMASS",
    "WIND",
    "SOLAR",
    "STORAGE",
    "OTHER",
)


@dataclass(frozen=True, slots=True)
class Resource:
    """A generating resource of the network model (the ``CRRResource`` download)."""

    resource_id: str
    apnode: str
    p_max: float | None = None
    p_min: float | None = None
    fuel: str | None = None
    trading_hub: str | None = None

    def to_row(self) -> dict:
        """The ``resourceDefType`` of the CRRResource schema."""
        row: dict = {"ResourceID": self.resource_id, "APnodeName": self.apnode}
        for key, value in (
            ("PMax", self.p_max),
            ("PMin", self.p_min),
            ("Fuel", self.fuel),
            ("TradingHub", self.trading_hub),
        ):
            if value is not None:
                row[key] = value
        return row


def _mw(entry: dict, key: str) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DomainError("SER0002", f"{key} must be a number.", key)
    if value < 0:
        raise DomainError("SER0002", f"{key} must not be negative.", key)
    return float(value)


def read_resource(entry: dict) -> Resource:
    """A data set ``resources`` entry: ``{resourceId, apnodeName, pMax?, pMin?, fuel?, tradingHub?}``."""
    for key in ("resourceId", "apnodeName"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise DomainError("SER0002", f"{key} must be a non-empty string.", key)
    fuel = entry.get("fuel")
    if fuel is not None and fuel not in FUELS:
        raise DomainError("SER0002", f"fuel must be one of {', '.join(FUELS)}.", "fuel")
    hub = entry.get("tradingHub")
    if hub is not None and not isinstance(hub, str):
        raise DomainError("SER0002", "tradingHub must be a string.", "tradingHub")
    return Resource(
        resource_id=entry["resourceId"],
        apnode=entry["apnodeName"],
        p_max=_mw(entry, "pMax"),
        p_min=_mw(entry, "pMin"),
        fuel=fuel,
        trading_hub=hub,
    )


def _numeric_id(request_id: str) -> str:
    """The digits of an engine request ID: the schemas' request IDs are numeric."""
    return "".join(ch for ch in request_id if ch.isdigit())


def _overlaps(start: datetime, end: datetime, market: Market) -> bool:
    return start < market.end_date and end > market.start_date


Builder = Callable[..., dict]
"""``(downloads, market, participant) -> data``: the rows of one download type.

``participant`` is the requesting participant's name for a private type and
None otherwise; ``data`` is merged after the download's head, so a builder may
replace ``MarketName`` (a load migration result names its own market).
"""


class Visibility(StrEnum):
    """Who may download a type: anyone, only the participant it concerns, or NDA holders."""

    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"
    RESTRICTED = "RESTRICTED"


@dataclass(frozen=True, slots=True)
class DownloadType:
    """One registered download type: its builder, who may see it, whether it names the market."""

    name: str
    build: Builder
    visibility: Visibility
    names_market: bool = True


BUILDERS: dict[str, DownloadType] = {}
"""Download type name -> its registration, filled by :func:`download_type`."""


def download_type(
    name: str, visibility: Visibility, *, names_market: bool = True
) -> Callable[[Builder], Builder]:
    """Register a function as the builder of download type ``name``, visible as ``visibility``.

    A registry keeps each type's rows in a function of its own, found by the
    name the request carries, with everything else known about the type, so
    adding a type means adding one function and the type lists cannot drift.
    """

    def register(build: Builder) -> Builder:
        if name in BUILDERS:
            raise ValueError(f"download type {name} is registered twice")
        BUILDERS[name] = DownloadType(name, build, visibility, names_market)
        return build

    return register


def types_of(visibility: Visibility) -> tuple[str, ...]:
    """The registered download types of ``visibility``, in registration order."""
    return tuple(name for name, entry in BUILDERS.items() if entry.visibility is visibility)


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
        secondary: SecondaryMarket | None = None,
        tor: TorConversion | None = None,
        migration: LoadMigration | None = None,
        resources: list[Resource] | None = None,
    ) -> None:
        self.markets = markets
        self.participants = participants
        self.locations = locations
        self.holdings = holdings
        self.caps = caps
        self.load = load
        self.results = results
        self.secondary = secondary
        self.tor = tor
        self.migration = migration
        self.resources = resources if resources is not None else []

    def build(
        self,
        download_type: str,
        market_name: str,
        participant_name: str | None,
        now: datetime,
    ) -> dict:
        """The ``data`` of one download."""
        registered = BUILDERS.get(download_type)
        if registered is None:
            raise DomainError(
                "MDT0001", f"Download type {download_type!r} is unknown.", "downloadType"
            )
        private = registered.visibility is Visibility.PRIVATE
        if private and participant_name is None:
            raise DomainError(
                "SER0001", "A private download names the participant.", "participantName"
            )
        if download_type == "CRRLoadMigrationResult" and str(market_name).startswith("LM_"):
            # A load migration market is named directly (the engine's own callers).
            name = self.participants.get(participant_name).name
            migration = _lm_market(self, market_name)
            return {
                "MarketName": migration.name,
                "ParticipantName": name,
                "GeneratedAt": format_utc(now),
            } | _migration_rows(migration, name)
        market = self.markets.get(market_name)
        # Some schemas have no MarketName: load data covers every load window
        # feeding the market, the others name a window or model of their own.
        head = {"MarketName": market.name} if registered.names_market else {}
        head["GeneratedAt"] = format_utc(now)
        participant = None
        if private:
            participant = self.participants.get(participant_name).name
            head["ParticipantName"] = participant
        return head | registered.build(self, market, participant)


def _published(src: Downloads, market: Market) -> MarketResults:
    results = src.results.get(market.name)
    if market.status is not WindowStatus.PUBLISHED or results is None:
        raise DomainError(
            "MDT0002", f"The results of {market.name} are not published yet.", "marketName"
        )
    return results


@download_type("CRRExistingCRRs", Visibility.PUBLIC)
def existing_crrs(src: Downloads, market: Market, _participant: None) -> dict:
    """CRRs held over the market's term, without their owners (public)."""
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
        for c in src.holdings
        if c.overlaps(market.start_date, market.end_date)
    ]
    return {"ExistingCRRs": rows}


@download_type("CRRSourceandSinkNameMapping", Visibility.PUBLIC)
def source_sink_mapping(src: Downloads, market: Market, _participant: None) -> dict:
    """Locations in effect over the market's term and their APnode mapping."""
    rows = []
    for location in src.locations:
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


def _term(market: Market) -> dict:
    return {"StartDate": format_utc(market.start_date), "EndDate": format_utc(market.end_date)}


@download_type("CRRPublicAuctionResult", Visibility.PUBLIC)
def public_auction_result(src: Downloads, market: Market, _participant: None) -> dict:
    """Clearing prices, awarded totals and binding constraints of a published auction."""
    results = _published(src, market)
    term = _term(market)
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


@download_type("CRRPublicAllocationResult", Visibility.PUBLIC)
def public_allocation_result(src: Downloads, market: Market, _participant: None) -> dict:
    """Nominated and allocated totals per time of use of a published allocation."""
    results = _published(src, market)
    totals = []
    for tou in market.times_of_use:
        rows = [a for a in results.awards if a["timeOfUse"] == tou]
        totals.append(
            {
                **_term(market),
                "TimeOfUse": str(tou),
                "NominatedMW": round(sum(a["nominatedMw"] for a in rows), 6),
                "AllocatedMW": round(sum(a["allocatedMw"] for a in rows), 6),
                "ParticipantCount": len({a["participantName"] for a in rows}),
            }
        )
    return {"AllocationTotals": totals}


@download_type("CRRPrivateAuction", Visibility.PRIVATE)
def private_auction(src: Downloads, market: Market, participant: str) -> dict:
    """The participant's own awarded bids and offers of a published auction."""
    results = _published(src, market)
    rows = [
        {
            "CrrID": a.get("awardedCrrId") or a.get("crrId") or "",
            "PortfolioName": a["portfolioName"],
            "BidType": a["bidType"],
            "Source": a["source"],
            "Sink": a["sink"],
            "TimeOfUse": a["timeOfUse"],
            "HedgeType": "OBLIGATION",
            **_term(market),
            "ClearingPrice": a["clearingPrice"],
            "AwardedMW": a["awardedMw"],
            "Segments": a["segments"],
        }
        for a in results.awards
        if a["participantName"] == participant
    ]
    return {"AwardedBids": rows}


@download_type("CRRPrivateAllocation", Visibility.PRIVATE)
def private_allocation(src: Downloads, market: Market, participant: str) -> dict:
    """The participant's own allocation results of a published allocation market."""
    results = _published(src, market)
    crr_type = "ETC" if str(market.key.tier) == "ETC" else "LSE"
    rows = [
        {
            "Tier": a["tier"],
            "CRRType": crr_type,
            "Source": a["source"],
            "Sink": a["sink"],
            "TimeOfUse": a["timeOfUse"],
            **_term(market),
            "NominatedMW": a["nominatedMw"],
            "AllocatedMW": a["allocatedMw"],
        }
        | ({"CrrID": a["crrId"]} if a.get("crrId") else {})
        for a in results.awards
        if a["participantName"] == participant
    ]
    return {"AllocationResults": rows}


@download_type("CRRSEQResult", Visibility.PRIVATE)
def seq_result(src: Downloads, market: Market, participant: str) -> dict:
    """The participant's seasonal eligible quantities for the market's year."""
    who = src.participants.get(participant)
    return {"SEQResults": src.caps.seq(who, market.key.year)}


@download_type("CRRUpperBoundResult", Visibility.PRIVATE)
def upper_bound_result(src: Downloads, market: Market, participant: str) -> dict:
    """The participant's Tier 1 upper bounds for the market's year."""
    who = src.participants.get(participant)
    return {"UpperBoundResults": src.caps.upper_bound(who, market.key.year)}


@download_type("CRRMEQResult", Visibility.PRIVATE)
def meq_result(src: Downloads, market: Market, participant: str) -> dict:
    """The participant's monthly eligible quantities; monthly markets only."""
    if market.key.period is not Period.MONTHLY or market.key.month is None:
        raise DomainError(
            "MDT0002", f"MEQ results are for monthly markets, not {market.name}.", "marketName"
        )
    who = src.participants.get(participant)
    return {"MEQResults": src.caps.meq(who, market.key.year, market.key.month)}


@download_type("CRRHistoricalForecastLoad", Visibility.PRIVATE, names_market=False)
def historical_forecast_load(src: Downloads, market: Market, participant: str) -> dict:
    """The participant's stored load in the windows feeding the market (not CEC)."""
    rows = []
    for window in src.load.windows():
        if window.market_name != market.name or str(window.load_type) == "CEC_FORECAST":
            continue
        for record in src.load.stored_records(participant, window.name):
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


# -- secondary market -----------------------------------------------------------


def _offers(src: Downloads, market: Market, participant: str) -> list:
    if src.secondary is None:
        return []
    return [o for o in src.secondary.offers_of(participant) if _overlaps(o.start, o.end, market)]


@download_type("CRRSecondaryMarketOffer", Visibility.PRIVATE, names_market=False)
def secondary_market_offers(src: Downloads, market: Market, participant: str) -> dict:
    """Offers the participant made or was offered over the market's term."""
    rows = []
    for offer in _offers(src, market, participant):
        targets = (
            offer.targets
            if participant == offer.offerer
            else [t for t in offer.targets if t.participant == participant]
        )
        by_price: dict[float, list[str]] = {}
        for target in targets:
            by_price.setdefault(target.price, []).append(target.participant)
        for price, names in by_price.items():
            rows.append(
                {
                    "RequestID": _numeric_id(offer.request_id),
                    "CrrID": offer.crr_id,
                    "OfferingParticipant": offer.offerer,
                    "TargetParticipants": names,
                    "MW": offer.mw,
                    "Price": price,
                    "StartDate": format_utc(offer.start),
                    "EndDate": format_utc(offer.end),
                    "SmOfferStatus": str(offer.status),
                }
            )
    return {"SecondaryMarketOffers": rows}


@download_type("CRRSecondaryMarketResponse", Visibility.PRIVATE, names_market=False)
def secondary_market_responses(src: Downloads, market: Market, participant: str) -> dict:
    """Responses to those offers, as far as the participant may see them."""
    rows = [
        {
            "RequestID": _numeric_id(offer.request_id),
            "CrrID": offer.crr_id,
            "RespondingParticipant": target.participant,
            "OfferingParticipant": offer.offerer,
            "Price": target.price,
            "SmResponseStatus": str(target.status),
        }
        for offer in _offers(src, market, participant)
        for target in offer.targets
        if participant in (offer.offerer, target.participant)
        and target.status is not OfferStatus.WITHDRAWN
    ]
    return {"SecondaryMarketResponses": rows}


# -- TOR conversion -------------------------------------------------------------


@download_type("CRRTorConversionRequest", Visibility.PRIVATE, names_market=False)
def tor_conversion_requests(src: Downloads, market: Market, participant: str) -> dict:
    """The participant's conversion records from the latest window holding any."""
    if src.tor is None or not src.tor.windows():
        raise DomainError(
            "MDT0002", f"No TOR conversion window covers {market.name}.", "marketName"
        )
    entries = [
        (request, record)
        for request in src.tor.requests_of(participant)
        for record in request.records
        if participant in (request.participant, record.approver)
        and _overlaps(record.start, record.end, market)
    ]
    windows = {w.name: w for w in src.tor.windows()}
    if entries:
        latest = max(
            {r.window_name for r, _ in entries},
            key=lambda n: (windows[n].window.open_time, n),
        )
    else:
        latest = src.tor.windows()[0].name
    rows = []
    for request, record in entries:
        if request.window_name != latest:
            continue
        row = {
            "RequestID": _numeric_id(request.request_id),
            "ContractName": record.contract_id,
            "Source": record.source,
            "Sink": record.sink,
            "MW": record.mw,
            "TimeOfUse": str(record.time_of_use),
            "HedgeType": "OBLIGATION",
            "StartDate": format_utc(record.start),
            "EndDate": format_utc(record.end),
            "RequestStatus": str(record.status),
        }
        if record.status is not ConversionStatus.SUBMITTED:
            row["ApprovingParticipant"] = record.approver
        if record.crr_id is not None:
            row["CrrID"] = record.crr_id
        rows.append(row)
    return {"TorConversionWindowName": latest, "TorConversionRequests": rows}


# -- load migration -------------------------------------------------------------


def _lm_market(src: Downloads, name: str) -> LoadMigrationMarket:
    if src.migration is None:
        raise DomainError(
            "LMV1003", f"Load migration market {name!r} does not exist.", "marketName"
        )
    return src.migration.market(name)


@download_type("CRRLoadMigrationResult", Visibility.PRIVATE)
def load_migration_result(src: Downloads, market: Market, participant: str) -> dict:
    """Posted results of the load migration market feeding the market."""
    key = market.key
    chosen = [
        m
        for m in (src.migration.all_markets() if src.migration is not None else [])
        if (m.process.period, m.process.year, m.process.month) == (key.period, key.year, key.month)
    ]
    if not chosen:
        raise DomainError("MDT0002", f"No load migration market feeds {market.name}.", "marketName")
    rows = _migration_rows(chosen[0], participant)
    return {"MarketName": chosen[0].name} | rows


def _migration_rows(market: LoadMigrationMarket, participant: str) -> dict:
    if market.window.status is not WindowStatus.PUBLISHED:
        raise DomainError(
            "MDT0002",
            f"The load migration results of {market.name} are not posted yet.",
            "marketName",
        )
    start, end = market.term
    rows = []
    for (udc, lse, sink), net_mw in market.udc_net.items():
        if lse != participant:
            continue
        for tou in SUB_MARKETS:
            adjustments = [
                {
                    "CrrID": a["crrId"],
                    "CRRType": a["crrType"],
                    "Source": a["source"],
                    "Sink": a["sink"],
                    "MW": a["mw"],
                    "CounterFlow": a["adjustmentType"] == "COUNTER_FLOW",
                }
                for a in market.adjustments
                if a["lse"] == participant
                and a["migratedSink"] == sink
                and a["timeOfUse"] == str(tou)
                and market.adjustment_udcs.get(a["crrId"]) == udc
            ]
            rows.append(
                {
                    "Sink": sink,
                    "UDC": udc,
                    "TimeOfUse": str(tou),
                    "StartDate": format_utc(start),
                    "EndDate": format_utc(end),
                    "NetMigratedLoadMW": net_mw,
                    "CRRAdjustments": adjustments,
                }
            )
    return {"LoadMigrationResults": rows}


# -- resources ------------------------------------------------------------------


@download_type("CRRResource", Visibility.RESTRICTED, names_market=False)
def resources(src: Downloads, market: Market, _participant: None) -> dict:
    """Resources of the market's network model in effect over its term (restricted)."""
    key = market.key
    model = (
        f"MN_{key.year}_M{key.month:02d}"
        if key.period is Period.MONTHLY and key.month is not None
        else f"AN_{key.year}"
    )
    rows = []
    for resource in src.resources:
        location = src.locations.find(resource.apnode)
        if location is not None and not location.effective_for(market.start_date, market.end_date):
            continue
        rows.append(resource.to_row())
    return {"ModelName": f"{model}_{market.model_release}", "Resources": rows}


PUBLIC_TYPES = types_of(Visibility.PUBLIC)
PRIVATE_TYPES = types_of(Visibility.PRIVATE)
RESTRICTED_TYPES = types_of(Visibility.RESTRICTED)
"""The type lists by visibility, read from the registry above."""
