"""Routes come from the spec files: an operation without a handler stops the server from starting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crr_contract.operations import (
    SpecLoadError,
    default_spec_files,
    load_specs,
)
from reference_impl.api.app import create_app
from reference_impl.api.handlers import REGISTRY
from reference_impl.api.routing import MissingHandlersError, bind
from reference_impl.server import ReferenceSystem, ServerSetupError

AUCTION = next(p for p in default_spec_files() if p.name.startswith("caiso_crr_auction_"))


def spec_with_extra_operation(directory: Path) -> Path:
    """A copy of the auction spec with one more operation, ``getPortfolioHistory``."""
    document = yaml.safe_load(AUCTION.read_text())
    template = document["paths"]["/auction/v1.0/portfolio"]["get"]
    document["paths"]["/auction/v1.0/portfolioHistory"] = {
        "get": {**template, "operationId": "getPortfolioHistory"}
    }
    copy = directory / AUCTION.name
    copy.write_text(yaml.safe_dump(document, sort_keys=False))
    return copy


def test_every_operation_of_the_default_specs_has_a_handler() -> None:
    specs = load_specs(default_spec_files())
    bound = bind(specs, REGISTRY)
    assert len(bound) == sum(len(spec.operations()) for spec in specs)
    assert {spec.service for spec in specs} == set(REGISTRY)


def test_an_operation_without_handler_refuses_to_build(tmp_path: Path) -> None:
    files = [p for p in default_spec_files() if p != AUCTION] + [
        spec_with_extra_operation(tmp_path)
    ]
    with pytest.raises(MissingHandlersError) as refused:
        create_app(load_specs(files), engine=None)  # type: ignore[arg-type]
    assert [op.name for op in refused.value.missing] == ["auction.getPortfolioHistory"]
    assert "auction.getPortfolioHistory (GET /auction/v1.0/portfolioHistory" in str(refused.value)


def test_the_server_refuses_to_start_naming_the_handler(tmp_path: Path) -> None:
    files = [p for p in default_spec_files() if p != AUCTION] + [
        spec_with_extra_operation(tmp_path)
    ]
    with pytest.raises(ServerSetupError, match=r"auction\.getPortfolioHistory"):
        ReferenceSystem(tmp_path / "crr.sqlite3", spec_files=files)


@pytest.mark.slow
def test_serve_refuses_to_start_naming_the_handler(tmp_path: Path) -> None:
    extra = spec_with_extra_operation(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "serve",
            "--spec",
            str(extra),
            "--port",
            "0",
            "--db",
            str(tmp_path / "crr.sqlite3"),
            "--pki-dir",
            str(tmp_path / "pki"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "auction.getPortfolioHistory" in lines[0], done.stderr


def test_two_versions_of_one_service_are_refused() -> None:
    older = sorted(AUCTION.parent.glob("caiso_crr_auction_v*_openapi.yaml"))[0]
    with pytest.raises(SpecLoadError, match="more than one version of auction"):
        load_specs([older, AUCTION])


def test_a_file_not_named_by_the_convention_is_refused(tmp_path: Path) -> None:
    odd = tmp_path / "auction.yaml"
    odd.write_text(AUCTION.read_text())
    with pytest.raises(SpecLoadError, match="not a spec file name"):
        load_specs([odd])
