"""Who is calling: the CRR identity carried by an X.509 client certificate.

CAISO authenticates B2B callers with client certificates chained to its
issuing authority, and authorizes them by AIM role (DOMAIN.md section 2.5).
The reference implementation reads the whole identity from the certificate
subject so that a certificate alone says who is calling and what they may do:

- ``O``  (organizationName)       = the participant name, e.g. ``BRAVO_TRADING``;
- ``CN`` (commonName)             = the user name, e.g. ``bravo.rw``;
- ``OU`` (organizationalUnitName) = the AIM role, exactly as ``specs/roles.yaml``
  spells it, e.g. ``EXTERNAL CRR HOLDER READ/WRITE ACCESS``.

Each attribute must appear exactly once: a certificate with two roles or two
participants is ambiguous and is refused rather than guessed at. Standard
subject attributes were chosen over a private extension so that the identity
is visible to every tool that prints a subject (``openssl x509 -subject``,
nginx's ``$ssl_client_s_dn``).

Two paths lead here. With mutual TLS the TLS layer has already verified the
certificate and ``Identity.from_certificate`` only reads it. Behind a
TLS-terminating proxy the server sees nothing but the ``X-Client-Cert``
header, so ``CertificateValidator`` repeats the checks the TLS layer would
have made (chain, validity window, key usage, revocation) before trusting it.
Every failure is an ``IdentityError`` with a ``RejectReason``; nothing a caller
sends can make these functions raise anything else.
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

__all__ = [
    "PARTICIPANT_ATTRIBUTE",
    "ROLE_ATTRIBUTE",
    "USER_ATTRIBUTE",
    "CertificateValidator",
    "Identity",
    "IdentityError",
    "RejectReason",
    "certificate_pem",
    "certificates_from_header",
    "load_certificate",
]

PARTICIPANT_ATTRIBUTE = NameOID.ORGANIZATION_NAME
"""Subject attribute that names the participant."""
USER_ATTRIBUTE = NameOID.COMMON_NAME
"""Subject attribute that names the user."""
ROLE_ATTRIBUTE = NameOID.ORGANIZATIONAL_UNIT_NAME
"""Subject attribute that names the AIM role."""

_PEM_BLOCK = re.compile(
    r"-----BEGIN CERTIFICATE-----(?P<body>[A-Za-z0-9+/=\s]*?)-----END CERTIFICATE-----"
)
_MAX_HEADER_CHARS = 64 * 1024

# Web PKI profile, except that a client certificate need not carry a subject
# alternative name: the CRR identity lives in the subject, and OpenSSL does
# not ask for one in the mutual-TLS handshake either.
_CA_POLICY = ExtensionPolicy.webpki_defaults_ca()
_CLIENT_POLICY = ExtensionPolicy.webpki_defaults_ee().may_be_present(
    x509.SubjectAlternativeName, Criticality.AGNOSTIC, None
)


class RejectReason(StrEnum):
    """Why a presented certificate yields no identity; stable strings for reports."""

    MISSING = "missing"
    MALFORMED = "malformed"
    NO_IDENTITY = "no-identity"
    UNTRUSTED = "untrusted"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    WRONG_USAGE = "wrong-usage"
    REVOKED = "revoked"


class IdentityError(Exception):
    """Raised when a certificate is absent, unreadable, untrusted or carries no CRR identity."""

    def __init__(self, reason: RejectReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True, slots=True)
class Identity:
    """The caller as the CRR services see it: participant, user and AIM role."""

    participant: str
    user: str
    role: str

    @classmethod
    def from_certificate(cls, certificate: x509.Certificate | bytes | str) -> Identity:
        """Read the identity from a certificate's subject (no trust decision is made here)."""
        cert = load_certificate(certificate)
        return cls(
            participant=_single_attribute(cert, PARTICIPANT_ATTRIBUTE, "O (participant)"),
            user=_single_attribute(cert, USER_ATTRIBUTE, "CN (user)"),
            role=_single_attribute(cert, ROLE_ATTRIBUTE, "OU (role)"),
        )

    @classmethod
    def from_header(cls, value: str | bytes) -> Identity:
        """Read the identity from an ``X-Client-Cert`` header value without validating it."""
        return cls.from_certificate(certificates_from_header(value)[0])

    def subject(self) -> x509.Name:
        """The certificate subject that encodes this identity (used by the dev PKI)."""
        return x509.Name(
            [
                x509.NameAttribute(PARTICIPANT_ATTRIBUTE, self.participant),
                x509.NameAttribute(ROLE_ATTRIBUTE, self.role),
                x509.NameAttribute(USER_ATTRIBUTE, self.user),
            ]
        )

    def to_dict(self) -> dict[str, str]:
        """The identity as plain data, for logs, reports and echo endpoints."""
        return {"participant": self.participant, "user": self.user, "role": self.role}


def load_certificate(data: x509.Certificate | bytes | str) -> x509.Certificate:
    """Return ``data`` as a certificate object, accepting an object, PEM text or DER bytes."""
    if isinstance(data, x509.Certificate):
        return data
    if isinstance(data, str):
        try:
            data = data.encode("ascii")
        except UnicodeEncodeError:
            raise IdentityError(
                RejectReason.MALFORMED, "Certificate PEM text is not ASCII."
            ) from None
    if not isinstance(data, bytes | bytearray):
        raise IdentityError(
            RejectReason.MALFORMED, f"Expected a certificate but got {type(data).__name__}."
        )
    if not data:
        raise IdentityError(RejectReason.MISSING, "No client certificate was presented.")
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(bytes(data))
        return x509.load_der_x509_certificate(bytes(data))
    except (ValueError, x509.InvalidVersion) as exc:  # a bad version field is not a ValueError
        raise IdentityError(
            RejectReason.MALFORMED, f"The client certificate cannot be parsed: {exc}"
        ) from None


def certificates_from_header(value: str | bytes | None) -> list[x509.Certificate]:
    """Decode an ``X-Client-Cert`` header: URL-encoded PEM, leaf first (nginx ``$ssl_client_escaped_cert``).

    The base64 body is re-read with all whitespace removed, so the variants
    proxies produce (newlines escaped as ``%0A``, tab-folded lines of the older
    ``$ssl_client_cert``, spaces) all decode to the same certificate.
    """
    if value is None:
        raise IdentityError(RejectReason.MISSING, "No client certificate was presented.")
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if not value:
        raise IdentityError(RejectReason.MISSING, "No client certificate was presented.")
    if len(value) > _MAX_HEADER_CHARS:
        raise IdentityError(RejectReason.MALFORMED, "The client certificate header is too long.")
    text = urllib.parse.unquote(value)
    blocks = [m.group("body") for m in _PEM_BLOCK.finditer(text)]
    if not blocks:
        raise IdentityError(
            RejectReason.MALFORMED, "The client certificate header holds no PEM certificate."
        )
    certificates = []
    for body in blocks:
        try:
            der = base64.b64decode("".join(body.split()), validate=True)
        except (binascii.Error, ValueError):
            raise IdentityError(
                RejectReason.MALFORMED, "The client certificate header is not valid base64 PEM."
            ) from None
        certificates.append(load_certificate(der))
    return certificates


def _single_attribute(cert: x509.Certificate, oid: x509.ObjectIdentifier, label: str) -> str:
    try:
        values = [attr.value for attr in cert.subject.get_attributes_for_oid(oid)]
    except (ValueError, TypeError) as exc:  # cryptography raises TypeError for some bad types
        raise IdentityError(
            RejectReason.MALFORMED, f"The client certificate subject cannot be read: {exc}"
        ) from None
    if len(values) != 1:
        found = "no" if not values else f"{len(values)}"
        raise IdentityError(
            RejectReason.NO_IDENTITY,
            f"The client certificate subject has {found} {label} attribute; exactly one is required.",
        )
    value = values[0]
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    value = value.strip()
    if not value:
        raise IdentityError(
            RejectReason.NO_IDENTITY, f"The client certificate subject has an empty {label}."
        )
    return value


def _load_pem_file(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise IdentityError(
            RejectReason.UNTRUSTED, f"Cannot read the {what} {path}: {exc.strerror}"
        ) from None


class CertificateValidator:
    """Decides whether a presented client certificate would pass the mutual-TLS checks.

    Used when TLS ends at a proxy and the application sees the certificate
    only as a header. It applies, in this order, the checks OpenSSL applies
    to a client certificate in the handshake, so that a certificate refused
    at the TLS layer in mutual-TLS mode is refused here too, with a reason:
    validity window, key usage (``clientAuth`` when an extended key usage is
    present; ``digitalSignature`` or ``keyAgreement`` when a key usage is
    present), chain to one of the trusted CA certificates, revocation (when
    CRLs are configured, a current CRL from the issuing CA is required, as
    ``VERIFY_CRL_CHECK_LEAF`` does), and finally a readable CRR identity.
    """

    def __init__(
        self,
        trusted: Sequence[x509.Certificate],
        crls: Sequence[x509.CertificateRevocationList] = (),
    ) -> None:
        if not trusted:
            raise ValueError("CertificateValidator needs at least one trusted CA certificate")
        self._trusted = list(trusted)
        self._crls = list(crls)

    @classmethod
    def from_files(cls, ca_file: Path, crl_file: Path | None = None) -> CertificateValidator:
        """Build a validator from a PEM CA bundle and an optional PEM CRL file."""
        try:
            trusted = x509.load_pem_x509_certificates(_load_pem_file(ca_file, "CA bundle"))
        except ValueError as exc:
            raise IdentityError(
                RejectReason.UNTRUSTED, f"Cannot parse the CA bundle {ca_file}: {exc}"
            ) from None
        crls: list[x509.CertificateRevocationList] = []
        if crl_file is not None:
            text = _load_pem_file(crl_file, "CRL file")
            for block in re.findall(
                rb"-----BEGIN X509 CRL-----.*?-----END X509 CRL-----", text, re.DOTALL
            ):
                try:
                    crls.append(x509.load_pem_x509_crl(block))
                except ValueError as exc:
                    raise IdentityError(
                        RejectReason.UNTRUSTED, f"Cannot parse the CRL {crl_file}: {exc}"
                    ) from None
            if not crls:
                raise IdentityError(RejectReason.UNTRUSTED, f"No CRL found in {crl_file}.")
        return cls(trusted, crls)

    @property
    def trusted_until(self) -> datetime:
        """The first moment a trusted CA certificate or a configured CRL stops being current."""
        moments = [cert.not_valid_after_utc for cert in self._trusted]
        moments += [crl.next_update_utc for crl in self._crls if crl.next_update_utc is not None]
        return min(moments)

    def validate(
        self,
        certificate: x509.Certificate | bytes | str,
        intermediates: Iterable[x509.Certificate] = (),
        *,
        now: datetime | None = None,
    ) -> Identity:
        """Return the identity of a trustworthy client certificate, or raise ``IdentityError``."""
        cert = load_certificate(certificate)
        moment = now or datetime.now(UTC)
        _check_validity_window(cert, moment)
        _check_client_usage(cert)
        chain = self._verify_chain(cert, list(intermediates), moment)
        if self._crls:
            self._check_revocation(cert, chain[1] if len(chain) > 1 else chain[0], moment)
        return Identity.from_certificate(cert)

    def validate_header(
        self, value: str | bytes | None, *, now: datetime | None = None
    ) -> Identity:
        """Decode an ``X-Client-Cert`` header value and validate the certificate it carries."""
        leaf, *rest = certificates_from_header(value)
        return self.validate(leaf, rest, now=now)

    def _verify_chain(
        self, cert: x509.Certificate, intermediates: list[x509.Certificate], moment: datetime
    ) -> list[x509.Certificate]:
        verifier = (
            PolicyBuilder()
            .store(Store(self._trusted))
            .time(moment)
            .extension_policies(ca_policy=_CA_POLICY, ee_policy=_CLIENT_POLICY)
            .build_client_verifier()
        )
        try:
            return list(verifier.verify(cert, intermediates).chain)
        except VerificationError as exc:
            raise IdentityError(
                RejectReason.UNTRUSTED,
                f"The client certificate, issued by {_issuer_text(cert)}, does not chain to a "
                f"trusted CA ({exc}).",
            ) from None

    def _check_revocation(
        self, cert: x509.Certificate, issuer: x509.Certificate, moment: datetime
    ) -> None:
        crls = [
            crl
            for crl in self._crls
            if crl.issuer == issuer.subject and crl.is_signature_valid(issuer.public_key())
        ]
        if not crls:
            raise IdentityError(
                RejectReason.UNTRUSTED,
                f"No CRL from the issuer {issuer.subject.rfc4514_string()} is configured.",
            )
        current = [
            crl for crl in crls if crl.next_update_utc is None or crl.next_update_utc > moment
        ]
        if not current:
            raise IdentityError(
                RejectReason.UNTRUSTED,
                f"The CRL of {issuer.subject.rfc4514_string()} has expired.",
            )
        for crl in current:
            revoked = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
            if revoked is not None:
                raise IdentityError(
                    RejectReason.REVOKED,
                    f"The client certificate (serial {cert.serial_number:x}) was revoked on "
                    f"{revoked.revocation_date_utc:%Y-%m-%dT%H:%M:%SZ}.",
                )


def _issuer_text(cert: x509.Certificate) -> str:
    try:
        return cert.issuer.rfc4514_string()
    except (ValueError, TypeError):
        return "an unreadable issuer"


def _check_validity_window(cert: x509.Certificate, moment: datetime) -> None:
    if moment < cert.not_valid_before_utc:
        raise IdentityError(
            RejectReason.NOT_YET_VALID,
            f"The client certificate is not valid before {cert.not_valid_before_utc:%Y-%m-%dT%H:%M:%SZ}.",
        )
    if moment > cert.not_valid_after_utc:
        raise IdentityError(
            RejectReason.EXPIRED,
            f"The client certificate expired at {cert.not_valid_after_utc:%Y-%m-%dT%H:%M:%SZ}.",
        )


def _check_client_usage(cert: x509.Certificate) -> None:
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        eku = None
    except ValueError as exc:
        raise IdentityError(
            RejectReason.MALFORMED, f"The client certificate has unreadable extensions: {exc}"
        ) from None
    if eku is not None and ExtendedKeyUsageOID.CLIENT_AUTH not in eku:
        raise IdentityError(
            RejectReason.WRONG_USAGE,
            "The client certificate's extended key usage does not include clientAuth.",
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.key_agreement):
        raise IdentityError(
            RejectReason.WRONG_USAGE,
            "The client certificate's key usage allows neither digitalSignature nor keyAgreement.",
        )


def certificate_pem(cert: x509.Certificate) -> str:
    """The certificate as PEM text (the form the ASGI TLS extension carries)."""
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
