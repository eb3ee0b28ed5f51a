"""Fixtures for the clearing engine tests."""

from __future__ import annotations

import pytest

from reference_impl.engine.clearing import DcModel, build_dc_model
from reference_impl.engine.network import Network
from reference_impl.grids import load_sample_network


@pytest.fixture(scope="session")
def sample_network() -> Network:
    """The shipped 11-bus sample network."""
    return load_sample_network()


@pytest.fixture(scope="session")
def sample_model(sample_network: Network) -> DcModel:
    """The sample network, factored once for the session."""
    return build_dc_model(sample_network)
