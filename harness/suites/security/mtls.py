"""The mTLS negative matrix and the TLS policy of a target.

Negative matrix: a request with no client certificate, then one with each
deliberately bad certificate of the dev PKI the target trusts
(``pki_dir``: expired, not yet valid, issued by another CA, self-signed,
without clientAuth, revoked), each followed by the same request with a good
certificate, so a dropped connection is known to be a refusal and not an
outage. Behind a TLS-terminating proxy (``client_cert_header``) the bad
certificate travels in ``X-Client-Cert`` and only a 403 can refuse it.

Policy: a client that offers only TLS 1.0/1.1 must not complete a
handshake (first proving that this machine's OpenSSL can offer them at all,
by a handshake with itself), and the server certificate must verify against
the declared CA bundle for the base URL's host, its expiry reported.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import tempfile
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from crr_contract.examples import example_request
from crr_contract.files import load_document
from crr_contract.operations import Operation
from harness.checks.tls import DEFECT_CHECKS, NO_CERTIFICATE, refusal
from harness.client import CLIENT_CERT_HEADER, Exchange, send_recorded, tls_context
from harness.results import (
    Status,
)
from harness.session import Session
from harness.suites.target_calls import health, record, writes
from harness.target.config import SIMCONTROL, Participant

__all__ = ["BadCredential", "bad_credentials", "run_matrix", "run_policy"]

PROBE_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class BadCredential:
    """A deliberately bad client certificate of a dev PKI, and the identity it carries."""

    defect: str
    certificate: Path
    key: Path
    participant: str
    role: str


def bad_credentials(pki_dir: Path) -> dict[str, BadCredential]:
    """The bad certificates a dev PKI's ``manifest.yaml`` lists, by defect."""
    manifest = load_document(Path(pki_dir) / "manifest.yaml") or {}
    found: dict[str, BadCredential] = {}
    for entry in manifest.get("files") or ():
        if entry.get("kind") != "bad-client-certificate" or not entry.get("defect"):
            continue
        certificate = Path(pki_dir) / str(entry["file"])
        found[str(entry["defect"])] = BadCredential(
            defect=str(entry["defect"]),
            certificate=certificate,
            key=certificate.with_suffix(".key"),
            participant=str(entry.get("participant") or ""),
            role=str(entry.get("role") or ""),
        )
    return found


def _probe_operation(session: Session, role: str) -> Operation | None:
    """A read the role may make that needs nothing but the spec example (app status first)."""
    reads = [
        op
        for op in session.operations()
        if op.service != SIMCONTROL and not writes(op) and (not role or role in op.roles)
    ]
    reads.sort(key=lambda op: (op.service != "app_status", op.service))
    return reads[0] if reads else None


def _probe(
    session: Session,
    label: str,
    operation: Operation,
    participant_name: str,
    credential: BadCredential | None,
) -> Exchange:
    """One request presenting ``credential`` (None: no certificate at all), recorded."""
    config = session.config
    headers: dict[str, str] = {}
    context = tls_context(config, None)
    if credential is not None:
        if config.client_cert_header:
            pem = credential.certificate.read_text(encoding="ascii")
            headers[CLIENT_CERT_HEADER] = quote(pem, safe="")
        else:
            context.load_cert_chain(str(credential.certificate), str(credential.key))
    params, _body = example_request(operation, participant_name)
    who = Participant(
        id=label,
        name=participant_name,
        role=credential.role if credential else "",
        certificate=credential.certificate if credential else Path(),
        key=credential.key if credential else Path(),
    )
    clean = {k: v for k, v in params.items() if v is not None}
    with httpx.Client(
        base_url=config.base_url, verify=context, timeout=PROBE_TIMEOUT, headers=headers
    ) as client:
        request = client.build_request(operation.method, operation.path, params=clean)
        recorded = send_recorded(client, request, label)
    session.client.log.append(recorded)
    return Exchange(operation, who, recorded, clean)


def run_matrix(session: Session, suite: str) -> None:
    """Every bad certificate (and none at all) refused, never served."""
    config = session.config
    credentials = bad_credentials(config.pki_dir) if config.pki_dir else {}
    for defect, check_id in DEFECT_CHECKS.items():
        case = f"mTLS: {defect.replace('-', ' ')} client certificate"
        if defect == NO_CERTIFICATE:
            case = "mTLS: no client certificate"
        if not session.wants(suite, case):
            continue
        credential = credentials.get(defect)
        if defect != NO_CERTIFICATE and credential is None:
            reason = (
                "the target config names no pki_dir, so the dev PKI's deliberately bad "
                "certificates are not available"
                if config.pki_dir is None
                else f"{config.pki_dir}/manifest.yaml lists no bad-{defect} certificate"
            )
            session.skip(suite, case, check_id, reason, declared=True)
            continue
        if defect == "revoked" and "revocation" not in config.features:
            session.skip(
                suite,
                case,
                check_id,
                "the target does not declare feature 'revocation' (it was given no CRL)",
                declared=True,
            )
            continue
        role = credential.role if credential else ""
        operation = _probe_operation(session, role)
        if operation is None:
            session.skip(
                suite, case, check_id, "no declared read operation to probe with", declared=False
            )
            continue
        name = credential.participant if credential else config.participants[0].name
        label = f"bad-{defect}" if credential else NO_CERTIFICATE
        probe = _probe(session, label, operation, name, credential)
        outcome = refusal(probe, session.checks)
        control = health(session) if probe.response is None else None
        if control is not None and control.status != 200:
            record(
                session,
                suite,
                case,
                check_id,
                Status.ERROR,
                f"no answer to the probe ({probe.record.transport_error}), and none to a good "
                f"certificate right after either (HTTP {control.status}, "
                f"{control.record.transport_error}): the target seems down",
                evidence=(probe.record, control.record),
                operation=operation.name,
            )
            continue
        what = "no client certificate" if credential is None else f"certificate bad-{defect}"
        record(
            session,
            suite,
            case,
            check_id,
            Status.PASS if outcome.refused else Status.FAIL,
            f"{operation.name} with {what}: the target {outcome.how}",
            evidence=(probe.record,),
            operation=operation.name,
        )


# --------------------------------------------------------------------------- TLS policy


def _legacy_context() -> ssl.SSLContext:
    """A client context offering TLS 1.0 and 1.1 only (OpenSSL 3 needs security level 0)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    return context


def _handshake(client: ssl.SSLContext, server: ssl.SSLContext) -> str | None:
    """Handshake two contexts in memory; None on success, else the first error."""
    to_server, to_client = ssl.MemoryBIO(), ssl.MemoryBIO()
    server_in, server_out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls_client = client.wrap_bio(to_client, to_server, server_hostname="localhost")
    tls_server = server.wrap_bio(server_in, server_out, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(20):
        for side, endpoint in (("client", tls_client), ("server", tls_server)):
            if done[side]:
                continue
            try:
                endpoint.do_handshake()
                done[side] = True
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError as exc:
                return f"{side}: {exc.reason or exc}"
        server_in.write(to_server.read())
        to_client.write(server_out.read())
        if all(done.values()):
            return None
    return "the handshake did not finish"


def legacy_tls_unavailable() -> str | None:
    """None when this machine's OpenSSL can negotiate TLS 1.1 with itself, else why not."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .sign(key, hashes.SHA256())
    )
    with tempfile.TemporaryDirectory(prefix="crr-tls-") as workdir:
        cert_file, key_file = Path(workdir) / "cert.pem", Path(workdir) / "key.pem"
        cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                server.set_ciphers("DEFAULT:@SECLEVEL=0")
                server.minimum_version = ssl.TLSVersion.TLSv1_1
                server.maximum_version = ssl.TLSVersion.TLSv1_1
            server.load_cert_chain(str(cert_file), str(key_file))
            client = _legacy_context()
            client.check_hostname = False
            client.verify_mode = ssl.CERT_NONE
        except (ssl.SSLError, ValueError) as exc:
            return f"cannot configure TLS 1.1 here: {exc}"
        failure = _handshake(client, server)
    return None if failure is None else f"a TLS 1.1 handshake with itself fails ({failure})"


def _host_port(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    return parts.hostname or "localhost", parts.port or (443 if parts.scheme == "https" else 80)


def run_policy(session: Session, suite: str) -> None:
    """TLS 1.0/1.1 refused; the server certificate verifies, its expiry reported."""
    config = session.config
    cases = (
        ("TLS-008", "TLS: protocol versions below 1.2"),
        ("TLS-009", "TLS: server certificate"),
    )
    if not config.base_url.startswith("https:"):
        for check_id, case in cases:
            if session.wants(suite, case):
                session.skip(
                    suite,
                    case,
                    check_id,
                    "the target is reached over plain HTTP behind a TLS-terminating proxy "
                    "(client_cert_header): its TLS is the proxy's, out of the harness's reach",
                    declared=True,
                )
        return
    host, port = _host_port(config.base_url)
    good = config.participants[0]
    if session.wants(suite, cases[0][1]):
        _legacy_versions(session, suite, cases[0][1], host, port, good)
    if session.wants(suite, cases[1][1]):
        _server_certificate(session, suite, cases[1][1], host, port, good)


def _legacy_versions(
    session: Session, suite: str, case: str, host: str, port: int, good: Participant
) -> None:
    unavailable = legacy_tls_unavailable()
    if unavailable is not None:
        session.skip(
            suite,
            case,
            "TLS-008",
            f"not tested: this machine's OpenSSL cannot offer TLS 1.0/1.1 ({unavailable})",
            declared=False,
        )
        return
    context = _legacy_context()
    if session.config.ca_bundle is not None:
        context.load_verify_locations(cafile=str(session.config.ca_bundle))
    else:
        context.load_default_certs()
    context.load_cert_chain(str(good.certificate), str(good.key))
    try:
        with (
            contextlib.closing(_connect(host, port)) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            negotiated = tls.version()
    except ssl.SSLError as exc:
        record(
            session,
            suite,
            case,
            "TLS-008",
            Status.PASS,
            f"a client offering only TLS 1.0/1.1 was refused in the handshake "
            f"({exc.reason or exc})",
        )
        return
    except OSError as exc:
        control = health(session)
        up = control is not None and control.status == 200
        record(
            session,
            suite,
            case,
            "TLS-008",
            Status.PASS if up else Status.ERROR,
            f"a client offering only TLS 1.0/1.1 was cut off ({exc})"
            + ("" if up else "; the target did not answer a TLS 1.2+ client either"),
        )
        return
    record(
        session,
        suite,
        case,
        "TLS-008",
        Status.FAIL,
        f"the target completed a handshake with a client offering only TLS 1.0/1.1 "
        f"(negotiated {negotiated})",
    )


def _connect(host: str, port: int) -> socket.socket:
    return socket.create_connection((host, port), timeout=PROBE_TIMEOUT)


def _server_certificate(
    session: Session, suite: str, case: str, host: str, port: int, good: Participant
) -> None:
    context = tls_context(session.config, good)
    trusted = session.config.ca_bundle or "the system trust store"
    try:
        with (
            contextlib.closing(_connect(host, port)) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
            negotiated = tls.version()
    except ssl.SSLCertVerificationError as exc:
        record(
            session,
            suite,
            case,
            "TLS-009",
            Status.FAIL,
            f"the server certificate does not verify against {trusted} for host {host}: "
            f"{exc.verify_message or exc}",
        )
        return
    except OSError as exc:
        record(session, suite, case, "TLS-009", Status.ERROR, f"cannot reach {host}:{port}: {exc}")
        return
    certificate = x509.load_der_x509_certificate(der or b"")
    expires = certificate.not_valid_after_utc
    days = (expires - datetime.now(UTC)).days
    record(
        session,
        suite,
        case,
        "TLS-009",
        Status.PASS,
        f"chain to {trusted}, hostname {host} and validity verified ({negotiated}); "
        f"subject {certificate.subject.rfc4514_string()}, expires "
        f"{expires:%Y-%m-%d %H:%M} UTC (in {days} days)",
    )
