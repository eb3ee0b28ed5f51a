"""The reference serving CAISO-shaped files: it authorizes by the derived roles, or by overlays.

``crr-harness serve --spec`` may be given CAISO's own files, which carry no
x-roles. The reference then decides who may call what from the read/write
tag (``specs/roles.yaml``), exactly as the harness judges it; with
``--overlay specs/overlays/...`` it decides by our annotations again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crr_contract.operations import default_spec_files
from crr_contract.pki import PkiLayout
from tests.api.support import Api, error_codes, serving

RW, READ, NDA = "alpha_lse-rw", "bravo_trading-read", "echo_nda-nda"


@pytest.fixture(scope="module")
def bare(
    tmp_path_factory: pytest.TempPathFactory, pki: PkiLayout, caiso_specs_dir: Path
) -> Iterator[Api]:
    db = tmp_path_factory.mktemp("caiso-bare") / "crr.sqlite3"
    with serving(db, pki, spec_files=default_spec_files(caiso_specs_dir)) as served:
        yield served


@pytest.fixture(scope="module")
def overlaid(
    tmp_path_factory: pytest.TempPathFactory,
    pki: PkiLayout,
    caiso_specs_dir: Path,
    specs_dir: Path,
) -> Iterator[Api]:
    db = tmp_path_factory.mktemp("caiso-overlaid") / "crr.sqlite3"
    files = default_spec_files(caiso_specs_dir)
    overlays = sorted((specs_dir / "overlays").rglob("*.yaml"))
    with serving(db, pki, spec_files=files, overlays=overlays) as served:
        yield served


def _refused_for_role(api: Api, credential: str, name: str) -> bool:
    response = api.call(credential, name)
    return response.status_code == 403 and "SEC0001" in error_codes(response)


def test_a_write_tag_admits_only_the_read_write_role(bare: Api) -> None:
    assert bare.operation("auction.portfolioCreation").provenance["roles"].source == "tag"
    assert _refused_for_role(bare, READ, "auction.portfolioCreation")
    assert _refused_for_role(bare, NDA, "auction.portfolioCreation")
    assert not _refused_for_role(bare, RW, "auction.portfolioCreation")


def test_restricted_downloads_stay_behind_the_nda(bare: Api) -> None:
    assert _refused_for_role(bare, RW, "market_data.getRestrictedDownload")
    assert not _refused_for_role(bare, NDA, "market_data.getRestrictedDownload")


def test_a_read_tag_admits_every_read_role_and_the_overlay_narrows_it(
    bare: Api, overlaid: Api
) -> None:
    assert not _refused_for_role(bare, NDA, "auction.getPortfolioList")
    assert overlaid.operation("auction.getPortfolioList").provenance["roles"].source == "overlay"
    assert _refused_for_role(overlaid, NDA, "auction.getPortfolioList")
    assert not _refused_for_role(overlaid, READ, "auction.getPortfolioList")
