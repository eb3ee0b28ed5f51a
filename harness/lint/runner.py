"""Runs every registered lint rule over a spec catalog directory."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from crr_contract.derivation import DerivationRules
from crr_contract.error_catalog import ErrorCatalog
from crr_contract.files import by_key, find_openapi, find_schemas, load_document
from crr_contract.overlay import Overlay, apply_overlay
from crr_contract.roles import RoleModel
from harness.errors import USER_INPUT_ERRORS, InputError
from harness.lint import catalog_rules, openapi_rules, schema_rules  # noqa: F401  (registers rules)
from harness.lint.findings import Finding, LintReport
from harness.lint.openapi_rules import OpenAPIContext
from harness.lint.profile import DEFAULT_PROFILE, profile_named
from harness.lint.rules import rules_for


def _load_or_finding(path: Path, report: LintReport, rule_id: str) -> object | None:
    """Load one file; an unparsable file is a finding, not a crash, so the rest is still linted."""
    try:
        return load_document(path)
    except USER_INPUT_ERRORS as exc:
        report.findings.append(Finding(path, "", rule_id, str(exc).split(": ", 1)[-1]))
        return None


def run_lint(
    root: Path,
    catalog_path: Path | None = None,
    roles_path: Path | None = None,
    *,
    profile: str = DEFAULT_PROFILE,
    overlays: Sequence[Overlay] = (),
) -> LintReport:
    """Lint every spec file under ``root``.

    The error catalog defaults to ``root/errors/catalog.yaml`` and the role list
    to ``root/roles.yaml``; without them the checks that need them are skipped
    and the report says so. Each overlay is applied to the OpenAPI files it is
    for before the rules see them; ``profile`` (``profiles.yaml``) says whether
    a missing annotation that a derivation supplies is a finding or a note.
    """
    chosen = profile_named(profile)
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    report = LintReport(root=root)
    openapi_files = find_openapi(root)
    schema_files = find_schemas(root)
    catalog_path = catalog_path or root / "errors" / "catalog.yaml"
    roles_path = roles_path or root / "roles.yaml"
    if not openapi_files and not schema_files and not catalog_path.exists():
        raise InputError(
            f"{root}: no spec files found (caiso_crr_*_v*_openapi.yaml, *.draft-07.schema.json, errors/catalog.yaml)"
        )

    catalog = None
    if catalog_path.exists():
        report.files_checked += 1
        document = _load_or_finding(catalog_path, report, "LINT-CAT-001")
        if document is not None:
            for lint_rule in rules_for("catalog"):
                report.findings.extend(lint_rule.check(catalog_path, document))
            try:
                catalog = ErrorCatalog.load(catalog_path)
            except USER_INPUT_ERRORS as exc:
                report.notes.append(f"error catalog unusable, error-code checks skipped: {exc}")
    else:
        report.notes.append(f"no error catalog at {catalog_path}; error-code checks skipped")

    roles = None
    rules = DerivationRules.load(root)
    if roles_path.exists():
        model = RoleModel.load(roles_path)
        roles = model.names
        rules = dataclasses.replace(rules, roles=model)
    else:
        report.notes.append(f"no role list at {roles_path}; x-roles values not checked")

    for service_files in by_key(openapi_files).values():
        loaded = []
        for spec in service_files:
            report.files_checked += 1
            document = _load_or_finding(spec.path, report, "LINT-OAS-001")
            if not isinstance(document, dict):
                if document is not None:
                    report.findings.append(
                        Finding(
                            spec.path, "", "LINT-OAS-001", "an OpenAPI document must be a mapping"
                        )
                    )
                continue
            for overlay in overlays:
                if overlay.applies_to(spec.path.name):
                    document = apply_overlay(document, overlay)
            ctx = OpenAPIContext(spec, document, catalog, roles, chosen, rules)
            for lint_rule in rules_for("openapi"):
                report.findings.extend(lint_rule.check(ctx))
            if ctx.derived:
                report.notes.append(_derived_note(spec.path, root, ctx.derived))
            loaded.append((spec, document))
        for lint_rule in rules_for("openapi-history"):
            report.findings.extend(lint_rule.check(loaded))

    for spec in schema_files:
        report.files_checked += 1
        document = _load_or_finding(spec.path, report, "LINT-SCH-001")
        if document is None:
            continue
        for lint_rule in rules_for("schema"):
            report.findings.extend(lint_rule.check(spec, document))

    report.findings.sort()
    return report


_SOURCE_WORDS = {"tag": "its read/write tag", "description": "the CRRServiceException description"}


def _derived_note(path: Path, root: Path, derived: list[tuple[str, str]]) -> str:
    """One note per file: how many annotations a derivation supplied, and from where."""
    counts = Counter(derived)
    parts = [
        f"{count} operation(s) take {annotation} from {_SOURCE_WORDS.get(source, source)}"
        for (annotation, source), count in sorted(counts.items())
    ]
    shown = path.relative_to(root) if path.is_relative_to(root) else path
    return f"{shown}: {'; '.join(parts)}"
