"""The secondary market (SRS): bilateral transfers of held CRRs.

A holder offers MW of a CRR it holds, for all or part of its term, to one or
more target participants, naming a price for each. Each target accepts or
rejects at exactly its offered price (SMT0145). The first acceptance moves
the MW: the offerer's holding shrinks or splits and the target receives a
new CRR with market name and market term ``SECONDARY_MARKET``. The offer is
then ACCEPTED and the other targets' responses become WITHDRAWN. When every
target rejects, the offer is REJECTED; the offerer may withdraw a pending
offer (WITHDRAWN).

Offers are private to their parties: a participant sees the offers it made
and those made to it, and a target sees only its own entry (SMT0082 for
anyone else, SMT0016 for an unknown request ID, SMT0063 when someone other
than the offerer withdraws, SMT0146 once an offer is no longer pending).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from reference_impl.engine.clock import format_utc, parse_utc
from reference_impl.engine.errors import DomainError, FindingCollector
from reference_impl.engine.holdings import CRR, Holdings, IssueOrigin, MarketTerm
from reference_impl.engine.identifiers import IdCounters, by_id
from reference_impl.engine.limits import require_items
from reference_impl.engine.markets import SUB_MARKETS, TimeOfUse
from reference_impl.engine.participants import ParticipantBook
from reference_impl.engine.quantities import is_finite_number

__all__ = [
    "OfferStatus",
    "OfferTarget",
    "SecondaryMarket",
    "SecondaryOffer",
]

SECONDARY_MARKET = "SECONDARY_MARKET"


class OfferStatus(StrEnum):
    """Status of an offer, and of each target's response."""

    PENDING_RESPONSE = "PENDING_RESPONSE"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


@dataclass(slots=True)
class OfferTarget:
    """One target of an offer: its price and its response."""

    participant: str
    price: float
    status: OfferStatus = OfferStatus.PENDING_RESPONSE
    responded_at: datetime | None = None

    def to_dict(self) -> dict:
        """The ``OfferTarget`` schema."""
        return {
            "participantName": self.participant,
            "price": self.price,
            "responseStatus": str(self.status),
        }


@dataclass(slots=True)
class SecondaryOffer:
    """An offer of MW of a held CRR to named targets."""

    request_id: str
    offerer: str
    crr_id: str
    source: str
    sink: str
    mw: float
    start: datetime
    end: datetime
    time_of_use: TimeOfUse
    created_at: datetime
    updated_at: datetime
    targets: list[OfferTarget] = field(default_factory=list)
    status: OfferStatus = OfferStatus.PENDING_RESPONSE
    transferred_crr_id: str | None = None

    def is_party(self, participant: str) -> bool:
        """Whether ``participant`` made the offer or is one of its targets."""
        return participant == self.offerer or self.target(participant) is not None

    def target(self, participant: str) -> OfferTarget | None:
        """The target entry of ``participant``, if it is one."""
        return next((t for t in self.targets if t.participant == participant), None)

    def view(self, participant: str) -> dict:
        """The offer as ``participant`` may see it: a target sees only its own entry."""
        targets = (
            self.targets
            if participant == self.offerer
            else [t for t in self.targets if t.participant == participant]
        )
        return {
            "requestId": self.request_id,
            "participantName": self.offerer,
            "crrId": self.crr_id,
            "source": self.source,
            "sink": self.sink,
            "mw": self.mw,
            "startDate": format_utc(self.start),
            "endDate": format_utc(self.end),
            "timeOfUse": str(self.time_of_use),
            "status": str(self.status),
            "createdAt": format_utc(self.created_at),
            "updatedAt": format_utc(self.updated_at),
            "targetRespondingMps": [t.to_dict() for t in targets],
        }

    def response_view(self, target: OfferTarget) -> dict:
        """One target's ``SecondaryMarketResponse``."""
        record: dict = {
            "requestId": self.request_id,
            "participantName": target.participant,
            "responseStatus": str(target.status),
            "crrId": self.crr_id,
            "mw": self.mw,
            "price": target.price,
        }
        if target.responded_at is not None:
            record["respondedAt"] = format_utc(target.responded_at)
        return record

    def to_dict(self) -> dict:
        """The whole offer, for snapshots."""
        record = self.view(self.offerer)
        record["targetRespondingMps"] = [
            t.to_dict() | {"respondedAt": format_utc(t.responded_at) if t.responded_at else None}
            for t in self.targets
        ]
        record["transferredCrrId"] = self.transferred_crr_id
        return record


class SecondaryMarket:
    """Offers, responses and the transfers they cause."""

    def __init__(
        self, participants: ParticipantBook, holdings: Holdings, ids: IdCounters, max_targets: int
    ) -> None:
        self._participants = participants
        self._holdings = holdings
        self._ids = ids
        self._max_targets = max_targets
        """Targets of one offer at most (the spec's ``maxItems``, SER0030)."""
        self._offers: dict[str, SecondaryOffer] = {}

    # -- commands -----------------------------------------------------------------

    def submit_offer(
        self,
        participant_name: str,
        crr_id: str,
        mw: object,
        start_date: str,
        end_date: str,
        time_of_use: str,
        targets: object,
        now: datetime,
    ) -> SecondaryOffer:
        """Check and record a new offer (PENDING_RESPONSE)."""
        offerer = self._participants.get(participant_name)
        if not is_finite_number(mw) or mw <= 0:
            raise DomainError("SER0002", f"mw must be a number above zero; got {mw!r}.", "mw")
        start = parse_utc(start_date, "startDate")
        end = parse_utc(end_date, "endDate")
        if end <= start:
            raise DomainError("SER0002", "endDate must be after startDate.", "endDate")
        if time_of_use not in SUB_MARKETS:
            raise DomainError("SER0002", f"Invalid time of use {time_of_use!r}.", "timeOfUse")
        targets = require_items(targets, "offer_targets", self._max_targets)
        found = FindingCollector()
        parsed: list[OfferTarget] = []
        seen: set[str] = set()
        for i, raw in enumerate(targets):
            where = f"targetRespondingMps[{i}]"
            if not isinstance(raw, dict) or "participantName" not in raw or "price" not in raw:
                found.add("SER0001", "A target needs participantName and price.", where)
                continue
            name, price = raw["participantName"], raw["price"]
            if not is_finite_number(price):
                found.add("SER0002", "price must be a finite number.", f"{where}.price")
            elif name == offerer.name:
                found.add("SMT0002", "A participant cannot make an offer to itself.", where)
            elif name not in self._participants:
                found.add("SMT0001", f"Target participant {name!r} does not exist.", where)
            elif name in seen:
                found.add("SER0002", f"Target {name} appears twice.", where)
            else:
                seen.add(name)
                parsed.append(OfferTarget(name, float(price)))
        found.raise_if_any()
        crr = self._holdings.get(crr_id)
        if crr is None or crr.owner != offerer.name:
            raise DomainError("SMT0003", f"{offerer.name} does not hold CRR {crr_id!r}.", "crrId")
        if crr.time_of_use != time_of_use:
            raise DomainError(
                "SER0002", f"CRR {crr.crr_id} is a {crr.time_of_use} CRR.", "timeOfUse"
            )
        held = self._holdings.held_mw(offerer.name, crr.crr_id, start, end)
        if held + 1e-9 < float(mw):
            raise DomainError(
                "SMT0003",
                f"{offerer.name} holds {held:g} MW of CRR {crr.crr_id} over the offered term, "
                f"less than the {mw:g} MW offered.",
                "mw",
            )
        offer = SecondaryOffer(
            request_id=f"SM-{now:%Y%m%d}-{self._ids.next('sm_offer'):06d}",
            offerer=offerer.name,
            crr_id=crr.crr_id,
            source=crr.source,
            sink=crr.sink,
            mw=float(mw),
            start=start,
            end=end,
            time_of_use=crr.time_of_use,
            created_at=now,
            updated_at=now,
            targets=parsed,
        )
        self._offers[offer.request_id] = offer
        return offer

    def _offer(self, request_id: object) -> SecondaryOffer:
        offer = self._offers.get(request_id) if isinstance(request_id, str) else None
        if offer is None:
            raise DomainError("SMT0016", f"Request ID {request_id!r} does not exist.", "requestId")
        return offer

    def respond(
        self,
        participant_name: str,
        request_id: str,
        action: str,
        price: object,
        now: datetime,
    ) -> tuple[SecondaryOffer, OfferTarget, CRR | None]:
        """A target accepts or rejects; an acceptance transfers the MW. Returns the new CRR."""
        responder = self._participants.get(participant_name)
        offer = self._offer(request_id)
        target = offer.target(responder.name)
        if target is None:
            raise DomainError(
                "SMT0082",
                f"No offer {offer.request_id} for participant {responder.name}.",
                "requestId",
            )
        if offer.status is not OfferStatus.PENDING_RESPONSE or (
            target.status is not OfferStatus.PENDING_RESPONSE
        ):
            raise DomainError(
                "SMT0146",
                f"Offer {offer.request_id} is {offer.status}; it no longer takes responses.",
                "requestId",
            )
        if action not in ("ACCEPT", "REJECT"):
            raise DomainError("SER0002", f"Invalid action {action!r}.", "action")
        if not is_finite_number(price) or abs(float(price) - target.price) > 1e-9:
            raise DomainError(
                "SMT0145",
                f"Price {price!r} does not match the offered price {target.price:g}.",
                "price",
            )
        created: CRR | None = None
        if action == "ACCEPT":
            template = self._holdings.take(
                offer.offerer, offer.crr_id, offer.mw, offer.start, offer.end
            )
            origin = IssueOrigin(SECONDARY_MARKET, MarketTerm.SECONDARY_MARKET, template.crr_type)
            created = self._holdings.issue(responder.name, template, origin, template.hedge_type)
            target.status = OfferStatus.ACCEPTED
            offer.status = OfferStatus.ACCEPTED
            offer.transferred_crr_id = created.crr_id
            for other in offer.targets:
                if other.status is OfferStatus.PENDING_RESPONSE:
                    other.status = OfferStatus.WITHDRAWN
        else:
            target.status = OfferStatus.REJECTED
            if all(t.status is OfferStatus.REJECTED for t in offer.targets):
                offer.status = OfferStatus.REJECTED
        target.responded_at = now
        offer.updated_at = now
        return offer, target, created

    def withdraw(self, participant_name: str, request_id: str, now: datetime) -> SecondaryOffer:
        """The offerer withdraws a pending offer."""
        participant = self._participants.get(participant_name)
        offer = self._offer(request_id)
        if offer.offerer != participant.name:
            raise DomainError(
                "SMT0063",
                f"{participant.name} is not the owner of request {offer.request_id}.",
                "requestId",
            )
        if offer.status is not OfferStatus.PENDING_RESPONSE:
            raise DomainError(
                "SMT0146", f"Offer {offer.request_id} is {offer.status}.", "requestId"
            )
        offer.status = OfferStatus.WITHDRAWN
        for target in offer.targets:
            if target.status is OfferStatus.PENDING_RESPONSE:
                target.status = OfferStatus.WITHDRAWN
        offer.updated_at = now
        return offer

    # -- queries ------------------------------------------------------------------

    def get_offer(self, participant_name: str, request_id: object) -> dict:
        """The offer as the participant may see it (SMT0016, SMT0082)."""
        offer = self._visible(participant_name, request_id)
        return offer.view(participant_name)

    def responses(self, participant_name: str, request_id: object) -> list[dict]:
        """The responses the participant may see: all for the offerer, its own for a target."""
        offer = self._visible(participant_name, request_id)
        return [
            offer.response_view(t)
            for t in offer.targets
            if participant_name in (offer.offerer, t.participant)
        ]

    def list_offers(self, participant_name: str, status: str | None = None) -> list[dict]:
        """Offers the participant made or was offered, newest first."""
        participant = self._participants.get(participant_name)
        if status is not None and status not in OfferStatus.__members__:
            raise DomainError("SER0002", f"Invalid offer status {status!r}.", "status")
        offers = [
            o
            for o in self._offers.values()
            if o.is_party(participant.name) and (status is None or o.status == status)
        ]
        offers.sort(key=lambda o: (o.created_at, o.request_id), reverse=True)
        return [o.view(participant.name) for o in offers]

    def offers_of(self, participant_name: str) -> list[SecondaryOffer]:
        """Offers the participant made or was offered, by request ID."""
        return [o for o in by_id(self._offers) if o.is_party(participant_name)]

    def _visible(self, participant_name: str, request_id: object) -> SecondaryOffer:
        participant = self._participants.get(participant_name)
        offer = self._offer(request_id)
        if not offer.is_party(participant.name):
            raise DomainError(
                "SMT0082",
                f"No offer {offer.request_id} for participant {participant.name}.",
                "requestId",
            )
        return offer

    def snapshot(self) -> list[dict]:
        """Every offer as plain data, by request ID."""
        return [o.to_dict() for o in by_id(self._offers)]
