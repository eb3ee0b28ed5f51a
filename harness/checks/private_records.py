"""Records one participant planted never reach another participant (PRV-002).

PRV-001 recognises another participant's record by its owner fields. That
misses answers whose records carry no owner (a portfolio list names only
portfolios), so the security suite also plants records of its own as
participant A (an auction portfolio, a secondary-market offer, a load
submission...) and reads everything participant B may read: any answer to
B that carries one of A's record keys (the portfolio name it chose, the
request or submission ID the target assigned) is a leak.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from harness.checks.registry import case_check

__all__ = ["planted_in"]

case_check("PRV-002")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def planted_in(body: Any, markers: Mapping[str, str]) -> list[str]:
    """The descriptions of ``markers`` (key → what it names) found as string values of ``body``."""
    seen = set(_strings(body))
    return [description for key, description in markers.items() if key in seen]
