"""Re-certification scope: the operations, checks and scenarios a set of changes touches.

``crr-harness diff OLD NEW --impact`` shows it; ``certify --changed-since``
turns it into a case selection, so a new spec version is re-certified where
it changed instead of everywhere. Which checks a rule can invalidate is data
(``specs/policy/impact.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crr_contract.files import load_document
from crr_contract.shipped import SPECS_DIR
from harness.diff.model import DiffResult
from harness.errors import InputError

DEFAULT_IMPACT_RULES = SPECS_DIR / "policy" / "impact.yaml"


@dataclass(frozen=True)
class ImpactRules:
    """Rule-id prefix -> checks, and the bumps that need no re-certification."""

    checks: dict[str, tuple[str, ...]]
    documentation_only: frozenset[str]
    download_type_checks: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path | None = None) -> ImpactRules:
        path = Path(path) if path is not None else DEFAULT_IMPACT_RULES
        data = load_document(path)
        if not isinstance(data, dict) or not isinstance(data.get("checks"), dict):
            raise InputError(f"{path}: an impact file needs a 'checks' mapping")
        checks = {}
        for prefix, ids in data["checks"].items():
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise InputError(f"{path}: checks of {prefix!r} must be a list of check ids")
            checks[str(prefix)] = tuple(ids)
        return cls(
            checks,
            frozenset(map(str, data.get("documentation_only") or [])),
            tuple(map(str, data.get("download_type_checks") or [])),
        )

    def checks_of(self, rule: str) -> set[str]:
        return {c for prefix, ids in self.checks.items() if rule.startswith(prefix) for c in ids}


@dataclass
class Impact:
    """What to re-certify: operations as ``service.operationId``, checks, scenarios."""

    operations: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)  # touched as a whole
    download_types: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    scenarios: dict[str, str] = field(default_factory=dict)  # scenario id -> file

    @property
    def empty(self) -> bool:
        return not (self.operations or self.services or self.download_types or self.checks)

    def selection_expression(self) -> str:
        """A ``-k`` expression matching the touched cases (operation and scenario names)."""
        terms = [*(f"{s}." for s in self.services), *self.operations, *self.scenarios]
        return " or ".join(f"'{term}'" for term in terms)

    def to_dict(self) -> dict[str, Any]:
        return {
            "operations": self.operations,
            "services": self.services,
            "download_types": self.download_types,
            "checks": self.checks,
            "scenarios": [{"id": k, "file": v} for k, v in self.scenarios.items()],
        }


def impact_of(
    results: list[DiffResult], scenarios_dir: Path | None, rules: ImpactRules | None = None
) -> Impact:
    """The re-certification scope of ``results`` (one diff per service)."""
    rules = rules or ImpactRules.load()
    operations: set[str] = set()
    services: set[str] = set()
    checks: set[str] = set()
    download_types: set[str] = set()
    for result in results:
        for change in result.changes:
            if change.bump in rules.documentation_only:
                continue
            if _is_download_type(result):
                download_types.add(result.name)
                checks |= set(rules.download_type_checks)
                continue
            checks |= rules.checks_of(change.rule)
            if change.operation_id:
                operations.add(f"{result.name}.{change.operation_id}")
            else:
                services.add(result.name)
    operations = {op for op in operations if op.split(".", 1)[0] not in services}
    scenarios = _scenarios_calling(scenarios_dir, operations, services) if scenarios_dir else {}
    return Impact(
        sorted(operations), sorted(services), sorted(download_types), sorted(checks), scenarios
    )


def _is_download_type(result: DiffResult) -> bool:
    """A JSON Schema download type: its cases are the downloads, checked by the DL checks."""
    return result.kind == "jsonschema" or (result.new_file or result.old_file).endswith(
        ".schema.json"
    )


def _scenarios_calling(directory: Path, operations: set[str], services: set[str]) -> dict[str, str]:
    """Scenario id -> file, for each scenario with a step calling a touched operation."""
    found: dict[str, str] = {}
    for path in sorted(Path(directory).rglob("*.yaml")):
        document = load_document(path)
        if not isinstance(document, dict) or not isinstance(document.get("steps"), list):
            continue
        calls = {
            str(step.get("call"))
            for step in document["steps"]
            if isinstance(step, dict) and step.get("call")
        }
        if any(c in operations or c.split(".", 1)[0] in services for c in calls):
            found[str(document.get("id", path.stem))] = str(path)
    return found


def render_impact(impact: Impact, fmt: str) -> str:
    """The scope as text, Markdown or JSON."""
    if fmt == "json":
        import json

        return json.dumps(impact.to_dict(), indent=2)
    if impact.empty:
        return "Nothing to re-certify: every change is documentation only."
    bullet = "- " if fmt == "markdown" else "  "
    lines = ["# Re-certification scope", ""] if fmt == "markdown" else []
    sections = (
        ("Services (every operation)", impact.services),
        ("Operations", impact.operations),
        ("Download types", impact.download_types),
        ("Checks", impact.checks),
        ("Scenarios", [f"{k} ({v})" for k, v in impact.scenarios.items()]),
    )
    for title, items in sections:
        if items:
            heading = f"## {title}" if fmt == "markdown" else f"{title} ({len(items)}):"
            lines += [heading, *(f"{bullet}{item}" for item in items), ""]
    return "\n".join(lines).rstrip()


def changed_since_expression(
    old_specs: Path,
    specs_dir: Path | None,
    scenarios_dir: Path | None,
    expression: str | None = None,
) -> str | None:
    """The ``-k`` expression of ``certify --changed-since``; None when nothing needs a run.

    Diffs the old spec catalog with the one being certified (without
    witnesses: only the scope matters here) and keeps the user's own ``-k``.
    """
    from crr_contract.shipped import SCENARIOS_DIR
    from harness.diff.run import diff_paths

    old_specs = Path(old_specs)
    if not old_specs.is_dir():
        raise InputError(f"--changed-since {old_specs}: not a directory of spec files")
    results = diff_paths(old_specs, Path(specs_dir or SPECS_DIR), witnesses=False)
    impact = impact_of(results, scenarios_dir or SCENARIOS_DIR)
    if impact.empty:
        return None
    mine = impact.selection_expression()
    return f"({expression}) and ({mine})" if expression else mine
