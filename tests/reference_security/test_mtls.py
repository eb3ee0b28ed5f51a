"""Mutual TLS on loopback: good certificates get their identity, bad ones never reach HTTP."""

from __future__ import annotations

import json
import ssl
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from crr_contract.pki import DEFAULT_CLIENTS, ClientSpec, Defect, PkiLayout
from reference_impl.security.asgi_tls import RunningServer, running_server
from reference_impl.security.tls import (
    client_context,
    client_context_for,
    server_context_for,
)
from tests.reference_security.support import (
    echo_app,
    escaped_cert_header,
    issue_client_cert,
    memory_handshake,
    probe,
)


@pytest.fixture(scope="module")
def server(pki: PkiLayout) -> Iterator[RunningServer]:
    with running_server(echo_app, pki, "mtls") as running:
        yield running


def get(server: RunningServer, context: ssl.SSLContext, **kwargs: object) -> httpx.Response:
    with httpx.Client(verify=context, timeout=5) as client:
        return client.get(f"{server.url}/whoami", **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- accepted


@pytest.mark.parametrize("spec", DEFAULT_CLIENTS, ids=lambda spec: spec.name)
def test_each_participant_certificate_gets_its_identity(
    server: RunningServer, pki: PkiLayout, spec: ClientSpec
) -> None:
    response = get(server, client_context_for(pki, spec.name))
    assert response.status_code == 200
    assert response.json()["identity"] == spec.identity.to_dict()


def test_the_tls_extension_describes_the_connection(server: RunningServer, pki: PkiLayout) -> None:
    credential = pki.client("charlie_udc-rw")
    tls = get(server, client_context_for(pki, "charlie_udc-rw")).json()
    cert = x509.load_pem_x509_certificate(credential.cert.read_bytes())
    assert tls["tls"]["client_cert_chain"] == [credential.cert.read_text("ascii")]
    assert tls["client_cert_der_hex"] == cert.public_bytes(serialization.Encoding.DER).hex()
    assert tls["tls"]["client_cert_name"] == cert.subject.rfc4514_string()
    assert tls["tls"]["client_cert_error"] is None
    assert tls["tls"]["server_cert"] == pki.server.cert.read_text("ascii")
    assert tls["tls"]["tls_version"] == 0x0304
    assert tls["tls"]["cipher_suite"] in (0x1301, 0x1302, 0x1303)


def test_tls_1_2_clients_are_served(server: RunningServer, pki: PkiLayout) -> None:
    context = client_context_for(pki, "alpha_lse-rw")
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    body = get(server, context).json()
    assert body["tls"]["tls_version"] == 0x0303
    assert body["identity"]["participant"] == "ALPHA_LSE"


def test_a_forged_client_cert_header_is_ignored(server: RunningServer, pki: PkiLayout) -> None:
    forged = escaped_cert_header(pki.client("bravo_trading-rw").cert)
    response = get(
        server, client_context_for(pki, "alpha_lse-rw"), headers={"X-Client-Cert": forged}
    )
    assert response.status_code == 200
    assert response.json()["identity"]["participant"] == "ALPHA_LSE"
    assert "x-client-cert" not in response.json()["header_names"]


def test_a_trusted_certificate_without_a_crr_identity_gets_403(
    server: RunningServer, pki: PkiLayout, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "nobody")])
    cert, key = issue_client_cert(
        pki, tmp_path, "nobody", name, not_before=now, not_after=now + timedelta(days=1)
    )
    response = get(server, client_context(pki.ca_cert, cert, key))
    assert response.status_code == 403
    (detail,) = response.json()["errorDetails"]
    assert detail["errorCode"] == "SEC0001"
    assert detail["severity"] == "ERROR"
    assert "O (participant)" in detail["errorDescription"]


# --------------------------------------------------------------------------- refused


REFUSED = [None, *(f"bad-{defect}" for defect in Defect)]


@pytest.mark.parametrize("name", REFUSED, ids=lambda name: name or "no-certificate")
@pytest.mark.parametrize("version", ["TLSv1_3", "TLSv1_2"])
def test_refused_clients_never_get_an_http_response(
    server: RunningServer, pki: PkiLayout, name: str | None, version: str
) -> None:
    context = client_context_for(pki, name)
    context.maximum_version = ssl.TLSVersion[version]
    result = probe(server.host, server.port, context)
    assert not result.got_http_response
    assert result.received == b""
    if version == "TLSv1_2":
        # TLS 1.2 verifies the client before the server's Finished: the handshake itself fails.
        assert isinstance(result.error, ssl.SSLError | ConnectionError), result.error


@pytest.mark.parametrize("name", REFUSED, ids=lambda name: name or "no-certificate")
def test_refused_clients_get_a_transport_error_from_httpx(
    server: RunningServer, pki: PkiLayout, name: str | None
) -> None:
    with pytest.raises(httpx.TransportError):
        get(server, client_context_for(pki, name))


SERVER_VERDICT = {
    None: "PEER_DID_NOT_RETURN_A_CERTIFICATE",
    "bad-expired": "certificate has expired",
    "bad-not-yet-valid": "certificate is not yet valid",
    "bad-other-ca": "unable to get local issuer certificate",
    "bad-self-signed": "self-signed certificate",
    "bad-wrong-usage": "unsuitable certificate purpose",
    "bad-revoked": "certificate revoked",
}


@pytest.mark.parametrize("name", REFUSED, ids=lambda name: name or "no-certificate")
def test_the_server_refuses_each_certificate_for_its_defect(
    pki: PkiLayout, name: str | None
) -> None:
    outcome = memory_handshake(client_context_for(pki, name), server_context_for(pki))
    error = outcome.server_error
    assert error is not None
    if isinstance(error, ssl.SSLCertVerificationError):
        assert error.verify_message == SERVER_VERDICT[name]
    else:
        assert error.reason == SERVER_VERDICT[name]


def test_revocation_is_checked_only_with_a_crl(pki: PkiLayout) -> None:
    revoked = client_context_for(pki, "bad-revoked")
    without_crl = server_context_for(pki, check_revocation=False)
    assert memory_handshake(revoked, without_crl).server_error is None
    assert memory_handshake(revoked, server_context_for(pki)).server_error is not None


def tls_1_1_client(pki: PkiLayout) -> ssl.SSLContext:
    """A client that offers TLS 1.1 only (OpenSSL 3 allows it only at security level 0)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = ssl.TLSVersion.TLSv1_1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.load_verify_locations(cafile=str(pki.ca_cert))
    credential = pki.client("alpha_lse-rw")
    context.load_cert_chain(credential.cert, credential.key)
    return context


def test_a_tls_1_1_client_is_refused(server: RunningServer, pki: PkiLayout) -> None:
    outcome = memory_handshake(tls_1_1_client(pki), server_context_for(pki))
    assert outcome.server_error is not None
    assert outcome.server_error.reason == "UNSUPPORTED_PROTOCOL"
    assert outcome.client_error is not None
    assert outcome.client_error.reason == "TLSV1_ALERT_PROTOCOL_VERSION"
    result = probe(server.host, server.port, tls_1_1_client(pki))
    assert result.error is not None
    assert not result.got_http_response


def test_the_server_answers_only_over_tls(server: RunningServer) -> None:
    with pytest.raises(httpx.TransportError):
        httpx.get(server.url.replace("https://", "http://") + "/whoami", timeout=5)


def test_ipv6_loopback_is_named_by_the_server_certificate(pki: PkiLayout) -> None:
    try:
        with running_server(echo_app, pki, "mtls", host="::1") as running:
            response = get(running, client_context_for(pki, "delta_tor-rw"))
    except OSError as exc:  # no IPv6 on this machine
        pytest.skip(f"IPv6 loopback unavailable: {exc}")
    assert response.status_code == 200
    assert json.loads(response.text)["identity"]["participant"] == "DELTA_TOR"
