"""The CRR inventory: every CRR, who holds it, and how holdings split when traded.

CRRs enter the inventory from the data set (existing and baseload CRRs),
from published allocation and auction results, from approved TOR
conversions (market name ``SYSTEM``), from load migration, and from
secondary-market transfers. A CRR covers a term ``[start, end)`` in one time
of use.

Selling part of a CRR, or a CRR for part of its term, splits it. Every piece
remembers the CRR it came from (``origin_id``), so a holder can keep
referring to a CRR by the ID it was given even after parts of it were sold:
what a holder *holds of* CRR X over a term is, at each instant, the sum of
the MW of its pieces of X's lineage, and the least of that over the term.
Taking MW out of a lineage never creates or destroys MW: what leaves the
seller is exactly what the caller gives to the buyer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from enum import StrEnum
from itertools import pairwise

from reference_impl.engine.clock import format_utc
from reference_impl.engine.errors import DomainError
from reference_impl.engine.identifiers import IdCounters
from reference_impl.engine.markets import TimeOfUse

__all__ = [
    "CRR",
    "CRR_ID_BASE",
    "MW_TOLERANCE",
    "TERM_FIELDS",
    "CrrType",
    "HedgeType",
    "Holdings",
    "IssueOrigin",
    "MarketTerm",
]

MW_TOLERANCE = 1e-9
"""MW below this are treated as zero (floating-point remainders of splits)."""

CRR_ID_BASE = 10_000_000
"""Engine-issued CRR IDs are numbers above this, written as strings (as CAISO's are)."""


class CrrType(StrEnum):
    """Where an allocated right comes from (the CRRType enum of the downloads)."""

    LSE = "LSE"
    LSE_LMT = "LSE_LMT"
    ETC = "ETC"
    TOR = "TOR"
    TER = "TER"


class HedgeType(StrEnum):
    """Obligation (pays or charges the price difference) or option (pays only)."""

    OBLIGATION = "OBLIGATION"
    OPTION = "OPTION"


class MarketTerm(StrEnum):
    """How a CRR came to be, as the OASIS CRR inventory reports it."""

    SEASONAL = "Seasonal"
    MONTHLY = "Monthly"
    LOAD_MIGRATION = "LOAD_MIGRATION"
    SECONDARY_MARKET = "SECONDARY_MARKET"
    SYSTEM = "SYSTEM"


TERM_FIELDS = ("source", "sink", "mw", "time_of_use", "start", "end")
"""What a new CRR takes from what it is issued for (path, MW, time of use, term), as they are."""


@dataclass(frozen=True, slots=True)
class CRR:
    """One congestion revenue right (or piece of one) as held now."""

    crr_id: str
    owner: str
    source: str
    sink: str
    mw: float
    time_of_use: TimeOfUse
    start: datetime
    end: datetime
    market_name: str
    market_term: MarketTerm
    crr_type: CrrType | None = None
    hedge_type: HedgeType = HedgeType.OBLIGATION
    origin_id: str = ""

    def __post_init__(self) -> None:
        if self.source == self.sink:
            raise DomainError("SER0002", f"CRR {self.crr_id}: source equals sink.", "sink")
        mw = float(self.mw)
        if not math.isfinite(mw) or mw <= 0:
            raise DomainError("SER0002", f"CRR {self.crr_id}: MW must be positive.", "mw")
        if self.end <= self.start:
            raise DomainError("SER0002", f"CRR {self.crr_id}: term ends before it starts.", "end")
        object.__setattr__(self, "mw", mw)
        object.__setattr__(self, "time_of_use", TimeOfUse.sub_market(self.time_of_use))
        object.__setattr__(self, "market_term", MarketTerm(self.market_term))
        object.__setattr__(self, "hedge_type", HedgeType(self.hedge_type))
        if self.crr_type is not None:
            object.__setattr__(self, "crr_type", CrrType(self.crr_type))
        if not self.origin_id:
            object.__setattr__(self, "origin_id", self.crr_id)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether the CRR's term overlaps ``[start, end)``."""
        return self.start < end and start < self.end

    def covers(self, start: datetime, end: datetime) -> bool:
        """Whether the CRR's term contains ``[start, end)``."""
        return self.start <= start and end <= self.end

    def to_dict(self) -> dict:
        """The CRR with the field names of the CRR holdings API."""
        return {
            "crrId": self.crr_id,
            "owner": self.owner,
            "source": self.source,
            "sink": self.sink,
            "mw": self.mw,
            "timeOfUse": str(self.time_of_use),
            "startDate": format_utc(self.start),
            "endDate": format_utc(self.end),
            "crrType": str(self.crr_type) if self.crr_type else None,
            "hedgeType": str(self.hedge_type),
            "marketName": self.market_name,
            "marketTerm": str(self.market_term),
            "originId": self.origin_id,
        }


@dataclass(frozen=True, slots=True)
class IssueOrigin:
    """The process that issues a CRR outside the clearing: the CRR fields that say so."""

    market_name: str
    market_term: MarketTerm
    crr_type: CrrType | None = None


class Holdings:
    """Every CRR currently held, by ID."""

    def __init__(self, ids: IdCounters) -> None:
        self._ids = ids
        self._crrs: dict[str, CRR] = {}

    # -- adding ---------------------------------------------------------------

    def new_id(self) -> str:
        """The next engine-issued CRR ID."""
        return str(CRR_ID_BASE + self._ids.next("crr"))

    def add(self, crr: CRR) -> CRR:
        """Put a CRR with its own ID into the inventory (data-set CRRs)."""
        if crr.crr_id in self._crrs:
            raise DomainError("SER0002", f"CRR {crr.crr_id} is already in the inventory.", "crrId")
        if crr.crr_id.isdigit() and int(crr.crr_id) > CRR_ID_BASE:
            self._ids.ensure_at_least("crr", int(crr.crr_id) - CRR_ID_BASE)
        self._crrs[crr.crr_id] = crr
        return crr

    def create(self, **fields: object) -> CRR:
        """Issue a new CRR with the next ID; ``fields`` are the other :class:`CRR` fields."""
        crr = CRR(crr_id=self.new_id(), **fields)
        self._crrs[crr.crr_id] = crr
        return crr

    def issue(
        self,
        owner: str,
        terms: object,
        origin: IssueOrigin,
        hedge_type: HedgeType = HedgeType.OBLIGATION,
    ) -> CRR:
        """Issue to ``owner`` a new CRR on ``terms``, stamped with the process that made it.

        TOR conversion, load migration and secondary-market transfers all give a
        participant a CRR on terms decided elsewhere; ``terms`` is anything with the
        :data:`TERM_FIELDS` attributes (an approved conversion record, a share moved
        with the load, a piece taken from the seller). Only the origin differs, and
        its fields are the CRR's fields of the same names.
        """
        copied = {name: getattr(terms, name) for name in TERM_FIELDS}
        return self.create(owner=owner, hedge_type=hedge_type, **copied, **asdict(origin))

    # -- reading --------------------------------------------------------------

    def get(self, crr_id: object) -> CRR | None:
        """The CRR with this ID, or None."""
        return self._crrs.get(crr_id) if isinstance(crr_id, str) else None

    def __iter__(self) -> Iterator[CRR]:
        return iter(sorted(self._crrs.values(), key=_id_order))

    def owned_by(self, owner: str) -> list[CRR]:
        """The CRRs ``owner`` holds, by ID."""
        return [crr for crr in self if crr.owner == owner]

    def resolve(self, owner: str, crr_id: object) -> CRR | None:
        """A piece ``owner`` holds of ``crr_id``'s lineage: the CRR itself, or a piece split off it.

        A holder keeps referring to a CRR by its ID after parts were sold; when
        the piece with that ID is gone, another piece of the same origin stands in.
        """
        crr = self.get(crr_id)
        if crr is not None:
            return crr if crr.owner == owner else None
        return next(
            (c for c in self if c.owner == owner and c.origin_id == crr_id),
            None,
        )

    def lineage(self, owner: str, crr_id: object) -> list[CRR]:
        """``owner``'s pieces of the lineage of ``crr_id`` (empty when it holds none)."""
        crr = self.resolve(owner, crr_id)
        if crr is None:
            return []
        return [c for c in self if c.owner == owner and c.origin_id == crr.origin_id]

    def held_mw(self, owner: str, crr_id: object, start: datetime, end: datetime) -> float:
        """The least MW ``owner`` holds of ``crr_id``'s lineage at any instant of ``[start, end)``."""
        pieces = self.lineage(owner, crr_id)
        if not pieces or end <= start:
            return 0.0
        least = math.inf
        for a, b in _elementary(start, end, pieces):
            least = min(least, math.fsum(p.mw for p in pieces if p.covers(a, b)))
        return 0.0 if least is math.inf else least

    def peak_mw(self, owner: str, crr_id: object, start: datetime, end: datetime) -> float:
        """The most MW ``owner`` holds of ``crr_id``'s lineage at any instant of ``[start, end)``."""
        pieces = self.lineage(owner, crr_id)
        return max(
            (
                math.fsum(p.mw for p in pieces if p.covers(a, b))
                for a, b in _elementary(start, end, pieces)
            ),
            default=0.0,
        )

    # -- changing -------------------------------------------------------------

    def take(self, owner: str, crr_id: str, mw: float, start: datetime, end: datetime) -> CRR:
        """Remove ``mw`` MW of ``crr_id``'s lineage from ``owner`` over ``[start, end)``.

        Returns a template CRR (the offered one, restricted to the term and MW)
        for the caller to give to someone else with :meth:`create`. Pieces
        shrink or split; a piece left with no MW leaves the inventory.
        """
        if self.held_mw(owner, crr_id, start, end) + MW_TOLERANCE < mw:
            raise DomainError(
                "SMT0003", f"{owner} does not hold {mw} MW of CRR {crr_id} for the term.", "mw"
            )
        pieces = self.lineage(owner, crr_id)
        template = pieces[0]
        taken: dict[str, dict[tuple[datetime, datetime], float]] = {}
        for a, b in _elementary(start, end, pieces):
            need = mw
            for piece in pieces:
                if need <= MW_TOLERANCE:
                    break
                if piece.covers(a, b):
                    share = min(need, piece.mw)
                    taken.setdefault(piece.crr_id, {})[(a, b)] = share
                    need -= share
        for piece in pieces:
            if piece.crr_id in taken:
                self._rebuild(piece, taken[piece.crr_id])
        return replace(template, mw=mw, start=start, end=end)

    def _rebuild(self, piece: CRR, taken: dict[tuple[datetime, datetime], float]) -> None:
        cuts = sorted({piece.start, piece.end, *(t for span in taken for t in span)})
        parts: list[tuple[datetime, datetime, float]] = []
        for a, b in pairwise(cuts):
            left = piece.mw - taken.get((a, b), 0.0)
            if parts and abs(parts[-1][2] - left) <= MW_TOLERANCE and parts[-1][1] == a:
                parts[-1] = (parts[-1][0], b, parts[-1][2])
            else:
                parts.append((a, b, left))
        parts = [(a, b, left) for a, b, left in parts if left > MW_TOLERANCE]
        del self._crrs[piece.crr_id]
        for index, (a, b, left) in enumerate(parts):
            crr_id = piece.crr_id if index == 0 else self.new_id()
            self._crrs[crr_id] = replace(piece, crr_id=crr_id, mw=left, start=a, end=b)

    def remove(self, crr_id: str) -> None:
        """Take a CRR out of the inventory (operator correction)."""
        self._crrs.pop(crr_id, None)

    def snapshot(self) -> list[dict]:
        """Every CRR as plain data, by ID."""
        return [crr.to_dict() for crr in self]


def _id_order(crr: CRR) -> tuple[int, int, str]:
    return (0, int(crr.crr_id), "") if crr.crr_id.isdigit() else (1, 0, crr.crr_id)


def _elementary(
    start: datetime, end: datetime, pieces: Iterable[CRR]
) -> list[tuple[datetime, datetime]]:
    """``[start, end)`` cut at every piece boundary inside it."""
    cuts = {start, end}
    for piece in pieces:
        for t in (piece.start, piece.end):
            if start < t < end:
                cuts.add(t)
    ordered = sorted(cuts)
    return list(pairwise(ordered))
