"""The rule registry: every lint rule's ID and what it checks.

IDs are stable; users filter and baseline by them. The functions live in
``openapi_rules``, ``schema_rules`` and ``catalog_rules``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harness.registry import Registry


@dataclass(frozen=True)
class Rule:
    rule_id: str
    title: str
    applies_to: str  # "openapi" | "openapi-history" | "schema" | "catalog"
    check: Callable


RULES: Registry[Rule] = Registry("lint rule")
"""Every rule by ID; a second rule under one ID is refused at import."""


def rule(rule_id: str, title: str, applies_to: str) -> Callable[[Callable], Callable]:
    """Register a check function under a stable rule ID."""

    def register(check: Callable) -> Callable:
        RULES.register(rule_id, Rule(rule_id, title, applies_to, check))
        return check

    return register


def rules_for(applies_to: str) -> list[Rule]:
    return [r for r in RULES.values() if r.applies_to == applies_to]
