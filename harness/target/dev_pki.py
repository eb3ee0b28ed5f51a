"""A target declaration from a dev PKI directory (``crr-harness pki init``) and a URL.

``crr-harness serve`` and the embedded target use such a directory; its
``manifest.yaml`` lists every client certificate with the participant and
role it carries, so ``certify --target URL`` needs no hand-written
``target.yaml`` against them. Only good certificates become participants;
the deliberately bad ones are for the security suite.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from crr_contract.files import load_document
from crr_contract.pki import ROLE_OPERATOR
from harness.errors import InputError
from harness.target.config import TargetConfig, dump_target, parse_target

__all__ = ["declaration_from_dev_pki", "target_from_dev_pki"]


def declaration_from_dev_pki(
    base_url: str,
    pki_dir: Path,
    *,
    services: Mapping[str, str] | str = "latest",
    sim_control: bool = True,
    features: Iterable[str] = (),
    client_cert_header: bool = False,
    description: str = "",
    max_concurrency: int = 1,
) -> dict[str, Any]:
    """The ``target.yaml`` content for a server using the dev PKI in ``pki_dir``."""
    manifest_path = Path(pki_dir) / "manifest.yaml"
    if not manifest_path.is_file():
        raise InputError(
            f"{pki_dir}: no dev PKI here (no manifest.yaml; see `crr-harness pki init`)"
        )
    manifest = load_document(manifest_path)
    participants = []
    operator = None
    for entry in manifest.get("files") or ():
        if entry.get("kind") != "client-certificate" or not entry.get("participant"):
            continue
        name = str(entry["credential"])
        participants.append(
            {
                "id": name,
                "name": entry["participant"],
                "role": entry["role"],
                "certificate": str(Path(pki_dir) / entry["file"]),
                "key": str(Path(pki_dir) / f"client-{name}.key"),
            }
        )
        if entry["role"] == ROLE_OPERATOR:
            if not sim_control:
                # a target without the operator API has no operator to be
                participants.pop()
                continue
            operator = name
    if not participants:
        raise InputError(f"{manifest_path}: lists no client certificate")
    return {
        "description": description or f"dev PKI target at {base_url}",
        "base_url": base_url,
        "ca_bundle": str(Path(pki_dir) / str(manifest.get("trust_anchor") or "ca.pem")),
        "client_cert_header": client_cert_header,
        "services": services,
        "sim_control": {"operator": operator} if sim_control and operator else False,
        "features": sorted(features),
        "pki_dir": str(Path(pki_dir)),
        "max_concurrency": max_concurrency,
        "participants": participants,
    }


def target_from_dev_pki(
    base_url: str, pki_dir: Path, *, write_to: Path | None = None, **options: Any
) -> TargetConfig:
    """Validate the declaration (and write it to ``write_to`` as a reusable target.yaml)."""
    declaration = declaration_from_dev_pki(base_url, pki_dir, **options)
    config = parse_target(declaration, base=Path.cwd(), source=write_to)
    if write_to is not None:
        dump_target(config, write_to)
    return config
