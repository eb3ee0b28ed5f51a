"""report.html's coverage section: what the run tested, as a matrix a person can scan.

Folded by default (a verdict is read first): the totals in the summary line,
then one row per operation with its counts and the cells nobody provoked
named, each with the reason the run gives; then the check IDs and scenario
requirement IDs that no result named. Everything here comes from the
``coverage`` section of report.json, so both reports say the same.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["COVERAGE_STYLE", "coverage_section"]

COVERAGE_STYLE = """
details.coverage{border:1px solid var(--line);border-radius:8px;margin:18px 0;padding:0 12px}
details.coverage>summary{padding:10px 0;font-weight:700;cursor:pointer}
table.coverage{width:100%;border-collapse:collapse;font-size:13px;margin:6px 0 14px}
table.coverage th,table.coverage td{border-top:1px solid var(--line);padding:4px 6px;
text-align:left;vertical-align:top}
table.coverage td.n{white-space:nowrap;font-variant-numeric:tabular-nums}
table.coverage td.n.full{color:var(--pass)}table.coverage td.n.none{color:var(--fail)}
.untested{color:var(--muted)}.untested code{color:var(--ink)}
.why{font-size:12px;color:var(--muted)}
"""

_LABELS = {
    "statuses": "(operation, status)",
    "codes": "(operation, error code)",
    "roles": "(operation, role)",
    "checks": "check IDs",
    "scenario_requirements": "scenario requirement IDs",
}


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _pct(total: Mapping[str, Any]) -> str:
    return f"{round(100 * float(total['ratio']))}%"


def _count(cells: Sequence[Mapping[str, Any]]) -> str:
    tested = sum(1 for cell in cells if cell.get("tested"))
    css = "full" if tested == len(cells) else "none" if not tested else ""
    return f'<td class="n {css}">{tested}/{len(cells)}</td>'


def _untested(row: Mapping[str, Any]) -> str:
    """The untested cells of one operation, grouped by reason so a row stays one short line."""
    by_reason: dict[str, list[str]] = {}
    for dimension in ("statuses", "codes", "roles"):
        for cell in row.get(dimension) or ():
            if not cell.get("tested"):
                by_reason.setdefault(str(cell.get("reason")), []).append(str(cell["value"]))
    if not by_reason:
        return '<td class="untested">—</td>'
    parts = [
        " ".join(f"<code>{_e(value)}</code>" for value in values)
        + f' <span class="why">({_e(reason)})</span>'
        for reason, values in by_reason.items()
    ]
    return f'<td class="untested">{"<br>".join(parts)}</td>'


def _total_text(name: str, total: Mapping[str, Any]) -> str:
    """ "(operation, error code) 382 of 458 (83%), 382 of 398 provokable (96%)": the share of
    all pairs first, the share without the unprovokable ones beside it, never instead."""
    text = f"{_LABELS[name]} {total['tested']} of {total['total']} ({_pct(total)})"
    provokable = total.get("provokable")
    if isinstance(provokable, Mapping):
        text += f", {provokable['tested']} of {provokable['total']} provokable ({_pct(provokable)})"
    return text


def _operations(rows: Sequence[Mapping[str, Any]]) -> str:
    body = "".join(
        f"<tr><td><code>{_e(row['operation'])}</code></td><td>{_e(row.get('exchanges', 0))}</td>"
        + _count(row.get("statuses") or ())
        + _count(row.get("codes") or ())
        + _count(row.get("roles") or ())
        + _untested(row)
        + "</tr>"
        for row in rows
    )
    return (
        '<table class="coverage" id="coverage-operations"><thead><tr><th>Operation</th>'
        "<th>Exchanges</th><th>Statuses</th><th>Error codes</th><th>Roles</th>"
        f"<th>Not tested (why)</th></tr></thead><tbody>{body}</tbody></table>"
    )


def _requirements(title: str, rows: Sequence[Mapping[str, Any]]) -> str:
    """Counts by status, then the IDs no result named (the ones a reader must look at)."""
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[str(row["status"])] = by_status.get(str(row["status"]), 0) + 1
    counts = ", ".join(f"{n} {status}" for status, n in sorted(by_status.items()))
    missing = [str(row["id"]) for row in rows if row["status"] == "not run"]
    named = " ".join(f"<code>{_e(i)}</code>" for i in missing) or "none"
    return f"<h4>{_e(title)}</h4><p>{_e(counts)}. Not run: {named}</p>"


def coverage_section(coverage: Mapping[str, Any] | None) -> str:
    """The folded coverage section; empty when the report carries no coverage."""
    if not coverage:
        return ""
    totals = coverage["totals"]
    line = "; ".join(_total_text(name, total) for name, total in totals.items())
    scope = coverage.get("scope") or {}
    notes = []
    if scope.get("narrowed_by"):
        notes.append(f"The run was narrowed by {scope['narrowed_by']}.")
    if scope.get("suites_not_run"):
        notes.append(f"Suites not run: {', '.join(scope['suites_not_run'])}.")
    return "".join(
        [
            '<details class="coverage" id="coverage"><summary>Coverage: ',
            _e(line),
            "</summary>",
            "".join(f"<p>{_e(note)}</p>" for note in notes),
            "<p>A cell is tested when an exchange of the run got that status, carried that "
            "error code, or was sent by a participant with that role. An error code marked "
            "unprovokable is one no request from outside can provoke on a conformant target "
            "(harness/suites/security/provocations.yaml says why); it still counts as not "
            "tested.</p>",
            _operations(coverage.get("operations") or ()),
            _requirements("Check IDs (requirements.yaml)", coverage.get("checks") or ()),
            _requirements(
                "Scenario requirement IDs (scenarios/)",
                coverage.get("scenario_requirements") or (),
            ),
            "</details>",
        ]
    )
