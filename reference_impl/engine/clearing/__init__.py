"""CRR market clearing on a sparse DC simultaneous feasibility test (SFT).

Public surface:

* :func:`clear_auction` / :func:`clear_sub_market`: auction clearing (ON and
  OFF sub-markets), with awards per segment, location and path prices, and
  binding constraints with shadow prices;
* :func:`clear_allocation` / :func:`clear_allocation_tier`: allocation tiers
  in sequence with pro-rata caps and max-min fair curtailment;
* :func:`build_dc_model`: factor a network once and reuse it across calls;
* the records (:class:`Bid`, :class:`SellOffer`, :class:`ExistingCRR`,
  :class:`Nomination`, ...) and results they exchange.

See ``README.md`` next to this file for the formulation, sign conventions and
the curtailment rule.
"""

from __future__ import annotations

from reference_impl.engine.clearing.allocation import (
    AllocationResult,
    NominationAward,
    TierResult,
    capped_quantities,
    clear_allocation,
    clear_allocation_tier,
)
from reference_impl.engine.clearing.auction import clear_auction, clear_sub_market
from reference_impl.engine.clearing.dcflow import DcModel, build_dc_model
from reference_impl.engine.clearing.highs import SolverError
from reference_impl.engine.clearing.options import ClearingOptions
from reference_impl.engine.clearing.records import (
    AllocationTier,
    Bid,
    BidSegment,
    EligibleQuantity,
    ExistingCRR,
    InvalidOrderError,
    Nomination,
    SellOffer,
    Side,
    TimeOfUse,
)
from reference_impl.engine.clearing.results import (
    AuctionResult,
    BindingConstraint,
    ClearingStats,
    OrderAward,
    Rejection,
    SubMarketResult,
)

__all__ = [
    "AllocationResult",
    "AllocationTier",
    "AuctionResult",
    "Bid",
    "BidSegment",
    "BindingConstraint",
    "ClearingOptions",
    "ClearingStats",
    "DcModel",
    "EligibleQuantity",
    "ExistingCRR",
    "InvalidOrderError",
    "Nomination",
    "NominationAward",
    "OrderAward",
    "Rejection",
    "SellOffer",
    "Side",
    "SolverError",
    "SubMarketResult",
    "TierResult",
    "TimeOfUse",
    "build_dc_model",
    "capped_quantities",
    "clear_allocation",
    "clear_allocation_tier",
    "clear_auction",
    "clear_sub_market",
]
