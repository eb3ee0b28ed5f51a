"""``crr-harness connect`` against the embedded reference implementation, in-process.

One reference server (and its dev PKI) serves the whole module; each test
runs the CLI with one certificate and reads what it printed and the
report.json it wrote under its own tmp_path.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from crr_contract.operations import Operation, load_specs
from harness.cli import main
from harness.client import TargetClient
from harness.connect.certs import CertificateFacts
from harness.connect.tls import explain_refusal
from harness.connect.writes import draft_name
from harness.reports.writer import load_report
from harness.target.config import TargetConfig
from harness.target.embedded import embedded_target

OPEN_AUCTION = "AUC_MN_2025_M10"
OPEN_ALLOCATION = "ALLOC_MN_2025_M10_T1"
LAYER_IDS = [f"CNX-00{n}" for n in range(1, 8)]


@dataclass(frozen=True)
class Target:
    config: TargetConfig
    pki: Path
    target_yaml: Path

    def operation(self, service: str, operation_id: str) -> Operation:
        for spec in load_specs(self.config.spec_files()):
            if spec.service == service:
                for operation in spec.operations():
                    if operation.operation_id == operation_id:
                        return operation
        raise KeyError(f"{service}.{operation_id}")

    def url_args(self, credential: str, *, ca: str = "ca.pem") -> list[str]:
        stem = credential if credential.startswith("bad-") else f"client-{credential}"
        return [
            "--url",
            self.config.base_url,
            "--cert",
            str(self.pki / f"{stem}.pem"),
            "--key",
            str(self.pki / f"{stem}.key"),
            "--ca",
            str(self.pki / ca),
        ]

    def windows(self, action: str) -> None:
        """Open or close the markets the draft portfolios go in (sim control, as the operator)."""
        operation = self.operation("simcontrol", action)
        with TargetClient(self.config) as client:
            for window in (OPEN_AUCTION, OPEN_ALLOCATION):
                answer = client.call(self.config.operator, operation, body={"windowName": window})
                codes = json.dumps(answer.json())
                assert answer.status == 200 or "SIM0001" in codes, codes  # SIM0001: already so


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    workdir = tmp_path_factory.mktemp("connect-target")
    with embedded_target(workdir) as config:
        yield Target(config, workdir / "pki", workdir / "target.yaml")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    reports: Path

    @property
    def report(self) -> dict[str, Any]:
        return load_report(self.reports / "latest" / "report.json")

    def layer(self, layer_id: str, case_prefix: str = "") -> list[dict[str, Any]]:
        return [
            c
            for c in self.report["checks"]
            if c["id"] == layer_id and c["case"].startswith(case_prefix)
        ]

    def one(self, layer_id: str, case_prefix: str = "") -> dict[str, Any]:
        found = self.layer(layer_id, case_prefix)
        assert len(found) == 1, found
        return found[0]


def connect(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> Run:
    reports = tmp_path / "reports"
    code = main(["connect", "--reports", str(reports), "--timeout", "5", *args])
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err, reports)


def _blocked_after(run: Run, failed: str) -> None:
    later = LAYER_IDS[LAYER_IDS.index(failed) + 1 :]
    for layer_id in later:
        results = run.layer(layer_id)
        assert results, f"{layer_id} not recorded"
        for result in results:
            assert result["status"] == "SKIP"
            assert result["message"].startswith(f"blocked by {failed}")
            assert result["declared_skip"] is False


# --------------------------------------------------------------------------- all green


def test_good_certificate_is_green_and_its_draft_is_gone(
    target: Target, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target.windows("openWindow")
    run = connect(
        capsys, tmp_path, "--config", str(target.target_yaml), "--participant", "alpha_lse-rw"
    )
    assert run.code == 0, run.out
    report = run.report
    assert report["summary"]["verdict"] == "PASS"
    assert {c["suite"] for c in report["checks"]} == {"connect"}
    for layer_id in LAYER_IDS[:5]:
        assert run.one(layer_id)["status"] == "PASS", run.one(layer_id)
    services = [s for s in target.config.services if s != "simcontrol"]
    reads = {c["case"].split(":")[0]: c for c in run.layer("CNX-006")}
    assert set(reads) == set(services)
    assert all(c["status"] == "PASS" and c["evidence"] for c in reads.values())
    writes = {c["case"].split(":")[0]: c for c in run.layer("CNX-007")}
    assert set(writes) == set(services)
    for service, result in writes.items():
        if result["status"] == "SKIP":
            assert "defines no write operation" in result["message"]
            assert result["declared_skip"] is True
        else:
            assert result["status"] == "PASS", (service, result["message"])
    assert {"auction", "nomination", "secondary_market", "tor_conversion"} <= {
        s for s, r in writes.items() if r["status"] == "PASS"
    }
    # the reads and writes also went through the exchange checks
    assert any(c["id"].startswith("RSP-") for c in report["checks"])
    # the auction draft was created and deleted
    name = draft_name(report["run_id"])
    auction = writes["auction"]
    assert f"created draft portfolio {name} in {OPEN_AUCTION}" in auction["message"]
    methods = [e["request"]["url"].rsplit("/", 1)[-1] for e in auction["evidence"]]
    assert any(m.startswith("portfolioCreation") for m in methods)
    assert any(m.startswith("portfolioDeletion") for m in methods)
    with TargetClient(target.config) as client:
        alpha = target.config.participant("alpha_lse-rw")
        found = client.call(
            alpha,
            target.operation("auction", "getPortfolio"),
            params={
                "participantName": "ALPHA_LSE",
                "marketName": OPEN_AUCTION,
                "portfolioName": name,
            },
        )
        assert found.status == 404, found.json()
        listed = client.call(
            alpha,
            target.operation("auction", "getPortfolioList"),
            params={"participantName": "ALPHA_LSE", "marketName": OPEN_AUCTION},
        )
        assert listed.status == 200
        assert name not in json.dumps(listed.json())
    # reports and plain output
    run_dir = run.reports / report["run_id"]
    for produced in ("report.json", "junit.xml", "report.html", "allure-results"):
        assert (run_dir / produced).exists(), produced
    assert (run.reports / "latest").resolve() == run_dir.resolve()
    assert "✔ CNX-001 DNS" in run.out
    assert "✖" not in run.out
    assert str(run_dir / "report.html") in run.out
    assert run.err == ""


def test_without_an_open_market_the_write_is_a_validation_probe(
    target: Target, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target.windows("closeWindow")
    run = connect(capsys, tmp_path, *target.url_args("charlie_udc-rw"))
    assert run.code == 0, run.out
    auction = run.one("CNX-007", "auction")
    assert auction["status"] == "PASS"
    assert "empty request was refused with HTTP 400 SER0001" in auction["message"]
    assert "no draft" in auction["message"]
    probe = auction["evidence"][-1]
    assert probe["request"]["body"]["text"] == "{}"
    # identity from the certificate subject, and said so
    assert "participant CHARLIE_UDC (certificate O)" in run.one("CNX-005")["message"]


def test_read_only_role_reads_and_skips_the_writes(
    target: Target, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run = connect(capsys, tmp_path, *target.url_args("bravo_trading-read"))
    assert run.code == 0, run.out
    assert run.report["summary"]["verdict"] == "PASS"
    reads = run.layer("CNX-006")
    assert reads and all(c["status"] == "PASS" for c in reads)
    writes = [c for c in run.layer("CNX-007") if "defines no write" not in c["message"]]
    assert len(writes) == 6
    for result in writes:
        assert result["status"] == "SKIP"
        assert result["declared_skip"] is True
        assert result["message"].startswith("role EXTERNAL CRR HOLDER READ ACCESS cannot call "), (
            result["message"]
        )
        assert "(x-roles: EXTERNAL CRR HOLDER READ/WRITE ACCESS)" in result["message"]
    # no write request was sent at all
    assert all(not c["evidence"] for c in run.layer("CNX-007"))


# --------------------------------------------------------------------------- certificate problems


def test_expired_certificate_is_diagnosed_with_its_date(
    target: Target, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    expired = x509.load_pem_x509_certificate((target.pki / "bad-expired.pem").read_bytes())
    run = connect(capsys, tmp_path, *target.url_args("bad-expired"))
    assert run.code == 1
    assert run.one("CNX-003")["status"] == "PASS"  # the handshake was still tried
    layer = run.one("CNX-004")
    assert layer["status"] == "FAIL"
    when = f"{expired.not_valid_after_utc:%Y-%m-%d %H:%M} UTC"
    assert layer["message"].startswith(f"your certificate expired on {when}")
    assert "the server refused it too" in layer["message"]
    assert "renew" in layer["message"]
    assert layer["evidence"], "the request after the handshake is the evidence"
    _blocked_after(run, "CNX-004")
    assert run.report["summary"]["verdict"] == "FAIL"
    assert "✖ CNX-004 client certificate" in run.out


def test_certificate_from_another_ca_is_not_trusted(
    target: Target, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run = connect(capsys, tmp_path, *target.url_args("bad-other-ca"))
    assert run.code == 1
    layer = run.one("CNX-004")
    assert layer["status"] == "FAIL"
    assert "does not trust your issuing CA" in layer["message"]
    assert "CRR Harness Other CA" in layer["message"]
    assert "does not trust your issuing CA" in run.out
    _blocked_after(run, "CNX-004")


# --------------------------------------------------------------------------- network problems


def test_dns_failure_blocks_every_later_layer(
    target: Target, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = target.url_args("alpha_lse-rw")
    args[1] = "https://crr-doctor.example.invalid:8443"
    run = connect(capsys, tmp_path, *args)
    assert run.code == 1
    layer = run.one("CNX-001")
    assert layer["status"] == "FAIL"
    assert "crr-doctor.example.invalid does not resolve" in layer["message"]
    _blocked_after(run, "CNX-001")


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_refused_tcp_connection(
    target: Target, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = target.url_args("alpha_lse-rw")
    args[1] = f"https://127.0.0.1:{_closed_port()}"
    run = connect(capsys, tmp_path, *args)
    assert run.code == 1
    assert run.one("CNX-001")["status"] == "PASS"
    layer = run.one("CNX-002")
    assert layer["status"] == "FAIL"
    assert "refused the connection" in layer["message"]
    _blocked_after(run, "CNX-002")


def test_server_certificate_not_signed_by_a_ca_in_the_bundle(
    target: Target, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run = connect(capsys, tmp_path, *target.url_args("alpha_lse-rw", ca="other-ca.pem"))
    assert run.code == 1
    layer = run.one("CNX-003")
    assert layer["status"] == "FAIL"
    assert "the server's certificate is not signed by a CA in your bundle" in layer["message"]
    assert "CRR Harness Dev Root CA" in layer["message"]  # who did sign it, seen unverified
    _blocked_after(run, "CNX-003")


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("problem", ["missing certificate", "key of another certificate"])
def test_bad_input_is_one_line_and_exit_2(
    target: Target, capsys: pytest.CaptureFixture[str], tmp_path: Path, problem: str
) -> None:
    args = target.url_args("alpha_lse-rw")
    if problem == "missing certificate":
        args[3] = str(tmp_path / "nowhere.pem")
        expected = "no such file"
    else:
        args[5] = str(target.pki / "client-bravo_trading-rw.key")
        expected = "does not match the certificate"
    run = connect(capsys, tmp_path, *args)
    assert run.code == 2
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("crr-harness connect: ")
    assert expected in lines[0]
    assert "Traceback" not in run.err
    assert run.out == ""
    assert not run.reports.exists()


# --------------------------------------------------------------------------- units


def _certificate(tmp_path: Path, not_after: datetime) -> CertificateFacts:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ALPHA_LSE"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "EXTERNAL CRR HOLDER READ ACCESS"),
            x509.NameAttribute(NameOID.COMMON_NAME, "alpha.read"),
        ]
    )
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Some Issuing CA")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_after - timedelta(days=365))
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    return CertificateFacts(tmp_path / "cert.pem", cert)


def test_certificate_expiring_soon_is_a_warning(tmp_path: Path) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    soon = _certificate(tmp_path, now + timedelta(days=3, hours=2))
    assert soon.validity_problem(now) is None
    warning = soon.expiry_warning(now)
    assert warning is not None and warning.startswith("your certificate expires in 3 days")
    later = _certificate(tmp_path, now + timedelta(days=90))
    assert later.expiry_warning(now) is None
    assert soon.participant == "ALPHA_LSE"
    assert soon.role == "EXTERNAL CRR HOLDER READ ACCESS"


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        (
            "TLSV1_ALERT_UNKNOWN_CA",
            "does not trust your issuing CA: your certificate was issued by",
        ),
        ("SSLV3_ALERT_CERTIFICATE_REVOKED", "your certificate is revoked"),
        ("SSLV3_ALERT_CERTIFICATE_EXPIRED", "has expired or is not valid yet"),
        ("SSLV3_ALERT_BAD_CERTIFICATE", "refused your certificate as bad"),
        ("SSLV3_ALERT_HANDSHAKE_FAILURE", "refused the handshake"),
    ],
)
def test_tls_alerts_become_plain_causes(tmp_path: Path, reason: str, expected: str) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    facts = _certificate(tmp_path, now + timedelta(days=90))
    error = ssl.SSLError(1, f"[SSL: {reason}] alert")
    error.reason = reason
    cause, fix = explain_refusal(error, facts, "ALPHA_LSE", None, now)
    assert expected in cause
    assert fix
    if reason == "TLSV1_ALERT_UNKNOWN_CA":
        assert "CN=Some Issuing CA" in cause
        assert re.search(r"ALPHA_LSE", fix)
