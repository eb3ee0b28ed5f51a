"""``init_pki``: every file the manifest promises, good certificates good, bad ones bad in one way."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from crr_contract.identity import (
    CertificateValidator,
    Identity,
    IdentityError,
    RejectReason,
)
from crr_contract.pki import (
    DEFAULT_CLIENTS,
    LEAF_LIFETIME,
    ClientSpec,
    Defect,
    PkiError,
    PkiLayout,
    ensure_pki,
    init_pki,
)
from harness import cli

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def manifest(pki: PkiLayout) -> dict:
    return yaml.safe_load(pki.manifest.read_text("utf-8"))


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


# --------------------------------------------------------------------------- the manifest


def test_manifest_lists_exactly_the_files_written(pki: PkiLayout) -> None:
    listed = [entry["file"] for entry in manifest(pki)["files"]]
    on_disk = sorted(p.name for p in pki.directory.iterdir())
    assert sorted(listed) == on_disk
    assert len(listed) == len(set(listed))
    for entry in manifest(pki)["files"]:
        assert entry["purpose"], entry
        if entry["kind"] != "manifest":
            expires = datetime.strptime(entry["expires"], "%Y-%m-%dT%H:%M:%SZ")
            assert expires.year >= 2000


def test_manifest_describes_each_credential_as_its_certificate_says(pki: PkiLayout) -> None:
    entries = [e for e in manifest(pki)["files"] if e["file"].endswith(".pem") and "role" in e]
    assert len(entries) == len(DEFAULT_CLIENTS) + len(Defect)
    for entry in entries:
        cert = load(pki.directory / entry["file"])
        assert Identity.from_certificate(cert) == Identity(
            entry["participant"], entry["user"], entry["role"]
        )
        assert entry["expires"] == f"{cert.not_valid_after_utc:%Y-%m-%dT%H:%M:%SZ}"
        assert ("defect" in entry) == entry["file"].startswith("bad-")


def test_private_keys_are_readable_by_the_owner_only(pki: PkiLayout) -> None:
    keys = list(pki.directory.glob("*.key"))
    assert len(keys) == 3 + len(DEFAULT_CLIENTS) + len(Defect)
    for key in keys:
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key.name


def test_every_role_of_the_spec_has_a_client_certificate(pki: PkiLayout, specs_dir: Path) -> None:
    roles = set(yaml.safe_load((specs_dir / "roles.yaml").read_text("utf-8"))["roles"])
    issued = {cred.identity.role for cred in pki.clients.values() if cred.identity}
    assert issued == roles
    operator = yaml.safe_load((specs_dir / "roles.yaml").read_text("utf-8"))["operator_role"]
    assert pki.client("operator").identity.role == operator


# --------------------------------------------------------------------------- good material


def test_good_client_certificates_chain_to_the_ca_and_carry_their_identity(pki: PkiLayout) -> None:
    ca = load(pki.ca_cert)
    validator = CertificateValidator([ca], [x509.load_pem_x509_crl(pki.crl.read_bytes())])
    for spec in DEFAULT_CLIENTS:
        credential = pki.client(spec.name)
        cert = load(credential.cert)
        cert.verify_directly_issued_by(ca)
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
        assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
        assert validator.validate(cert) == spec.identity == credential.identity


def test_server_certificate_names_every_loopback_address(pki: PkiLayout) -> None:
    cert = load(pki.server.cert)
    cert.verify_directly_issued_by(load(pki.ca_cert))
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1", "::1"]
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]


def test_ca_certificates_are_cas_and_unrelated(pki: PkiLayout) -> None:
    ca, other = load(pki.ca_cert), load(pki.other_ca_cert)
    for cert in (ca, other):
        assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        cert.verify_directly_issued_by(cert)
    assert ca.subject != other.subject
    assert ca.public_key() != other.public_key()


# --------------------------------------------------------------------------- bad material


def validator_for(
    pki: PkiLayout, *, crl: bool = True, ca: Path | None = None
) -> CertificateValidator:
    return CertificateValidator.from_files(ca or pki.ca_cert, pki.crl if crl else None)


EXPECTED_REASON = {
    Defect.EXPIRED: RejectReason.EXPIRED,
    Defect.NOT_YET_VALID: RejectReason.NOT_YET_VALID,
    Defect.OTHER_CA: RejectReason.UNTRUSTED,
    Defect.SELF_SIGNED: RejectReason.UNTRUSTED,
    Defect.WRONG_USAGE: RejectReason.WRONG_USAGE,
    Defect.REVOKED: RejectReason.REVOKED,
}


@pytest.mark.parametrize("defect", list(Defect))
def test_each_bad_certificate_is_refused_for_its_defect(pki: PkiLayout, defect: Defect) -> None:
    credential = pki.bad_clients[defect]
    with pytest.raises(IdentityError) as caught:
        validator_for(pki).validate(credential.cert.read_bytes())
    assert caught.value.reason is EXPECTED_REASON[defect]
    # The identity itself is well formed: only the named defect is wrong.
    assert Identity.from_certificate(credential.cert.read_bytes()) == credential.identity


def test_expired_certificate_was_good_while_valid(pki: PkiLayout) -> None:
    cert = load(pki.bad_clients[Defect.EXPIRED].cert)
    assert cert.not_valid_after_utc < datetime.now(UTC)
    during = cert.not_valid_after_utc - timedelta(days=30)
    assert validator_for(pki).validate(cert, now=during).participant == "BRAVO_TRADING"


def test_not_yet_valid_certificate_becomes_good(pki: PkiLayout) -> None:
    cert = load(pki.bad_clients[Defect.NOT_YET_VALID].cert)
    assert cert.not_valid_before_utc > datetime.now(UTC)
    later = cert.not_valid_before_utc + timedelta(days=1)
    # The CRL will have expired by then, so check chain and usage without it.
    assert validator_for(pki, crl=False).validate(cert, now=later).participant == "BRAVO_TRADING"


def test_other_ca_certificate_is_good_for_the_other_ca(pki: PkiLayout) -> None:
    cert = load(pki.bad_clients[Defect.OTHER_CA].cert)
    cert.verify_directly_issued_by(load(pki.other_ca_cert))
    assert validator_for(pki, crl=False, ca=pki.other_ca_cert).validate(cert).user == (
        "bravo.other-ca"
    )


def test_self_signed_certificate_signs_itself(pki: PkiLayout) -> None:
    cert = load(pki.bad_clients[Defect.SELF_SIGNED].cert)
    assert cert.issuer == cert.subject
    cert.verify_directly_issued_by(cert)
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_wrong_usage_certificate_differs_only_in_extended_key_usage(pki: PkiLayout) -> None:
    cert = load(pki.bad_clients[Defect.WRONG_USAGE].cert)
    cert.verify_directly_issued_by(load(pki.ca_cert))
    assert cert.not_valid_before_utc < datetime.now(UTC) < cert.not_valid_after_utc
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]


def test_revoked_certificate_is_good_but_for_the_crl(pki: PkiLayout) -> None:
    credential = pki.bad_clients[Defect.REVOKED]
    assert validator_for(pki, crl=False).validate(credential.cert.read_bytes()).user == (
        "bravo.revoked"
    )
    crl = x509.load_pem_x509_crl(pki.crl.read_bytes())
    assert crl.is_signature_valid(load(pki.ca_cert).public_key())
    assert [entry.serial_number for entry in crl] == [credential.serial]


# --------------------------------------------------------------------------- idempotence


def test_injected_clock_places_the_pki_in_time(tmp_path: Path) -> None:
    layout = init_pki(tmp_path, now=NOW)
    cert = load(layout.client("alpha_lse-rw").cert)
    assert cert.not_valid_before_utc == NOW - timedelta(hours=1)
    assert cert.not_valid_after_utc == NOW + LEAF_LIFETIME
    assert load(layout.bad_clients[Defect.EXPIRED].cert).not_valid_after_utc < NOW


def test_rerun_keeps_everything_and_force_rewrites_everything(tmp_path: Path) -> None:
    first = init_pki(tmp_path, now=NOW)
    before = snapshot(tmp_path)
    again = ensure_pki(tmp_path, now=NOW + timedelta(days=1))
    assert again.written == ()
    assert snapshot(tmp_path) == before
    assert again.client("delta_tor-rw").serial == first.client("delta_tor-rw").serial
    forced = init_pki(tmp_path, now=NOW, force=True)
    assert {f.status for f in forced.files if f.kind != "manifest"} == {"written"}
    after = snapshot(tmp_path)
    assert all(after[name] != before[name] for name in before if name != "manifest.yaml")


def test_a_missing_credential_alone_is_reissued(tmp_path: Path) -> None:
    init_pki(tmp_path, now=NOW)
    before = snapshot(tmp_path)
    (tmp_path / "client-charlie_udc-rw.key").unlink()
    layout = init_pki(tmp_path, now=NOW)
    assert {f.file for f in layout.written} == {
        "client-charlie_udc-rw.pem",
        "client-charlie_udc-rw.key",
    }
    after = snapshot(tmp_path)
    assert after["ca.pem"] == before["ca.pem"]
    assert after["client-charlie_udc-rw.pem"] != before["client-charlie_udc-rw.pem"]


def test_a_corrupt_ca_reissues_everything_it_signed(tmp_path: Path) -> None:
    init_pki(tmp_path, now=NOW)
    before = snapshot(tmp_path)
    (tmp_path / "ca.pem").write_text("not a certificate", encoding="ascii")
    layout = init_pki(tmp_path, now=NOW)
    kept = {f.file for f in layout.files if f.status == "kept"}
    assert kept == {
        "other-ca.pem",
        "other-ca.key",
        "bad-other-ca.pem",
        "bad-other-ca.key",
        "bad-self-signed.pem",
        "bad-self-signed.key",
        "manifest.yaml",
    }
    ca = load(layout.ca_cert)
    for credential in layout.clients.values():
        load(credential.cert).verify_directly_issued_by(ca)
    assert snapshot(tmp_path)["other-ca.pem"] == before["other-ca.pem"]


def test_near_expiry_leaves_are_renewed_and_the_ca_kept(tmp_path: Path) -> None:
    init_pki(tmp_path, now=NOW)
    later = NOW + LEAF_LIFETIME - timedelta(days=10)
    layout = ensure_pki(tmp_path, now=later)
    status = {f.file: f.status for f in layout.files}
    assert status["ca.pem"] == "kept"
    assert status["client-alpha_lse-rw.pem"] == "written"
    assert status["server.pem"] == "written"
    assert status["bad-expired.pem"] == "kept"  # still expired: still what it should be
    assert status["crl.pem"] == "written"
    validator = validator_for(layout)
    assert validator.validate(layout.client("alpha_lse-rw").cert.read_bytes(), now=later)
    with pytest.raises(IdentityError) as caught:
        validator.validate(layout.bad_clients[Defect.REVOKED].cert.read_bytes(), now=later)
    assert caught.value.reason is RejectReason.REVOKED


def test_custom_participants_and_unusable_specs(tmp_path: Path) -> None:
    spec = ClientSpec("foxtrot-rw", "FOXTROT_CEC", "fox.rw", "EXTERNAL CRR HOLDER READ ACCESS")
    layout = init_pki(tmp_path, [spec], now=NOW)
    assert list(layout.clients) == ["foxtrot-rw"]
    assert Identity.from_certificate(layout.client("foxtrot-rw").cert.read_bytes()) == (
        spec.identity
    )
    with pytest.raises(KeyError, match="foxtrot-rw"):
        layout.client("alpha_lse-rw")
    with pytest.raises(ValueError, match="unique"):
        init_pki(tmp_path, [spec, spec])
    with pytest.raises(ValueError, match="unusable"):
        init_pki(tmp_path, [ClientSpec("../escape", "X", "x", "R")])


def test_unwritable_directory_is_a_pki_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="ascii")
    with pytest.raises(PkiError, match="not a directory"):
        init_pki(blocker)
    with pytest.raises(PkiError, match="cannot create"):
        init_pki(blocker / "sub")


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def pki_command_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "COMMANDS", ("pki",))


@pytest.mark.usefixtures("pki_command_only")
def test_cli_prints_one_line_per_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "dev-pki"
    assert cli.main(["pki", "init", str(target)]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    files = manifest(ensure_pki(target))["files"]
    assert len(lines) == len(files) + 1
    for entry, line in zip(files, lines, strict=False):
        assert line.split()[:2] == ["written", entry["file"]]
        assert entry["purpose"] in line
        if entry["expires"]:
            assert f"expires {entry['expires'][:10]}" in line
    assert lines[-1].endswith(f"{len(files)} written, 0 kept")
    assert err == ""
    assert cli.main(["pki", "init", str(target)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith(f"0 written, {len(files)} kept")


@pytest.mark.usefixtures("pki_command_only")
def test_cli_unwritable_directory_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="ascii")
    assert cli.main(["pki", "init", str(blocker / "pki")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("crr-harness pki: cannot create")
