"""Diff two files, two catalog directories, or a service's whole history.

This is the library entry point the CLI calls: it loads the files, picks the
comparison for their kind (OpenAPI, JSON Schema, error catalog), classifies
the findings with the bump policy and judges the version bump.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crr_contract import pointer
from crr_contract.error_catalog import ErrorCatalog
from crr_contract.files import (
    SpecFile,
    by_key,
    find_openapi,
    find_schemas,
    load_document,
    parse_openapi_name,
    parse_schema_name,
)
from crr_contract.overlay import Overlay, apply_overlays
from crr_contract.version import SpecVersion
from harness.diff.catalog_diff import diff_catalog
from harness.diff.jsonschema_diff import diff_json_schema
from harness.diff.model import (
    NO_BUMP,
    Change,
    DiffResult,
    Finding,
    Verdict,
    bump_rank,
    largest_bump,
)
from harness.diff.openapi_diff import OpenAPIContext, OpenAPIDocument, diff_openapi
from harness.diff.policy import BumpPolicy
from harness.diff.verdict import VersionedFile, judge
from harness.diff.witness import WitnessMaker, component_subject
from harness.errors import USER_INPUT_ERRORS, InputError

AUTO = "auto"
_CATALOG = Path("errors") / "catalog.yaml"
_POLICY = Path("policy") / "bump-policy.yaml"
_SEARCH_DEPTH = 3


@dataclass
class Options:
    """How to diff: the policy, the error catalog, the direction of download types."""

    policy: BumpPolicy
    catalog: ErrorCatalog | None = None
    schema_direction: str = "response"
    overlays: tuple[Overlay, ...] = ()
    """Applied to each OpenAPI file they are for (``extends``) as it is read: two CAISO
    files compare with our annotations as the overlays put them."""
    witnesses: bool = True


def diff_files(
    old: Path,
    new: Path,
    policy: BumpPolicy | Path | None = None,
    catalog: ErrorCatalog | Path | str | None = AUTO,
    schema_direction: str = "response",
    overlays: Sequence[Overlay] = (),
    witnesses: bool = True,
) -> DiffResult:
    """Diff two files of the same kind and judge the bump between them.

    ``policy`` defaults to the nearest ``policy/bump-policy.yaml`` above
    ``new`` (else the project's); ``catalog`` "auto" finds the nearest
    ``errors/catalog.yaml`` above ``new``, None uses none.
    """
    old, new = Path(old), Path(new)
    options = _options(new, policy, catalog, schema_direction)
    options.overlays = tuple(overlays)
    options.witnesses = witnesses
    return _diff_pair(old, new, options)


def diff_paths(
    old: Path,
    new: Path,
    policy: BumpPolicy | Path | None = None,
    catalog: ErrorCatalog | Path | str | None = AUTO,
    schema_direction: str = "response",
    overlays: Sequence[Overlay] = (),
    witnesses: bool = True,
) -> list[DiffResult]:
    """Two files, or two spec-catalog directories (one result per service, schema and catalog)."""
    old, new = Path(old), Path(new)
    if old.is_dir() != new.is_dir():
        raise InputError(f"cannot diff a directory with a file: {old} and {new}")
    if not old.is_dir():
        return [
            diff_files(old, new, policy, catalog, schema_direction, overlays, witnesses=witnesses)
        ]
    options = _options(new, policy, catalog, schema_direction, search_in=new)
    options.overlays = tuple(overlays)
    options.witnesses = witnesses
    results = []
    for finder in (find_openapi, find_schemas):
        old_groups, new_groups = by_key(finder(old)), by_key(finder(new))
        for key in sorted(set(old_groups) | set(new_groups)):
            if key not in new_groups:
                results.append(_service_removed(old_groups[key][-1], options))
            elif key not in old_groups:
                results.append(_service_added(new_groups[key][-1], options))
            else:
                results.append(
                    _diff_pair(old_groups[key][-1].path, new_groups[key][-1].path, options)
                )
    old_catalog, new_catalog = _find_below(old, _CATALOG), _find_below(new, _CATALOG)
    if old_catalog and new_catalog:
        results.append(_diff_pair(old_catalog, new_catalog, options))
    if not results:
        raise InputError(f"{old} and {new}: no spec files named as specs/README.md describes")
    return results


def history(
    directory: Path,
    policy: BumpPolicy | Path | None = None,
    catalog: ErrorCatalog | Path | str | None = AUTO,
    schema_direction: str = "response",
    overlays: Sequence[Overlay] = (),
    witnesses: bool = True,
) -> list[DiffResult]:
    """Diff every consecutive pair of versions of each service (or schema) under ``directory``."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"{directory}: not a directory")
    files = find_openapi(directory) or find_schemas(directory)
    if not files:
        raise InputError(
            f"{directory}: no versioned spec files (caiso_crr_<service>_v<x.y.z>_openapi.yaml)"
        )
    options = _options(directory / "x", policy, catalog, schema_direction)
    options.overlays = tuple(overlays)
    options.witnesses = witnesses
    results = []
    for versions in by_key(files).values():
        for older, newer in itertools.pairwise(versions):
            results.append(_diff_pair(older.path, newer.path, options))
    if not results:
        raise InputError(f"{directory}: only one version per service; nothing to compare")
    return results


# ---------------------------------------------------------------- one pair
def _diff_pair(old: Path, new: Path, options: Options) -> DiffResult:
    old_doc, new_doc = load_document(old), load_document(new)
    kind = _kind(old, old_doc)
    if kind == "openapi" and options.overlays:
        old_doc = apply_overlays(old_doc, [o for o in options.overlays if o.applies_to(old.name)])
        new_doc = apply_overlays(new_doc, [o for o in options.overlays if o.applies_to(new.name)])
    if _kind(new, new_doc) != kind:
        raise InputError(
            f"{old} is {_article(kind)}, {new} is {_article(_kind(new, new_doc))}: cannot compare"
        )
    old_file, new_file = _versioned(old, old_doc, kind), _versioned(new, new_doc, kind)
    notes: Any = None
    warnings: list[str] = []
    if kind == "openapi":
        context = OpenAPIContext(
            doc_only_extensions=options.policy.doc_only_extensions,
            known_formats=options.policy.known_formats,
            catalog=options.catalog,
            service=new_file.key,
            new_version=new_file.version,
        )
        findings = diff_openapi(
            OpenAPIDocument.build(old_doc, old), OpenAPIDocument.build(new_doc, new), context
        )
        warnings += context.warnings
        info = new_doc.get("info") if isinstance(new_doc.get("info"), dict) else {}
        notes = info.get("x-release-notes")
    elif kind == "jsonschema":
        findings = diff_json_schema(
            old_doc,
            new_doc,
            old,
            new,
            options.schema_direction,
            options.policy.doc_only_extensions,
            options.policy.known_formats,
        )
    else:
        ErrorCatalog.load(old)
        ErrorCatalog.load(new)
        findings = diff_catalog(old_doc, new_doc)
    changes = classify(findings, options.policy, WitnessMaker() if options.witnesses else None)
    required = largest_bump([c.bump for c in changes])
    reason = next((f"{c.rule} at {c.location}" for c in changes if c.bump == required), None)
    judgement = judge(
        old_file,
        new_file,
        required,
        options.policy,
        release_notes=notes,
        check_release_notes=kind == "openapi",
        reason=reason,
    )
    return DiffResult(
        kind=kind,
        name=new_file.key or old_file.key or new.stem,
        old_file=str(old),
        new_file=str(new),
        old_version=_text(old_file.version),
        new_version=_text(new_file.version),
        changes=changes,
        required_bump=required,
        actual_bump=judgement.actual_bump,
        verdict=judgement.verdict,
        problems=judgement.problems,
        warnings=warnings + judgement.warnings,
        breaks_rule=judgement.breaks_rule,
    )


def classify(
    findings: list[Finding], policy: BumpPolicy, witnesses: WitnessMaker | None = None
) -> list[Change]:
    """Give every finding its bump and rationale from the policy, largest bump first.

    With ``witnesses``, every MAJOR change found in a schema gets its witness.
    """
    changes = []
    seen = set()
    for f in findings:
        rule = policy.rule(f.rule)
        location = pointer.join(f.path)
        key = (f.rule, location, f.message, f.operation_id)
        if key in seen:
            continue
        seen.add(key)
        changes.append(
            Change(
                rule=f.rule,
                bump=rule.bump,
                location=location,
                message=f.message,
                rationale=rule.rationale,
                direction=rule.direction,
                operation_id=f.operation_id,
                origin=f.origin,
                witness=(
                    witnesses.witness(f.rule, component_subject(f.subject, f.origin))
                    if witnesses is not None and f.subject is not None and rule.bump == "MAJOR"
                    else None
                ),
            )
        )
    changes.sort(key=lambda c: (-bump_rank(c.bump), c.operation_id or "", c.location))
    return changes


def _service_added(spec: SpecFile, options: Options) -> DiffResult:
    document = load_document(spec.path)
    kind = _kind(spec.path, document)
    new_file = _versioned(spec.path, document, kind)
    version = new_file.version or spec.version
    changes = classify(
        [Finding("service.added", (), f"service {spec.key} {version} added to the catalog")],
        options.policy,
    )
    problems = []
    if new_file.content_version and new_file.content_version != spec.version:
        problems.append(
            f"{spec.path.name}: file name says {spec.version}, {new_file.content_field} says {new_file.content_version}"
        )
    if (version.minor, version.mini) != (0, 0):
        problems.append(f"a new service starts at a MAJOR version (N.0.0), not {version}")
    if kind == "openapi":
        info = document.get("info") if isinstance(document.get("info"), dict) else {}
        notes = info.get("x-release-notes")
        if not isinstance(notes, list) or not any(
            isinstance(n, dict) and str(n.get("version")) == str(version) for n in notes
        ):
            problems.append(f"info.x-release-notes has no entry for version {version}")
    return DiffResult(
        kind="service",
        name=spec.key,
        old_file="",
        new_file=str(spec.path),
        old_version=None,
        new_version=str(version),
        changes=changes,
        required_bump=changes[0].bump,
        actual_bump="MAJOR",
        verdict=Verdict.INVALID if problems else Verdict.OK,
        problems=problems,
        breaks_rule=bool(problems),
    )


def _service_removed(spec: SpecFile, options: Options) -> DiffResult:
    change = classify(
        [
            Finding(
                "service.removed",
                (),
                f"service {spec.key} (last version {spec.version}) removed from the catalog",
            )
        ],
        options.policy,
    )
    return DiffResult(
        kind="service",
        name=spec.key,
        old_file=str(spec.path),
        new_file="",
        old_version=str(spec.version),
        new_version=None,
        changes=change,
        required_bump=change[0].bump,
        actual_bump=NO_BUMP,
        verdict=Verdict.OK,
        warnings=[f"service {spec.key} was removed: announce it to its clients"],
    )


# ---------------------------------------------------------------- files and kinds
def _kind(path: Path, document: Any) -> str:
    if isinstance(document, dict):
        if "swagger" in document:
            raise InputError(f"{path}: Swagger 2.0 is not supported; convert it to OpenAPI 3")
        if "openapi" in document:
            return "openapi"
        if path.name.endswith(".schema.json") or "$schema" in document:
            return "jsonschema"
        if isinstance(document.get("codes"), dict):
            return "catalog"
    raise InputError(f"{path}: not an OpenAPI file, a JSON Schema or an error catalog")


def _article(kind: str) -> str:
    return {
        "openapi": "an OpenAPI file",
        "jsonschema": "a JSON Schema",
        "catalog": "an error catalog",
    }[kind]


def _versioned(path: Path, document: dict, kind: str) -> VersionedFile:
    if kind == "openapi":
        parsed = parse_openapi_name(path)
        info = document.get("info") if isinstance(document.get("info"), dict) else {}
        return VersionedFile(
            path,
            parsed.key if parsed else None,
            parsed.version if parsed else None,
            _parse(info.get("version")),
        )
    if kind == "jsonschema":
        parsed = parse_schema_name(path)
        return VersionedFile(
            path,
            parsed.key if parsed else None,
            parsed.version if parsed else None,
            None,
            "file name",
        )
    return VersionedFile(
        path, "catalog", None, _parse(document.get("catalog_version")), "catalog_version"
    )


def _parse(text: Any) -> SpecVersion | None:
    if text is None:
        return None
    try:
        return SpecVersion.parse(str(text))
    except USER_INPUT_ERRORS:
        return None


def _text(version: SpecVersion | None) -> str | None:
    return str(version) if version is not None else None


# ---------------------------------------------------------------- policy and catalog
def find_policy(near: Path) -> Path | None:
    """The nearest ``policy/bump-policy.yaml`` above ``near`` (None: the project's)."""
    return _find_above(near, _POLICY)


def _options(
    near: Path,
    policy: BumpPolicy | Path | None,
    catalog: ErrorCatalog | Path | str | None,
    schema_direction: str,
    search_in: Path | None = None,
) -> Options:
    if not isinstance(policy, BumpPolicy):
        policy = BumpPolicy.load(Path(policy) if policy is not None else _find_above(near, _POLICY))
    if catalog == AUTO:
        found = (_find_below(search_in, _CATALOG) if search_in else None) or _find_above(
            near, _CATALOG
        )
        catalog = ErrorCatalog.load(found) if found else None
    elif catalog is not None and not isinstance(catalog, ErrorCatalog):
        catalog = ErrorCatalog.load(Path(catalog))
    if schema_direction not in ("request", "response"):
        raise InputError(f"schema direction must be request or response, not {schema_direction!r}")
    return Options(policy, catalog, schema_direction)


def _find_above(near: Path, relative: Path) -> Path | None:
    for folder in list(Path(near).resolve().parents)[:_SEARCH_DEPTH]:
        candidate = folder / relative
        if candidate.is_file():
            return candidate
    return None


def _find_below(root: Path, relative: Path) -> Path | None:
    for candidate in (root / relative, root.parent / relative):
        if candidate.is_file():
            return candidate
    return None
