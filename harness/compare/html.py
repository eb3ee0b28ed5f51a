"""``compare.html``: two runs side by side, in report.html's look and under the same rules.

Self-contained (the report's own stylesheet inline, no script, no URL) and
with every piece of text escaped, because check messages quote bodies the
system under test sent.
"""

from __future__ import annotations

from pathlib import Path

from harness.compare.comparison import CATEGORIES, Change, Comparison, RunInfo
from harness.compare.render import flaky_note
from harness.reports._atomic import write_text_atomic
from harness.reports.html import _STYLE, _e, _hash

__all__ = ["render_compare_html", "write_compare_html"]

_CSP = f"default-src 'none'; style-src {_hash(_STYLE)}; base-uri 'none'; form-action 'none'"

_BADGE = {"PASS": "pass", "FAIL": "fail", "ERROR": "error", "SKIP": "skip", "WAIVED": "waived"}


def _status(status: str | None) -> str:
    if status is None:
        return '<span class="badge skip">NOT RUN</span>'
    return f'<span class="badge {_BADGE.get(status, "skip")}">{_e(status)}</span>'


def _run(label: str, run: RunInfo) -> str:
    return (
        f"<tr><th>Run {label}</th><td><code>{_e(run.run_id)}</code> · verdict "
        f"<strong>{_e(run.verdict)}</strong> · seed {_e(run.seed)} · {_e(run.started_at)} · "
        f"{_e(run.target)}</td></tr>"
    )


def _rows(changes: tuple[Change, ...]) -> str:
    return "".join(
        f'<tr data-key="{_e(c.key)}"><td>{_status(c.before)}</td><td>{_status(c.after)}</td>'
        f"<td>{_e(c.suite)}</td><td>{_e(c.key)}</td><td>{_e(c.message)}</td></tr>"
        for c in changes
    )


def _section(name: str, heading: str, comparison: Comparison) -> str:
    changes = comparison.category(name)
    pill = "pill" if changes and name in ("new_failures", "still_failing", "flaky") else "pill zero"
    note = f'<p class="sub">{_e(flaky_note(comparison))}</p>' if name == "flaky" else ""
    body = (
        '<table class="grid results"><thead><tr><th>A</th><th>B</th><th>Suite</th><th>Check</th>'
        f"<th>Message</th></tr></thead><tbody>{_rows(changes)}</tbody></table>"
        if changes
        else '<p class="none">None.</p>'
    )
    return (
        f'<section id="{_e(name)}" class="block"><div class="section-head">'
        f'<h2>{_e(heading)} <span class="{pill}">{len(changes)}</span></h2></div>'
        f"{note}{body}</section>"
    )


def render_compare_html(comparison: Comparison) -> str:
    """The whole page as one string."""
    verdict = "fail" if comparison.new_failures else "pass"
    tiles = "".join(
        f'<div class="count {"failed" if name == "new_failures" else "total"}'
        f'{" zero" if not comparison.category(name) else ""}">'
        f'<span class="n" id="count-{_e(name)}">{len(comparison.category(name))}</span>'
        f'<span class="l">{_e(heading)}</span></div>'
        for name, heading in CATEGORIES.items()
    )
    title = f"{len(comparison.new_failures)} new failures · CRR run comparison"
    return "".join(
        [
            "<!DOCTYPE html>\n",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_e(_CSP)}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="referrer" content="no-referrer">',
            f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body><main>",
            '<header class="top"><h1>CRR run comparison</h1>',
            f'<p class="sub">A <code>{_e(comparison.before.run_id)}</code> → B '
            f"<code>{_e(comparison.after.run_id)}</code></p></header>",
            f'<section id="summary" class="summary verdict-{verdict}">',
            '<div class="verdict-box"><div class="label">New failures</div>',
            f'<div class="verdict">{len(comparison.new_failures)}</div></div>',
            f'<div class="right"><div class="counts">{tiles}</div></div>',
            '<table class="meta">',
            _run("A", comparison.before),
            _run("B", comparison.after),
            "</table></section>",
            *(_section(name, heading, comparison) for name, heading in CATEGORIES.items()),
            "</main></body></html>\n",
        ]
    )


def write_compare_html(comparison: Comparison, path: Path) -> Path:
    """Write the page atomically at ``path`` and return it."""
    return write_text_atomic(path, render_compare_html(comparison))
