"""What a scenario step needs the target to be in before it acts, derived from the step itself.

Against a target nobody drives (no sim control), a step cannot make the
market move; it can only check that the market is where the step needs
it. The needs are derived from what the step does, not written into each
scenario:

- ``operator: open|close|clear|publish`` needs its window or market to
  have reached the status the action would produce (OPEN, CLOSED, CLOSED,
  PUBLISHED, or a later one);
- ``operator: clock`` with ``now`` needs the target's clock at or past it;
- a call of a write operation that expects success, naming a market or a
  window (``marketName``, ``windowName`` in its body or query), needs that
  window OPEN.

An unmet need says which state is missing and, where the calendar tells,
the target time at which it comes (``ready_at``), so the runner can wait
for it when that is within ``--wait-for-calendar`` and skip otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crr_contract.operations import Operation
from harness.market_state import TargetState, Window, parse_time
from harness.scenarios.model import Step
from harness.scenarios.values import PathError, interpolate

__all__ = ["Unmet", "unmet_before"]

ORDER = ("PREP", "OPEN", "CLOSED", "PUBLISHED")
REACHES = {"open": "OPEN", "close": "CLOSED", "clear": "CLOSED", "publish": "PUBLISHED"}
"""An operator action → the status its window or market has once it took effect."""


@dataclass(frozen=True, slots=True)
class Unmet:
    """A state the step needs and the target is not in; when the calendar says it comes."""

    reason: str
    ready_at: str | None = None


def _reached(window: Window, status: str) -> bool:
    return (
        window.status in ORDER
        and status in ORDER
        and ORDER.index(window.status) >= ORDER.index(status)
    )


def _operator(step: Step, state: TargetState) -> Unmet | None:
    if step.operator == "clock":
        wanted = step.arguments.get("now")
        now, then = parse_time(state.now), parse_time(wanted)
        if then is None or now is None or now >= then:
            return None  # a relative move, or a clock at or past the moment: nothing to wait for
        return Unmet(
            f"the step needs target time {wanted}; the target's clock says {state.now}", wanted
        )
    status = REACHES.get(step.operator or "")
    name = str(step.arguments.get("window") or step.arguments.get("market") or "")
    window = state.window(name)
    if status is None:
        return None
    if window is None:
        return Unmet(f"{name} is not listed by {state.source}, so it cannot be seen {status}")
    if _reached(window, status):
        return None
    ready_at = window.open_time if status == "OPEN" else None
    if step.operator in ("close", "clear"):
        ready_at = window.close_time
    when = "; the calendar gives no time for it" if ready_at is None else ""
    return Unmet(f"{window.describe()} (the step needs it {status}){when}", ready_at)


def _named_window(step: Step, saved: Mapping[str, Any]) -> str | None:
    """The market or window a call names in its body or query (after interpolation)."""
    for source in (step.body, step.params):
        try:
            values = interpolate(source, saved)
        except PathError:
            continue
        if isinstance(values, Mapping):
            for key in ("windowName", "marketName"):
                if isinstance(values.get(key), str):
                    return values[key]
    return None


def _expects_success(step: Step) -> bool:
    statuses = step.expect.status
    return not step.expect.errors and (not statuses or any(200 <= s < 300 for s in statuses))


def _call(
    step: Step, operation: Operation | None, state: TargetState, saved: Mapping[str, Any]
) -> Unmet | None:
    if operation is None or "write" not in (operation.definition.get("tags") or ()):
        return None
    if not _expects_success(step):
        return None  # a refusal the step expects may rightly come from a closed window
    name = _named_window(step, saved)
    window = state.window(name) if name else None
    if window is None or window.status == "OPEN":
        return None  # nothing named, or a name the target's lists do not show: let it answer
    ready_at = window.open_time if window.status == "PREP" else None
    return Unmet(f"{window.describe()} (the step writes into it)", ready_at)


def unmet_before(
    step: Step,
    operation: Operation | None,
    state: TargetState,
    saved: Mapping[str, Any],
) -> Unmet | None:
    """The first state ``step`` needs that the target is not in (None: it may act now)."""
    if step.kind == "operator":
        return _operator(step, state)
    if step.kind == "call":
        return _call(step, operation, state, saved)
    return None
