"""A development PKI: the certificates the reference implementation and its tests need.

CAISO's B2B services authenticate callers with X.509 client certificates
chained to CAISO's issuing authority (DOMAIN.md section 2.5). Nobody outside
CAISO has such certificates, so ``crr-harness pki init DIR`` (and ``serve`` on
its first start, through ``ensure_pki``) writes a stand-in PKI:

- ``ca.pem`` / ``ca.key``: the dev root CA every good certificate chains to;
- ``other-ca.pem`` / ``other-ca.key``: an unrelated CA, only to issue a
  certificate the server must refuse;
- ``server.pem`` / ``server.key``: the server certificate, SAN ``localhost``,
  ``127.0.0.1`` and ``::1``, extended key usage ``serverAuth``;
- ``client-<name>.pem`` / ``.key``: one certificate per sample participant
  and role (``SAMPLE_CLIENTS``) plus the sim operator (``OPERATOR_CLIENT``),
  extended key usage ``clientAuth``; together they hold every role of
  ``specs/roles.yaml``;
- ``bad-<defect>.pem`` / ``.key``: certificates that are wrong in exactly one
  way (``Defect``): expired, not yet valid, issued by the other CA,
  self-signed, without ``clientAuth`` (``serverAuth`` only), revoked. Each
  carries a well-formed BRAVO_TRADING read/write identity, so a server that
  accepts one has skipped precisely the check that certificate is named after;
- ``crl.pem``: the dev CA's CRL, listing the revoked certificate;
- ``manifest.yaml``: every file above with its kind, purpose, expiry and,
  for credentials, participant, user, role and defect.

Identity encoding (read back by ``identity.Identity.from_certificate``):
subject ``O`` = participant name, ``CN`` = user name, ``OU`` = the AIM role
exactly as ``specs/roles.yaml`` spells it; each exactly once.

Keys are EC P-256 (fast to generate), written ``0600``. The clock is
injectable (``now``) so tests can place the PKI anywhere in time.
``init_pki`` is idempotent: material that is still what it should be (parses,
key matches, issued by the current CA, same subject and usage, and still
valid, or still expired or not yet valid for those two defects, with 30 days
to spare) is kept; anything else is rewritten, and a new CA rewrites
everything it issued. ``force=True`` rewrites everything.
"""

from __future__ import annotations

import ipaddress
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from crr_contract.identity import Identity
from crr_contract.roles import RoleModel

__all__ = [
    "DEFAULT_CLIENTS",
    "DEFAULT_SERVER_HOSTS",
    "OPERATOR_CLIENT",
    "ROLE_NDA_REPORTS",
    "ROLE_OPERATOR",
    "ROLE_READ",
    "ROLE_READ_WRITE",
    "SAMPLE_CLIENTS",
    "ClientSpec",
    "Credential",
    "Defect",
    "PkiError",
    "PkiFile",
    "PkiLayout",
    "ensure_pki",
    "init_pki",
]

_ROLES = RoleModel.shipped()
ROLE_READ_WRITE = _ROLES.with_access("write")
ROLE_READ = _ROLES.with_access("read")
ROLE_NDA_REPORTS = _ROLES.with_access("nda-reports")
ROLE_OPERATOR = _ROLES.with_access("operator")
"""The roles the dev PKI issues certificates for, named in ``specs/roles.yaml``."""

CA_LIFETIME = timedelta(days=3650)
LEAF_LIFETIME = timedelta(days=730)
CRL_LIFETIME = timedelta(days=365)
RENEW_MARGIN = timedelta(days=30)
"""Material that expires (or becomes valid) sooner than this is reissued."""
BACKDATE = timedelta(hours=1)
"""Certificates and the CRL start this much before ``now`` to absorb clock skew."""
CA_BACKDATE = timedelta(days=400)
"""The CAs start early enough that the expired certificate was once fully valid."""

MANIFEST_NAME = "manifest.yaml"
_ORG = "crr-harness development PKI"
_MANIFEST_PURPOSE = "this list of files"


class PkiError(Exception):
    """Raised when the PKI directory cannot be created or written."""


class Defect(StrEnum):
    """The one thing wrong with each deliberately bad client certificate."""

    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    OTHER_CA = "other-ca"
    SELF_SIGNED = "self-signed"
    WRONG_USAGE = "wrong-usage"
    REVOKED = "revoked"


_DEFECT_PURPOSE = {
    Defect.EXPIRED: "bad client certificate: validity ended yesterday",
    Defect.NOT_YET_VALID: "bad client certificate: validity starts in a year",
    Defect.OTHER_CA: "bad client certificate: issued by the other (untrusted) CA",
    Defect.SELF_SIGNED: "bad client certificate: self-signed",
    Defect.WRONG_USAGE: "bad client certificate: extended key usage serverAuth only",
    Defect.REVOKED: "bad client certificate: revoked, listed in crl.pem",
}


@dataclass(frozen=True, slots=True)
class ClientSpec:
    """A client certificate to issue: file name stem and the identity it carries."""

    name: str
    participant: str
    user: str
    role: str

    @property
    def identity(self) -> Identity:
        """The identity the certificate encodes."""
        return Identity(self.participant, self.user, self.role)


SAMPLE_CLIENTS: tuple[ClientSpec, ...] = (
    ClientSpec("alpha_lse-rw", "ALPHA_LSE", "alpha.rw", ROLE_READ_WRITE),
    ClientSpec("bravo_trading-rw", "BRAVO_TRADING", "bravo.rw", ROLE_READ_WRITE),
    ClientSpec("bravo_trading-read", "BRAVO_TRADING", "bravo.read", ROLE_READ),
    ClientSpec("charlie_udc-rw", "CHARLIE_UDC", "charlie.rw", ROLE_READ_WRITE),
    ClientSpec("delta_tor-rw", "DELTA_TOR", "delta.rw", ROLE_READ_WRITE),
    ClientSpec("echo_lse-rw", "ECHO_LSE", "echo.rw", ROLE_READ_WRITE),
    ClientSpec("cec_forecaster-rw", "CEC_FORECASTER", "cec.rw", ROLE_READ_WRITE),
    ClientSpec("echo_nda-nda", "ECHO_NDA", "echo.nda", ROLE_NDA_REPORTS),
)
"""The sample market participants, one certificate per participant and role."""

OPERATOR_CLIENT = ClientSpec("operator", "CRR_SIM", "sim.operator", ROLE_OPERATOR)
"""The market-sim coordinator, who may call only the sim-control API."""

DEFAULT_CLIENTS: tuple[ClientSpec, ...] = (*SAMPLE_CLIENTS, OPERATOR_CLIENT)
DEFAULT_SERVER_HOSTS: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")

_BAD_PARTICIPANT = "BRAVO_TRADING"


@dataclass(frozen=True, slots=True)
class PkiFile:
    """One file of the PKI directory, as listed in the manifest."""

    file: str
    kind: str
    purpose: str
    expires: datetime | None
    status: str
    """``written`` or ``kept`` by the run that produced this layout."""
    credential: str | None = None
    identity: Identity | None = None
    defect: Defect | None = None


@dataclass(frozen=True, slots=True)
class Credential:
    """A certificate and its key, with what the certificate says and is meant to be."""

    name: str
    cert: Path
    key: Path
    identity: Identity | None
    defect: Defect | None
    serial: int
    not_before: datetime
    not_after: datetime


@dataclass(frozen=True, slots=True)
class PkiLayout:
    """Where everything is in a PKI directory; returned by ``init_pki`` and ``ensure_pki``."""

    directory: Path
    manifest: Path
    ca_cert: Path
    ca_key: Path
    other_ca_cert: Path
    other_ca_key: Path
    crl: Path
    server: Credential
    clients: Mapping[str, Credential]
    bad_clients: Mapping[Defect, Credential]
    files: tuple[PkiFile, ...] = field(default=())

    def client(self, name: str) -> Credential:
        """The good client credential called ``name`` (see ``ClientSpec.name``)."""
        try:
            return self.clients[name]
        except KeyError:
            known = ", ".join(sorted(self.clients))
            raise KeyError(f"no client credential {name!r} (known: {known})") from None

    @property
    def written(self) -> tuple[PkiFile, ...]:
        """The files this run wrote (empty when everything was kept)."""
        return tuple(f for f in self.files if f.status == "written")


def ensure_pki(directory: Path | str, *, now: datetime | None = None) -> PkiLayout:
    """Make sure ``directory`` holds a usable dev PKI, writing only what is missing or stale."""
    return init_pki(directory, now=now, force=False)


def init_pki(
    directory: Path | str,
    participants: Sequence[ClientSpec] = DEFAULT_CLIENTS,
    *,
    server_hosts: Sequence[str] = DEFAULT_SERVER_HOSTS,
    now: datetime | None = None,
    force: bool = False,
) -> PkiLayout:
    """Create (or bring up to date) the dev PKI in ``directory`` and describe it in its manifest.

    Raises ``PkiError`` when the directory cannot be created or written, and
    ``ValueError`` for an unusable ``participants`` or ``server_hosts``.
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    _check_client_specs(participants)
    if not server_hosts:
        raise ValueError("server_hosts must name at least one host")
    builder = _Builder(Path(directory), moment, force)
    builder.prepare_directory()
    return builder.build(participants, tuple(server_hosts))


# --------------------------------------------------------------------------- internals


def _check_client_specs(specs: Sequence[ClientSpec]) -> None:
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise ValueError("client certificate names must be unique")
    for spec in specs:
        if not spec.name or not all(c.isalnum() or c in "-_." for c in spec.name):
            raise ValueError(f"unusable client certificate name {spec.name!r}")
        if not (spec.participant.strip() and spec.user.strip() and spec.role.strip()):
            raise ValueError(f"client {spec.name!r} needs a participant, a user and a role")


@dataclass(slots=True)
class _Issuer:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


@dataclass(frozen=True, slots=True)
class _LeafPlan:
    name: str
    stem: str
    kind: str
    subject: x509.Name
    issuer: str  # "ca", "other-ca" or "self"
    eku: tuple[x509.ObjectIdentifier, ...]
    san: tuple[x509.GeneralName, ...]
    purpose: str
    identity: Identity | None = None
    defect: Defect | None = None


class _Builder:
    """Decides, file by file, what to keep and what to (re)write."""

    def __init__(self, directory: Path, now: datetime, force: bool) -> None:
        self.directory = directory
        self.now = now
        self.force = force
        self.files: list[PkiFile] = []

    # -- filesystem

    def prepare_directory(self) -> None:
        if self.directory.exists() and not self.directory.is_dir():
            raise PkiError(f"{self.directory} exists and is not a directory")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PkiError(f"cannot create {self.directory}: {exc.strerror or exc}") from None
        if not os.access(self.directory, os.W_OK | os.X_OK):
            raise PkiError(f"cannot write to {self.directory}: permission denied")

    def _write(self, name: str, data: bytes, *, private: bool = False) -> None:
        target = self.directory / name
        try:
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{name}.", suffix=".tmp")
            try:
                os.fchmod(fd, 0o600 if private else 0o644)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise PkiError(f"cannot write {target}: {exc.strerror or exc}") from None

    def _read(self, name: str) -> bytes | None:
        if self.force:
            return None
        try:
            return (self.directory / name).read_bytes()
        except OSError:
            return None

    def _record(
        self,
        name: str,
        kind: str,
        purpose: str,
        expires: datetime | None,
        written: bool,
        plan: _LeafPlan | None = None,
    ) -> None:
        self.files.append(
            PkiFile(
                file=name,
                kind=kind,
                purpose=purpose,
                expires=expires,
                status="written" if written else "kept",
                credential=plan.name if plan else None,
                identity=plan.identity if plan else None,
                defect=plan.defect if plan else None,
            )
        )

    # -- loading existing material

    def _existing_pair(
        self, stem: str
    ) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
        cert_pem, key_pem = self._read(f"{stem}.pem"), self._read(f"{stem}.key")
        if cert_pem is None or key_pem is None:
            return None
        try:
            cert = x509.load_pem_x509_certificate(cert_pem)
            key = serialization.load_pem_private_key(key_pem, password=None)
        except (ValueError, TypeError):
            return None
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            return None
        if _public_der(cert.public_key()) != _public_der(key.public_key()):
            return None
        return cert, key

    # -- CAs

    def ca(self, stem: str, common_name: str, purpose: str) -> tuple[_Issuer, bool]:
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, _ORG),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )
        pair = self._existing_pair(stem)
        if pair is not None and self._ca_reusable(pair[0], subject):
            issuer, written = _Issuer(*pair), False
        else:
            key = ec.generate_private_key(ec.SECP256R1())
            ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
            cert = (
                x509.CertificateBuilder()
                .subject_name(subject)
                .issuer_name(subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(self.now - CA_BACKDATE)
                .not_valid_after(self.now + CA_LIFETIME)
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(_key_usage(cert_sign=True), critical=True)
                .add_extension(ski, critical=False)
                .add_extension(
                    x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                    critical=False,
                )
                .sign(key, hashes.SHA256())
            )
            self._write(f"{stem}.pem", _cert_pem(cert))
            self._write(f"{stem}.key", _key_pem(key), private=True)
            issuer, written = _Issuer(cert, key), True
        expires = issuer.cert.not_valid_after_utc
        self._record(f"{stem}.pem", "ca-certificate", purpose, expires, written)
        self._record(f"{stem}.key", "private-key", f"key of {stem}.pem", expires, written)
        return issuer, written

    def _ca_reusable(self, cert: x509.Certificate, subject: x509.Name) -> bool:
        try:
            constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
            cert.verify_directly_issued_by(cert)
        except (x509.ExtensionNotFound, ValueError, TypeError, InvalidSignature):
            return False
        return (
            constraints.ca
            and cert.subject == subject
            and cert.not_valid_before_utc <= self.now
            and cert.not_valid_after_utc > self.now + RENEW_MARGIN
        )

    # -- leaves

    def leaf(self, plan: _LeafPlan, issuers: Mapping[str, _Issuer]) -> Credential:
        pair = self._existing_pair(plan.stem)
        issuer = issuers.get(plan.issuer)
        if pair is not None and self._leaf_reusable(pair[0], plan, issuer):
            cert, written = pair[0], False
        else:
            cert, key = self._issue(plan, issuer)
            self._write(f"{plan.stem}.pem", _cert_pem(cert))
            self._write(f"{plan.stem}.key", _key_pem(key), private=True)
            written = True
        kind = "server-certificate" if plan.kind == "server" else f"{plan.kind}-certificate"
        expires = cert.not_valid_after_utc
        self._record(f"{plan.stem}.pem", kind, plan.purpose, expires, written, plan)
        self._record(
            f"{plan.stem}.key", "private-key", f"key of {plan.stem}.pem", expires, written, plan
        )
        return Credential(
            name=plan.name,
            cert=self.directory / f"{plan.stem}.pem",
            key=self.directory / f"{plan.stem}.key",
            identity=plan.identity,
            defect=plan.defect,
            serial=cert.serial_number,
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
        )

    def _window(self, defect: Defect | None) -> tuple[datetime, datetime]:
        if defect is Defect.EXPIRED:
            return self.now - timedelta(days=365), self.now - timedelta(days=1)
        if defect is Defect.NOT_YET_VALID:
            return self.now + timedelta(days=365), self.now + LEAF_LIFETIME
        return self.now - BACKDATE, self.now + LEAF_LIFETIME

    def _window_still_right(self, cert: x509.Certificate, defect: Defect | None) -> bool:
        start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
        if defect is Defect.EXPIRED:
            return end < self.now
        if defect is Defect.NOT_YET_VALID:
            return start > self.now + RENEW_MARGIN
        return start <= self.now and end > self.now + RENEW_MARGIN

    def _leaf_reusable(
        self, cert: x509.Certificate, plan: _LeafPlan, issuer: _Issuer | None
    ) -> bool:
        signer = cert if issuer is None else issuer.cert
        try:
            cert.verify_directly_issued_by(signer)
            eku = tuple(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
            san = _san(cert)
        except (x509.ExtensionNotFound, ValueError, TypeError, InvalidSignature):
            return False
        return (
            cert.subject == plan.subject
            and eku == plan.eku
            and san == set(plan.san)
            and self._window_still_right(cert, plan.defect)
        )

    def _issue(
        self, plan: _LeafPlan, issuer: _Issuer | None
    ) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        key = ec.generate_private_key(ec.SECP256R1())
        start, end = self._window(plan.defect)
        if issuer is not None:
            end = min(end, issuer.cert.not_valid_after_utc)
            issuer_name, signing_key = issuer.cert.subject, issuer.key
            aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key())
        else:
            issuer_name, signing_key = plan.subject, key
            aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key())
        builder = (
            x509.CertificateBuilder()
            .subject_name(plan.subject)
            .issuer_name(issuer_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage(list(plan.eku)), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(aki, critical=False)
        )
        if plan.san:
            builder = builder.add_extension(
                x509.SubjectAlternativeName(list(plan.san)), critical=False
            )
        return builder.sign(signing_key, hashes.SHA256()), key

    # -- CRL

    def crl(self, ca: _Issuer, revoked: Sequence[Credential]) -> None:
        name = "crl.pem"
        wanted = {cred.serial for cred in revoked}
        existing = self._read(name)
        current: x509.CertificateRevocationList | None = None
        if existing is not None:
            try:
                current = x509.load_pem_x509_crl(existing)
            except ValueError:
                current = None
        if current is not None and self._crl_reusable(current, ca, wanted):
            crl, written = current, False
        else:
            builder = (
                x509.CertificateRevocationListBuilder()
                .issuer_name(ca.cert.subject)
                .last_update(self.now - BACKDATE)
                .next_update(min(self.now + CRL_LIFETIME, ca.cert.not_valid_after_utc))
                .add_extension(x509.CRLNumber(int(self.now.timestamp())), critical=False)
                .add_extension(
                    x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
                    critical=False,
                )
            )
            for cred in revoked:
                builder = builder.add_revoked_certificate(
                    x509.RevokedCertificateBuilder()
                    .serial_number(cred.serial)
                    .revocation_date(self.now - BACKDATE)
                    .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), False)
                    .build()
                )
            crl = builder.sign(ca.key, hashes.SHA256())
            self._write(name, crl.public_bytes(serialization.Encoding.PEM))
            written = True
        self._record(
            name,
            "crl",
            "certificate revocation list of the dev CA (lists bad-revoked.pem)",
            crl.next_update_utc,
            written,
        )

    def _crl_reusable(
        self, crl: x509.CertificateRevocationList, ca: _Issuer, wanted: set[int]
    ) -> bool:
        return (
            crl.issuer == ca.cert.subject
            and crl.is_signature_valid(ca.key.public_key())
            and {entry.serial_number for entry in crl} == wanted
            and crl.last_update_utc <= self.now
            and crl.next_update_utc is not None
            and crl.next_update_utc > self.now + RENEW_MARGIN
        )

    # -- the whole directory

    def build(self, clients: Sequence[ClientSpec], server_hosts: tuple[str, ...]) -> PkiLayout:
        ca, _ = self.ca("ca", "CRR Harness Dev Root CA", "dev root CA: the trust anchor")
        other, _ = self.ca(
            "other-ca",
            "CRR Harness Other CA",
            "unrelated CA, trusted by nobody; issues bad-other-ca.pem",
        )
        issuers = {"ca": ca, "other-ca": other}
        server = self.leaf(_server_plan(server_hosts), issuers)
        good = {spec.name: self.leaf(_client_plan(spec), issuers) for spec in clients}
        bad = {defect: self.leaf(_bad_plan(defect), issuers) for defect in Defect}
        self.crl(ca, [bad[Defect.REVOKED]])
        self._write_manifest()
        return PkiLayout(
            directory=self.directory,
            manifest=self.directory / MANIFEST_NAME,
            ca_cert=self.directory / "ca.pem",
            ca_key=self.directory / "ca.key",
            other_ca_cert=self.directory / "other-ca.pem",
            other_ca_key=self.directory / "other-ca.key",
            crl=self.directory / "crl.pem",
            server=server,
            clients=good,
            bad_clients=bad,
            files=tuple(self.files),
        )

    def _write_manifest(self) -> None:
        entries = []
        for item in self.files:
            entry: dict[str, object] = {
                "file": item.file,
                "kind": item.kind,
                "purpose": item.purpose,
                "expires": _iso(item.expires) if item.expires else None,
            }
            if item.identity is not None:
                entry["credential"] = item.credential
                entry["participant"] = item.identity.participant
                entry["user"] = item.identity.user
                entry["role"] = item.identity.role
            if item.defect is not None:
                entry["defect"] = str(item.defect)
            entries.append(entry)
        document = {
            "format": 1,
            "description": "crr-harness development PKI; for testing only, never for production",
            "identity_encoding": {"participant": "O", "user": "CN", "role": "OU"},
            "trust_anchor": "ca.pem",
            "crl": "crl.pem",
            "files": entries,
        }
        entries.append(
            {
                "file": MANIFEST_NAME,
                "kind": "manifest",
                "purpose": _MANIFEST_PURPOSE,
                "expires": None,
            }
        )
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
        data = text.encode("utf-8")
        previous = None
        try:
            previous = (self.directory / MANIFEST_NAME).read_bytes()
        except OSError:
            previous = None
        changed = previous != data
        if changed:
            self._write(MANIFEST_NAME, data)
        self._record(MANIFEST_NAME, "manifest", _MANIFEST_PURPOSE, None, changed)


def _server_plan(hosts: Sequence[str]) -> _LeafPlan:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return _LeafPlan(
        name="server",
        stem="server",
        kind="server",
        subject=x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, _ORG),
                x509.NameAttribute(NameOID.COMMON_NAME, hosts[0]),
            ]
        ),
        issuer="ca",
        eku=(ExtendedKeyUsageOID.SERVER_AUTH,),
        san=tuple(names),
        purpose=f"server certificate for {', '.join(hosts)}",
    )


def _client_plan(spec: ClientSpec) -> _LeafPlan:
    identity = spec.identity
    return _LeafPlan(
        name=spec.name,
        stem=f"client-{spec.name}",
        kind="client",
        subject=identity.subject(),
        issuer="ca",
        eku=(ExtendedKeyUsageOID.CLIENT_AUTH,),
        san=(),
        purpose=f"client certificate: {identity.participant} / {identity.user} / {identity.role}",
        identity=identity,
    )


def _bad_plan(defect: Defect) -> _LeafPlan:
    identity = Identity(_BAD_PARTICIPANT, f"bravo.{defect}", ROLE_READ_WRITE)
    return _LeafPlan(
        name=f"bad-{defect}",
        stem=f"bad-{defect}",
        kind="bad-client",
        subject=identity.subject(),
        issuer={Defect.OTHER_CA: "other-ca", Defect.SELF_SIGNED: "self"}.get(defect, "ca"),
        eku=(
            (ExtendedKeyUsageOID.SERVER_AUTH,)
            if defect is Defect.WRONG_USAGE
            else (ExtendedKeyUsageOID.CLIENT_AUTH,)
        ),
        san=(),
        purpose=_DEFECT_PURPOSE[defect],
        identity=identity,
        defect=defect,
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _san(cert: x509.Certificate) -> set[x509.GeneralName]:
    try:
        return set(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        return set()


def _public_der(key: PublicKeyTypes) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
