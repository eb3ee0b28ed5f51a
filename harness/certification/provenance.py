"""What a package says about where a run came from: the target's certificates, the spec
files, the harness's dependency lock.

Each function reads what is there and says "not available" for what is
not, rather than failing: an installed wheel does not ship the lock, and a
report copied to another machine may not have its target.yaml beside it.
Private keys are never read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

import harness

__all__ = ["NOT_AVAILABLE", "dependency_lock", "find_target_yaml", "spec_catalog", "target_record"]

NOT_AVAILABLE = "not available"
LOCK_FILE = "requirements.lock"
DISTRIBUTION = "crr-harness"


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _lock_path() -> Path | None:
    """The lock of this harness: beside the checkout it runs from, or shipped in its wheel."""
    checkout = Path(harness.__file__).resolve().parent.parent / LOCK_FILE
    if checkout.is_file():
        return checkout
    try:
        files = metadata.distribution(DISTRIBUTION).files or []
    except metadata.PackageNotFoundError:
        return None
    for entry in files:
        if entry.name == LOCK_FILE:
            located = Path(str(entry.locate()))
            if located.is_file():
                return located
    return None


def dependency_lock() -> dict[str, str]:
    """The lock's SHA-256, or "not available" when this installation does not carry it."""
    path = _lock_path()
    if path is None:
        return {"file": LOCK_FILE, "sha256": NOT_AVAILABLE}
    return {"file": LOCK_FILE, "sha256": _file_sha256(path)}


def find_target_yaml(report: Mapping[str, Any], report_dir: Path) -> Path | None:
    """The target.yaml the run used: where the report says, else the embedded run's copy."""
    named = (report.get("target") or {}).get("config")
    candidates = [Path(named)] if named else []
    candidates.append(report_dir / "target" / "target.yaml")
    return next((path for path in candidates if path.is_file()), None)


def _certificate(path: Path) -> list[dict[str, str]]:
    try:
        certificates = x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError):
        return [{"file": path.name, "sha256_fingerprint": NOT_AVAILABLE}]
    return [
        {
            "file": path.name,
            "subject": certificate.subject.rfc4514_string(),
            "issuer": certificate.issuer.rfc4514_string(),
            "not_after": certificate.not_valid_after_utc.isoformat(),
            "sha256_fingerprint": certificate.fingerprint(hashes.SHA256()).hex(),
            "public_key_sha256": hashlib.sha256(
                certificate.public_key().public_bytes(
                    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
                )
            ).hexdigest(),
        }
        for certificate in certificates
    ]


def target_record(report: Mapping[str, Any], target_yaml: Path | None) -> dict[str, Any]:
    """The target as declared: the report's summary plus each certificate's fingerprint."""
    record: dict[str, Any] = {"declared": dict(report.get("target") or {})}
    if target_yaml is None:
        record["target_yaml"] = NOT_AVAILABLE
        record["certificates"] = NOT_AVAILABLE
        return record
    data = yaml.safe_load(target_yaml.read_text(encoding="utf-8")) or {}
    base = target_yaml.parent

    def resolve(value: Any) -> Path:
        """Relative to target.yaml; an embedded run's copy may hold paths relative to its cwd."""
        path = Path(str(value)).expanduser()
        if path.is_absolute() or not path.exists():
            return path if path.is_absolute() else base / path
        return path if not (base / path).exists() else base / path

    record["target_yaml"] = {"sha256": _file_sha256(target_yaml)}
    if data.get("ca_bundle"):
        record["ca_bundle"] = _certificate(resolve(data["ca_bundle"]))
    record["certificates"] = [
        {
            "participant": entry.get("id") or entry.get("name"),
            "name": entry.get("name"),
            "role": entry.get("role"),
            "certificate": _certificate(resolve(entry["certificate"]))[0],
        }
        for entry in data.get("participants") or []
        if isinstance(entry, Mapping) and entry.get("certificate")
    ]
    return record


def spec_catalog(target_yaml: Path | None) -> dict[str, Any]:
    """Every file of the spec catalog the target was judged by, with its SHA-256."""
    from crr_contract.operations import DEFAULT_SPECS_DIR

    specs_dir = DEFAULT_SPECS_DIR
    if target_yaml is not None:
        declared = (yaml.safe_load(target_yaml.read_text(encoding="utf-8")) or {}).get("specs_dir")
        if declared:
            path = Path(str(declared))
            specs_dir = path if path.is_absolute() else target_yaml.parent / path
    if not specs_dir.is_dir():
        return {"dir": str(specs_dir), "files": NOT_AVAILABLE}
    files = {
        path.relative_to(specs_dir).as_posix(): _file_sha256(path)
        for path in sorted(specs_dir.rglob("*"))
        if path.is_file()
    }
    return {"dir": str(specs_dir), "files": files}
