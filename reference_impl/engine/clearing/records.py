"""Orders and rights that enter a CRR clearing: bids, sell offers, nominations, existing CRRs.

Every record checks its own values when built, so the clearing code can rely
on them: at least one segment per bid, positive segment widths, buy curves
that never rise in price and sell curves that never fall. How many segments
a bid may have at most is a request limit the spec files state; the
portfolio checks it where requests enter (``portfolios``), so the clearing
takes whatever curve got that far.
A segment's ``mw`` is its width: the curve's cumulative MW after segment *k*
is the sum of the widths of segments 0..k.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from enum import StrEnum

from reference_impl.engine.markets import TimeOfUse

__all__ = [
    "AllocationTier",
    "Bid",
    "BidSegment",
    "EligibleQuantity",
    "ExistingCRR",
    "InvalidOrderError",
    "Nomination",
    "SellOffer",
    "Side",
    "TimeOfUse",
]


class InvalidOrderError(ValueError):
    """An order or right carries a value the market rules do not allow."""


class Side(StrEnum):
    """Whether an order buys a CRR or sells one already held."""

    BUY = "BUY"
    SELL = "SELL"


def _check_id(value: str, what: str) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidOrderError(f"Expected a non-empty {what} but got {value!r}")


def _check_tou(value: TimeOfUse, owner: str) -> TimeOfUse:
    tou = TimeOfUse(value)
    if tou is TimeOfUse.H24:
        raise InvalidOrderError(f"{owner}: orders are for ON or OFF, not 24HR")
    return tou


@dataclass(frozen=True, slots=True)
class BidSegment:
    """One step of a bid curve: ``mw`` more MW at ``price`` $/MW for the term."""

    mw: float
    price: float

    def __post_init__(self) -> None:
        mw, price = float(self.mw), float(self.price)
        if not math.isfinite(mw) or mw <= 0:
            raise InvalidOrderError(f"Expected a positive finite segment MW but got {self.mw!r}")
        if not math.isfinite(price):
            raise InvalidOrderError(f"Expected a finite segment price but got {self.price!r}")
        object.__setattr__(self, "mw", mw)
        object.__setattr__(self, "price", price)


def _check_segments(segments: tuple[BidSegment, ...], owner: str, *, rising: bool) -> tuple:
    segments = tuple(segments)
    if not segments:
        raise InvalidOrderError(f"{owner}: expected at least 1 segment but got none")
    for first, second in itertools.pairwise(segments):
        if (second.price < first.price) if rising else (second.price > first.price):
            shape = "non-decreasing" if rising else "non-increasing"
            raise InvalidOrderError(f"{owner}: segment prices must be {shape}")
    return segments


@dataclass(frozen=True, slots=True)
class Bid:
    """A buy bid for an obligation CRR from ``source`` to ``sink``.

    The curve's prices never rise: each extra MW is worth at most what the
    previous one was. Prices may be negative (the bidder wants to be paid to
    take a counterflow CRR).
    """

    bid_id: str
    participant: str
    source: str
    sink: str
    time_of_use: TimeOfUse
    segments: tuple[BidSegment, ...]

    def __post_init__(self) -> None:
        _check_id(self.bid_id, "bid ID")
        _check_id(self.participant, "participant")
        if self.source == self.sink:
            raise InvalidOrderError(f"Bid {self.bid_id}: source and sink are both {self.source}")
        object.__setattr__(self, "time_of_use", _check_tou(self.time_of_use, f"Bid {self.bid_id}"))
        object.__setattr__(
            self, "segments", _check_segments(self.segments, f"Bid {self.bid_id}", rising=False)
        )

    @property
    def total_mw(self) -> float:
        """The MW of the whole curve."""
        return math.fsum(segment.mw for segment in self.segments)


@dataclass(frozen=True, slots=True)
class ExistingCRR:
    """A CRR already held and fixed in the SFT (baseloading): ETC/TOR, long-term, earlier tiers.

    ``crr_type`` is an open label (ETC, TOR, LT, LSE, AUCTION...). A holder
    may sell it through a :class:`SellOffer`.
    """

    crr_id: str
    holder: str
    source: str
    sink: str
    mw: float
    time_of_use: TimeOfUse
    crr_type: str = "LSE"

    def __post_init__(self) -> None:
        _check_id(self.crr_id, "CRR ID")
        if self.source == self.sink:
            raise InvalidOrderError(f"CRR {self.crr_id}: source and sink are both {self.source}")
        mw = float(self.mw)
        if not math.isfinite(mw) or mw < 0:
            raise InvalidOrderError(f"CRR {self.crr_id}: expected non-negative MW, got {self.mw!r}")
        object.__setattr__(self, "mw", mw)
        object.__setattr__(self, "time_of_use", TimeOfUse(self.time_of_use))


@dataclass(frozen=True, slots=True)
class SellOffer:
    """An offer to sell (part of) the held CRR ``crr_id`` back into the auction.

    The curve's prices never fall: they are the least the holder accepts for
    each further MW. Clearing a sell offer removes that MW of the CRR's
    injection from the SFT, which frees capacity for buyers.
    """

    offer_id: str
    participant: str
    crr_id: str
    time_of_use: TimeOfUse
    segments: tuple[BidSegment, ...]

    def __post_init__(self) -> None:
        _check_id(self.offer_id, "offer ID")
        _check_id(self.participant, "participant")
        _check_id(self.crr_id, "CRR ID")
        object.__setattr__(
            self, "time_of_use", _check_tou(self.time_of_use, f"Offer {self.offer_id}")
        )
        object.__setattr__(
            self, "segments", _check_segments(self.segments, f"Offer {self.offer_id}", rising=True)
        )

    @property
    def total_mw(self) -> float:
        """The MW of the whole curve."""
        return math.fsum(segment.mw for segment in self.segments)


@dataclass(frozen=True, slots=True)
class Nomination:
    """A load-serving entity's request for an allocated CRR in one allocation tier."""

    nomination_id: str
    participant: str
    source: str
    sink: str
    time_of_use: TimeOfUse
    mw: float

    def __post_init__(self) -> None:
        _check_id(self.nomination_id, "nomination ID")
        _check_id(self.participant, "participant")
        if self.source == self.sink:
            raise InvalidOrderError(
                f"Nomination {self.nomination_id}: source and sink are both {self.source}"
            )
        mw = float(self.mw)
        if not math.isfinite(mw) or mw < 0:
            raise InvalidOrderError(
                f"Nomination {self.nomination_id}: expected non-negative MW, got {self.mw!r}"
            )
        object.__setattr__(self, "mw", mw)
        object.__setattr__(
            self,
            "time_of_use",
            _check_tou(self.time_of_use, f"Nomination {self.nomination_id}"),
        )


@dataclass(frozen=True, slots=True)
class EligibleQuantity:
    """A cap on one participant's nominations in a tier (SEQ/MEQ, upper bound, T2 cap).

    With ``sink`` set the cap covers only nominations to that sink; without it,
    all the participant's nominations of that TOU.
    """

    participant: str
    time_of_use: TimeOfUse
    mw: float
    sink: str | None = None

    def __post_init__(self) -> None:
        _check_id(self.participant, "participant")
        mw = float(self.mw)
        if not math.isfinite(mw) or mw < 0:
            raise InvalidOrderError(f"Eligible quantity must be non-negative, got {self.mw!r}")
        object.__setattr__(self, "mw", mw)
        object.__setattr__(self, "time_of_use", _check_tou(self.time_of_use, "Eligible quantity"))


@dataclass(frozen=True, slots=True)
class AllocationTier:
    """One allocation market in a sequence (ETC, T1, LT, T2, T3 ...).

    ``caps`` of ``None`` means the tier is uncapped; otherwise a nomination
    that no cap covers is not eligible.
    """

    name: str
    nominations: tuple[Nomination, ...]
    caps: tuple[EligibleQuantity, ...] | None = None

    def __post_init__(self) -> None:
        _check_id(self.name, "tier name")
        object.__setattr__(self, "nominations", tuple(self.nominations))
        if self.caps is not None:
            object.__setattr__(self, "caps", tuple(self.caps))
