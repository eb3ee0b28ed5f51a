"""The bump policy (specs/policy/bump-policy.yaml): rule id -> bump, as data.

The comparison code emits change records naming a rule; only this file's data
decides whether the rule needs a MAJOR, MINOR or MINI bump.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from crr_contract.files import load_document
from crr_contract.shipped import SPECS_DIR
from crr_contract.version import BUMP_LEVELS
from harness.errors import InputError

DEFAULT_POLICY = SPECS_DIR / "policy" / "bump-policy.yaml"
DIRECTIONS = ("request", "response", "both", "none")


@dataclass(frozen=True)
class Rule:
    """One change rule: what it is, which bump it needs, and why."""

    id: str
    bump: str
    direction: str
    description: str
    rationale: str


@dataclass(frozen=True)
class BumpPolicy:
    """Every change rule and the versioning settings of a bump-policy file."""

    rules: dict[str, Rule]
    versioning: dict = field(default_factory=dict)
    doc_only_extensions: frozenset[str] = frozenset()
    path: Path | None = None

    @classmethod
    def load(cls, path: Path | None = None) -> BumpPolicy:
        """Read and validate a policy file (default: the project's own)."""
        path = Path(path) if path is not None else DEFAULT_POLICY
        data = load_document(path)
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise InputError(f"{path}: a bump policy needs a 'rules' list")
        rules: dict[str, Rule] = {}
        for index, entry in enumerate(data["rules"]):
            rule = _rule(path, index, entry)
            if rule.id in rules:
                raise InputError(f"{path}: rule {rule.id} is listed twice")
            rules[rule.id] = rule
        extensions = data.get("doc_only_extensions") or []
        if not isinstance(extensions, list):
            raise InputError(f"{path}: doc_only_extensions must be a list")
        versioning = data.get("versioning") or {}
        if not isinstance(versioning, dict):
            raise InputError(f"{path}: versioning must be a mapping")
        return cls(rules, versioning, frozenset(map(str, extensions)), path)

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id; a policy missing a rule the diff emits is bad input."""
        try:
            return self.rules[rule_id]
        except KeyError:
            where = self.path or "the bump policy"
            raise InputError(
                f"{where}: no rule {rule_id!r} (every rule the diff emits needs a bump)"
            ) from None

    def missing(self, rule_ids: set[str]) -> set[str]:
        """The rule ids among ``rule_ids`` this policy does not define."""
        return {rule_id for rule_id in rule_ids if rule_id not in self.rules}

    def setting(self, name: str, default: object) -> object:
        """A versioning setting (reset_rule, over_bump, ...) or its default."""
        return self.versioning.get(name, default)


def _rule(path: Path, index: int, entry: object) -> Rule:
    if not isinstance(entry, dict):
        raise InputError(f"{path}: rules[{index}] is not a mapping")
    missing = [
        key for key in ("id", "bump", "direction", "description", "rationale") if not entry.get(key)
    ]
    if missing:
        raise InputError(
            f"{path}: rules[{index}] ({entry.get('id', '?')}) lacks {', '.join(missing)}"
        )
    if entry["bump"] not in BUMP_LEVELS:
        raise InputError(
            f"{path}: rule {entry['id']}: bump must be one of {', '.join(BUMP_LEVELS)}, not {entry['bump']!r}"
        )
    if entry["direction"] not in DIRECTIONS:
        raise InputError(
            f"{path}: rule {entry['id']}: direction must be one of {', '.join(DIRECTIONS)}"
        )
    return Rule(
        id=str(entry["id"]),
        bump=str(entry["bump"]),
        direction=str(entry["direction"]),
        description=" ".join(str(entry["description"]).split()),
        rationale=" ".join(str(entry["rationale"]).split()),
    )
