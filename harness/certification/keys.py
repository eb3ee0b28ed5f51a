"""The Ed25519 key pair a certifier signs packages with (``crr-harness keys init DIR``)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from harness.errors import InputError

__all__ = [
    "PRIVATE_KEY",
    "PUBLIC_KEY",
    "KeyPair",
    "init_keys",
    "key_id",
    "load_private_key",
    "load_public_key",
]

PRIVATE_KEY = "certification-key.pem"
PUBLIC_KEY = "certification-key.pub.pem"


@dataclass(frozen=True, slots=True)
class KeyPair:
    """Where ``init_keys`` wrote the pair, and the public key's id."""

    private: Path
    public: Path
    keyid: str


def key_id(public: Ed25519PublicKey) -> str:
    """The SHA-256 of the raw public key, in hex: what a DSSE signature's ``keyid`` says."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def init_keys(directory: Path) -> KeyPair:
    """Make a new key pair in ``directory``; never overwrites (the old key may sign packages)."""
    directory = Path(directory)
    private_path, public_path = directory / PRIVATE_KEY, directory / PUBLIC_KEY
    for path in (private_path, public_path):
        if path.exists():
            raise InputError(f"{path} exists; remove it or choose another directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{directory}: cannot create ({exc.strerror})") from None
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return KeyPair(private_path, public_path, key_id(key.public_key()))


def _read(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what} ({exc.strerror})") from None


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """An Ed25519 private key from a PEM file; anything else is one ``InputError`` line."""
    try:
        key = serialization.load_pem_private_key(_read(path, "key file"), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise InputError(f"{path}: not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(f"{path}: not an Ed25519 key (crr-harness keys init makes one)")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file; anything else is one ``InputError`` line."""
    try:
        key = serialization.load_pem_public_key(_read(path, "public key file"))
    except (ValueError, UnsupportedAlgorithm):
        raise InputError(f"{path}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(f"{path}: not an Ed25519 public key")
    return key
