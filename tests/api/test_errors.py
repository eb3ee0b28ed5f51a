"""Errors the server itself causes: a defect is 500 SER0029, never a traceback or an unlisted code."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crr_contract.operations import default_spec_files, load_specs
from crr_contract.pki import PkiLayout
from reference_impl.api.app import create_app
from reference_impl.api.call import Call
from reference_impl.api.handlers import REGISTRY
from reference_impl.engine.errors import DomainError
from reference_impl.security.asgi_tls import running_server
from reference_impl.security.tls import client_context_for
from reference_impl.server import default_initial_data
from reference_impl.store.durable import DurableSystem
from tests.api.support import error_codes


def explode(call: Call) -> dict:
    raise RuntimeError("secret internals")


def unlisted_code(call: Call) -> dict:
    raise DomainError("MDT0001", "a code getMarket never lists")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, pki: PkiLayout) -> Iterator[httpx.Client]:
    registry = {service: dict(handlers) for service, handlers in REGISTRY.items()}
    registry["app_status"]["getAppStatus"] = explode
    registry["market_info"]["getMarket"] = unlisted_code
    engine = DurableSystem.open(
        Path(tmp_path_factory.mktemp("db")) / "crr.sqlite3", default_initial_data()
    )
    app = create_app(load_specs(default_spec_files()), engine, registry=registry)
    with (
        running_server(app, pki) as server,
        httpx.Client(
            base_url=server.url, verify=client_context_for(pki, "alpha_lse-rw"), timeout=10
        ) as http,
    ):
        yield http
    engine.close()


def test_an_unexpected_exception_is_500_ser0029_without_details(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = client.get("/appStatus/v1.0/status")
    assert (response.status_code, error_codes(response)) == (500, ["SER0029"])
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert any("secret internals" in (r.exc_text or "") for r in caplog.records)


def test_an_engine_code_the_operation_does_not_list_is_never_sent(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = client.get("/marketInfo/v1.0/market", params={"marketName": "AUC_MN_2025_M10"})
    assert (response.status_code, error_codes(response)) == (500, ["SER0029"])
    assert "MDT0001" not in response.text
    assert any("MDT0001" in r.getMessage() for r in caplog.records)


def test_other_operations_are_unaffected(client: httpx.Client) -> None:
    response = client.get("/appStatus/v1.0/serviceStatus", params={"serviceName": "auction"})
    assert response.status_code == 200
