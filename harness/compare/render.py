"""A comparison as text for a terminal or as JSON for a pipeline."""

from __future__ import annotations

import json

from harness.compare.comparison import CATEGORIES, Comparison

__all__ = ["flaky_note", "render_json", "render_text"]

SHOWN = 50
"""Lines per category in the text form; the JSON form lists everything."""


def render_json(comparison: Comparison) -> str:
    return json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False) + "\n"


def flaky_note(comparison: Comparison) -> str:
    if comparison.same_seed:
        return (
            f"same seed ({comparison.after.seed}): an outcome that differs did not come from "
            "the harness's choices; it is flaky unless the target changed between the runs"
        )
    return "different seeds: only checks certify --repeat found flaky are listed"


def render_text(comparison: Comparison) -> str:
    a, b = comparison.before, comparison.after
    lines = [
        f"A: {a.run_id}  verdict {a.verdict}  seed {a.seed}  {a.started_at}",
        f"B: {b.run_id}  verdict {b.verdict}  seed {b.seed}  {b.started_at}",
        "",
    ]
    for name, heading in CATEGORIES.items():
        changes = comparison.category(name)
        lines.append(f"{heading}: {len(changes)}")
        if name == "flaky":
            lines.append(f"  ({flaky_note(comparison)})")
        for change in changes[:SHOWN]:
            lines.append(f"  {change.before or '-':>6} -> {change.after or '-':<6} {change.key}")
        if len(changes) > SHOWN:
            lines.append(f"  ... and {len(changes) - SHOWN} more (--format json lists all)")
    return "\n".join(lines) + "\n"
