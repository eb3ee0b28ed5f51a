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
    switches: dict[str, str] = field(default_factory=dict)
    known_formats: frozenset[str] | None = None
    """Formats that assert something; None: every format does (a policy without the list)."""

    @classmethod
    def load(cls, path: Path | None = None) -> BumpPolicy:
        """Read and validate a policy file (default: the project's own)."""
        path = Path(path) if path is not None else DEFAULT_POLICY
        return cls.from_data(load_document(path), path)

    @classmethod
    def from_data(cls, data: object, path: Path) -> BumpPolicy:
        """A policy from the parsed content of ``path``."""
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
        switches = data.get("switches") or {}
        if not isinstance(switches, dict):
            raise InputError(f"{path}: switches must be a mapping")
        for name, switch in switches.items():
            rule = _switched(path, str(name), switch, rules)
            rules[rule.id] = rule
        chosen = {str(name): str(s["chosen"]) for name, s in switches.items()}
        formats = data.get("known_formats")
        if formats is not None and not isinstance(formats, list):
            raise InputError(f"{path}: known_formats must be a list")
        known = None if formats is None else frozenset(map(str, formats))
        return cls(rules, versioning, frozenset(map(str, extensions)), path, chosen, known)

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

    def with_switch(self, name: str, choice: str) -> BumpPolicy:
        """This policy's file read again with switch ``name`` set to ``choice``."""
        data = load_document(self.path or DEFAULT_POLICY)
        switches = data.get("switches") if isinstance(data, dict) else None
        if not isinstance(switches, dict) or name not in switches:
            raise InputError(f"{self.path or DEFAULT_POLICY}: no switch {name!r}")
        switches[name] = {**switches[name], "chosen": choice}
        return BumpPolicy.from_data(data, self.path or DEFAULT_POLICY)

    def setting(self, name: str, default: object) -> object:
        """A versioning setting (reset_rule, over_bump, ...) or its default."""
        return self.versioning.get(name, default)


def _switched(path: Path, name: str, switch: object, rules: dict[str, Rule]) -> Rule:
    """The rule a switch sets, with the bump and rationale of its chosen reading.

    A switch keeps a reading of CAISO's text that users disagree on (is an
    added operation a new service?) as a named choice in the policy file,
    instead of as an edit to a rule's bump that loses the other reading.
    """
    if not isinstance(switch, dict):
        raise InputError(f"{path}: switch {name} is not a mapping")
    rule_id, chosen, choices = switch.get("rule"), switch.get("chosen"), switch.get("choices")
    if rule_id not in rules:
        raise InputError(f"{path}: switch {name} sets unknown rule {rule_id!r}")
    if not isinstance(choices, dict) or chosen not in choices:
        names = ", ".join(map(str, choices or {})) if isinstance(choices, dict) else "none"
        raise InputError(f"{path}: switch {name}: chosen must be one of {names}, not {chosen!r}")
    choice = choices[chosen]
    if not isinstance(choice, dict) or choice.get("bump") not in BUMP_LEVELS:
        raise InputError(
            f"{path}: switch {name}: choice {chosen} needs a bump ({', '.join(BUMP_LEVELS)})"
        )
    rule = rules[rule_id]
    rationale = " ".join(str(choice.get("rationale") or rule.rationale).split())
    return Rule(rule.id, str(choice["bump"]), rule.direction, rule.description, rationale)


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
