"""Build a certification package from a run's report directory.

The archive (zip) holds report.json, junit.xml, report.html, the coverage
files when the run has them, target.json (the declaration and its
certificates' fingerprints), the waivers file when the target declared one,
and ``attestation.intoto.json``: a DSSE envelope around an in-toto
Statement whose subjects are all those files by SHA-256 and whose
predicate says what was certified (verdict, target, spec files, harness
version and dependency lock, command lines).

A run whose verdict is not PASS is refused, with the failures that stop
it: a package is evidence of conformance, and a failure is only
acceptable when the target's waivers accepted it before the run was
packaged (it is then WAIVED and the verdict PASS).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from harness import __version__
from harness.certification.dsse import canonical, sign_envelope
from harness.certification.keys import key_id
from harness.certification.provenance import (
    dependency_lock,
    find_target_yaml,
    spec_catalog,
    target_record,
)
from harness.certification.statement import PAYLOAD_TYPE, build_statement
from harness.errors import InputError
from harness.reports.writer import HTML_REPORT, JSON_REPORT, JUNIT_REPORT

__all__ = [
    "ATTESTATION",
    "OPTIONAL_FILES",
    "REQUIRED_FILES",
    "TARGET_FILE",
    "PackageRefused",
    "blocking_failures",
    "build_package",
]

ATTESTATION = "attestation.intoto.json"
TARGET_FILE = "target.json"
WAIVERS_FILE = "waivers.yaml"
REQUIRED_FILES = (JSON_REPORT, JUNIT_REPORT, HTML_REPORT)
OPTIONAL_FILES = ("coverage.json", "coverage.html", "coverage.csv")
"""Coverage outputs, packaged when the run directory has them."""


class PackageRefused(Exception):
    """The run is not PASS: ``blocking`` lists what stops it from being packaged."""

    def __init__(self, blocking: Sequence[str]) -> None:
        super().__init__(f"the run is not PASS ({len(blocking)} blocking)")
        self.blocking = list(blocking)


def blocking_failures(report: Mapping[str, Any]) -> list[str]:
    """Why a loaded report.json is not PASS, one line each; empty when it is PASS."""
    blocking = []
    summary = report.get("summary") or {}
    if summary.get("interrupted"):
        blocking.append("the run was interrupted")
    checks = report.get("checks") or []
    if not checks:
        blocking.append("no check ran")
    for check in checks:
        status = check.get("status")
        if status in ("FAIL", "ERROR"):
            blocking.append(f"{status} {check.get('key') or check.get('case')}")
        elif status == "SKIP" and not check.get("declared_skip"):
            blocking.append(f"SKIP (not declared) {check.get('key') or check.get('case')}")
    if not blocking and summary.get("verdict") != "PASS":
        blocking.append(f"verdict {summary.get('verdict')}")
    return blocking


def _read_report(report_dir: Path) -> tuple[dict[str, bytes], dict[str, Any]]:
    if not report_dir.is_dir():
        raise InputError(f"{report_dir}: not a report directory")
    files: dict[str, bytes] = {}
    for name in REQUIRED_FILES:
        path = report_dir / name
        if not path.is_file():
            raise InputError(f"{report_dir}: no {name} (a directory certify wrote)")
        files[name] = path.read_bytes()
    for name in OPTIONAL_FILES:
        if (report_dir / name).is_file():
            files[name] = (report_dir / name).read_bytes()
    try:
        report = json.loads(files[JSON_REPORT])
    except ValueError:
        raise InputError(f"{report_dir / JSON_REPORT}: not JSON") from None
    if not isinstance(report, dict) or not {"run_id", "summary", "checks"} <= report.keys():
        raise InputError(f"{report_dir / JSON_REPORT}: not a crr-harness report")
    return files, report


def _predicate(
    report: Mapping[str, Any],
    target: Mapping[str, Any],
    catalog: Mapping[str, Any],
    key: Ed25519PrivateKey,
    command: str,
    certifier: str | None,
) -> dict[str, Any]:
    summary = report.get("summary") or {}
    return {
        "run": {
            "run_id": report.get("run_id"),
            "verdict": summary.get("verdict"),
            "summary": summary,
            "started_at": report.get("started_at"),
            "finished_at": report.get("finished_at"),
            "seed": report.get("seed"),
            "suites": report.get("suites"),
            "command": report.get("command"),
        },
        "target": {
            "base_url": (target.get("declared") or {}).get("base_url"),
            "description": (target.get("declared") or {}).get("description"),
            "file": TARGET_FILE,
        },
        "specs": report.get("specs") or [],
        "spec_catalog": catalog,
        "harness": {
            "version": report.get("harness_version"),
            "dependency_lock": dependency_lock(),
        },
        "waivers": report.get("waivers"),
        "packaged": {
            "at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "by_harness_version": __version__,
            "command": command,
            "keyid": key_id(key.public_key()),
            "certifier": certifier,
        },
    }


def build_package(
    report_dir: Path,
    key: Ed25519PrivateKey,
    out: Path,
    *,
    command: str,
    target_yaml: Path | None = None,
    certifier: str | None = None,
) -> dict[str, Any]:
    """Write the signed package of the run in ``report_dir`` to ``out``; returns its statement.

    ``certifier`` names who signs (a person or organisation), as the predicate states it.
    Raises ``PackageRefused`` when the run is not PASS (nothing is written)
    and ``InputError`` when ``report_dir`` is not a run's report directory.
    """
    report_dir = Path(report_dir).resolve()
    files, report = _read_report(report_dir)
    blocking = blocking_failures(report)
    if blocking:
        raise PackageRefused(blocking)
    target_yaml = target_yaml or find_target_yaml(report, report_dir)
    target = target_record(report, target_yaml)
    files[TARGET_FILE] = json.dumps(target, indent=2, ensure_ascii=False).encode() + b"\n"
    waivers_path = (report.get("target") or {}).get("waivers")
    if waivers_path and Path(waivers_path).is_file():
        files[WAIVERS_FILE] = Path(waivers_path).read_bytes()
    catalog = spec_catalog(target_yaml)
    predicate = _predicate(report, target, catalog, key, command, certifier)
    statement = build_statement(files, predicate)
    envelope = sign_envelope(canonical(statement), PAYLOAD_TYPE, key)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(ATTESTATION, canonical(envelope))
        for name in sorted(files):
            archive.writestr(name, files[name])
    partial.replace(out)
    return statement
