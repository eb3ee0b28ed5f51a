"""Market participants: who they are, what they may do, and their credit.

A participant has one or more kinds, following CAISO's participant matrix:
CRR holders bid and trade, load-serving entities (LSEs) also nominate and
submit load, utility distribution companies (UDCs) submit load migration,
TOR holders request TOR conversion, and the CEC submits its load forecast.
Every participant has an aggregate credit limit ($10,000,000 for everyone
in the market simulation) and LSEs have load locations (the sinks they serve),
each with the reference peak load the load exceedance check uses.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from reference_impl.engine.errors import DomainError

__all__ = [
    "MARKET_SIM_CREDIT_LIMIT",
    "Participant",
    "ParticipantBook",
    "ParticipantKind",
]

MARKET_SIM_CREDIT_LIMIT = 10_000_000.0
"""The credit every participant had in the CAISO market simulation (DOMAIN.md section 1.5)."""


class ParticipantKind(StrEnum):
    """What a participant is registered as; a participant may be several."""

    CRR_HOLDER = "CRR_HOLDER"
    LSE = "LSE"
    UDC = "UDC"
    TOR_HOLDER = "TOR_HOLDER"
    CEC = "CEC"


@dataclass(slots=True)
class Participant:
    """A registered market participant."""

    name: str
    kinds: frozenset[ParticipantKind]
    credit_limit: float = MARKET_SIM_CREDIT_LIMIT
    load_locations: Mapping[str, float | None] = field(default_factory=dict)
    """Sink name -> reference peak load in MW (None: the default peak applies)."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise DomainError("SER0002", f"Invalid participant name {self.name!r}.", "name")
        self.kinds = frozenset(ParticipantKind(kind) for kind in self.kinds)
        if not self.kinds:
            raise DomainError("SER0002", f"Participant {self.name} has no kind.", "kinds")
        limit = float(self.credit_limit)
        if not math.isfinite(limit) or limit < 0:
            raise DomainError("SER0002", f"Invalid credit limit for {self.name}.", "creditLimit")
        self.credit_limit = limit
        self.load_locations = dict(sorted(self.load_locations.items()))

    def is_a(self, kind: ParticipantKind) -> bool:
        """Whether the participant is registered as ``kind``."""
        return kind in self.kinds

    def serves(self, sink: str) -> bool:
        """Whether ``sink`` is one of the participant's load locations."""
        return sink in self.load_locations

    def to_dict(self) -> dict:
        """The participant as plain data."""
        return {
            "name": self.name,
            "kinds": sorted(str(k) for k in self.kinds),
            "creditLimit": self.credit_limit,
            "loadLocations": [
                {"sink": sink, "peakLoadMw": peak} for sink, peak in self.load_locations.items()
            ],
        }


class ParticipantBook:
    """The registered participants, by name."""

    def __init__(self) -> None:
        self._participants: dict[str, Participant] = {}

    def add(self, participant: Participant) -> None:
        """Register a participant; a name may be registered once."""
        if participant.name in self._participants:
            raise DomainError(
                "SER0002", f"Participant {participant.name} is already registered.", "name"
            )
        self._participants[participant.name] = participant

    def get(self, name: object, field: str | None = "participantName") -> Participant:
        """The participant called ``name``.

        The API layer has already matched the name against the caller's
        certificate; a name that still is not registered is an
        invalid value.
        """
        participant = self._participants.get(name) if isinstance(name, str) else None
        if participant is None:
            raise DomainError("SER0002", f"Participant {name!r} is not registered.", field)
        return participant

    def find(self, name: object) -> Participant | None:
        """The participant called ``name``, or None."""
        return self._participants.get(name) if isinstance(name, str) else None

    def __iter__(self) -> Iterator[Participant]:
        return iter(sorted(self._participants.values(), key=lambda p: p.name))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._participants
