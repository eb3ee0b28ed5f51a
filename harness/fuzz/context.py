"""What every part of a fuzz run shares: the target, the client, the tallies, what was learnt."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.client import TargetClient
from harness.fuzz.findings import Findings
from harness.fuzz.options import FuzzOptions
from harness.fuzz.schemas import FuzzOperation
from harness.fuzz.target_state import TargetState
from harness.target.config import TargetConfig

__all__ = ["FuzzRun"]


@dataclass(slots=True)
class FuzzRun:
    """One fuzz run against one target."""

    client: TargetClient
    findings: Findings
    options: FuzzOptions
    seed: int
    operations: dict[str, FuzzOperation]
    state: TargetState = field(default_factory=TargetState)

    @property
    def config(self) -> TargetConfig:
        return self.client.config
