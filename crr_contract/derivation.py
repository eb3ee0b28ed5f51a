"""An operation's rules, read from our ``x-`` annotations or derived from what CAISO publishes.

Our spec files annotate every operation with ``x-roles``, ``x-error-codes``
and (optionally) ``x-max-body-bytes``. CAISO's published files carry none of
them; they state the same rules in other places, and this module reads them
there:

- roles: the operation's ``read`` or ``write`` tag, mapped onto the AIM
  roles by ``specs/roles.yaml`` (``tag_access``, ``operation_access``);
- error codes: the codes named in the description of the file's
  ``CRRServiceException`` schema. CAISO lists the codes of the whole API
  there, one per line, for example::

      CRRServiceException:
        type: object
        description: |
          Error codes of this API:
          SEC0001 - Role not authorized to call this operation.
          SEC0002 - Invalid participant name.
          SER0028 - Resource not found (HTTP 404).

  Every capital-letters-and-digits token in the catalog's shape
  (``error_code_pattern`` in ``specs/derivations.yaml``) is taken, wherever
  it stands in the text, so prose around the list does no harm; a retired
  code mentioned in prose ("replaces ATH0002") is taken too, which only
  widens what the harness accepts. The list is the API's, not one
  operation's, so every operation of the file may answer any of them;
- body limit: ``x-max-body-bytes`` in ``info``, else ``max_body_bytes`` of
  ``specs/derivations.yaml``.

Every value records its source (``extension``, ``overlay``, ``tag``,
``description``, ``default``) and where that is, so a failed check cites
the text it relied on rather than an annotation the file does not have.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crr_contract.errors import SpecError
from crr_contract.files import load_document
from crr_contract.pointer import join
from crr_contract.roles import ROLES_FILE, RoleModel
from crr_contract.shipped import SPECS_DIR

__all__ = [
    "ANNOTATIONS",
    "DERIVATIONS_FILE",
    "SOURCES",
    "DerivationRules",
    "Derived",
    "derive",
    "error_codes_in",
]

DERIVATIONS_FILE = "derivations.yaml"
"""The derivation rules' file name inside a spec catalog."""

ANNOTATIONS = {
    "roles": "x-roles",
    "error_codes": "x-error-codes",
    "max_body_bytes": "x-max-body-bytes",
}
"""Each derived attribute of an operation and the annotation that states it directly."""

SOURCES = ("extension", "overlay", "tag", "description", "default")
"""Where a value may come from, most direct first."""


@dataclass(frozen=True, slots=True)
class Derived:
    """One rule of one operation: its value, where it came from, and the text to cite."""

    value: Any
    source: str
    """One of ``SOURCES``."""
    where: str
    """``file#/json/pointer`` of the text the value was read from (or the rule that gave it)."""


@dataclass(frozen=True, slots=True)
class DerivationRules:
    """The data that derivations read: the role model and ``derivations.yaml``."""

    roles: RoleModel
    error_schema: str
    error_code_pattern: re.Pattern[str]
    max_body_bytes: int
    source: Path

    @classmethod
    def load(cls, specs_dir: Path) -> DerivationRules:
        """The rules of a spec catalog; a catalog without the files gets the shipped ones."""
        specs_dir = Path(specs_dir)
        shipped = cls.shipped() if specs_dir != SPECS_DIR else None
        path = specs_dir / DERIVATIONS_FILE
        roles = RoleModel.of_catalog(specs_dir)
        if shipped is not None and not path.is_file():
            return shipped if roles is None else _replace_roles(shipped, roles)
        data = load_document(path)
        if not isinstance(data, Mapping):
            raise SpecError(f"{path}: a mapping (error_schema, error_code_pattern, max_body_bytes)")
        limit = data.get("max_body_bytes")
        if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0:
            raise SpecError(f"{path}: max_body_bytes is a positive number of bytes")
        try:
            pattern = re.compile(str(data.get("error_code_pattern") or r"\b[A-Z]{3,4}[0-9]{4}\b"))
        except re.error as exc:
            raise SpecError(f"{path}: error_code_pattern is not a pattern: {exc}") from None
        if roles is None:
            roles = RoleModel.shipped()
        return cls(
            roles, str(data.get("error_schema") or "CRRServiceException"), pattern, limit, path
        )

    @classmethod
    def shipped(cls) -> DerivationRules:
        """The rules of the catalog shipped with the package."""
        if not _SHIPPED:
            _SHIPPED.append(cls.load(SPECS_DIR))
        return _SHIPPED[0]


_SHIPPED: list[DerivationRules] = []


def _replace_roles(rules: DerivationRules, roles: RoleModel) -> DerivationRules:
    return DerivationRules(
        roles, rules.error_schema, rules.error_code_pattern, rules.max_body_bytes, rules.source
    )


def error_codes_in(description: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    """The error codes a description names, in order of first mention."""
    return tuple(dict.fromkeys(pattern.findall(description or "")))


def derive(
    *,
    file: str,
    document: Mapping[str, Any],
    path: str,
    method: str,
    definition: Mapping[str, Any],
    rules: DerivationRules,
    overlaid: Mapping[str, str] | None = None,
) -> dict[str, Derived]:
    """Roles, error codes and body limit of one operation, each with its provenance.

    ``overlaid`` maps an annotation (``x-roles``) to the overlay file that
    supplied it, when an overlay did.
    """
    overlaid = overlaid or {}
    here = ("paths", path, method.lower())

    def stated(key: str) -> Derived | None:
        if key not in definition or definition[key] is None:
            return None
        value = definition[key]
        if key in overlaid:
            return Derived(value, "overlay", f"{overlaid[key]} -> {file}#{join((*here, key))}")
        return Derived(value, "extension", f"{file}#{join((*here, key))}")

    found: dict[str, Derived] = {}
    roles = stated("x-roles")
    if roles is not None:
        found["roles"] = Derived(_strings(roles), roles.source, roles.where)
        found["unsettled_roles"] = Derived((), roles.source, roles.where)
    else:
        found["roles"] = _roles_from_tag(file, here, definition, rules)
        found["unsettled_roles"] = _unsettled_by_tag(found["roles"], definition, rules)
    codes = stated("x-error-codes")
    if codes is not None:
        found["error_codes"] = Derived(frozenset(_strings(codes.value)), codes.source, codes.where)
    else:
        found["error_codes"] = _codes_from_description(file, document, rules)
    found["max_body_bytes"] = _body_limit(file, document, stated("x-max-body-bytes"), rules)
    return found


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, Derived):
        value = value.value
    if not isinstance(value, list | tuple):
        return ()
    return tuple(str(v) for v in value)


def _roles_from_tag(
    file: str, here: tuple[str, ...], definition: Mapping[str, Any], rules: DerivationRules
) -> Derived:
    operation_id = str(definition.get("operationId") or "")
    tags = [str(t) for t in definition.get("tags") or () if str(t) in rules.roles.tag_access]
    if len(tags) != 1:
        return Derived(
            (), "default", f"{file}#{join(here)} (no x-roles and no single read/write tag: nobody)"
        )
    admitted = rules.roles.admitted_by_tag(tags[0], operation_id)
    rule = rules.roles.tag_rule(tags[0], operation_id)
    return Derived(
        admitted or (),
        "tag",
        f"{file}#{join((*here, 'tags'))} ({tags[0]}; {ROLES_FILE} {rule})",
    )


def _unsettled_by_tag(
    roles: Derived, definition: Mapping[str, Any], rules: DerivationRules
) -> Derived:
    if roles.source != "tag":
        return Derived((), roles.source, roles.where)
    operation_id = str(definition.get("operationId") or "")
    [tag] = [str(t) for t in definition.get("tags") or () if str(t) in rules.roles.tag_access]
    return Derived(rules.roles.unsettled_by_tag(tag, operation_id), "tag", roles.where)


def _codes_from_description(
    file: str, document: Mapping[str, Any], rules: DerivationRules
) -> Derived:
    schemas = (document.get("components") or {}).get("schemas") or {}
    schema = schemas.get(rules.error_schema)
    where = f"{file}#{join(('components', 'schemas', rules.error_schema, 'description'))}"
    if not isinstance(schema, Mapping) or not isinstance(schema.get("description"), str):
        return Derived(frozenset(), "default", f"{where} (absent: no codes)")
    codes = error_codes_in(schema["description"], rules.error_code_pattern)
    return Derived(frozenset(codes), "description", where)


def _body_limit(
    file: str, document: Mapping[str, Any], stated: Derived | None, rules: DerivationRules
) -> Derived:
    if stated is not None and _positive(stated.value):
        return stated
    info_limit = (document.get("info") or {}).get("x-max-body-bytes")
    if _positive(info_limit):
        return Derived(info_limit, "extension", f"{file}#/info/x-max-body-bytes")
    return Derived(rules.max_body_bytes, "default", f"{rules.source.name}#/max_body_bytes")


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
