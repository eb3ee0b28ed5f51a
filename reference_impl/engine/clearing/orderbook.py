"""Turn bids, offers and existing CRRs into the canonical arrays one sub-market clears.

All inputs are sorted by their IDs first (buy bids, then sell offers, then
existing CRRs), so any permutation of the same orders yields the same arrays
and therefore the same solve. Orders the market cannot accept are set aside
with a reason instead of failing the whole clearing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from reference_impl.engine.clearing.dcflow import DcModel
from reference_impl.engine.clearing.records import (
    Bid,
    BidSegment,
    ExistingCRR,
    InvalidOrderError,
    SellOffer,
    Side,
    TimeOfUse,
)
from reference_impl.engine.clearing.results import Rejection

__all__ = ["AcceptedOrder", "OrderBook", "baseload_injection", "build_order_book"]


@dataclass(frozen=True, slots=True)
class AcceptedOrder:
    """An order that enters the LP; ``source``/``sink`` are the CRR path it trades."""

    order_id: str
    side: Side
    participant: str
    source: str
    sink: str
    first_product: int
    n_segments: int


@dataclass(frozen=True, eq=False)
class OrderBook:
    """One sub-market's orders as LP products.

    Product *p* moves ``upper[p]`` MW at most from location ``source[p]`` to
    ``sink[p]`` (positions in the network's locations) at minimisation cost
    ``cost[p]`` per MW: -bid price for a buy segment; for a sell segment the
    ask price, with source and sink swapped because selling removes the CRR's
    injection.
    """

    time_of_use: TimeOfUse
    orders: tuple[AcceptedOrder, ...]
    rejected: tuple[Rejection, ...]
    source: np.ndarray
    sink: np.ndarray
    price: np.ndarray
    cost: np.ndarray
    upper: np.ndarray
    baseload_injection: np.ndarray

    def __len__(self) -> int:
        return len(self.cost)


def _unique_sorted(items: Iterable, key: str, what: str) -> list:
    ordered = sorted(items, key=lambda item: getattr(item, key))
    for first, second in itertools.pairwise(ordered):
        if getattr(first, key) == getattr(second, key):
            raise InvalidOrderError(f"Duplicate {what} {getattr(first, key)!r}")
    return ordered


def baseload_injection(
    dc: DcModel, time_of_use: TimeOfUse, baseload: Sequence[ExistingCRR]
) -> np.ndarray:
    """Bus injections of the existing CRRs fixed in ``time_of_use``, summed in ID order."""
    injection = np.zeros(dc.n_buses)
    index = dc.network.location_index
    for crr in _unique_sorted(baseload, "crr_id", "CRR ID"):
        if not crr.time_of_use.applies_to(time_of_use) or crr.mw == 0:
            continue
        if crr.source not in index or crr.sink not in index:
            raise InvalidOrderError(f"CRR {crr.crr_id} refers to an unknown location")
        weights = dc.location_weights
        column = (
            weights[:, index[crr.source]].toarray().ravel()
            - weights[:, index[crr.sink]].toarray().ravel()
        )
        injection += crr.mw * column
    return injection


def build_order_book(
    dc: DcModel,
    time_of_use: TimeOfUse,
    bids: Iterable[Bid],
    offers: Iterable[SellOffer] = (),
    baseload: Iterable[ExistingCRR] = (),
) -> OrderBook:
    """Validate and flatten one sub-market's orders (those of ``time_of_use``)."""
    time_of_use = TimeOfUse(time_of_use)
    baseload = list(baseload)
    index = dc.network.location_index
    islanded = dc.islanded_locations
    held = {
        crr.crr_id: crr
        for crr in _unique_sorted(baseload, "crr_id", "CRR ID")
        if crr.time_of_use.applies_to(time_of_use)
    }
    baseloaded_at = {crr.source for crr in held.values() if crr.mw > 0} | {
        crr.sink for crr in held.values() if crr.mw > 0
    }
    rejected: list[Rejection] = []
    orders: list[AcceptedOrder] = []
    source, sink, price, cost, upper = [], [], [], [], []

    def accept(
        order_id: str,
        side: Side,
        participant: str,
        path_from: str,
        path_to: str,
        segments: Sequence[BidSegment],
    ) -> None:
        """Enter an order on the CRR path it trades: one product per segment (see ``OrderBook``)."""
        orders.append(
            AcceptedOrder(order_id, side, participant, path_from, path_to, len(cost), len(segments))
        )
        buying = side is Side.BUY
        into, out_of = (path_from, path_to) if buying else (path_to, path_from)
        for segment in segments:
            source.append(index[into])
            sink.append(index[out_of])
            price.append(segment.price)
            cost.append(-segment.price if buying else segment.price)
            upper.append(segment.mw)

    for bid in _unique_sorted((b for b in bids if b.time_of_use is time_of_use), "bid_id", "bid"):
        if bid.source not in index or bid.sink not in index:
            rejected.append(Rejection(bid.bid_id, Side.BUY, "UNKNOWN_LOCATION"))
            continue
        if bid.source in islanded or bid.sink in islanded:
            rejected.append(Rejection(bid.bid_id, Side.BUY, "ISLANDED_LOCATION"))
            continue
        accept(bid.bid_id, Side.BUY, bid.participant, bid.source, bid.sink, bid.segments)

    offered: dict[str, float] = {}
    for offer in _unique_sorted(
        (o for o in offers if o.time_of_use is time_of_use), "offer_id", "offer"
    ):
        crr = held.get(offer.crr_id)
        if crr is None:
            rejected.append(Rejection(offer.offer_id, Side.SELL, "UNKNOWN_CRR"))
            continue
        if crr.holder != offer.participant:
            rejected.append(Rejection(offer.offer_id, Side.SELL, "NOT_HOLDER"))
            continue
        if crr.source not in index or crr.sink not in index:
            rejected.append(Rejection(offer.offer_id, Side.SELL, "UNKNOWN_LOCATION"))
            continue
        if any(loc in islanded and loc not in baseloaded_at for loc in (crr.source, crr.sink)):
            rejected.append(Rejection(offer.offer_id, Side.SELL, "ISLANDED_LOCATION"))
            continue
        total = offered.get(crr.crr_id, 0.0) + offer.total_mw
        if total > crr.mw * (1 + 1e-12):
            rejected.append(Rejection(offer.offer_id, Side.SELL, "EXCEEDS_HELD_MW"))
            continue
        offered[crr.crr_id] = total
        accept(offer.offer_id, Side.SELL, offer.participant, crr.source, crr.sink, offer.segments)

    return OrderBook(
        time_of_use=time_of_use,
        orders=tuple(orders),
        rejected=tuple(rejected),
        source=np.array(source, dtype=np.int64),
        sink=np.array(sink, dtype=np.int64),
        price=np.array(price, dtype=float),
        cost=np.array(cost, dtype=float),
        upper=np.array(upper, dtype=float),
        baseload_injection=baseload_injection(dc, time_of_use, baseload),
    )
