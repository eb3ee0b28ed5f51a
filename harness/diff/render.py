"""Render diff results as text, JSON or a Markdown draft of the release notes."""

from __future__ import annotations

import json
from collections.abc import Iterable

from crr_contract.version import BUMP_LEVELS
from harness.diff.model import Change, DiffResult, Witness

FORMATS = ("text", "json", "markdown")
_WITNESS_WIDTH = 400
_HEADINGS = {
    "MAJOR": "Breaking changes (MAJOR)",
    "MINOR": "Functional changes (MINOR)",
    "MINI": "Documentation (MINI)",
}


def render(results: list[DiffResult], fmt: str, table: bool = False) -> str:
    """One result in full, or several as a table (``--history``, directories)."""
    if fmt == "json":
        if table or len(results) != 1:
            return json.dumps({"results": [r.to_dict() for r in results]}, indent=2)
        return json.dumps(results[0].to_dict(), indent=2)
    if fmt == "markdown":
        if table or len(results) != 1:
            return markdown_table(results)
        return markdown(results[0])
    if table or len(results) != 1:
        return text_table(results)
    return text(results[0])


# ---------------------------------------------------------------- text
def text(result: DiffResult) -> str:
    lines = [
        f"{result.name}: {result.old_version or '?'} -> {result.new_version or '?'} ({result.kind})",
        f"  old: {result.old_file}",
        f"  new: {result.new_file}",
        "",
    ]
    if not result.changes:
        lines.append("No changes.")
    for change in result.changes:
        op = f"  [{change.operation_id}]" if change.operation_id else ""
        lines.append(f"{change.bump:<5}  {change.rule}{op}")
        lines.append(f"       {change.message}")
        lines.append(f"       at {change.location or '/'}")
        if change.origin:
            lines.append(f"       in {change.origin}")
        if change.witness is not None:
            lines.append(f"       {witness_text(change.witness)}")
    counts = result.counts()
    lines += [
        "",
        "Changes: " + ", ".join(f"{counts[level]} {level}" for level in BUMP_LEVELS),
        f"Required bump: {result.required_bump}   actual bump: {result.actual_bump}",
        f"Verdict: {result.verdict.value}",
    ]
    lines += [f"  problem: {p}" for p in result.problems]
    lines += [f"  warning: {w}" for w in result.warnings]
    rules = _rules_cited(result.changes)
    if rules:
        lines += ["", "Rules cited:"]
        lines += [f"  {rule} ({bump}): {rationale}" for rule, bump, rationale in rules]
    return "\n".join(lines)


def text_table(results: list[DiffResult]) -> str:
    header = (
        "name",
        "old",
        "new",
        "required",
        "actual",
        "verdict",
        "MAJOR",
        "MINOR",
        "MINI",
        "first reason",
    )
    rows = [header]
    for r in results:
        counts = r.counts()
        rows.append(
            (
                r.name,
                r.old_version or "-",
                r.new_version or "-",
                r.required_bump,
                r.actual_bump,
                r.verdict.value,
                str(counts["MAJOR"]),
                str(counts["MINOR"]),
                str(counts["MINI"]),
                _first_reason(r),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True))
        + "  "
        + row[-1]
        for row in rows
    ]
    broken = [r for r in results if r.breaks_rule]
    lines += ["", f"{len(results)} pairs, {len(broken)} break the bump rule"]
    for r in broken:
        for problem in r.problems:
            lines.append(f"  {r.name} {r.old_version or '-'} -> {r.new_version or '-'}: {problem}")
    for r in results:
        for warning in r.warnings:
            lines.append(
                f"  {r.name} {r.old_version or '-'} -> {r.new_version or '-'}: warning: {warning}"
            )
    return "\n".join(lines)


# ---------------------------------------------------------------- markdown
def markdown(result: DiffResult) -> str:
    """A draft of the new version's release notes."""
    lines = [f"# {result.name} {result.new_version or '?'}: release notes draft", ""]
    lines.append(
        f"Compared with {result.old_version or '?'}: the changes need a **{result.required_bump}** bump; "
        f"the version bump is **{result.actual_bump}**. Verdict: **{result.verdict.value}**."
    )
    for problem in result.problems:
        lines.append(f"- Problem: {problem}")
    for warning in result.warnings:
        lines.append(f"- Warning: {warning}")
    for level in BUMP_LEVELS:
        group = [c for c in result.changes if c.bump == level]
        if not group:
            continue
        lines += ["", f"## {_HEADINGS[level]}", ""]
        for message, ops, rule, where in _grouped(group):
            reach = f" (operations: {', '.join(ops)})" if ops else ""
            lines.append(f"- {_capital(message)}{reach}. `{rule}` at `{where}`")
            witness = _group_witness(group, rule, where, message)
            if witness is not None:
                lines.append(f"  - {_capital(witness_text(witness, code=True))}")
    if not result.changes:
        lines += ["", "No changes."]
    notes = [
        message
        for message, _, rule, _ in _grouped(result.changes)
        if rule != "doc.release_notes.changed"
    ]
    lines += [
        "",
        "## For info.x-release-notes",
        "",
        "```yaml",
        f"- version: {result.new_version or '?'}",
        "  changes:",
    ]
    lines += [f"    - {json.dumps(_capital(message) + '.')}" for message in notes] or [
        "    - Documentation corrections."
    ]
    lines.append("```")
    return "\n".join(lines)


def markdown_table(results: list[DiffResult]) -> str:
    lines = [
        "| name | old | new | required | actual | verdict | MAJOR | MINOR | MINI | first reason |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        c = r.counts()
        lines.append(
            f"| {r.name} | {r.old_version or '-'} | {r.new_version or '-'} | {r.required_bump} | {r.actual_bump} "
            f"| {r.verdict.value} | {c['MAJOR']} | {c['MINOR']} | {c['MINI']} | {_first_reason(r).replace('|', '/')} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- helpers
def _grouped(changes: Iterable[Change]) -> list[tuple[str, list[str], str, str]]:
    """Changes that are one edit seen from several operations, merged: (message, operations, rule, where)."""
    groups: dict[tuple[str, str, str], list[Change]] = {}
    for change in changes:
        where = change.origin or change.location
        groups.setdefault((change.rule, where, change.message), []).append(change)
    out = []
    for (rule, where, message), group in groups.items():
        ops = sorted({c.operation_id for c in group if c.operation_id})
        out.append((message, ops, rule, where))
    return out


def witness_text(witness: Witness, code: bool = False) -> str:
    """One line: the instance and which schema accepts it, or why there is none."""
    if not witness.found:
        return f"no witness: {witness.note}"
    shown = json.dumps(witness.instance, sort_keys=True, default=str)
    if len(shown) > _WITNESS_WIDTH:
        shown = shown[: _WITNESS_WIDTH - 1] + "…"
    shown = f"`{shown}`" if code else shown
    what = f" as {witness.schema}" if witness.schema else ""
    return (
        f"witness{what}: {shown}"
        f" ({witness.accepted_by} schema accepts it, {witness.rejected_by} rejects it)"
    )


def _group_witness(group: list[Change], rule: str, where: str, message: str) -> Witness | None:
    for change in group:
        same = change.rule == rule and (change.origin or change.location) == where
        if same and change.message == message and change.witness is not None:
            return change.witness
    return None


def _first_reason(result: DiffResult) -> str:
    for change in result.changes:
        if change.bump == result.required_bump:
            op = f" [{change.operation_id}]" if change.operation_id else ""
            return f"{change.rule}{op}: {change.message}"
    return ""


def _rules_cited(changes: list[Change]) -> list[tuple[str, str, str]]:
    seen: dict[str, tuple[str, str, str]] = {}
    for change in changes:
        seen.setdefault(change.rule, (change.rule, change.bump, change.rationale))
    return list(seen.values())


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
