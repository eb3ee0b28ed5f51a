"""Compare one operation with its counterpart in the next version.

Parameters, request bodies, responses (status codes, media types, headers),
security, roles (``x-roles``) and error codes (``x-error-codes``, read with
the error catalog when one is given); schemas are handed to the directional
``SchemaComparer``. Findings have paths relative to the canonical operation
(``operations.Operation``); ``openapi_diff`` turns them into file pointers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from crr_contract.error_catalog import ErrorCatalog
from crr_contract.version import SpecVersion
from harness.diff.model import Finding, SchemaSubject
from harness.diff.operations import Match, Operation
from harness.diff.proof import Proof
from harness.diff.schema_compare import SchemaComparer, doc_findings, extension_findings, short
from harness.diff.view import ViewBuilder

_OP_DOC = {
    "summary": "doc.summary.changed",
    "description": "doc.description.changed",
    "externalDocs": "doc.external_docs.changed",
}
_MEDIA_DOC = {"example": "doc.example.changed", "examples": "doc.example.changed"}
_PARAM_DOC = {
    "description": "doc.description.changed",
    "example": "doc.example.changed",
    "examples": "doc.example.changed",
}
_SERIALIZATION = ("style", "explode", "allowEmptyValue", "allowReserved")
_OP_HANDLED = frozenset({"x-roles", "x-error-codes"})


@dataclass
class OpenAPIContext:
    """What the comparison may know beyond the two files."""

    doc_only_extensions: frozenset[str] = frozenset()
    known_formats: frozenset[str] | None = None
    catalog: ErrorCatalog | None = None
    service: str | None = None
    new_version: SpecVersion | None = None
    warnings: list[str] = field(default_factory=list)


class OperationComparer:
    """Compares matched operations; shares views and memoised schema comparisons across them."""

    def __init__(self, context: OpenAPIContext, views: ViewBuilder, proof: Proof) -> None:
        self.context = context
        self.views = views
        self.proof = proof
        self.request = SchemaComparer("request", views, proof)
        self.response = SchemaComparer("response", views, proof)

    def compare(self, match: Match) -> list[Finding]:
        """Every finding between the two operations of ``match``, relative to the operation.

        A webhook's request body is what the server sends and its response
        what the client returns, so its schemas are compared with the
        directions swapped.
        """
        if not match.new.webhook:
            return self._operation(match)
        self.request, self.response = self.response, self.request
        try:
            return self._operation(match)
        finally:
            self.request, self.response = self.response, self.request

    def _operation(self, match: Match) -> list[Finding]:
        old, new = match.old, match.new
        old_node = _rename_path_parameters(old, new)
        new_node = new.node
        found: list[Finding] = []
        if match.how in ("operationId", "content", "similar") and (old.method, old.template) != (
            new.method,
            new.template,
        ):
            how = {
                "operationId": "same operationId",
                "content": "identical content",
                "similar": "similar name and content",
            }[match.how]
            found.append(
                Finding(
                    "operation.renamed",
                    (),
                    f"operation {old.label} renamed to {new.label} (matched by {how})",
                )
            )
        if old.operation_id != new.operation_id and (old.operation_id or new.operation_id):
            found.append(
                Finding(
                    "operation.id.changed",
                    ("operationId",),
                    f"operationId {old.operation_id} -> {new.operation_id}",
                )
            )
        found += doc_findings(old_node, new_node, _OP_DOC)
        if sorted(old_node.get("tags") or []) != sorted(new_node.get("tags") or []):
            found.append(
                Finding(
                    "operation.tags.changed",
                    ("tags",),
                    f"tags {old_node.get('tags')} -> {new_node.get('tags')}",
                )
            )
        if bool(old_node.get("deprecated")) != bool(new_node.get("deprecated")):
            state = "marked deprecated" if new_node.get("deprecated") else "no longer deprecated"
            found.append(Finding("deprecation.changed", ("deprecated",), f"operation {state}"))
        if old_node.get("servers") != new_node.get("servers"):
            found.append(Finding("doc.servers.changed", ("servers",), "operation servers changed"))
        found += self._roles(old_node, new_node)
        found += self._error_codes(old_node, new_node, new)
        found += self._security(old_node, new_node)
        found += self._parameters(old_node, new_node)
        found += self._request_body(old_node, new_node)
        found += self._responses(old_node, new_node)
        found += extension_findings(
            old_node, new_node, self.context.doc_only_extensions, _OP_HANDLED
        )
        found += self.proof.unclassified(
            self.views.operation(old_node), self.views.operation(new_node), found
        )
        return found

    def _roles(self, old: dict, new: dict) -> list[Finding]:
        before, after = set(old.get("x-roles") or []), set(new.get("x-roles") or [])
        found = []
        if before - after:
            found.append(
                Finding(
                    "roles.removed",
                    ("x-roles",),
                    f"role {_names(before - after)} no longer allowed",
                )
            )
        if after - before:
            found.append(
                Finding("roles.added", ("x-roles",), f"role {_names(after - before)} now allowed")
            )
        return found

    def _error_codes(self, old: dict, new: dict, op: Operation) -> list[Finding]:
        before, after = set(old.get("x-error-codes") or []), set(new.get("x-error-codes") or [])
        catalog = self.context.catalog
        found = []
        explained: set[str] = set()
        for code in sorted(before - after):
            entry = catalog.get(code) if catalog else None
            replacement = entry.replaced_by if entry else None
            if replacement and replacement in after:
                explained.add(replacement)
                found.append(
                    Finding(
                        "error_code.replaced",
                        ("x-error-codes",),
                        f"error code {code} replaced by {replacement} (catalog replaced_by)",
                    )
                )
            else:
                found.append(
                    Finding(
                        "error_code.removed",
                        ("x-error-codes",),
                        f"error code {code} removed{_meaning(catalog, code)}",
                    )
                )
        for code in sorted(after - before - explained):
            found.append(
                Finding(
                    "error_code.added",
                    ("x-error-codes",),
                    f"error code {code} added{_meaning(catalog, code)}",
                )
            )
        if catalog is not None and self.context.service and self.context.new_version:
            for code in sorted(after - before):
                reason = catalog.availability(code, self.context.service, self.context.new_version)
                if reason:
                    self.context.warnings.append(f"{op.operation_id or op.label}: {reason}")
        return found

    def _security(self, old: dict, new: dict) -> list[Finding]:
        found = []
        before, after = old.get("security") or [], new.get("security") or []
        if before != after:
            old_needed = bool(before) and [] not in before
            new_needed = bool(after) and [] not in after
            if new_needed and not old_needed:
                rule, message = (
                    "security.requirement.added",
                    f"security now required: {_security_text(after)}",
                )
            elif old_needed and not new_needed:
                rule, message = (
                    "security.requirement.removed",
                    f"security no longer required (was {_security_text(before)})",
                )
            elif _relaxes(before, after):
                rule, message = (
                    "security.requirement.relaxed",
                    f"security {_security_text(before, True)} -> {_security_text(after, True)}"
                    " (every old credential still suffices)",
                )
            else:
                rule, message = (
                    "security.requirement.changed",
                    f"security {_security_text(before)} -> {_security_text(after)}",
                )
            found.append(Finding(rule, ("security",), message, covers=(("security_schemes",),)))
        old_schemes, new_schemes = (
            old.get("security_schemes") or {},
            new.get("security_schemes") or {},
        )
        for name in sorted(set(old_schemes) & set(new_schemes)):
            if self.views.parameter(old_schemes[name]) != self.views.parameter(new_schemes[name]):
                found.append(
                    Finding(
                        "security.scheme.changed",
                        ("security_schemes", name),
                        f"security scheme {name} changed",
                    )
                )
        return found

    # ---------------------------------------------------------------- parameters and bodies
    def _parameters(self, old: dict, new: dict) -> list[Finding]:
        before, after = old.get("parameters") or {}, new.get("parameters") or {}
        found: list[Finding] = []
        for key in before:
            if key not in after:
                found.append(
                    Finding(
                        "request.parameter.removed", ("parameters", key), f"{_param(key)} removed"
                    )
                )
        for key, param in after.items():
            if key in before:
                continue
            required = bool(param.get("required")) or key.startswith("path ")
            rule = (
                "request.parameter.required.added"
                if required
                else "request.parameter.optional.added"
            )
            found.append(
                Finding(
                    rule,
                    ("parameters", key),
                    f"{'required' if required else 'optional'} {_param(key)} added",
                )
            )
        for key, old_param in before.items():
            new_param = after.get(key)
            if not isinstance(new_param, dict) or not isinstance(old_param, dict):
                continue
            found += [
                f.under("parameters", key) for f in self._parameter(key, old_param, new_param)
            ]
        return found

    def _parameter(self, key: str, old: dict, new: dict) -> list[Finding]:
        found = doc_findings(old, new, _PARAM_DOC)
        if bool(old.get("required")) != bool(new.get("required")):
            if new.get("required"):
                found.append(
                    Finding(
                        "request.parameter.became_required",
                        ("required",),
                        f"{_param(key)} now required",
                    )
                )
            else:
                found.append(
                    Finding(
                        "request.parameter.became_optional",
                        ("required",),
                        f"{_param(key)} now optional",
                    )
                )
        for attr in _SERIALIZATION:
            if old.get(attr) != new.get(attr):
                found.append(
                    Finding(
                        "request.parameter.serialization.changed",
                        (attr,),
                        f"{_param(key)} {attr} {old.get(attr)} -> {new.get(attr)}",
                    )
                )
        if bool(old.get("deprecated")) != bool(new.get("deprecated")):
            state = "marked deprecated" if new.get("deprecated") else "no longer deprecated"
            found.append(Finding("deprecation.changed", ("deprecated",), f"{_param(key)} {state}"))
        if "schema" in old and "schema" in new:
            found += [
                _about(f.under("schema"), _param(key))
                for f in _with_subject(
                    self.request.compare(old["schema"], new["schema"]),
                    old["schema"],
                    new["schema"],
                    self.request.direction,
                )
            ]
        if isinstance(old.get("content"), dict) and isinstance(new.get("content"), dict):
            found += self._content(old["content"], new["content"], self.request, "request")
        found += extension_findings(old, new, self.context.doc_only_extensions)
        return found

    def _request_body(self, old: dict, new: dict) -> list[Finding]:
        before, after = old.get("requestBody"), new.get("requestBody")
        if not isinstance(before, dict) and not isinstance(after, dict):
            return []
        if not isinstance(before, dict):
            required = bool(after.get("required"))
            rule = "request.body.added.required" if required else "request.body.added.optional"
            return [
                Finding(
                    rule,
                    ("requestBody",),
                    f"{'required' if required else 'optional'} request body added",
                )
            ]
        if not isinstance(after, dict):
            return [Finding("request.body.removed", ("requestBody",), "request body removed")]
        found = doc_findings(before, after, {"description": "doc.description.changed"})
        if bool(before.get("required")) != bool(after.get("required")):
            rule = (
                "request.body.became_required"
                if after.get("required")
                else "request.body.became_optional"
            )
            found.append(
                Finding(
                    rule,
                    ("required",),
                    f"request body now {'required' if after.get('required') else 'optional'}",
                )
            )
        content = self._content(
            before.get("content") or {}, after.get("content") or {}, self.request, "request"
        )
        found += [_about(f, "request body") for f in content]
        found += extension_findings(before, after, self.context.doc_only_extensions)
        return [f.under("requestBody") for f in found]

    def _responses(self, old: dict, new: dict) -> list[Finding]:
        before, after = old.get("responses") or {}, new.get("responses") or {}
        found = _keys_removed_added(before, after, "response.status", "responses", "response")
        for status, old_resp in before.items():
            new_resp = after.get(status)
            if isinstance(old_resp, dict) and isinstance(new_resp, dict):
                found += [
                    f.under("responses", status) for f in self._response(status, old_resp, new_resp)
                ]
        return found

    def _response(self, status: str, old: dict, new: dict) -> list[Finding]:
        found = doc_findings(old, new, {"description": "doc.description.changed"})
        found = [replace(f, message=f"response {status} {f.message}") for f in found]
        found += [
            _about(f, f"response {status}")
            for f in self._content(
                old.get("content") or {}, new.get("content") or {}, self.response, "response"
            )
        ]
        old_headers, new_headers = old.get("headers") or {}, new.get("headers") or {}
        found += _keys_removed_added(
            old_headers, new_headers, "response.header", "headers", f"response {status} header"
        )
        for name in new_headers:
            if (
                name in old_headers
                and isinstance(old_headers[name], dict)
                and isinstance(new_headers[name], dict)
            ):
                header_old, header_new = old_headers[name], new_headers[name]
                sub = doc_findings(header_old, header_new, _PARAM_DOC)
                if "schema" in header_old and "schema" in header_new:
                    sub += [
                        f.under("schema")
                        for f in _with_subject(
                            self.response.compare(header_old["schema"], header_new["schema"]),
                            header_old["schema"],
                            header_new["schema"],
                            self.response.direction,
                        )
                    ]
                found += [
                    _about(f.under("headers", name), f"response {status} header {name}")
                    for f in sub
                ]
        found += extension_findings(old, new, self.context.doc_only_extensions)
        return found

    def _content(
        self, old: dict, new: dict, comparer: SchemaComparer, direction: str
    ) -> list[Finding]:
        direction = comparer.direction  # swapped for webhooks
        found = _keys_removed_added(
            old, new, f"{direction}.media_type", "content", f"{direction} media type"
        )
        for media_type in new:
            if media_type not in old:
                continue
            before, after = old[media_type], new[media_type]
            if not isinstance(before, dict) or not isinstance(after, dict):
                continue
            sub = doc_findings(before, after, _MEDIA_DOC)
            if "schema" in before or "schema" in after:
                # a media type without a schema carries any value: compare it as {}
                sub += [
                    f.under("schema")
                    for f in _with_subject(
                        comparer.compare(before.get("schema", {}), after.get("schema", {})),
                        before.get("schema", {}),
                        after.get("schema", {}),
                        comparer.direction,
                    )
                ]
            sub += extension_findings(before, after, self.context.doc_only_extensions)
            found += [f.under("content", media_type) for f in sub]
        return found


def _with_subject(found: list[Finding], old: object, new: object, direction: str) -> list[Finding]:
    """Findings that remember the whole schemas they were found in (for witnesses)."""
    return [replace(f, subject=SchemaSubject(old, new, direction, f.path)) for f in found]


def _rename_path_parameters(old: Operation, new: Operation) -> dict:
    """The old operation's node with path parameters renamed as the new template names them."""
    old_names, new_names = old.path_parameters, new.path_parameters
    if old_names == new_names or len(old_names) != len(new_names):
        return old.node
    renames = {
        f"path {a}": f"path {b}" for a, b in zip(old_names, new_names, strict=True) if a != b
    }
    params = {
        renames.get(key, key): value for key, value in (old.node.get("parameters") or {}).items()
    }
    for old_key, new_key in renames.items():
        if old_key in old.parameter_pointers:
            old.parameter_pointers[new_key] = old.parameter_pointers[old_key]
    renamed = {}
    for key, value in params.items():
        if key in renames.values() and isinstance(value, dict):
            value = {**value, "name": key.split(" ", 1)[1]}
        renamed[key] = value
    return {**old.node, "parameters": renamed}


def _keys_removed_added(
    old: Mapping[str, object], new: Mapping[str, object], rule: str, where: str, what: str
) -> list[Finding]:
    """``<rule>.removed`` for each key only in ``old``, then ``<rule>.added`` for each only in ``new``.

    Responses, their headers and media types are all keyed maps whose keys come
    and go the same way; ``what`` names a key in the message (``response 200 header``).
    """
    found = [
        Finding(f"{rule}.removed", (where, key), f"{what} {key} removed")
        for key in old
        if key not in new
    ]
    found += [
        Finding(f"{rule}.added", (where, key), f"{what} {key} added")
        for key in new
        if key not in old
    ]
    return found


def _names(values: set[str]) -> str:
    return ", ".join(sorted(values))


def _param(key: str) -> str:
    where, _, name = key.partition(" ")
    return f"{where} parameter '{name}'"


def _about(f: Finding, subject: str) -> Finding:
    """Prefix a schema finding's message with what it is about, once."""
    if f.message.startswith(subject):
        return f
    return replace(f, message=f"{subject}: {f.message}")


def _meaning(catalog: ErrorCatalog | None, code: str) -> str:
    entry = catalog.get(code) if catalog else None
    return f" ({entry.http_status}: {short(entry.meaning, 80)})" if entry else ""


def _security_text(requirements: list, scopes: bool = False) -> str:
    if not requirements:
        return "none"

    def shown(name: str, needed: list) -> str:
        return f"{name}[{' '.join(needed)}]" if scopes and needed else name

    return " or ".join(
        " + ".join(shown(name, needed) for name, needed in alt) or "anonymous"
        for alt in requirements
    )


def _relaxes(before: list, after: list) -> bool:
    """True when every old alternative is met by some new one with fewer schemes and scopes."""

    def covered(old_alt: list, new_alt: list) -> bool:
        held = {name: set(scopes) for name, scopes in old_alt}
        return all(name in held and set(scopes) <= held[name] for name, scopes in new_alt)

    return all(any(covered(old_alt, new_alt) for new_alt in after) for old_alt in before)
