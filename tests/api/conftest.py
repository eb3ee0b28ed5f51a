"""Fixtures of the HTTP tests: one dev PKI per session, one served reference system per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crr_contract.pki import PkiLayout, init_pki
from tests.api.support import Api, serving


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    return init_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, pki: PkiLayout) -> Iterator[Api]:
    """The reference system with the market-sim data set, on a fresh database, over mTLS."""
    with serving(tmp_path_factory.mktemp("db") / "crr.sqlite3", pki) as served:
        yield served
