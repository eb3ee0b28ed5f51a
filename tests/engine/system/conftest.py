"""Fixtures of the engine tests."""

from __future__ import annotations

import pytest

from reference_impl.engine.system import CRRSystem
from tests.engine.system.world import new_system


@pytest.fixture
def system() -> CRRSystem:
    """A fresh system with the test data set, clock before every window."""
    return new_system()
