"""Shared fixtures for the project's own tests."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SPECS_DIR = REPO_ROOT / "specs"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def specs_dir() -> Path:
    return SPECS_DIR


@pytest.fixture(scope="session")
def caiso_specs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``specs/`` shaped as CAISO publishes it (tests/specs/caiso_shape.py).

    Session-scoped and read-only by agreement: a test that changes it copies it first.
    """
    from tests.specs.caiso_shape import make_caiso_copy

    return make_caiso_copy(SPECS_DIR, tmp_path_factory.mktemp("caiso") / "specs")
