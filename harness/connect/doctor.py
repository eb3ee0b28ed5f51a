"""The connectivity doctor: one participant certificate against one endpoint, layer by layer.

DNS → TCP → TLS handshake → client certificate accepted → identity and
role → one read per service → one write per service. Each layer is one
``CheckResult`` (suite ``connect``, IDs CNX-001 to CNX-007; the per-service
layers one per service); a failing layer blocks the layers above it, which
are recorded as SKIP "blocked by CNX-00x" (not declared, so the verdict is
FAIL). The read and write calls also go through ``Session.judge``, so the
normal exchange checks apply to them. Reports are written as certify
writes them.
"""

from __future__ import annotations

import io
import json
import shlex
import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from cryptography import x509

from crr_contract.error_catalog import ErrorCatalog
from crr_contract.examples import example_request
from crr_contract.operations import Operation, SpecLoadError
from harness import __version__
from harness.checks import CheckContext
from harness.client import CLIENT_CERT_HEADER, TargetClient, tls_context
from harness.connect import tls as tlsprobe
from harness.connect.certs import CertificateFacts
from harness.connect.layers import LAYERS, SUITE, Layer, layer
from harness.connect.network import Endpoint, Probe, connect_tcp, parse_endpoint, resolve
from harness.connect.outcome import Context, Outcome
from harness.connect.reads import check_identity, check_read, identity_operation
from harness.connect.writes import check_write, load_plans
from harness.errors import InputError
from harness.reports import write_reports
from harness.results import CheckResult, RunReport, SpecFileUsed, Status, new_run_id
from harness.selection import Selection
from harness.session import Session
from harness.target.config import SIMCONTROL, Participant, TargetConfig

__all__ = ["ConnectRequest", "run_connect"]

DEFAULT_TIMEOUT = 10.0


@dataclass
class ConnectRequest:
    """What to diagnose: validated input from the command line."""

    config: TargetConfig
    participant: Participant
    facts: CertificateFacts
    ca_bundle: list[x509.Certificate] | None
    reports_root: Path
    sources: dict[str, str]
    """Where the participant name and role came from (``name``, ``role``), for the output."""
    command: str = "connect"
    rerun: Sequence[str] = ("crr-harness", "connect")
    timeout: float = DEFAULT_TIMEOUT
    warnings: list[str] = field(default_factory=list)
    """Input remarks that are not errors (a name or role different from the certificate's)."""
    now: datetime | None = None
    run_id: str | None = None


class _ConnectSession(Session):
    """Session whose rerun command is the whole doctor (connect has no --suite / -k)."""

    def rerun(self, suite: str, case: str) -> str:
        return shlex.join(self.rerun_base)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def run_connect(
    request: ConnectRequest,
    emit: Callable[[Outcome], None],
    started: Callable[[], None] | None = None,
) -> RunReport:
    """Probe every layer, ``emit`` each outcome as it is found; returns the written report.

    The spec files and the error catalog are read first (a problem with
    them is an ``InputError``); ``started`` is called once they are.
    """
    config = request.config
    now = request.now or datetime.now(UTC)
    services = {k: v for k, v in config.services.items() if k != SIMCONTROL}
    try:
        specs = config.load_specs(list(services))
    except SpecLoadError as exc:
        raise InputError(str(exc)) from None
    catalog = ErrorCatalog.load(config.specs_dir / "errors" / "catalog.yaml")
    if started is not None:
        started()
    by_service = {spec.service: spec for spec in specs}
    participant = request.participant
    report = RunReport(
        run_id=request.run_id or new_run_id(now),
        command=request.command,
        harness_version=__version__,
        target={
            **config.summary(),
            "connect": {
                "participant": participant.id,
                "participant_name": participant.name,
                "role": participant.role,
                "certificate": str(participant.certificate),
                "subject": request.facts.subject,
                "issuer": request.facts.issuer,
                "not_after": request.facts.not_after.isoformat(),
            },
        },
        specs=[SpecFileUsed(s.file, s.service, s.version, s.sha256) for s in specs],
        started_at=_now(),
        seed=0,
        suites=[SUITE],
    )
    rerun = shlex.join(request.rerun)
    with TargetClient(config, timeout=request.timeout) as client:
        session = _ConnectSession(
            config=config,
            client=client,
            checks=CheckContext(config, catalog, config.specs_dir / "schemas"),
            specs=specs,
            report=report,
            selection=Selection(),
            rerun_base=list(request.rerun),
            out=io.StringIO(),
        )

        def judge(case: str, exchanges: list) -> tuple[CheckResult, ...]:
            return tuple(session.judge(SUITE, case, exchanges))

        context = Context(
            config=config,
            participant=participant,
            facts=request.facts,
            client=client,
            session=session,
            specs=by_service,
            run_id=report.run_id,
            now=now,
            judge=judge,
        )

        def record(outcome: Outcome) -> None:
            session.record(outcome.to_result(rerun))
            emit(outcome)

        try:
            _run_layers(request, context, record, now)
        except KeyboardInterrupt:
            report.interrupted = True
        finally:
            report.finished_at = _now()
            write_reports(report, request.reports_root)
    return report


# --------------------------------------------------------------------------- the layers


def _blocked(
    record: Callable[[Outcome], None], start: str, by: str, facts: CertificateFacts, now: datetime
) -> None:
    """Every layer from ``start`` on: SKIP, blocked by ``by``."""
    began = False
    for entry in LAYERS:
        began = began or entry.id == start
        if not began:
            continue
        reason = f"blocked by {by}"
        if entry.id == "CNX-004" and facts.validity_problem(now):
            reason += f"; note: {facts.validity_problem(now)}"
        record(Outcome(entry, _case(entry), Status.SKIP, reason))


def _case(entry: Layer) -> str:
    return f"{entry.title}: every service" if entry.per_service else entry.title


def _run_layers(
    request: ConnectRequest, context: Context, record: Callable[[Outcome], None], now: datetime
) -> None:
    config = request.config
    facts = request.facts
    endpoint = parse_endpoint(config.base_url)

    # CNX-001 DNS
    found, addresses = resolve(endpoint)
    record(_from_probe(layer("CNX-001"), found))
    if not found.ok:
        return _blocked(record, "CNX-002", "CNX-001", facts, now)

    # CNX-002 TCP
    tcp = connect_tcp(endpoint, addresses, request.timeout)
    record(_from_probe(layer("CNX-002"), tcp))
    if not tcp.ok:
        return _blocked(record, "CNX-003", "CNX-002", facts, now)
    address = tcp.details.get("address")

    # CNX-003 TLS handshake, CNX-004 client certificate
    identity_op = identity_operation(dict(context.specs), context.participant.role)
    outcome, connection = _tls_layer(request, endpoint, address, now)
    record(outcome)
    if outcome.status is Status.FAIL:
        if connection is not None:
            connection.close()
        return _blocked(record, "CNX-004", "CNX-003", facts, now)
    client_layer = _client_certificate_layer(
        request, endpoint, address, connection, identity_op, now
    )
    record(client_layer)
    if client_layer.status is Status.FAIL:
        return _blocked(record, "CNX-005", "CNX-004", facts, now)

    # CNX-005 identity and role
    identity = check_identity(context, request.sources)
    record(identity)
    if identity.status is Status.FAIL:
        return _blocked(record, "CNX-006", "CNX-005", facts, now)

    # CNX-006 one read per service, CNX-007 one write per service
    failed_reads: set[str] = set()
    for service, spec in context.specs.items():
        read = check_read(context, service, spec)
        record(read)
        if read.status is Status.FAIL:
            failed_reads.add(service)
    plans = load_plans()
    for service, spec in context.specs.items():
        if service in failed_reads:
            record(
                Outcome(
                    layer("CNX-007"),
                    f"{service}: write",
                    Status.SKIP,
                    f"blocked by CNX-006 (the {service} read failed)",
                )
            )
            continue
        record(check_write(context, service, spec, plans.get(service)))
    return None


def _from_probe(entry: Layer, probe: Probe) -> Outcome:
    return Outcome(
        entry,
        _case(entry),
        Status.PASS if probe.ok else Status.FAIL,
        probe.summary,
        cause=probe.cause,
        fix=probe.fix,
        warnings=tuple(probe.warnings),
    )


def _client_files(participant: Participant) -> tuple[str, str]:
    return str(participant.certificate), str(participant.key)


def _tls_layer(
    request: ConnectRequest, endpoint: Endpoint, address: str | None, now: datetime
) -> tuple[Outcome, tlsprobe.Handshake | None]:
    entry = layer("CNX-003")
    case = _case(entry)
    config = request.config
    if not endpoint.tls:
        return (
            Outcome(
                entry,
                case,
                Status.SKIP,
                "plain HTTP to a TLS-terminating proxy (--client-cert-header): the harness "
                "makes no TLS handshake with the target",
                declared_skip=True,
            ),
            None,
        )
    presented = None if config.client_cert_header else request.participant
    try:
        context = tls_context(config, presented)
    except (OSError, ssl.SSLError) as exc:
        cause = f"this machine cannot load the CA bundle or the certificate into TLS: {exc}"
        return Outcome(entry, case, Status.FAIL, cause, cause=cause, fix="check the files"), None
    result = tlsprobe.handshake(endpoint, context, request.timeout, address)
    ca = str(config.ca_bundle) if config.ca_bundle else "the system trust store"
    if result.ok:
        warning = tlsprobe.server_warning(result.server, now)
        server = (
            f"the server's certificate ({result.server.subject}, issued by "
            f"{result.server.issuer}, valid until {result.server.not_after:%Y-%m-%d})"
            if result.server
            else "the server's certificate"
        )
        return (
            Outcome(
                entry,
                case,
                Status.PASS,
                f"{result.version}; {server} verifies with {ca} and covers {endpoint.host}",
                warnings=(warning,) if warning else (),
            ),
            result,
        )
    error = result.error
    assert error is not None
    if isinstance(error, ssl.SSLCertVerificationError):
        inspected = tlsprobe.inspect_server(
            endpoint,
            request.timeout,
            address,
            None if presented is None else _client_files(presented),
        )
        cause, fix = tlsprobe.explain_verification(error, endpoint, ca, inspected)
        return Outcome(entry, case, Status.FAIL, cause, cause=cause, fix=fix), None
    alert = tlsprobe.alert_of(error)
    if presented is not None and alert in tlsprobe.ALERTS:
        # TLS 1.2: the server checked our certificate inside the handshake, after ours
        # verified its certificate; the refusal belongs to the client-certificate layer.
        result.error = error
        return (
            Outcome(
                entry,
                case,
                Status.PASS,
                f"the server's certificate verifies with {ca}; the server then refused the "
                f"client certificate inside the handshake (alert {alert}, see CNX-004)",
            ),
            result,
        )
    cause, fix = tlsprobe.explain_handshake_error(error, endpoint)
    local = request.facts.validity_problem(now)
    if local:
        cause += f" (note: {local})"
    return Outcome(entry, case, Status.FAIL, cause, cause=cause, fix=fix), None


def _client_certificate_layer(
    request: ConnectRequest,
    endpoint: Endpoint,
    address: str | None,
    connection: tlsprobe.Handshake | None,
    identity_op: Operation | None,
    now: datetime,
) -> Outcome:
    entry = layer("CNX-004")
    case = _case(entry)
    facts = request.facts
    participant = request.participant
    config = request.config
    local = facts.validity_problem(now)
    warnings = [w for w in (facts.expiry_warning(now), *request.warnings) if w]
    headers: dict[str, str] = {}
    shown: dict[str, str] = {}
    if config.client_cert_header:
        pem = participant.certificate.read_text(encoding="ascii")
        headers[CLIENT_CERT_HEADER] = quote(pem, safe="")
        shown[CLIENT_CERT_HEADER] = f"(URL-encoded PEM of {participant.certificate.name})"
    path = identity_op.path if identity_op is not None else "/"
    params = example_request(identity_op, participant.name)[0] if identity_op is not None else {}
    answer: tlsprobe.HttpAnswer | None = None
    error: BaseException | None = None

    def identity_call(sock: socket.socket) -> tlsprobe.HttpAnswer:
        """The identity read, sent on an open socket (the handshake's, or a plain one)."""
        return tlsprobe.send_request(
            sock,
            endpoint,
            path,
            params=params,
            headers=headers,
            participant=participant.id,
            shown_headers=shown,
        )

    if connection is not None and connection.ok and connection.sock is not None:
        try:
            answer = identity_call(connection.sock)
        finally:
            connection.close()
    elif connection is not None:
        error = connection.error  # refused inside a TLS 1.2 handshake
    else:
        try:
            sock = socket.create_connection(
                (address or endpoint.host, endpoint.port), request.timeout
            )
        except OSError as exc:
            error = exc
        else:
            with sock:
                answer = identity_call(sock)
    evidence = (answer.record,) if answer is not None else ()

    def refused(cause: str, fix: str) -> Outcome:
        return Outcome(
            entry,
            case,
            Status.FAIL,
            cause,
            cause=cause,
            fix=fix,
            evidence=evidence,
            warnings=tuple(warnings),
        )

    if answer is not None and answer.status is None:
        error = answer.error
    if answer is None or answer.status is None:
        if local:
            cause = f"{local}; the server refused it too: {tlsprobe.reaction(error)}"
            fix = "ask your CAISO UAA/POC to renew it"
        else:
            cause, fix = tlsprobe.explain_refusal(
                error, facts, participant.name, request.ca_bundle, now
            )
        return refused(cause, fix)
    description = _description(answer.body)
    if answer.status == 403 and "certificate" in description.lower():
        # The server read no usable identity from the certificate (the reference server says
        # so in the description); a role refusal names the role and comes at CNX-005.
        said = f"the server refused the certificate: HTTP 403 ({description})"
        found = tlsprobe.certificate_problem(facts, participant.name, request.ca_bundle, now)
        if found is not None:
            cause, fix = f"{found[0]}; {said}", found[1]
        else:
            cause = said
            fix = "ask your CAISO UAA/POC for a certificate that carries your participant and role"
        return refused(cause, fix)
    if local:
        cause = (
            f"{local}; the server still answered HTTP {answer.status}, but a CAISO endpoint "
            "refuses it"
        )
        return refused(cause, "ask your CAISO UAA/POC to renew it")
    how = "in X-Client-Cert" if config.client_cert_header else "in the TLS handshake"
    return Outcome(
        entry,
        case,
        Status.PASS,
        f"the server accepted {facts.subject} {how} (a request after it answered HTTP "
        f"{answer.status}); issued by {facts.issuer}, valid until "
        f"{facts.not_after:%Y-%m-%d %H:%M} UTC",
        evidence=evidence,
        warnings=tuple(warnings),
    )


def _description(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if isinstance(data, dict):
        details = data.get("errorDetails")
        if isinstance(details, list) and details and isinstance(details[0], dict):
            return str(details[0].get("errorDescription") or "")
    return ""
