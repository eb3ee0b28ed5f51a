"""Reading an identity from a certificate or an ``X-Client-Cert`` header: clear errors, never a crash."""

from __future__ import annotations

import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from crr_contract.identity import (
    CertificateValidator,
    Identity,
    IdentityError,
    RejectReason,
    certificates_from_header,
    load_certificate,
)
from crr_contract.pki import ROLE_READ, ROLE_READ_WRITE, Defect, PkiLayout
from tests.reference_security.support import escaped_cert_header, issue_client_cert

BRAVO_RW = Identity("BRAVO_TRADING", "bravo.rw", ROLE_READ_WRITE)


def pem_of(pki: PkiLayout, name: str = "bravo_trading-rw") -> str:
    return pki.client(name).cert.read_text("ascii")


def test_identity_from_every_certificate_form(pki: PkiLayout) -> None:
    pem = pem_of(pki)
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    der = cert.public_bytes(serialization.Encoding.DER)
    for form in (cert, pem, pem.encode("ascii"), der, bytearray(der)):
        assert Identity.from_certificate(form) == BRAVO_RW
    assert BRAVO_RW.to_dict() == {
        "participant": "BRAVO_TRADING",
        "user": "bravo.rw",
        "role": ROLE_READ_WRITE,
    }


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", RejectReason.MISSING),
        ("", RejectReason.MISSING),
        (b"not a certificate", RejectReason.MALFORMED),
        (b"\x30\x03\x02\x01\x00", RejectReason.MALFORMED),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", RejectReason.MALFORMED),
        ("caf\u00e9", RejectReason.MALFORMED),
        (12345, RejectReason.MALFORMED),
    ],
)
def test_unreadable_certificates_are_identity_errors(data: object, reason: RejectReason) -> None:
    with pytest.raises(IdentityError) as caught:
        Identity.from_certificate(data)  # type: ignore[arg-type]
    assert caught.value.reason is reason
    assert str(caught.value)


def subject(*attributes: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])


ORG, OU, CN = NameOID.ORGANIZATION_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME, NameOID.COMMON_NAME


@pytest.mark.parametrize(
    ("name", "label"),
    [
        (subject((ORG, "BRAVO_TRADING"), (CN, "bravo.rw")), "OU"),
        (subject((OU, ROLE_READ), (CN, "bravo.rw")), "O"),
        (subject((ORG, "BRAVO_TRADING"), (OU, ROLE_READ)), "CN"),
        (subject((ORG, "BRAVO_TRADING"), (OU, ROLE_READ), (OU, ROLE_READ_WRITE), (CN, "b")), "OU"),
        (subject((ORG, "A"), (ORG, "B"), (OU, ROLE_READ), (CN, "b")), "O"),
        (subject((ORG, "   "), (OU, ROLE_READ), (CN, "b")), "O"),
    ],
    ids=["no-role", "no-participant", "no-user", "two-roles", "two-participants", "blank"],
)
def test_subject_without_exactly_one_of_each_attribute_has_no_identity(
    pki: PkiLayout, tmp_path: Path, name: x509.Name, label: str
) -> None:
    now = datetime.now(UTC)
    cert_path, _ = issue_client_cert(
        pki, tmp_path, "odd", name, not_before=now, not_after=now + timedelta(days=1)
    )
    with pytest.raises(IdentityError, match=label) as caught:
        Identity.from_certificate(cert_path.read_bytes())
    assert caught.value.reason is RejectReason.NO_IDENTITY
    # The validator trusts the chain but still refuses a certificate that names nobody.
    with pytest.raises(IdentityError) as validated:
        CertificateValidator.from_files(pki.ca_cert).validate(cert_path.read_bytes())
    assert validated.value.reason is RejectReason.NO_IDENTITY


def test_subject_round_trip_through_the_dev_encoding() -> None:
    name = BRAVO_RW.subject()
    assert name.get_attributes_for_oid(ORG)[0].value == "BRAVO_TRADING"
    assert name.get_attributes_for_oid(CN)[0].value == "bravo.rw"
    assert name.get_attributes_for_oid(OU)[0].value == ROLE_READ_WRITE


# --------------------------------------------------------------------------- the header


def test_header_forms_proxies_send_all_decode(pki: PkiLayout) -> None:
    pem = pem_of(pki)
    body_lines = pem.strip().splitlines()
    forms = [
        escaped_cert_header(pki.client("bravo_trading-rw").cert),  # nginx $ssl_client_escaped_cert
        urllib.parse.quote(pem, safe="+/="),  # base64 characters left unescaped
        "\t".join(body_lines),  # nginx's older $ssl_client_cert folds lines with tabs
        " ".join(body_lines),
        pem.encode("ascii").replace(b"\n", b"%0A"),
    ]
    for form in forms:
        assert Identity.from_header(form) == BRAVO_RW, form


def test_header_with_a_chain_puts_the_leaf_first(pki: PkiLayout) -> None:
    value = urllib.parse.quote(pem_of(pki) + pki.ca_cert.read_text("ascii"), safe="")
    leaf, issuer = certificates_from_header(value)
    assert Identity.from_certificate(leaf) == BRAVO_RW
    assert issuer == load_certificate(pki.ca_cert.read_bytes())


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, RejectReason.MISSING),
        ("", RejectReason.MISSING),
        ("   ", RejectReason.MISSING),
        ("garbage", RejectReason.MALFORMED),
        ("%2D%2D%2D%2D%2DBEGIN", RejectReason.MALFORMED),
        ("-----BEGIN CERTIFICATE-----%0A!!!!%0A-----END CERTIFICATE-----", RejectReason.MALFORMED),
        ("-----BEGIN CERTIFICATE-----%0AQUJD%0A-----END CERTIFICATE-----", RejectReason.MALFORMED),
        ("x" * 70_000, RejectReason.MALFORMED),
        (b"\xff\xfe\x00", RejectReason.MALFORMED),
    ],
)
def test_garbled_headers_are_identity_errors(value: str | None, reason: RejectReason) -> None:
    with pytest.raises(IdentityError) as caught:
        Identity.from_header(value)  # type: ignore[arg-type]
    assert caught.value.reason is reason


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.binary(max_size=600), st.text(max_size=600)))
def test_arbitrary_input_raises_only_identity_error(data: bytes | str) -> None:
    for parse in (Identity.from_certificate, Identity.from_header):
        try:
            parse(data)
        except IdentityError as exc:
            assert exc.reason in set(RejectReason)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_corrupted_certificates_raise_only_identity_error(
    pki: PkiLayout, data: st.DataObject
) -> None:
    der = bytearray(load_certificate(pem_of(pki).encode()).public_bytes(serialization.Encoding.DER))
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(der) - 1))
        der[index] = data.draw(st.integers(0, 255))
    try:
        identity = Identity.from_certificate(bytes(der))
    except IdentityError:
        return
    assert isinstance(identity, Identity)


# --------------------------------------------------------------------------- the validator


def test_validator_accepts_a_good_header(pki: PkiLayout) -> None:
    validator = CertificateValidator.from_files(pki.ca_cert, pki.crl)
    value = escaped_cert_header(pki.client("echo_nda-nda").cert)
    assert validator.validate_header(value).participant == "ECHO_NDA"


def test_validator_needs_readable_trust_files(pki: PkiLayout, tmp_path: Path) -> None:
    with pytest.raises(IdentityError, match="Cannot read the CA bundle"):
        CertificateValidator.from_files(tmp_path / "missing.pem")
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n", "ascii")
    with pytest.raises(IdentityError, match="Cannot parse the CRL"):
        CertificateValidator.from_files(pki.ca_cert, bogus)
    with pytest.raises(IdentityError, match="No CRL found"):
        CertificateValidator.from_files(pki.ca_cert, pki.ca_cert)
    with pytest.raises(ValueError, match="trusted"):
        CertificateValidator([])


def test_an_expired_crl_refuses_every_certificate(pki: PkiLayout) -> None:
    crl = x509.load_pem_x509_crl(pki.crl.read_bytes())
    after = crl.next_update_utc + timedelta(days=1)
    cert = pki.client("alpha_lse-rw").cert.read_bytes()
    assert load_certificate(cert).not_valid_after_utc > after
    with pytest.raises(IdentityError, match=r"CRL .* has expired") as caught:
        CertificateValidator.from_files(pki.ca_cert, pki.crl).validate(cert, now=after)
    assert caught.value.reason is RejectReason.UNTRUSTED


def test_a_crl_from_another_issuer_does_not_count(pki: PkiLayout) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    foreign = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(subject((CN, "Somebody Else")))
        .last_update(datetime.now(UTC) - timedelta(hours=1))
        .next_update(datetime.now(UTC) + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    validator = CertificateValidator([load_certificate(pki.ca_cert.read_bytes())], [foreign])
    with pytest.raises(IdentityError, match="No CRL from the issuer") as caught:
        validator.validate(pki.client("alpha_lse-rw").cert.read_bytes())
    assert caught.value.reason is RejectReason.UNTRUSTED


def test_a_certificate_without_key_agreement_or_signature_usage_is_wrong_usage(
    pki: PkiLayout, tmp_path: Path
) -> None:
    ca_key = serialization.load_pem_private_key(pki.ca_key.read_bytes(), password=None)
    ca = load_certificate(pki.ca_cert.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(BRAVO_RW.subject())
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.KeyUsage(False, False, True, False, False, False, False, False, False), True
        )
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    with pytest.raises(IdentityError, match="digitalSignature") as caught:
        CertificateValidator([ca]).validate(cert)
    assert caught.value.reason is RejectReason.WRONG_USAGE


def test_header_chain_intermediates_are_not_trust_anchors(pki: PkiLayout) -> None:
    # Sending the other CA along with its certificate does not make it trusted.
    bad = pki.bad_clients[Defect.OTHER_CA]
    value = urllib.parse.quote(
        bad.cert.read_text("ascii") + pki.other_ca_cert.read_text("ascii"), safe=""
    )
    with pytest.raises(IdentityError) as caught:
        CertificateValidator.from_files(pki.ca_cert, pki.crl).validate_header(value)
    assert caught.value.reason is RejectReason.UNTRUSTED
