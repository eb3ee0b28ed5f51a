"""How long a scenario may wait for the market calendar, and whether a window is worth waiting for.

Against a target nobody drives, a step that needs a window the calendar
opens in ten minutes can wait for it; one that opens in six days cannot.
``certify --wait-for-calendar DURATION`` sets the bound (none by default),
so a participant can run week 2 on the day of the market sim.
"""

from __future__ import annotations

import re

from harness.errors import InputError
from harness.market_state import parse_time

__all__ = ["parse_duration", "seconds_until"]

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(text: str) -> float:
    """Seconds in ``90m``, ``2h``, ``1h30m`` or ``45s``; anything else is the user's error."""
    match = _DURATION.match(text.strip().lower())
    if not text.strip() or match is None or not any(match.groups()):
        raise InputError(
            f"--wait-for-calendar {text!r}: expected a duration like 90m, 2h, 1h30m or 45s"
        )
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return float(hours * 3600 + minutes * 60 + seconds)


def seconds_until(moment: str | None, now: str | None) -> float | None:
    """Seconds from the target's ``now`` to ``moment`` (negative: past); None when unknown."""
    when, current = parse_time(moment), parse_time(now)
    if when is None or current is None:
        return None
    return (when - current).total_seconds()
