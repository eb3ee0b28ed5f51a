"""The AIM role model of ``specs/roles.yaml``: role names, their access, and what a tag admits.

One reader for the file, so that the target config (is a participant's role
known?), lint (is an ``x-roles`` entry a role?), ``connect`` (which role
replaced a retired one?) and the derivation of an operation's roles from its
``read``/``write`` tag (CAISO's files carry no ``x-roles``) agree on it.

Which roles a tag admits is data, not code: ``tag_access`` maps a tag to the
access levels it admits and ``operation_access`` lists the exceptions a tag
cannot express (restricted downloads, NDA only). The operator role is never
admitted by a tag: it is ours, for the sim-control API alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crr_contract.errors import SpecError
from crr_contract.files import load_document
from crr_contract.shipped import SPECS_DIR

__all__ = ["ROLES_FILE", "AccessRule", "Role", "RoleModel"]

ROLES_FILE = "roles.yaml"
"""The role model's file name inside a spec catalog."""


@dataclass(frozen=True, slots=True)
class Role:
    """One AIM role: its exact name (a certificate's OU), its access level, what it replaced."""

    name: str
    access: str
    description: str = ""
    migrated_from: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AccessRule:
    """An exception to ``tag_access``: operations whose ID matches admit only ``access``."""

    operation_id: re.Pattern[str]
    tag: str
    access: tuple[str, ...]

    def applies(self, tag: str, operation_id: str) -> bool:
        """Whether this rule decides the roles of an operation with this tag and ID."""
        return tag == self.tag and self.operation_id.search(operation_id) is not None


@dataclass(frozen=True, slots=True)
class RoleModel:
    """The roles of a spec catalog and the rules that map a read/write tag onto them."""

    roles: Mapping[str, Role]
    operator_role: str | None = None
    tag_access: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    operation_access: tuple[AccessRule, ...] = ()
    tag_unsettled: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Per tag, the access levels the tag admits without settling it (``unsettled_by_tag``)."""
    source: Path | None = None

    @property
    def names(self) -> frozenset[str]:
        """Every role name."""
        return frozenset(self.roles)

    def with_access(self, access: str) -> str:
        """The one role of ``access`` (write, read, nda-reports, operator): how code names a
        role without writing its AIM name down a second time."""
        found = [role.name for role in self.roles.values() if role.access == access]
        if len(found) != 1:
            where = self.source or "the role file"
            raise SpecError(f"{where}: expected one role with access {access!r}, found {found}")
        return found[0]

    def successors(self, retired: str) -> list[str]:
        """The roles that replaced a retired AIM role name (``migrated_from``)."""
        return [role.name for role in self.roles.values() if retired in role.migrated_from]

    def admitted_by_tag(self, tag: str, operation_id: str = "") -> tuple[str, ...] | None:
        """The roles an operation with ``tag`` admits, in file order; None for a tag with no rule.

        The operator role is never among them, whatever the access lists say.
        """
        access: tuple[str, ...] | None = None
        for rule in self.operation_access:
            if rule.applies(tag, operation_id):
                access = rule.access
                break
        if access is None:
            access = self.tag_access.get(tag)
        if access is None:
            return None
        return tuple(
            role.name
            for role in self.roles.values()
            if role.access in access and role.name != self.operator_role
        )

    def unsettled_by_tag(self, tag: str, operation_id: str = "") -> tuple[str, ...]:
        """The admitted roles whose access such a tag alone does not settle.

        A ``read`` tag says "read access"; it cannot say whether the NDA
        reports role may read a holder's own records. A judge should then
        demand neither that the role is served nor that it is refused. An
        ``operation_access`` rule settles every role it names.
        """
        if any(rule.applies(tag, operation_id) for rule in self.operation_access):
            return ()
        levels = self.tag_unsettled.get(tag, ())
        return tuple(
            role.name
            for role in self.roles.values()
            if role.access in levels and role.name != self.operator_role
        )

    def tag_rule(self, tag: str, operation_id: str = "") -> str:
        """Where in the role file the roles of such an operation are decided, for citing."""
        for rule in self.operation_access:
            if rule.applies(tag, operation_id):
                return f"operation_access {rule.operation_id.pattern!r}"
        return f"tag_access.{tag}"

    @classmethod
    def load(cls, path: Path) -> RoleModel:
        """Read a ``roles.yaml``; a malformed one is a ``SpecError`` naming the file."""
        data = load_document(path)
        if not isinstance(data, Mapping) or not isinstance(data.get("roles"), Mapping):
            raise SpecError(f"{path}: a role file maps roles: {{name: {{access: ...}}}}")
        roles = {}
        for name, entry in data["roles"].items():
            entry = entry or {}
            if not isinstance(entry, Mapping):
                raise SpecError(f"{path}: role {name!r} is not a mapping")
            roles[str(name)] = Role(
                str(name),
                str(entry.get("access") or ""),
                " ".join(str(entry.get("description") or "").split()),
                tuple(str(r) for r in entry.get("migrated_from") or ()),
            )
        operator = data.get("operator_role")
        if operator is not None and operator not in roles:
            raise SpecError(f"{path}: operator_role {operator!r} is not a role of the file")
        tag_access = {
            str(tag): _access_list(path, f"tag_access.{tag}", levels)
            for tag, levels in (data.get("tag_access") or {}).items()
        }
        tag_unsettled = {
            str(tag): _access_list(path, f"tag_unsettled.{tag}", levels)
            for tag, levels in (data.get("tag_unsettled") or {}).items()
        }
        for tag, levels in tag_unsettled.items():
            if not set(levels) <= set(tag_access.get(tag, ())):
                raise SpecError(f"{path}: tag_unsettled.{tag} lists access tag_access.{tag} lacks")
        rules = []
        for index, entry in enumerate(data.get("operation_access") or ()):
            where = f"operation_access[{index}]"
            if not isinstance(entry, Mapping) or not entry.get("operation_id"):
                raise SpecError(f"{path}: {where} needs operation_id, tag and access")
            try:
                pattern = re.compile(str(entry["operation_id"]))
            except re.error as exc:
                raise SpecError(f"{path}: {where}: operation_id is not a pattern: {exc}") from None
            rules.append(
                AccessRule(
                    pattern,
                    str(entry.get("tag") or "read"),
                    _access_list(path, where, entry.get("access")),
                )
            )
        return cls(roles, operator, tag_access, tuple(rules), tag_unsettled, Path(path))

    @classmethod
    def of_catalog(cls, specs_dir: Path) -> RoleModel | None:
        """The role model of a spec catalog directory, or None when it has no role file."""
        path = Path(specs_dir) / ROLES_FILE
        return cls.load(path) if path.is_file() else None

    @classmethod
    def shipped(cls) -> RoleModel:
        """The role model of the catalog shipped with the package."""
        return _shipped()


def _access_list(path: Path, where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SpecError(f"{path}: {where} is a list of access levels (write, read, ...)")
    return tuple(value)


_SHIPPED: list[RoleModel] = []


def _shipped() -> RoleModel:
    if not _SHIPPED:
        _SHIPPED.append(RoleModel.load(SPECS_DIR / ROLES_FILE))
    return _SHIPPED[0]
