"""Behind a TLS-terminating proxy: identity from ``X-Client-Cert``, validated like the handshake would."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator

import httpx
import pytest

from crr_contract.pki import DEFAULT_CLIENTS, ClientSpec, Defect, PkiLayout
from reference_impl.security.asgi_tls import RunningServer, running_server
from tests.reference_security.support import echo_app, escaped_cert_header


@pytest.fixture(scope="module")
def proxy_server(pki: PkiLayout) -> Iterator[RunningServer]:
    with running_server(echo_app, pki, "proxy") as running:
        yield running


@pytest.fixture(scope="module")
def client(proxy_server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=proxy_server.url, timeout=5) as http:
        yield http


def assert_sec0001(response: httpx.Response, *fragments: str) -> None:
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["errorDetails"]
    (detail,) = body["errorDetails"]
    assert set(detail) == {"severity", "errorCode", "errorDescription"}
    assert detail["severity"] == "ERROR"
    assert detail["errorCode"] == "SEC0001"
    assert re.fullmatch(r"^[A-Z]{3,4}[0-9]{4}$", detail["errorCode"])
    for fragment in fragments:
        assert fragment in detail["errorDescription"]


def test_proxy_mode_speaks_plain_http(proxy_server: RunningServer) -> None:
    assert proxy_server.url.startswith("http://")


@pytest.mark.parametrize("spec", DEFAULT_CLIENTS, ids=lambda spec: spec.name)
def test_a_forwarded_good_certificate_gives_its_identity(
    client: httpx.Client, pki: PkiLayout, spec: ClientSpec
) -> None:
    header = escaped_cert_header(pki.client(spec.name).cert)
    response = client.get("/whoami", headers={"X-Client-Cert": header})
    assert response.status_code == 200
    assert response.json()["identity"] == spec.identity.to_dict()
    assert response.json()["tls"] == {}


def test_no_header_is_403(client: httpx.Client) -> None:
    assert_sec0001(client.get("/whoami"), "No client certificate")


def test_an_empty_header_is_403(client: httpx.Client) -> None:
    assert_sec0001(client.get("/whoami", headers={"X-Client-Cert": ""}), "No client certificate")


@pytest.mark.parametrize(
    "value",
    ["garbage", "-----BEGIN%20CERTIFICATE-----%0AAAAA%0A-----END%20CERTIFICATE-----", "%ZZ"],
)
def test_a_garbled_header_is_403(client: httpx.Client, value: str) -> None:
    assert_sec0001(client.get("/whoami", headers={"X-Client-Cert": value}))


def test_two_headers_are_403(client: httpx.Client, pki: PkiLayout) -> None:
    header = escaped_cert_header(pki.client("alpha_lse-rw").cert)
    response = client.get("/whoami", headers=[("X-Client-Cert", header), ("X-Client-Cert", header)])
    assert_sec0001(response, "More than one")


DESCRIPTION = {
    Defect.EXPIRED: "expired at",
    Defect.NOT_YET_VALID: "not valid before",
    Defect.OTHER_CA: "does not chain to a trusted CA",
    Defect.SELF_SIGNED: "does not chain to a trusted CA",
    Defect.WRONG_USAGE: "clientAuth",
    Defect.REVOKED: "was revoked",
}


@pytest.mark.parametrize("defect", list(Defect))
def test_a_forwarded_bad_certificate_is_403(
    client: httpx.Client, pki: PkiLayout, defect: Defect
) -> None:
    header = escaped_cert_header(pki.bad_clients[defect].cert)
    assert_sec0001(client.get("/whoami", headers={"X-Client-Cert": header}), DESCRIPTION[defect])


def test_posts_are_refused_the_same_way(client: httpx.Client, pki: PkiLayout) -> None:
    response = client.post("/auction/v1.0/portfolioCreation", json={"participantName": "X"})
    assert_sec0001(response)
    good = escaped_cert_header(pki.client("alpha_lse-rw").cert)
    response = client.post(
        "/auction/v1.0/portfolioCreation",
        json={"participantName": "ALPHA_LSE"},
        headers={"X-Client-Cert": good},
    )
    assert response.status_code == 200


def test_a_custom_ca_replaces_the_dev_ca(pki: PkiLayout) -> None:
    with (
        running_server(echo_app, pki, "proxy", ca_file=pki.other_ca_cert) as running,
        httpx.Client(base_url=running.url, timeout=5) as http,
    ):
        other = escaped_cert_header(pki.bad_clients[Defect.OTHER_CA].cert)
        dev = escaped_cert_header(pki.client("alpha_lse-rw").cert)
        accepted = http.get("/", headers={"X-Client-Cert": other})
        refused = http.get("/", headers={"X-Client-Cert": dev})
    assert accepted.status_code == 200
    assert accepted.json()["identity"]["user"] == "bravo.other-ca"
    assert_sec0001(refused, "does not chain")


def test_the_header_may_carry_unescaped_base64(client: httpx.Client, pki: PkiLayout) -> None:
    pem = pki.client("echo_nda-nda").cert.read_text("ascii")
    header = urllib.parse.quote(pem, safe="+/=")
    response = client.get("/whoami", headers={"X-Client-Cert": header})
    assert response.json()["identity"]["participant"] == "ECHO_NDA"
