"""Behind a TLS-terminating proxy: plain HTTP, the caller's certificate in ``X-Client-Cert``."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import httpx
import pytest

from crr_contract.pki import PkiLayout
from tests.api.support import Api, error_codes, serving


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory, pki: PkiLayout) -> Iterator[Api]:
    with serving(tmp_path_factory.mktemp("db") / "crr.sqlite3", pki, mode="proxy") as served:
        yield served


def header(pki: PkiLayout, credential: str) -> dict[str, str]:
    pem = pki.client(credential).cert.read_text("ascii")
    return {"X-Client-Cert": urllib.parse.quote(pem, safe="")}


def test_the_forwarded_certificate_is_the_identity(proxied: Api, pki: PkiLayout) -> None:
    assert proxied.server.url.startswith("http://127.0.0.1:")
    response = httpx.get(
        f"{proxied.server.url}/auction/v1.0/portfolioList",
        params={"participantName": "BRAVO_TRADING"},
        headers=header(pki, "bravo_trading-read"),
    )
    assert response.status_code == 200, response.text


def test_the_forwarded_identity_is_checked_like_a_handshake_one(
    proxied: Api, pki: PkiLayout
) -> None:
    response = httpx.get(
        f"{proxied.server.url}/auction/v1.0/portfolioList",
        params={"participantName": "ALPHA_LSE"},
        headers=header(pki, "bravo_trading-read"),
    )
    assert (response.status_code, error_codes(response)) == (403, ["SEC0002"])


def test_no_forwarded_certificate_is_refused(proxied: Api) -> None:
    response = httpx.get(f"{proxied.server.url}/appStatus/v1.0/status")
    assert (response.status_code, error_codes(response)) == (403, ["SEC0001"])


def test_in_mtls_mode_the_header_is_ignored(api: Api, pki: PkiLayout) -> None:
    response = api.client("bravo_trading-read").get(
        "/auction/v1.0/portfolioList",
        params={"participantName": "ALPHA_LSE"},
        headers=header(pki, "alpha_lse-rw"),
    )
    assert (response.status_code, error_codes(response)) == (403, ["SEC0002"])
