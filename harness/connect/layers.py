"""The layers of ``crr-harness connect``, bottom to top: a failing layer blocks those above it.

The IDs are a contract (reports, users' CI scripts): CNX-001 is always DNS,
CNX-007 always the write per service. A layer's title and requirement are its
check's in ``harness/checks/requirements.yaml``, the text a report shows
next to its result.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.checks.registry import REGISTRY, case_check

__all__ = ["CASE_CHECKS", "JUDGES_EXCHANGES", "LAYERS", "SUITE", "Layer", "layer"]

SUITE = "connect"


@dataclass(frozen=True, slots=True)
class Layer:
    """A layer of ``connect``: its check ID, and whether it is judged once per service.

    Its title and requirement are those of its check in
    ``harness/checks/requirements.yaml``: the report shows the check's title
    ("connect: DNS"), connect's own table the layer's part of it ("DNS").
    """

    id: str
    per_service: bool = False

    @property
    def title(self) -> str:
        return REGISTRY[self.id].title.removeprefix(_TITLE_PREFIX)

    @property
    def requirement(self) -> str:
        return REGISTRY[self.id].requirement


_TITLE_PREFIX = f"{SUITE}: "

LAYERS: tuple[Layer, ...] = (
    Layer("CNX-001"),
    Layer("CNX-002"),
    Layer("CNX-003"),
    Layer("CNX-004"),
    Layer("CNX-005"),
    Layer("CNX-006", per_service=True),
    Layer("CNX-007", per_service=True),
)

CASE_CHECKS: tuple[str, ...] = tuple(case_check(entry.id).id for entry in LAYERS)
"""The check IDs ``connect`` judges itself (requirements.yaml names it as their suite)."""
JUDGES_EXCHANGES = True
"""Every per-exchange check runs on connect's reads and writes too."""


def layer(layer_id: str) -> Layer:
    for entry in LAYERS:
        if entry.id == layer_id:
            return entry
    raise KeyError(layer_id)
