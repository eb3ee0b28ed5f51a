"""Fixtures of the security tests: one dev PKI per module, built in a temporary directory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crr_contract.pki import PkiLayout, init_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PkiLayout]:
    yield init_pki(tmp_path_factory.mktemp("pki"))
