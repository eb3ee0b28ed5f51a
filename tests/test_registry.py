"""The one registry shape behind checks and lint rules: once per ID, looked up, listed in ID order."""

from __future__ import annotations

import pytest

from harness.checks.registry import REGISTRY
from harness.lint.rules import RULES
from harness.registry import DuplicateIDError, Registry


def test_entries_are_listed_in_id_order_whatever_the_registration_order() -> None:
    registry: Registry[int] = Registry("thing")
    for entry_id, value in (("B-002", 2), ("A-001", 1), ("B-001", 3)):
        assert registry.register(entry_id, value) == value
    assert list(registry) == ["A-001", "B-001", "B-002"]
    assert registry.values() == [1, 3, 2]
    assert registry.items() == [("A-001", 1), ("B-001", 3), ("B-002", 2)]
    assert len(registry) == 3


def test_lookup_is_by_id() -> None:
    registry: Registry[str] = Registry("thing")
    registry.register("A-001", "a")
    assert registry["A-001"] == "a"
    assert "A-001" in registry and "A-002" not in registry
    assert registry.get("A-002") is None
    with pytest.raises(KeyError):
        registry["A-002"]


def test_a_second_registration_under_one_id_is_refused_and_keeps_the_first() -> None:
    registry: Registry[str] = Registry("lint rule")
    registry.register("A-001", "first")
    with pytest.raises(DuplicateIDError, match="lint rule ID A-001 registered twice"):
        registry.register("A-001", "second")
    assert registry["A-001"] == "first"


def test_checks_and_lint_rules_share_it() -> None:
    assert isinstance(REGISTRY, Registry) and isinstance(RULES, Registry)
    assert len(RULES) > 0 and len(REGISTRY) > 0
