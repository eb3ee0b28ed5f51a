"""Auction portfolios: buy bids and sell offers, their checks, and the credit they need.

A buy bid is for an obligation CRR from a source to a sink in one time of
use, with a stepped demand curve of at least one segment and at most the
spec's ``maxItems`` (POR0003). A segment's
``mw`` is the *cumulative* MW of the curve up to that step (as the auction
spec states it), so MW must strictly increase and the price must not
increase from one segment to the next (POR0004); every MW is above zero
(POR0007). A sell offer names a CRR the participant holds (AUC0002) and
offers at most the MW it holds of it over the auction's term (AUC0003), with
a supply curve whose price never decreases.

Before a portfolio is submitted its required credit is checked against the
participant's available credit (its credit limit less the credit held by its
other submitted portfolios). The calculation is
:mod:`reference_impl.engine.credit`: per bid the largest value over the
curve of MW x (price + credit margin), MW x margin where the price is
negative; the portfolio needs the larger of the sum and the floor ($500,000
annual, $100,000 monthly). Short of it, the *whole* portfolio is rejected
with AUC0001.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime

from reference_impl.engine.clearing.records import Bid as ClearingBid
from reference_impl.engine.clearing.records import BidSegment as ClearingSegment
from reference_impl.engine.clearing.records import SellOffer as ClearingOffer
from reference_impl.engine.credit import (
    AuctionTerm,
    CreditMarginTable,
    PortfolioCredit,
    portfolio_required_credit,
)
from reference_impl.engine.errors import DomainError, Finding, FindingCollector
from reference_impl.engine.holdings import HedgeType, Holdings
from reference_impl.engine.identifiers import IdCounters
from reference_impl.engine.limits import Limits
from reference_impl.engine.locations import LocationBook, MarketTerm
from reference_impl.engine.markets import (
    SUB_MARKETS,
    Market,
    MarketBook,
    MarketType,
    Period,
    TimeOfUse,
)
from reference_impl.engine.participants import ParticipantBook
from reference_impl.engine.portfolio_lifecycle import (
    PortfolioBase,
    PortfolioOperations,
    PortfolioStatus,
    check_record_count,
)
from reference_impl.engine.quantities import is_finite_number

__all__ = [
    "AuctionBid",
    "AuctionOffer",
    "AuctionPortfolio",
    "AuctionPortfolios",
    "Segment",
    "available_credit",
    "check_credit",
    "check_offers_held",
    "clearing_bid",
    "clearing_offer",
    "credit_report",
    "order_key",
    "parse_bids",
    "parse_offers",
    "portfolio_credit",
]


_ORDER_ID = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


@dataclass(frozen=True, slots=True)
class Segment:
    """One step of a curve: cumulative MW up to this step and its price ($/MW)."""

    mw: float
    price: float

    def to_dict(self) -> dict:
        """``{mw, price}``."""
        return {"mw": self.mw, "price": self.price}


@dataclass(frozen=True, slots=True)
class AuctionBid:
    """A buy bid as stored."""

    bid_id: str
    source: str
    sink: str
    time_of_use: TimeOfUse
    segments: tuple[Segment, ...]
    hedge_type: HedgeType = HedgeType.OBLIGATION

    @property
    def max_mw(self) -> float:
        """The MW of the whole curve (the last segment's cumulative MW)."""
        return self.segments[-1].mw

    def to_dict(self) -> dict:
        """The ``Bid`` schema."""
        return {
            "bidId": self.bid_id,
            "source": self.source,
            "sink": self.sink,
            "timeOfUse": str(self.time_of_use),
            "hedgeType": str(self.hedge_type),
            "segments": [s.to_dict() for s in self.segments],
        }


@dataclass(frozen=True, slots=True)
class AuctionOffer:
    """A sell offer as stored, with the offered CRR's path."""

    bid_id: str
    crr_id: str
    source: str
    sink: str
    time_of_use: TimeOfUse
    segments: tuple[Segment, ...]

    @property
    def max_mw(self) -> float:
        """The MW of the whole curve."""
        return self.segments[-1].mw

    def to_dict(self) -> dict:
        """The ``Offer`` schema."""
        return {
            "bidId": self.bid_id,
            "crrId": self.crr_id,
            "source": self.source,
            "sink": self.sink,
            "timeOfUse": str(self.time_of_use),
            "segments": [s.to_dict() for s in self.segments],
        }


@dataclass(slots=True, kw_only=True)
class AuctionPortfolio(PortfolioBase):
    """An auction portfolio: its bids and offers and the credit held while submitted."""

    bids: tuple[AuctionBid, ...] = ()
    offers: tuple[AuctionOffer, ...] = ()
    credit_held: float = 0.0
    awards: dict[str, float] = field(default_factory=dict)
    """Order ID -> awarded MW, once results are published."""

    def to_dict(self) -> dict:
        """The ``Portfolio`` schema."""
        body = self.header()
        body["bids"] = [b.to_dict() for b in self.bids]
        body["offers"] = [o.to_dict() for o in self.offers]
        if self.awards:
            body["awards"] = [{"bidId": k, "awardedMw": v} for k, v in sorted(self.awards.items())]
        return body

    def summary(self, required_credit: float | None = None) -> dict:
        """The ``PortfolioSummary`` schema."""
        record = {
            "portfolioName": self.name,
            "marketName": self.market_name,
            "status": str(self.status),
            "bidCount": len(self.bids),
            "offerCount": len(self.offers),
            "updatedAt": self.header()["updatedAt"],
        }
        if required_credit is not None:
            record["requiredCredit"] = required_credit
        return record


# -- parsing and checking ---------------------------------------------------------------


def _parse_segments(
    raw: object, where: str, found: FindingCollector, *, rising_price: bool, limit: int
) -> tuple[Segment, ...] | None:
    if not isinstance(raw, list) or not raw:
        found.add("SER0001", f"A bid or offer needs 1 to {limit} segments.", f"{where}.segments")
        return None
    if len(raw) > limit:
        found.add(
            "POR0003",
            f"A bid or offer has at most {limit} segments; got {len(raw)}.",
            f"{where}.segments",
        )
        return None
    segments: list[Segment] = []
    for k, item in enumerate(raw):
        at = f"{where}.segments[{k}]"
        if not isinstance(item, dict) or "mw" not in item or "price" not in item:
            found.add("SER0001", "A segment needs mw and price.", at)
            return None
        mw, price = item["mw"], item["price"]
        if not is_finite_number(mw) or not is_finite_number(price):
            found.add("SER0002", "Segment mw and price must be finite numbers.", at)
            return None
        if mw <= 0:
            found.add("POR0007", f"Segment MW must be greater than zero; got {mw}.", f"{at}.mw")
            return None
        segments.append(Segment(float(mw), float(price)))
    for k in range(1, len(segments)):
        before, after = segments[k - 1], segments[k]
        price_wrong = after.price < before.price if rising_price else after.price > before.price
        if after.mw <= before.mw or price_wrong:
            shape = "not decrease" if rising_price else "not increase"
            found.add(
                "POR0004",
                f"Segments are not monotone: MW must increase and price must {shape}.",
                f"{where}.segments[{k}]",
            )
            return None
    return tuple(segments)


def _order_id(raw: dict, where: str, default: str, seen: set[str], found: FindingCollector) -> str:
    order_id = raw.get("bidId", default)
    if not isinstance(order_id, str) or not _ORDER_ID.match(order_id):
        found.add("SER0002", f"Invalid bid ID {order_id!r}.", f"{where}.bidId")
    elif order_id in seen:
        found.add("SER0002", f"Bid ID {order_id} appears twice in the portfolio.", f"{where}.bidId")
    seen.add(str(order_id))
    return str(order_id)


def _time_of_use(
    raw: dict, market: Market, where: str, found: FindingCollector
) -> TimeOfUse | None:
    value = raw.get("timeOfUse")
    if value not in SUB_MARKETS or TimeOfUse.sub_market(value) not in market.times_of_use:
        found.add(
            "POR0011", f"Time of use {value!r} is not valid in {market.name}.", f"{where}.timeOfUse"
        )
        return None
    return TimeOfUse.sub_market(value)


def _term(market: Market) -> MarketTerm:
    return MarketTerm(market.name, market.start_date, market.end_date)


def parse_bids(
    raw_bids: object,
    market: Market,
    locations: LocationBook,
    found: FindingCollector,
    max_segments: int,
) -> tuple[AuctionBid, ...]:
    """Check every buy bid of a new portfolio, recording findings; return the good ones."""
    if raw_bids is None:
        return ()
    if not isinstance(raw_bids, list):
        found.add("SER0002", "bids must be a list.", "bids")
        return ()
    bids: list[AuctionBid] = []
    seen: set[str] = set()
    for i, where, raw in found.records(
        raw_bids, "bids", "A bid", ("source", "sink", "timeOfUse", "segments")
    ):
        bid_id = _order_id(raw, where, f"B{i + 1:04d}", seen, found)
        hedge = raw.get("hedgeType", "OBLIGATION")
        if hedge != HedgeType.OBLIGATION:
            found.add("SER0002", f"Hedge type {hedge!r} is not offered.", f"{where}.hedgeType")
        path = locations.check_path(raw["source"], raw["sink"], _term(market), where)
        for finding in path:
            found.add(finding.code, finding.message, finding.field)
        tou = _time_of_use(raw, market, where, found)
        segments = _parse_segments(
            raw["segments"], where, found, rising_price=False, limit=max_segments
        )
        if path or tou is None or segments is None:
            continue
        bids.append(AuctionBid(bid_id, raw["source"], raw["sink"], tou, segments))
    return tuple(bids)


def parse_offers(
    participant: str,
    raw_offers: object,
    market: Market,
    locations: LocationBook,
    holdings: Holdings,
    found: FindingCollector,
    taken_ids: set[str],
    max_segments: int,
) -> tuple[AuctionOffer, ...]:
    """Check every sell offer of a new portfolio, recording findings; return the good ones."""
    if raw_offers is None:
        return ()
    if not isinstance(raw_offers, list):
        found.add("SER0002", "offers must be a list.", "offers")
        return ()
    offers: list[AuctionOffer] = []
    seen = set(taken_ids)
    for i, where, raw in found.records(
        raw_offers, "offers", "An offer", ("crrId", "timeOfUse", "segments")
    ):
        offer_id = _order_id(raw, where, f"S{i + 1:04d}", seen, found)
        crr = holdings.get(raw["crrId"])
        tou = _time_of_use(raw, market, where, found)
        segments = _parse_segments(
            raw["segments"], where, found, rising_price=True, limit=max_segments
        )
        if crr is None or crr.owner != participant:
            found.add(
                "AUC0002", f"{participant} does not hold CRR {raw['crrId']!r}.", f"{where}.crrId"
            )
            continue
        if tou is not None and tou is not crr.time_of_use:
            found.add(
                "POR0011",
                f"CRR {crr.crr_id} is a {crr.time_of_use} CRR, not {tou}.",
                f"{where}.timeOfUse",
            )
            continue
        path = locations.check_path(crr.source, crr.sink, _term(market), where, sell=True)
        for finding in path:
            found.add(finding.code, finding.message, finding.field)
        if path or tou is None or segments is None:
            continue
        offers.append(AuctionOffer(offer_id, crr.crr_id, crr.source, crr.sink, tou, segments))
    return tuple(offers)


def check_offers_held(
    participant: str,
    offers: list[AuctionOffer],
    market: Market,
    holdings: Holdings,
) -> list[Finding]:
    """AUC0002/AUC0003 findings: every offered CRR still held, in the MW offered in total."""
    findings: list[Finding] = []
    wanted: dict[str, float] = {}
    first: dict[str, str] = {}
    for offer in offers:
        pieces = holdings.lineage(participant, offer.crr_id)
        if not pieces:
            findings.append(
                Finding("AUC0002", f"{participant} no longer holds CRR {offer.crr_id}.", "crrId")
            )
            continue
        lineage = pieces[0].origin_id
        wanted[lineage] = wanted.get(lineage, 0.0) + offer.max_mw
        first.setdefault(lineage, offer.crr_id)
    for lineage, mw in sorted(wanted.items()):
        crr_id = first[lineage]
        held = holdings.held_mw(participant, crr_id, market.start_date, market.end_date)
        if mw > held + 1e-9:
            findings.append(
                Finding(
                    "AUC0003",
                    f"Offers of CRR {crr_id} total {mw} MW but {participant} holds {held} MW "
                    f"over the term of {market.name}.",
                    "offers",
                )
            )
    return findings


# -- clearing records and credit ---------------------------------------------------------


def _widths(segments: tuple[Segment, ...]) -> tuple[ClearingSegment, ...]:
    previous = 0.0
    widths = []
    for segment in segments:
        widths.append(ClearingSegment(segment.mw - previous, segment.price))
        previous = segment.mw
    return tuple(widths)


def clearing_bid(portfolio: AuctionPortfolio, bid: AuctionBid) -> ClearingBid:
    """The bid as the clearing and credit modules take it (segment widths, unique ID)."""
    return ClearingBid(
        bid_id=order_key(portfolio, bid.bid_id),
        participant=portfolio.participant,
        source=bid.source,
        sink=bid.sink,
        time_of_use=str(bid.time_of_use),
        segments=_widths(bid.segments),
    )


def clearing_offer(portfolio: AuctionPortfolio, offer: AuctionOffer, crr_key: str) -> ClearingOffer:
    """The sell offer as the clearing module takes it; ``crr_key`` names the baseload entry."""
    return ClearingOffer(
        offer_id=order_key(portfolio, offer.bid_id),
        participant=portfolio.participant,
        crr_id=crr_key,
        time_of_use=str(offer.time_of_use),
        segments=_widths(offer.segments),
    )


def order_key(portfolio: AuctionPortfolio, order_id: str) -> str:
    """An order's ID unique across the market: portfolio ID and the order's own ID."""
    return f"{portfolio.portfolio_id}/{order_id}"


def portfolio_credit(
    portfolio: AuctionPortfolio, margins: CreditMarginTable, period: Period
) -> PortfolioCredit:
    """Per-bid exposures, their sum and the floor, by the credit module's rules."""
    term = AuctionTerm.ANNUAL if period is Period.ANNUAL else AuctionTerm.MONTHLY
    credit = portfolio_required_credit(
        [clearing_bid(portfolio, bid) for bid in portfolio.bids], margins, term
    )
    prefix = f"{portfolio.portfolio_id}/"
    exposures = tuple((bid_id.removeprefix(prefix), value) for bid_id, value in credit.exposures)
    return PortfolioCredit(exposures, credit.exposure, credit.floor)


def available_credit(
    credit_limit: float, portfolios: list[AuctionPortfolio], excluding: AuctionPortfolio
) -> float:
    """Credit limit less the credit held by the participant's other submitted portfolios."""
    held = math.fsum(
        p.credit_held
        for p in portfolios
        if p is not excluding and p.status in (PortfolioStatus.SUBMITTED, PortfolioStatus.CLOSED)
    )
    return credit_limit - held


LARGEST_AMOUNT = sys.float_info.max
"""The largest credit amount a JSON number of the API states (a finite double)."""


def credit_amount(value: float) -> float:
    """A credit amount as the API states it: in cents, and a curve whose MW x price
    overflows (schema-valid numbers near 1e308) as the largest finite amount."""
    return round(value, 2) if math.isfinite(value) else LARGEST_AMOUNT


def credit_report(portfolio: AuctionPortfolio, credit: PortfolioCredit, available: float) -> dict:
    """The ``PortfolioCredit`` schema for a portfolio."""
    report: dict = {
        "portfolioName": portfolio.name,
        "marketName": portfolio.market_name,
        "requiredCredit": credit_amount(credit.exposure),
        "availableCredit": round(available, 2),
        "creditFloor": credit.floor,
        "bidCredits": [
            {"bidId": b, "requiredCredit": credit_amount(v)} for b, v in credit.exposures
        ],
    }
    if available < credit.required_credit:
        report["errorMessage"] = insufficient_credit_message(credit, available)
    return report


def insufficient_credit_message(credit: PortfolioCredit, available: float) -> str:
    """Why a portfolio cannot be submitted for lack of credit."""
    if not math.isfinite(credit.exposure):
        return (
            f"Required credit exceeds the largest amount this system states (the bids' MW x "
            f"price overflow); available credit {available:.2f}; the portfolio cannot be "
            f"submitted (AUC0001)."
        )
    return (
        f"Required credit {credit.exposure:.2f} (floor {credit.floor:.2f}) exceeds available "
        f"credit {available:.2f}; the portfolio cannot be submitted (AUC0001)."
    )


def check_credit(portfolio: AuctionPortfolio, credit: PortfolioCredit, available: float) -> None:
    """AUC0001 unless available credit covers the larger of required credit and the floor."""
    if available < credit.required_credit:
        raise DomainError(
            "AUC0001", insufficient_credit_message(credit, available), "portfolioName"
        )


class AuctionPortfolios(PortfolioOperations[AuctionPortfolio]):
    """The auction portfolio operations: create, submit, retract, delete and the queries.

    Every query takes the requesting participant and only ever looks at that
    participant's portfolios.
    """

    market_type = MarketType.AUCTION
    id_prefix = "AP"
    submit_code = "AUC0037"
    retract_code = "AUC0005"

    def __init__(
        self,
        markets: MarketBook,
        participants: ParticipantBook,
        locations: LocationBook,
        holdings: Holdings,
        ids: IdCounters,
        margins: CreditMarginTable,
        limits: Limits,
    ) -> None:
        super().__init__(markets, participants, ids, "auction")
        self._locations = locations
        self._holdings = holdings
        self.margins = margins
        self._limits = limits

    def create(
        self,
        participant_name: str,
        market_name: str,
        portfolio_name: str,
        bids: object,
        offers: object,
        now: datetime,
    ) -> AuctionPortfolio:
        """Check and store a new portfolio (status CREATED)."""
        participant = self._participants.get(participant_name)
        market = self._market(market_name)
        name = self._unused_name(participant.name, market, portfolio_name)
        count = sum(len(x) for x in (bids, offers) if isinstance(x, list))
        check_record_count(count, "bids", self._limits.auction_records, one="bid or offer")
        found = FindingCollector()
        segments = self._limits.segments
        parsed_bids = parse_bids(bids, market, self._locations, found, segments)
        bid_ids = {b.bid_id for b in parsed_bids}
        parsed_offers = parse_offers(
            participant.name,
            offers,
            market,
            self._locations,
            self._holdings,
            found,
            bid_ids,
            segments,
        )
        if not found:
            for finding in check_offers_held(
                participant.name, list(parsed_offers), market, self._holdings
            ):
                found.add(finding.code, finding.message, finding.field)
        found.raise_if_any()
        return self._add_new(
            AuctionPortfolio,
            name,
            market,
            participant.name,
            now,
            bids=parsed_bids,
            offers=parsed_offers,
        )

    def credit(
        self, participant_name: str, market_name: str, portfolio_name: object
    ) -> tuple[PortfolioCredit, float]:
        """The portfolio's credit figures and the participant's available credit."""
        portfolio = self.get(participant_name, market_name, portfolio_name)
        participant = self._participants.get(participant_name)
        market = self._market(market_name)
        credit = portfolio_credit(portfolio, self.margins, market.key.period)
        available = available_credit(
            participant.credit_limit, self.book.of_participant(participant.name), portfolio
        )
        return credit, available

    def submit(
        self, participant_name: str, market_name: str, portfolio_name: object, now: datetime
    ) -> AuctionPortfolio:
        """Submit to the auction: window open, status, holdings still there, then credit."""
        portfolio, market = self._submittable(participant_name, market_name, portfolio_name)
        found = FindingCollector()
        term = _term(market)
        for i, bid in enumerate(portfolio.bids):
            for finding in self._locations.check_path(bid.source, bid.sink, term, f"bids[{i}]"):
                found.add(finding.code, finding.message, finding.field)
        others = [
            o
            for p in self.book.of_market(
                market.name, PortfolioStatus.SUBMITTED, PortfolioStatus.CLOSED
            )
            if p.participant == portfolio.participant
            for o in p.offers
        ]
        for finding in check_offers_held(
            portfolio.participant, [*others, *portfolio.offers], market, self._holdings
        ):
            found.add(finding.code, finding.message, finding.field)
        found.raise_if_any()
        credit, available = self.credit(participant_name, market_name, portfolio_name)
        check_credit(portfolio, credit, available)
        portfolio.credit_held = credit.exposure
        portfolio.validation_errors = ()
        portfolio.set_status(PortfolioStatus.SUBMITTED, now)
        return portfolio

    def retract(
        self, participant_name: str, market_name: str, portfolio_name: object, now: datetime
    ) -> AuctionPortfolio:
        """Take a submitted portfolio out of the auction while the window is open."""
        portfolio = super().retract(participant_name, market_name, portfolio_name, now)
        portfolio.credit_held = 0.0
        return portfolio

    def summaries(self, participant_name: str, market_name: str | None) -> list[dict]:
        """The participant's portfolios, optionally of one auction market."""
        result = []
        for portfolio in self._of_participant(participant_name, market_name):
            market = self._markets.get(portfolio.market_name)
            credit = portfolio_credit(portfolio, self.margins, market.key.period)
            result.append(portfolio.summary(credit_amount(credit.exposure)))
        return result

    def invalidate(self, market: Market, now: datetime) -> list[AuctionPortfolio]:
        """Re-check SUBMITTED portfolios after a list or holdings change; failures become INVALID."""
        changed = []
        term = _term(market)
        for portfolio in self.book.of_market(market.name, PortfolioStatus.SUBMITTED):
            findings = [
                f
                for i, bid in enumerate(portfolio.bids)
                for f in self._locations.check_path(bid.source, bid.sink, term, f"bids[{i}]")
            ]
            findings += check_offers_held(
                portfolio.participant, list(portfolio.offers), market, self._holdings
            )
            if findings:
                portfolio.validation_errors = tuple(findings)
                portfolio.credit_held = 0.0
                portfolio.set_status(PortfolioStatus.INVALID, now)
                changed.append(portfolio)
        return changed

    def _snapshot_extra(self, portfolio: AuctionPortfolio) -> dict:
        return {
            "creditHeld": portfolio.credit_held,
            "validationErrors": [f.to_dict() for f in portfolio.validation_errors],
        }
