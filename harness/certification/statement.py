"""The in-toto Statement v1 a package signs: every file of the archive as a subject, and
what was certified as the predicate.

The predicate type is the harness's own (``PREDICATE_TYPE``): what ran,
against which target, with which specs and harness, and the verdict.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

__all__ = [
    "PAYLOAD_TYPE",
    "PREDICATE_TYPE",
    "STATEMENT_TYPE",
    "build_statement",
    "sha256",
]

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATE_TYPE = "https://crr-harness.caiso.invalid/certification/v1"
"""Ours: a CRR B2B certification run (the schema is in docs/certification-package.md)."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_statement(files: Mapping[str, bytes], predicate: Mapping[str, Any]) -> dict[str, Any]:
    """A Statement naming each of ``files`` (name → content) by its SHA-256."""
    return {
        "_type": STATEMENT_TYPE,
        "subject": [
            {"name": name, "digest": {"sha256": sha256(content)}}
            for name, content in sorted(files.items())
        ],
        "predicateType": PREDICATE_TYPE,
        "predicate": dict(predicate),
    }
