"""How many items the engine accepts in one request: the limits the served spec files state.

The numbers are the spec files' ``maxItems`` (``crr_contract.limits``), read
when the server is set up and handed to the engine whole, so the engine stays
pure and no module of it carries a number of its own that could drift from
the spec it serves.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-request item limits; a request beyond one is refused (SER0030, POR0003 for segments)."""

    auction_records: int
    """Bids plus sell offers in one auction portfolio."""
    segments: int
    """Segments of one bid or sell offer."""
    nomination_records: int
    """Nominations in one nomination portfolio."""
    load_records: int
    """Records in one load submission."""
    migration_records: int
    """Records in one load migration submission."""
    offer_targets: int
    """Target participants of one secondary market offer."""
    conversion_records: int
    """Records in one TOR conversion request."""
    approval_records: int
    """Decisions in one TOR conversion approval."""

    @classmethod
    def from_mapping(cls, values: dict[str, int]) -> Limits:
        """The limits named in ``values``; a missing one is a ``KeyError`` naming it."""
        return cls(**{f.name: values[f.name] for f in fields(cls)})
