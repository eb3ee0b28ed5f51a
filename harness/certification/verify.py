"""Verify a certification package offline: the signature, then every file against it.

Nothing but the archive and the signer's public key is read: no report
directory, no target, no network. Every problem names the file it is in,
so a report edited after it was signed is named, not just "invalid".
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from harness.certification.dsse import EnvelopeError, open_envelope
from harness.certification.package import ATTESTATION
from harness.certification.statement import (
    PAYLOAD_TYPE,
    PREDICATE_TYPE,
    STATEMENT_TYPE,
    sha256,
)
from harness.errors import InputError

__all__ = ["Verification", "verify_package"]


@dataclass(slots=True)
class Verification:
    """The outcome: ``problems`` empty means verified; ``predicate`` once the signature holds."""

    package: Path
    problems: list[str] = field(default_factory=list)
    predicate: Mapping[str, Any] | None = None

    @property
    def verified(self) -> bool:
        return not self.problems and self.predicate is not None


def _member(archive: zipfile.ZipFile, name: str) -> bytes:
    """A member's bytes; a damaged member (CRC, compression) raises ``ValueError``."""
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ValueError(f"damaged in the archive ({exc})") from None


def _statement(payload: bytes) -> dict[str, Any]:
    statement = json.loads(payload)
    if not isinstance(statement, dict) or statement.get("_type") != STATEMENT_TYPE:
        raise ValueError(f"the payload is not an in-toto Statement v1 ({STATEMENT_TYPE})")
    if statement.get("predicateType") != PREDICATE_TYPE:
        raise ValueError(
            f"predicate type {statement.get('predicateType')!r} is not a certification"
        )
    subjects = statement.get("subject")
    if not isinstance(subjects, list) or not all(
        isinstance(s, dict) and isinstance((s.get("digest") or {}).get("sha256"), str)
        for s in subjects
    ):
        raise ValueError("the statement's subjects have no sha256 digests")
    return statement


def verify_package(package: Path, key: Ed25519PublicKey) -> Verification:
    """Check ``package`` against ``key``; ``InputError`` only when it is not an archive at all."""
    package = Path(package)
    result = Verification(package)
    if not package.is_file():
        raise InputError(f"{package}: no such package")
    try:
        archive = zipfile.ZipFile(package)
    except (zipfile.BadZipFile, OSError):
        raise InputError(f"{package}: not a certification package (not a zip archive)") from None
    with archive:
        names = archive.namelist()
        if len(set(names)) != len(names):
            result.problems.append("the archive holds a file name twice")
        if ATTESTATION not in names:
            result.problems.append(f"{ATTESTATION}: missing (the package is not signed)")
            return result
        try:
            payload = open_envelope(_member(archive, ATTESTATION), PAYLOAD_TYPE, key)
            statement = _statement(payload)
        except (EnvelopeError, ValueError) as exc:
            result.problems.append(f"{ATTESTATION}: {exc}")
            return result
        signed = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
        for name in names:
            if name == ATTESTATION:
                continue
            if name not in signed:
                result.problems.append(f"{name}: not covered by the signature")
                continue
            try:
                content = _member(archive, name)
            except ValueError as exc:
                result.problems.append(f"{name}: {exc}")
                continue
            if sha256(content) != signed[name]:
                result.problems.append(f"{name}: changed since it was signed (sha256 differs)")
        for name in sorted(set(signed) - set(names)):
            result.problems.append(f"{name}: signed but missing from the archive")
        result.predicate = statement.get("predicate") or {}
    return result
