"""DSSE envelopes (github.com/secure-systems-lab/dsse, v1.0): a signed payload and its type.

The signature covers the pre-authentication encoding (PAE) of the payload
type and the payload, so a signature made for one type cannot be replayed
as another. The envelope is written in one canonical form (sorted keys, no
spaces) and read back only in that form: any changed byte of the file is a
failure, not something a lenient parser may smooth over.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from harness.certification.keys import key_id

__all__ = ["EnvelopeError", "canonical", "open_envelope", "pae", "sign_envelope"]


class EnvelopeError(Exception):
    """The envelope is malformed or its signature does not verify with the key given."""


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSEv1 pre-authentication encoding: ``DSSEv1 LEN(type) type LEN(body) body``."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def canonical(value: Any) -> bytes:
    """The one byte form the harness writes JSON it signs or hashes in."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def sign_envelope(payload: bytes, payload_type: str, key: Ed25519PrivateKey) -> dict[str, Any]:
    """An envelope carrying ``payload`` with one Ed25519 signature by ``key``."""
    signature = key.sign(pae(payload_type, payload))
    return {
        "payload": base64.b64encode(payload).decode("ascii"),
        "payloadType": payload_type,
        "signatures": [
            {"keyid": key_id(key.public_key()), "sig": base64.b64encode(signature).decode()}
        ],
    }


def _b64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise EnvelopeError(f"{what} is not a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise EnvelopeError(f"{what} is not base64") from None


def open_envelope(raw: bytes, payload_type: str, key: Ed25519PublicKey) -> bytes:
    """The payload of ``raw`` once a signature by ``key`` verifies; else ``EnvelopeError``."""
    try:
        envelope = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise EnvelopeError("not JSON") from None
    if not isinstance(envelope, Mapping) or set(envelope) != {
        "payload",
        "payloadType",
        "signatures",
    }:
        raise EnvelopeError("not a DSSE envelope (payload, payloadType, signatures)")
    if canonical(envelope) != raw:
        raise EnvelopeError("not in the canonical form it was written in: it was changed")
    if envelope["payloadType"] != payload_type:
        raise EnvelopeError(f"payload type {envelope['payloadType']!r}, expected {payload_type!r}")
    payload = _b64(envelope["payload"], "payload")
    signatures = envelope["signatures"]
    if not isinstance(signatures, list) or not signatures:
        raise EnvelopeError("no signature")
    message = pae(payload_type, payload)
    wanted = key_id(key)
    for entry in signatures:
        if not isinstance(entry, Mapping):
            raise EnvelopeError("a signature is not an object")
        try:
            key.verify(_b64(entry.get("sig"), "signature"), message)
        except InvalidSignature:
            continue
        return payload
    keyids = sorted({str(e.get("keyid")) for e in signatures if isinstance(e, Mapping)})
    if wanted not in keyids:
        raise EnvelopeError(
            f"not signed by this key (key id {wanted[:16]}...; signed by {', '.join(k[:16] + '...' for k in keyids)})"
        )
    raise EnvelopeError("the signature does not verify: the envelope was changed")
