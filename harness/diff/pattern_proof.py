"""Prove that a JSON Schema ``pattern`` accepts every string, or every string another one does.

A ``pattern`` is searched for anywhere in the value (ECMA-262 semantics, no
implicit anchors). So a pattern that can match the empty string at the
start, without anchors or look-arounds deciding on the context, matches
every string: ``.*``, ``a*``, ``^.*`` and the empty pattern all do.
Anything else is left unproved, and the diff keeps the safe reading (a
changed request pattern is MAJOR).
"""

from __future__ import annotations

import re

# Constructs whose empty match depends on the text around it.
_CONTEXTUAL = re.compile(r"\\[bBAZz]|\(\?<?[=!]|\$")


def matches_everything(pattern: str | None) -> bool:
    """True when ``pattern`` (None: no pattern) accepts every string."""
    if pattern is None:
        return True
    body = pattern[1:] if pattern.startswith("^") else pattern
    if "^" in body.replace("[^", "").replace("\\^", "") or _CONTEXTUAL.search(body):
        return False
    try:
        return re.fullmatch(body, "") is not None
    except re.error:
        return False


def widens(old: str | None, new: str | None) -> bool:
    """True when every string ``old`` accepts is proved to be accepted by ``new``."""
    return matches_everything(new) or old == new
