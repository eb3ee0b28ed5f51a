"""What a participant's certificate says about itself, read locally before any network call.

The doctor diagnoses a certificate, so unlike ``load_target`` it does not
refuse an expired or not-yet-valid one: validity is a finding (layer
CNX-004), not an input error. What is an input error is a file that is
missing or unreadable, or a key that does not belong to the certificate:
no network test can say anything useful about those.

Identity is read the way the dev PKI and the reference server encode it
(crr_contract/identity.py): subject ``O`` = participant name,
``OU`` = AIM role, ``CN`` = user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from harness.errors import InputError

__all__ = [
    "EXPIRY_WARNING_DAYS",
    "CertificateFacts",
    "check_key_matches",
    "describe_name",
    "read_bundle",
    "read_certificate",
]

EXPIRY_WARNING_DAYS = 30
"""A certificate (client or server) expiring sooner than this gets a warning."""


def describe_name(name: x509.Name) -> str:
    """A distinguished name as people read it (``CN=..., O=...``)."""
    return name.rfc4514_string() or "(empty name)"


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = [a.value for a in name.get_attributes_for_oid(oid)]
    if len(values) != 1:
        return None
    value = values[0]
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value.strip() or None


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """A certificate and what can be said about it without the server."""

    path: Path
    certificate: x509.Certificate

    @property
    def subject(self) -> str:
        return describe_name(self.certificate.subject)

    @property
    def issuer(self) -> str:
        return describe_name(self.certificate.issuer)

    @property
    def participant(self) -> str | None:
        """Subject ``O``: the participant the certificate is provisioned for."""
        return _attribute(self.certificate.subject, NameOID.ORGANIZATION_NAME)

    @property
    def role(self) -> str | None:
        """Subject ``OU``: the AIM role."""
        return _attribute(self.certificate.subject, NameOID.ORGANIZATIONAL_UNIT_NAME)

    @property
    def user(self) -> str | None:
        """Subject ``CN``: the user."""
        return _attribute(self.certificate.subject, NameOID.COMMON_NAME)

    @property
    def not_before(self) -> datetime:
        return self.certificate.not_valid_before_utc

    @property
    def not_after(self) -> datetime:
        return self.certificate.not_valid_after_utc

    @property
    def serial(self) -> str:
        return format(self.certificate.serial_number, "X")

    @property
    def self_signed(self) -> bool:
        if self.certificate.issuer != self.certificate.subject:
            return False
        try:
            self.certificate.verify_directly_issued_by(self.certificate)
        except Exception:
            return False
        return True

    def valid_at(self, now: datetime) -> bool:
        return self.not_before <= now <= self.not_after

    def days_left(self, now: datetime) -> int:
        return (self.not_after - now).days

    def validity_problem(self, now: datetime) -> str | None:
        """The plain-language reason the certificate is not valid now, or None."""
        if now > self.not_after:
            return f"your certificate expired on {_when(self.not_after)}"
        if now < self.not_before:
            return f"your certificate is not valid before {_when(self.not_before)}"
        return None

    def expiry_warning(self, now: datetime) -> str | None:
        """``your certificate expires in N days`` when that is soon."""
        if not self.valid_at(now):
            return None
        days = self.days_left(now)
        if days < EXPIRY_WARNING_DAYS:
            return (
                f"your certificate expires in {days} day{'s' if days != 1 else ''} "
                f"({_when(self.not_after)}); ask your CAISO UAA/POC to renew it before then"
            )
        return None

    def client_auth_allowed(self) -> bool:
        """False when an extended key usage is present without ``clientAuth``."""
        try:
            usage = self.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except x509.ExtensionNotFound:
            return True
        return ExtendedKeyUsageOID.CLIENT_AUTH in usage

    def issued_by_any(self, bundle: list[x509.Certificate]) -> bool:
        """Whether one of ``bundle`` signed this certificate."""
        for candidate in bundle:
            if candidate.subject != self.certificate.issuer:
                continue
            try:
                self.certificate.verify_directly_issued_by(candidate)
            except Exception:
                continue
            return True
        return False

    def summary(self) -> str:
        return (
            f"{self.subject}, issued by {self.issuer}, serial {self.serial}, "
            f"valid {_when(self.not_before)} to {_when(self.not_after)}"
        )


def read_certificate(path: Path, flag: str = "--cert") -> CertificateFacts:
    """The first certificate of a PEM file; a missing or unreadable file is an InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{flag} {path}: no such file")
    try:
        certificates = x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise InputError(f"{flag} {path}: not a PEM certificate ({_first_line(exc)})") from None
    return CertificateFacts(path, certificates[0])


def read_bundle(path: Path, flag: str = "--ca") -> list[x509.Certificate]:
    """Every certificate of a CA bundle."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{flag} {path}: no such file")
    try:
        return x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{flag} {path}: not a PEM certificate bundle ({_first_line(exc)})"
        ) from None


def check_key_matches(facts: CertificateFacts, key_path: Path, flag: str = "--key") -> None:
    """The key must be readable, unencrypted and the certificate's own."""
    key_path = Path(key_path)
    if not key_path.is_file():
        raise InputError(f"{flag} {key_path}: no such file")
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(
            f"{flag} {key_path}: unreadable private key ({_first_line(exc)})"
        ) from None
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    public = facts.certificate.public_key().public_bytes(*spki)
    if key.public_key().public_bytes(*spki) != public:
        raise InputError(f"{flag} {key_path}: this key does not match the certificate {facts.path}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
