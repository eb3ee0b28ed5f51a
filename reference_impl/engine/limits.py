"""How many items the engine accepts in one request: the limits the served spec files state.

The numbers are the spec files' ``maxItems`` (``crr_contract.limits``), read
when the server is set up and handed to the engine whole, so the engine stays
pure and no module of it carries a number of its own that could drift from
the spec it serves.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from reference_impl.engine.errors import DomainError

__all__ = ["Limits", "require_items"]


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


_COUNT_MESSAGES: dict[str, tuple[str, str, str]] = {
    "load_records": (
        "records",
        "A load submission needs at least one record.",
        "A load submission holds at most {limit} records; got {count}.",
    ),
    "migration_records": (
        "records",
        "A submission holds at least one record.",
        "A submission holds at most {limit} records.",
    ),
    "offer_targets": (
        "targetRespondingMps",
        "An offer names at least one target.",
        "An offer names at most {limit} targets; got {count}.",
    ),
    "conversion_records": (
        "records",
        "A request holds at least one record.",
        "A request holds at most {limit} records.",
    ),
    "approval_records": (
        "records",
        "An approval holds at least one record.",
        "An approval holds at most {limit} records.",
    ),
}
"""Per limit: the request field it counts, the SER0001 message when it is empty or not a
list, and the SER0030 message beyond the limit (formatted with ``limit`` and ``count``)."""


def require_items(items: object, limit_name: str, limit: int) -> list:
    """``items`` if it is a list of one to ``limit`` items, else SER0001 or SER0030.

    ``limit_name`` is the :class:`Limits` field ``limit`` comes from; it picks
    the field named and the messages (``_COUNT_MESSAGES``).
    """
    field, empty, too_many = _COUNT_MESSAGES[limit_name]
    if not isinstance(items, list) or not items:
        raise DomainError("SER0001", empty, field)
    if len(items) > limit:
        raise DomainError("SER0030", too_many.format(limit=limit, count=len(items)), field)
    return items
