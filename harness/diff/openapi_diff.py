"""Diff two OpenAPI 3.0 service files, operation by operation.

Both files are normalised first (``normalize.py``), so a change inside a
shared component is found at each operation that reaches it and carries the
component's pointer as its origin. Findings come out with absolute JSON
pointers into the new file (the old file for removed parts) and the
operationId they concern.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from harness.diff.model import Finding
from harness.diff.normalize import Normalizer
from harness.diff.operation_compare import OpenAPIContext, OperationComparer
from harness.diff.operations import Match, Operation, collect_operations, match_operations
from harness.diff.proof import Proof
from harness.diff.schema_compare import doc_findings, extension_findings
from harness.diff.view import ViewBuilder, fingerprint
from harness.errors import InputError

__all__ = ["OpenAPIContext", "OpenAPIDocument", "diff_openapi"]

_KNOWN_TOP_LEVEL = frozenset(
    {
        "openapi",
        "info",
        "servers",
        "paths",
        "webhooks",
        "components",
        "security",
        "tags",
        "externalDocs",
        "jsonSchemaDialect",
    }
)


@dataclass
class OpenAPIDocument:
    """A loaded OpenAPI file: raw document and its normalised operations."""

    raw: dict
    operations: list[Operation]
    source: Path | None = None

    @classmethod
    def build(cls, raw: Any, source: Path | None = None) -> OpenAPIDocument:
        where = source or "document"
        if not isinstance(raw, dict) or not isinstance(raw.get("openapi"), str):
            raise InputError(f"{where}: not an OpenAPI 3 document (no 'openapi' version)")
        if not isinstance(raw.get("paths", {}), dict):
            raise InputError(f"{where}: 'paths' must be a mapping")
        normalizer = Normalizer(raw, source)
        paths = normalizer.normalize(raw.get("paths") or {}, "/paths")
        security = normalizer.normalize(raw.get("security"), "/security")
        components = raw.get("components") if isinstance(raw.get("components"), dict) else {}
        schemes = normalizer.normalize(
            components.get("securitySchemes") or {}, "/components/securitySchemes"
        )
        webhooks = normalizer.normalize(raw.get("webhooks") or {}, "/webhooks")
        if not isinstance(webhooks, dict):
            raise InputError(f"{where}: 'webhooks' must be a mapping")
        operations = collect_operations(paths, security, schemes)
        operations += collect_operations(webhooks, security, schemes, root="webhooks")
        return cls(raw, operations, source)


def diff_openapi(
    old: OpenAPIDocument, new: OpenAPIDocument, context: OpenAPIContext
) -> list[Finding]:
    """Every finding between two OpenAPI documents, with absolute locations."""
    return OpenAPIDiff(old, new, context).run()


class OpenAPIDiff:
    """One comparison of two documents."""

    def __init__(self, old: OpenAPIDocument, new: OpenAPIDocument, context: OpenAPIContext) -> None:
        self.old, self.new, self.context = old, new, context
        self.views = ViewBuilder(context.doc_only_extensions, context.known_formats)
        self.proof = Proof()
        self.operations = OperationComparer(context, self.views, self.proof)

    def run(self) -> list[Finding]:
        found = self._document_level()
        prints = {
            id(op): fingerprint(self.views.operation(op.node))
            for op in (*self.old.operations, *self.new.operations)
        }
        matches, removed, added = match_operations(
            self.old.operations, self.new.operations, prints, self._shape
        )
        found += self._services_and_operations(removed, added)
        found += self._path_items(matches)
        for match in matches:
            found += self._operation(match)
        return found

    # ---------------------------------------------------------------- document level
    def _document_level(self) -> list[Finding]:
        old, new = self.old.raw, self.new.raw
        found: list[Finding] = []
        if old.get("jsonSchemaDialect") != new.get("jsonSchemaDialect"):
            found.append(
                Finding(
                    "schema.dialect.changed",
                    ("jsonSchemaDialect",),
                    f"jsonSchemaDialect {old.get('jsonSchemaDialect')} -> {new.get('jsonSchemaDialect')}",
                )
            )
        if _major_minor(old.get("openapi")) != _major_minor(new.get("openapi")):
            found.append(
                Finding(
                    "schema.dialect.changed",
                    ("openapi",),
                    f"openapi {old.get('openapi')} -> {new.get('openapi')}",
                )
            )
        old_info = old.get("info") if isinstance(old.get("info"), dict) else {}
        new_info = new.get("info") if isinstance(new.get("info"), dict) else {}
        info_rules = {
            "title": "doc.title.changed",
            "description": "doc.description.changed",
            "contact": "doc.contact.changed",
            "license": "doc.contact.changed",
            "termsOfService": "doc.contact.changed",
            "x-release-notes": "doc.release_notes.changed",
        }
        for f in doc_findings(old_info, new_info, info_rules):
            message = (
                "release notes changed"
                if f.rule == "doc.release_notes.changed"
                else f"info {f.message}"
            )
            found.append(replace(f, path=("info", *f.path), message=message))
        found += [
            f.under("info")
            for f in extension_findings(
                old_info, new_info, self.context.doc_only_extensions, frozenset({"x-release-notes"})
            )
        ]
        for key in sorted(set(old_info) | set(new_info)):
            if key in info_rules or key == "version" or str(key).startswith("x-"):
                continue
            if old_info.get(key) != new_info.get(key):
                found.append(Finding("doc.contact.changed", ("info", key), f"info {key} changed"))
        if old.get("servers") != new.get("servers"):
            found.append(Finding("doc.servers.changed", ("servers",), "servers changed"))
        if old.get("tags") != new.get("tags"):
            found.append(Finding("doc.tag.changed", ("tags",), "tag definitions changed"))
        if old.get("externalDocs") != new.get("externalDocs"):
            found.append(
                Finding("doc.external_docs.changed", ("externalDocs",), "externalDocs changed")
            )
        found += extension_findings(old, new, self.context.doc_only_extensions)
        for key in sorted(set(old) | set(new), key=str):
            if key in _KNOWN_TOP_LEVEL or str(key).startswith("x-"):
                continue
            if old.get(key) != new.get(key):
                found.append(
                    Finding("unclassified.change", (str(key),), f"top-level {key} changed")
                )
        return found

    # ---------------------------------------------------------------- operations
    def _services_and_operations(
        self, removed: list[Operation], added: list[Operation]
    ) -> list[Finding]:
        found: list[Finding] = []
        old_services = {op.service for op in self.old.operations}
        new_services = {op.service for op in self.new.operations}
        # each direction: its operations, and the services the other side already has
        sides = (("added", added, old_services), ("removed", removed, new_services))
        for change, changed, other_side in sides:
            for service in sorted({op.service for op in changed} - other_side):
                ops = [op for op in changed if op.service == service]
                names = ", ".join(op.operation_id or op.label for op in ops)
                found.append(
                    Finding(
                        f"service.{change}",
                        ("paths", ops[0].path),
                        f"service {service} {change} ({len(ops)} operations: {names})",
                    )
                )
        for change, changed, other_side in sides:  # a whole service is one finding, above
            found += [
                Finding(
                    f"operation.{change}",
                    op.pointer,
                    f"operation {op.label} {change}",
                    operation_id=op.operation_id,
                )
                for op in changed
                if op.service in other_side
            ]
        return found

    def _path_items(self, matches: list[Match]) -> list[Finding]:
        found = []
        old_paths = self.old.raw.get("paths") or {}
        new_paths = self.new.raw.get("paths") or {}
        for path in sorted({m.new.path for m in matches if m.new.path in old_paths}):
            old_item, new_item = old_paths.get(path), new_paths.get(path)
            if isinstance(old_item, dict) and isinstance(new_item, dict):
                keys = {"summary": "doc.summary.changed", "description": "doc.description.changed"}
                found += [f.under("paths", path) for f in doc_findings(old_item, new_item, keys)]
        return found

    def _shape(self, op: Operation) -> frozenset:
        """The paths in an operation's parameters, body and success responses, to tell how alike two are.

        Error responses are left out: a release that changes the error model
        changes them in every operation alike.
        """
        view = self.views.operation(op.node)
        success = {s: r for s, r in (view.get("responses") or {}).items() if str(s).startswith("2")}
        paths: set[tuple[str, ...]] = set()
        for key, part in (
            ("parameters", view.get("parameters")),
            ("requestBody", view.get("requestBody")),
            ("responses", success),
        ):
            _collect_paths(part, (key,), paths)
        return frozenset(paths)

    def _operation(self, match: Match) -> list[Finding]:
        found = self.operations.compare(match)
        return [self._locate(f, match.old, match.new) for f in found]

    def _locate(self, f: Finding, old: Operation, new: Operation) -> Finding:
        path = f.path
        head = path[0] if path else None
        if head == "parameters" and len(path) > 1:
            key = path[1]
            base = new.parameter_pointers.get(key) or old.parameter_pointers.get(key)
            absolute = (*base, *path[2:]) if base else (*new.pointer, *path)
        elif head == "security":
            absolute = new.security_pointer
        elif head == "security_schemes":
            absolute = ("components", "securitySchemes", *path[1:])
        else:
            absolute = (*new.pointer, *path)
        return replace(
            f, path=absolute, covers=(), operation_id=new.operation_id or old.operation_id
        )

    # ---------------------------------------------------------------- roles and error codes


def _major_minor(version: Any) -> str:
    return ".".join(str(version).split(".")[:2])


def _collect_paths(node: Any, prefix: tuple[str, ...], out: set[tuple[str, ...]]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _collect_paths(value, (*prefix, str(key)), out)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _collect_paths(value, (*prefix, str(index)), out)
    else:
        out.add(prefix)
