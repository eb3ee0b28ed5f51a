"""``target.yaml``: the vendor's declaration of what is being certified.

It says where the target is (base URL, the CA that signed its server
certificate), who the harness acts as (participants, each a name, a role,
a certificate and its key), which spec version of each service it
implements, whether it offers the sim-control (operator) API and which
optional features (``features.yaml`` beside this module) it declares, and
which known failures it has had accepted (``waivers: FILE``, ``harness.waivers``).

Everything that can be wrong with the file is found by ``load_target``
before anything runs, and raised as an ``InputError`` with one line: a
missing file, an unreadable or mismatched key, a certificate that is
expired or not yet valid, an unknown service, version, role or feature.
Relative paths in the file are relative to the file itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from crr_contract.derivation import DerivationRules
from crr_contract.errors import SpecError
from crr_contract.files import by_key, find_openapi, load_document
from crr_contract.operations import DEFAULT_SPECS_DIR, ServiceSpec, load_overlays, load_specs
from crr_contract.overlay import load_overlay
from crr_contract.roles import RoleModel
from harness.errors import InputError
from harness.waivers import Waiver, load_waivers

__all__ = [
    "FEATURES",
    "SIMCONTROL",
    "Participant",
    "TargetConfig",
    "dump_target",
    "load_target",
]

SIMCONTROL = "simcontrol"
"""The service key of the operator API (specs/simcontrol/)."""

FEATURES: Mapping[str, str] = {
    name: " ".join(str(entry["description"]).split())
    for name, entry in yaml.safe_load(
        (Path(__file__).with_name("features.yaml")).read_text(encoding="utf-8")
    )["features"].items()
}
"""Optional features a target may declare, with what each one means."""

_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True, slots=True)
class Participant:
    """A certificate the harness acts with: whose it is and which role it carries."""

    id: str
    """The label reports use (unique in the file)."""
    name: str
    """The participant name (``participantName``) the certificate is provisioned for."""
    role: str
    certificate: Path
    key: Path
    not_after: datetime | None = None


@dataclass(frozen=True, slots=True)
class TargetConfig:
    """A validated ``target.yaml``."""

    base_url: str
    ca_bundle: Path | None
    participants: tuple[Participant, ...]
    services: Mapping[str, str]
    """Service key → the spec version the target implements (sim control included when offered)."""
    specs_dir: Path = DEFAULT_SPECS_DIR
    features: frozenset[str] = frozenset()
    client_cert_header: bool = False
    """Send the certificate in ``X-Client-Cert`` over plain HTTP (TLS-terminating proxy)."""
    operator: str | None = None
    """The participant id that calls the sim-control API, when the target offers it."""
    source: Path | None = field(default=None, compare=False)
    description: str = ""
    waivers_file: Path | None = None
    """``waivers.yaml`` (``harness.waivers``): failures the target declares known and accepted."""
    waivers: tuple[Waiver, ...] | None = None
    """The waivers of ``waivers_file``, read and validated with the rest of the file."""
    pki_dir: Path | None = None
    """The dev PKI directory (``crr-harness pki init``) whose CA the target trusts; its
    deliberately bad certificates drive the security suite's mTLS negative matrix."""
    overlays: tuple[Path, ...] = ()
    """OpenAPI Overlay files applied to the declared spec files as they are loaded (CAISO's
    published files carry no x-roles; ``specs/overlays/`` adds ours)."""
    max_concurrency: int = 1
    """How many requests at once the target accepts from the harness (``max_concurrency``):
    ``certify`` runs that many independent cases in parallel by default and never more.
    Undeclared, one: a target nobody asked is not loaded with parallel requests."""

    @property
    def sim_control(self) -> bool:
        """Whether the target offers the operator API."""
        return SIMCONTROL in self.services

    def participant(self, participant_id: str) -> Participant:
        for participant in self.participants:
            if participant.id == participant_id:
                return participant
        raise KeyError(participant_id)

    @property
    def known_services(self) -> list[str]:
        """Every CAISO service the spec catalog has, declared or not."""
        return [s for s in _available_versions(self.specs_dir) if s != SIMCONTROL]

    def spec_files(self) -> list[Path]:
        """The spec file of every declared service version, in service order."""
        available = _available_versions(self.specs_dir)
        return [available[service][version] for service, version in self.services.items()]

    def load_specs(self, services: Sequence[str] | None = None) -> tuple[ServiceSpec, ...]:
        """The declared spec files (or those of ``services``) as the harness judges by them:
        with the overlays applied and the catalog's derivation rules."""
        available = dict(zip(self.services, self.spec_files(), strict=True))
        chosen = list(self.services) if services is None else list(services)
        return load_specs(
            [available[service] for service in chosen],
            overlays=load_overlays(self.overlays),
            rules=DerivationRules.load(self.specs_dir),
        )

    def summary(self) -> dict[str, Any]:
        """The target as reports show it (no key material, paths as given)."""
        return {
            "base_url": self.base_url,
            "description": self.description,
            "config": str(self.source) if self.source else None,
            "client_cert_header": self.client_cert_header,
            "sim_control": self.sim_control,
            "services": dict(self.services),
            "features": sorted(self.features),
            "pki_dir": str(self.pki_dir) if self.pki_dir else None,
            **({"waivers": str(self.waivers_file)} if self.waivers_file else {}),
            "overlays": [str(p) for p in self.overlays],
            "max_concurrency": self.max_concurrency,
            "participants": [
                {"id": p.id, "name": p.name, "role": p.role} for p in self.participants
            ],
        }


def load_target(path: Path, *, now: datetime | None = None) -> TargetConfig:
    """Read and validate ``target.yaml``; any problem is one ``InputError`` line."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such target config")
    data = load_document(path)
    if not isinstance(data, Mapping):
        raise InputError(f"{path}: a target config is a mapping (base_url, participants, ...)")
    return parse_target(data, base=path.parent, source=path, now=now)


def parse_target(
    data: Mapping[str, Any],
    *,
    base: Path,
    source: Path | None = None,
    now: datetime | None = None,
) -> TargetConfig:
    """Validate a target declaration already read from YAML (paths relative to ``base``)."""
    where = str(source or "target config")
    known = {
        "base_url",
        "ca_bundle",
        "participants",
        "services",
        "specs_dir",
        "features",
        "client_cert_header",
        "sim_control",
        "description",
        "pki_dir",
        "waivers",
        "overlays",
        "max_concurrency",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")
    base_url = _base_url(data.get("base_url"), where)
    header_mode = bool(data.get("client_cert_header", False))
    ca_bundle = _optional_file(data.get("ca_bundle"), base, where, "ca_bundle")
    if ca_bundle is not None:
        _read_certificates(ca_bundle, where, "ca_bundle")
    elif base_url.startswith("https:"):
        raise InputError(f"{where}: ca_bundle is required for an https base_url")
    specs_dir = (
        _resolve(base, data["specs_dir"])
        if data.get("specs_dir") is not None
        else DEFAULT_SPECS_DIR
    )
    if not specs_dir.is_dir():
        raise InputError(f"{where}: specs_dir {specs_dir}: no such directory")
    overlays = _overlays(data.get("overlays"), base, where)
    pki_dir = _resolve(base, data["pki_dir"]) if data.get("pki_dir") else None
    if pki_dir is not None and not pki_dir.is_dir():
        raise InputError(f"{where}: pki_dir {pki_dir}: no such directory")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    participants = _participants(data.get("participants"), base, where, moment)
    services = _services(data.get("services"), specs_dir, where)
    operator = _sim_control(data.get("sim_control"), participants, services, specs_dir, where)
    features = _features(data.get("features"), where)
    waivers_file = _optional_file(data.get("waivers"), base, where, "waivers")
    waivers = load_waivers(waivers_file) if waivers_file is not None else None
    max_concurrency = _max_concurrency(data.get("max_concurrency", 1), where)
    roles = _known_roles(specs_dir)
    for participant in participants:
        if roles and participant.role not in roles:
            raise InputError(
                f"{where}: participant {participant.id}: unknown role {participant.role!r} "
                f"(roles.yaml: {', '.join(sorted(roles))})"
            )
    return TargetConfig(
        base_url=base_url,
        ca_bundle=ca_bundle,
        participants=participants,
        services=services,
        specs_dir=specs_dir,
        features=features,
        client_cert_header=header_mode,
        operator=operator,
        source=source,
        description=str(data.get("description") or ""),
        pki_dir=pki_dir,
        waivers_file=waivers_file,
        waivers=waivers,
        overlays=overlays,
        max_concurrency=max_concurrency,
    )


def dump_target(config: TargetConfig, path: Path) -> None:
    """Write ``config`` as a ``target.yaml`` that ``load_target`` reads back the same."""
    data: dict[str, Any] = {
        "description": config.description or None,
        "base_url": config.base_url,
        "ca_bundle": str(config.ca_bundle) if config.ca_bundle else None,
        "client_cert_header": config.client_cert_header,
        "specs_dir": str(config.specs_dir),
        "services": {k: v for k, v in config.services.items() if k != "simcontrol"},
        "sim_control": (
            {"version": config.services[SIMCONTROL], "operator": config.operator}
            if config.sim_control
            else False
        ),
        "features": sorted(config.features),
        "pki_dir": str(config.pki_dir) if config.pki_dir else None,
        "waivers": str(config.waivers_file) if config.waivers_file else None,
        "overlays": [str(p) for p in config.overlays] or None,
        "max_concurrency": config.max_concurrency if config.max_concurrency != 1 else None,
        "participants": [
            {
                "id": p.id,
                "name": p.name,
                "role": p.role,
                "certificate": str(p.certificate),
                "key": str(p.key),
            }
            for p in config.participants
        ],
    }
    data = {k: v for k, v in data.items() if v is not None}
    Path(path).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


# --------------------------------------------------------------------------- parts


def _base_url(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise InputError(f"{where}: base_url is required (e.g. https://crr.example.com:8443)")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{where}: base_url {value!r} is not an http(s) URL with a host")
    return value.rstrip("/")


def _resolve(base: Path, value: Any) -> Path:
    candidate = Path(str(value)).expanduser()
    return candidate if candidate.is_absolute() else (base / candidate)


def _optional_file(value: Any, base: Path, where: str, what: str) -> Path | None:
    if value in (None, ""):
        return None
    found = _resolve(base, value)
    if not found.is_file():
        raise InputError(f"{where}: {what} {found}: no such file")
    return found


def _read_certificates(path: Path, where: str, what: str) -> list[x509.Certificate]:
    try:
        certificates = x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise InputError(f"{where}: {what} {path}: not a PEM certificate ({exc})") from None
    return certificates


def _participants(entries: Any, base: Path, where: str, now: datetime) -> tuple[Participant, ...]:
    if not isinstance(entries, Sequence) or isinstance(entries, str) or not entries:
        raise InputError(f"{where}: participants must list at least one certificate")
    found: list[Participant] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise InputError(f"{where}: participants[{index}] is not a mapping")
        label = str(entry.get("id") or entry.get("name") or f"participants[{index}]")
        for key in ("name", "role", "certificate", "key"):
            if not entry.get(key):
                raise InputError(f"{where}: participant {label}: {key} is required")
        if not _ID.match(label):
            raise InputError(f"{where}: participant id {label!r}: use letters, digits, - _ .")
        if any(p.id == label for p in found):
            raise InputError(f"{where}: participant id {label!r} appears twice")
        cert_path = _optional_file(
            entry["certificate"], base, where, f"participant {label}: certificate"
        )
        key_path = _optional_file(entry["key"], base, where, f"participant {label}: key")
        assert cert_path is not None and key_path is not None
        certificate = _read_certificates(cert_path, where, f"participant {label}: certificate")[0]
        _check_validity(certificate, now, where, label, cert_path)
        _check_key(certificate, key_path, where, label)
        found.append(
            Participant(
                id=label,
                name=str(entry["name"]),
                role=str(entry["role"]),
                certificate=cert_path,
                key=key_path,
                not_after=certificate.not_valid_after_utc,
            )
        )
    return tuple(found)


def _check_validity(
    certificate: x509.Certificate, now: datetime, where: str, label: str, path: Path
) -> None:
    if now > certificate.not_valid_after_utc:
        raise InputError(
            f"{where}: participant {label}: certificate {path.name} expired on "
            f"{certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC"
        )
    if now < certificate.not_valid_before_utc:
        raise InputError(
            f"{where}: participant {label}: certificate {path.name} is not valid before "
            f"{certificate.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
        )


def _check_key(certificate: x509.Certificate, key_path: Path, where: str, label: str) -> None:
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            f"{where}: participant {label}: key {key_path}: unreadable ({reason})"
        ) from None
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*spki) != certificate.public_key().public_bytes(*spki):
        raise InputError(
            f"{where}: participant {label}: key {key_path.name} does not match its certificate"
        )


def _available_versions(specs_dir: Path) -> dict[str, dict[str, Path]]:
    files = find_openapi(specs_dir / "openapi") + find_openapi(specs_dir / "simcontrol")
    return {
        service: {str(f.version): f.path for f in versions}
        for service, versions in by_key(files).items()
    }


def _services(entries: Any, specs_dir: Path, where: str) -> dict[str, str]:
    available = _available_versions(specs_dir)
    caiso = {k: v for k, v in available.items() if k != SIMCONTROL}
    if entries in (None, "latest"):
        return {service: list(versions)[-1] for service, versions in caiso.items()}
    if not isinstance(entries, Mapping) or not entries:
        raise InputError(f"{where}: services maps each service to its spec version (or 'latest')")
    services: dict[str, str] = {}
    for service, version in entries.items():
        if service not in caiso:
            raise InputError(
                f"{where}: unknown service {service!r} (known: {', '.join(sorted(caiso))})"
            )
        versions = caiso[service]
        chosen = list(versions)[-1] if version == "latest" else str(version)
        if chosen not in versions:
            raise InputError(
                f"{where}: service {service}: no spec file for version {chosen} in {specs_dir} "
                f"(have {', '.join(versions)})"
            )
        services[str(service)] = chosen
    return services


def _sim_control(
    value: Any,
    participants: Sequence[Participant],
    services: dict[str, str],
    specs_dir: Path,
    where: str,
) -> str | None:
    if value in (None, False):
        return None
    if not isinstance(value, Mapping):
        raise InputError(f"{where}: sim_control is false or a mapping with operator (and version)")
    versions = _available_versions(specs_dir).get(SIMCONTROL, {})
    if not versions:
        raise InputError(f"{where}: sim_control declared but {specs_dir}/simcontrol has no spec")
    version = str(value.get("version") or list(versions)[-1])
    if version not in versions:
        raise InputError(f"{where}: sim_control version {version}: no such spec file")
    operator = value.get("operator")
    if not any(p.id == operator for p in participants):
        raise InputError(
            f"{where}: sim_control operator {operator!r} is not a participant id of this file"
        )
    services[SIMCONTROL] = version
    return str(operator)


def _max_concurrency(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(
            f"{where}: max_concurrency is a whole number of requests at once, 1 or more "
            f"(not {value!r})"
        )
    return value


def _features(value: Any, where: str) -> frozenset[str]:
    if value in (None, []):
        return frozenset()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise InputError(f"{where}: features is a list (known: {', '.join(sorted(FEATURES))})")
    for feature in value:
        if feature not in FEATURES:
            raise InputError(
                f"{where}: unknown feature {feature!r} (known: {', '.join(sorted(FEATURES))})"
            )
    return frozenset(str(f) for f in value)


def _overlays(value: Any, base: Path, where: str) -> tuple[Path, ...]:
    """The overlay files, each readable and a valid Overlay 1.0 document, checked now."""
    if value in (None, []):
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise InputError(f"{where}: overlays is a list of overlay files")
    found = []
    for entry in value:
        path = _resolve(base, entry)
        if not path.is_file():
            raise InputError(f"{where}: overlay {path}: no such file")
        try:
            load_overlay(path)
        except SpecError as exc:
            raise InputError(f"{where}: {exc}") from None
        found.append(path)
    return tuple(found)


def _known_roles(specs_dir: Path) -> frozenset[str]:
    model = RoleModel.of_catalog(specs_dir)
    return model.names if model is not None else frozenset()
