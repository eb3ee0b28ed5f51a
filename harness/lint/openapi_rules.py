"""Lint rules for the versioned OpenAPI files of each CRR service."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import OpenAPIV30SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from crr_contract import pointer as json_pointer
from crr_contract.derivation import ANNOTATIONS, DerivationRules, derive, error_codes_in
from crr_contract.error_catalog import ErrorCatalog
from crr_contract.files import SpecFile
from crr_contract.version import SpecVersion
from harness.errors import USER_INPUT_ERRORS
from harness.lint.findings import Finding, pointer
from harness.lint.profile import DEFAULT_PROFILE, PROFILES, LintProfile
from harness.lint.rules import rule

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
ACCESS_TAGS = ("read", "write")
_SPEC_URI = "urn:crr-harness:spec"


@dataclass(frozen=True)
class OpenAPIContext:
    spec: SpecFile
    document: dict
    catalog: ErrorCatalog | None
    roles: frozenset[str] | None
    profile: LintProfile = PROFILES[DEFAULT_PROFILE]
    rules: DerivationRules | None = None
    """The catalog's derivation rules; a missing annotation they supply is a note under a
    profile that says so."""
    derived: list[tuple[str, str]] = field(default_factory=list)
    """(annotation, source) of each annotation a derivation supplied instead of a finding."""

    def finding(self, where: str, rule_id: str, message: str) -> Finding:
        """A finding of ``rule_id`` in this file, at ``where`` (a JSON pointer)."""
        return Finding(self.spec.path, where, rule_id, message)

    def supplied(self, path: str, method: str, operation: dict, annotation: str) -> bool:
        """Whether the profile lets a derivation stand in for a missing ``annotation``; if so,
        the derivation is recorded for the file's note."""
        if not self.profile.derived_is_note or self.rules is None:
            return False
        attribute = {v: k for k, v in ANNOTATIONS.items()}[annotation]
        found = derive(
            file=self.spec.path.name,
            document=self.document,
            path=path,
            method=method,
            definition=operation,
            rules=self.rules,
        )[attribute]
        if found.source in ("extension", "default") or not found.value:
            return False
        self.derived.append((annotation, found.source))
        return True


def iter_operations(document: dict) -> Iterator[tuple[str, str, dict]]:
    """(path, method, operation) for every operation of an OpenAPI document."""
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield path, method, operation


def resolve_local(document: dict, node: Any) -> Any:
    """Follow a chain of local ``$ref``s ('#/...') to the node it names."""
    seen = set()
    while (
        isinstance(node, dict)
        and isinstance(node.get("$ref"), str)
        and node["$ref"].startswith("#/")
    ):
        ref = node["$ref"]
        if ref in seen:
            return node
        seen.add(ref)
        target: Any = document
        for part in json_pointer.split(ref):
            if not isinstance(target, dict) or part not in target:
                return node
            target = target[part]
        node = target
    return node


@rule("LINT-OAS-001", "the file is a valid OpenAPI 3.0 document", "openapi")
def check_valid_openapi(ctx: OpenAPIContext) -> Iterator[Finding]:
    for error in OpenAPIV30SpecValidator(ctx.document).iter_errors():
        where = pointer(*getattr(error, "path", ()) or ())
        message = error.message if len(error.message) < 200 else error.message[:197] + "..."
        yield ctx.finding(where, "LINT-OAS-001", f"invalid OpenAPI: {message}")


@rule("LINT-OAS-002", "info.version equals the version in the file name", "openapi")
def check_info_version(ctx: OpenAPIContext) -> Iterator[Finding]:
    declared = str((ctx.document.get("info") or {}).get("version", ""))
    if declared != str(ctx.spec.version):
        yield ctx.finding(
            "/info/version",
            "LINT-OAS-002",
            f"info.version is {declared!r} but the file name says {ctx.spec.version}",
        )


@rule("LINT-OAS-003", "release notes list every version in order, ending with this one", "openapi")
def check_release_notes(ctx: OpenAPIContext) -> Iterator[Finding]:
    notes = (ctx.document.get("info") or {}).get("x-release-notes")
    where = "/info/x-release-notes"
    if not isinstance(notes, list) or not notes:
        yield ctx.finding(where, "LINT-OAS-003", "no release notes (info.x-release-notes)")
        return
    previous: SpecVersion | None = None
    for index, entry in enumerate(notes):
        if not isinstance(entry, dict) or "version" not in entry:
            yield ctx.finding(
                pointer("info", "x-release-notes", index), "LINT-OAS-003", "entry has no version"
            )
            continue
        try:
            version = SpecVersion.parse(str(entry["version"]))
        except USER_INPUT_ERRORS:
            version = None
        if version is None:
            yield ctx.finding(
                pointer("info", "x-release-notes", index),
                "LINT-OAS-003",
                f"bad version {entry['version']!r}",
            )
            continue
        if not entry.get("changes"):
            yield ctx.finding(
                pointer("info", "x-release-notes", index),
                "LINT-OAS-003",
                f"release notes for {version} list no changes",
            )
        if previous is not None and version <= previous:
            yield ctx.finding(
                pointer("info", "x-release-notes", index),
                "LINT-OAS-003",
                f"{version} does not come after {previous}",
            )
        previous = version
    if previous != ctx.spec.version:
        yield ctx.finding(
            where,
            "LINT-OAS-003",
            f"no release notes entry for this file's version {ctx.spec.version}",
        )


@rule(
    "LINT-OAS-004",
    "every operation has an access tag, operationId, x-roles and x-error-codes",
    "openapi",
)
def check_operation_metadata(ctx: OpenAPIContext) -> Iterator[Finding]:
    seen_ids: dict[str, str] = {}
    for path, method, operation in iter_operations(ctx.document):
        where = pointer("paths", path, method)
        op_id = operation.get("operationId")
        if not op_id:
            yield ctx.finding(where, "LINT-OAS-004", f"{method.upper()} {path} has no operationId")
        elif op_id in seen_ids:
            yield ctx.finding(
                where, "LINT-OAS-004", f"operationId {op_id} is also used by {seen_ids[op_id]}"
            )
        else:
            seen_ids[op_id] = f"{method.upper()} {path}"
        tags = [t for t in operation.get("tags") or [] if t in ACCESS_TAGS]
        if len(tags) != 1:
            yield ctx.finding(
                where + "/tags",
                "LINT-OAS-004",
                f"{op_id or path} needs exactly one of the tags read, write",
            )
        roles = operation.get("x-roles")
        derived_roles = roles is None and ctx.supplied(path, method, operation, "x-roles")
        if not derived_roles and (not isinstance(roles, list) or not roles):
            yield ctx.finding(where, "LINT-OAS-004", f"{op_id or path} has no x-roles")
        elif isinstance(roles, list) and ctx.roles is not None:
            for role in roles:
                if role not in ctx.roles:
                    yield ctx.finding(
                        where + "/x-roles",
                        "LINT-OAS-004",
                        f"{op_id or path}: unknown role {role!r}",
                    )
        codes = operation.get("x-error-codes")
        derived_codes = codes is None and ctx.supplied(path, method, operation, "x-error-codes")
        if not derived_codes and not isinstance(codes, list):
            yield ctx.finding(where, "LINT-OAS-004", f"{op_id or path} has no x-error-codes list")


@rule(
    "LINT-OAS-005",
    "every x-error-codes code is in the catalog and valid for this service version",
    "openapi",
)
def check_error_codes(ctx: OpenAPIContext) -> Iterator[Finding]:
    if ctx.catalog is None:
        return
    if ctx.profile.derived_is_note and ctx.rules is not None:
        yield from _description_codes(ctx, ctx.catalog, ctx.rules)
    for path, method, operation in iter_operations(ctx.document):
        codes = operation.get("x-error-codes")
        if not isinstance(codes, list):
            continue
        for index, code in enumerate(codes):
            problem = ctx.catalog.availability(str(code), ctx.spec.key, ctx.spec.version)
            if problem:
                where = pointer("paths", path, method, "x-error-codes", index)
                yield ctx.finding(
                    where, "LINT-OAS-005", f"{operation.get('operationId', path)}: {problem}"
                )


def _description_codes(
    ctx: OpenAPIContext, catalog: ErrorCatalog, rules: DerivationRules
) -> Iterator[Finding]:
    """The codes a CAISO file lists in its error schema's description, against the catalog."""
    schema = ((ctx.document.get("components") or {}).get("schemas") or {}).get(rules.error_schema)
    if not isinstance(schema, dict) or not isinstance(schema.get("description"), str):
        return
    where = pointer("components", "schemas", rules.error_schema, "description")
    for code in error_codes_in(schema["description"], rules.error_code_pattern):
        problem = catalog.availability(code, ctx.spec.key, ctx.spec.version)
        if problem:
            yield ctx.finding(where, "LINT-OAS-005", f"{rules.error_schema}: {problem}")


def _example_error_codes(media: dict) -> Iterator[tuple[tuple, str]]:
    """(pointer parts, code) for each errorCode in a media type's example(s)."""
    examples: list[tuple[tuple, Any]] = []
    if "example" in media:
        examples.append((("example",), media["example"]))
    for name, example in (media.get("examples") or {}).items():
        if isinstance(example, dict):
            examples.append((("examples", name, "value"), example.get("value")))
    for parts, value in examples:
        if not isinstance(value, dict):
            continue
        if "errorCode" in value:
            yield (*parts, "errorCode"), str(value["errorCode"])
        for index, detail in enumerate(value.get("errorDetails") or []):
            if isinstance(detail, dict) and "errorCode" in detail:
                yield (*parts, "errorDetails", index, "errorCode"), str(detail["errorCode"])


@rule(
    "LINT-OAS-006",
    "error examples use catalog codes whose HTTP status is the response's",
    "openapi",
)
def check_error_examples(ctx: OpenAPIContext) -> Iterator[Finding]:
    if ctx.catalog is None:
        return
    for path, method, operation in iter_operations(ctx.document):
        op_id = operation.get("operationId", path)
        for status, response in (operation.get("responses") or {}).items():
            resolved = resolve_local(ctx.document, response)
            for media_type, media in ((resolved or {}).get("content") or {}).items():
                for parts, code in _example_error_codes(media or {}):
                    where = pointer(
                        "paths", path, method, "responses", status, "content", media_type, *parts
                    )
                    problem = ctx.catalog.availability(code, ctx.spec.key, ctx.spec.version)
                    if problem:
                        yield ctx.finding(
                            where, "LINT-OAS-006", f"{op_id} {status} example: {problem}"
                        )
                        continue
                    expected = ctx.catalog.codes[code].http_status
                    if str(status).isdigit() and int(status) != expected:
                        yield ctx.finding(
                            where,
                            "LINT-OAS-006",
                            f"{op_id} {status} example uses {code}, which the catalog gives HTTP {expected}",
                        )


def _media_examples(media: dict) -> Iterator[tuple[tuple, Any]]:
    if "example" in media:
        yield ("example",), media["example"]
    for name, example in (media.get("examples") or {}).items():
        if isinstance(example, dict) and "value" in example:
            yield ("examples", name, "value"), example["value"]


@rule("LINT-OAS-007", "request and response examples validate against their schemas", "openapi")
def check_examples(ctx: OpenAPIContext) -> Iterator[Finding]:
    registry = Registry().with_resource(
        _SPEC_URI, Resource.from_contents(ctx.document, default_specification=DRAFT4)
    )

    def validate(schema_pointer: tuple, value: Any, where: str, label: str) -> Iterator[Finding]:
        schema = {"$ref": f"{_SPEC_URI}#{pointer(*schema_pointer)}"}
        try:
            error = next(iter(OAS30Validator(schema, registry=registry).iter_errors(value)), None)
        except Exception as exc:  # an unresolvable schema is LINT-OAS-001's finding
            yield ctx.finding(where, "LINT-OAS-007", f"{label}: schema cannot be evaluated: {exc}")
            return
        if error is not None:
            at = pointer(*error.absolute_path) or "/"
            yield ctx.finding(
                where, "LINT-OAS-007", f"{label} does not validate at {at}: {error.message}"
            )

    def content_examples(node: object, base: tuple, label: str) -> Iterator[Finding]:
        """The examples of each media type of a request body or a response (or a $ref to one).

        Findings point into the node the $ref names, where the example is written.
        """
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            base = tuple(json_pointer.split(node["$ref"]))
        resolved = resolve_local(ctx.document, node)
        for media_type, media in ((resolved or {}).get("content") or {}).items():
            if not isinstance(media, dict) or "schema" not in media:
                continue
            for parts, value in _media_examples(media):
                where = pointer(*base, "content", media_type, *parts)
                yield from validate((*base, "content", media_type, "schema"), value, where, label)

    for path, method, operation in iter_operations(ctx.document):
        op_id = operation.get("operationId", path)
        yield from content_examples(
            operation.get("requestBody"),
            ("paths", path, method, "requestBody"),
            f"{op_id} request example",
        )
        for status, response in (operation.get("responses") or {}).items():
            yield from content_examples(
                response, ("paths", path, method, "responses", status), f"{op_id} {status} example"
            )


@rule("LINT-OAS-008", "schema-level examples validate against the schema they annotate", "openapi")
def check_schema_examples(ctx: OpenAPIContext) -> Iterator[Finding]:
    from harness.lint.schema_rules import iter_subschemas

    registry = Registry().with_resource(
        _SPEC_URI, Resource.from_contents(ctx.document, default_specification=DRAFT4)
    )
    schemas = ((ctx.document.get("components") or {}).get("schemas")) or {}
    for name, schema in schemas.items():
        for path, subschema in iter_subschemas(schema, ("components", "schemas", name)):
            if "example" not in subschema:
                continue
            validator = OAS30Validator({"$ref": f"{_SPEC_URI}#{pointer(*path)}"}, registry=registry)
            try:
                error = next(iter(validator.iter_errors(subschema["example"])), None)
            except Exception as exc:
                yield ctx.finding(
                    pointer(*path), "LINT-OAS-008", f"schema cannot be evaluated: {exc}"
                )
                continue
            if error is not None:
                yield ctx.finding(
                    pointer(*path, "example"),
                    "LINT-OAS-008",
                    f"example does not validate: {error.message}",
                )


@rule(
    "LINT-HIS-001",
    "a service's files have distinct versions and live in the service's folder",
    "openapi-history",
)
def check_distinct_versions(files: list[tuple[SpecFile, dict]]) -> Iterator[Finding]:
    seen: dict[SpecVersion, SpecFile] = {}
    for spec, _ in files:
        if spec.path.parent.name != spec.key:
            yield Finding(
                spec.path,
                "",
                "LINT-HIS-001",
                f"a {spec.key} file belongs in a folder named {spec.key}, not {spec.path.parent.name}",
            )
        if spec.version in seen:
            yield Finding(
                spec.path,
                "",
                "LINT-HIS-001",
                f"version {spec.version} is also {seen[spec.version].path.name}",
            )
        seen[spec.version] = spec


@rule(
    "LINT-HIS-002",
    "each file's release notes carry every earlier published version",
    "openapi-history",
)
def check_history_kept(files: list[tuple[SpecFile, dict]]) -> Iterator[Finding]:
    published: list[SpecVersion] = []
    for spec, document in files:
        notes = (document.get("info") or {}).get("x-release-notes") or []
        listed = {str(e.get("version")) for e in notes if isinstance(e, dict)}
        for earlier in published:
            if str(earlier) not in listed:
                yield Finding(
                    spec.path,
                    "/info/x-release-notes",
                    "LINT-HIS-002",
                    f"release notes omit earlier published version {earlier}",
                )
        published.append(spec.version)
