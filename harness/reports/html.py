"""``report.html``: the run for a person, in one file that opens anywhere.

The file is self-contained (inline CSS and script, no URL of any kind) so it
can be mailed, attached to a CI job or opened from a laptop with no network.
It leads with the verdict and counts, then every FAIL and ERROR with the
evidence needed to act on it, then all results by suite and service.

Response bodies come from the system under test and are untrusted: every
piece of text goes through ``html.escape``, the script never builds markup
from data, and a Content-Security-Policy allows only this file's own style
and script (by hash) and no fetch at all, so even a mistake in escaping
could not run a hostile body or call out.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from harness.reports._atomic import write_text_atomic
from harness.reports._grouping import Group, groups, suite_names
from harness.reports.coverage_html import COVERAGE_STYLE, coverage_section
from harness.results import CheckResult, RecordedExchange, RunReport, Status
from harness.waivers import waived_text

__all__ = ["render_html", "write_html"]

_STYLE = """
:root{--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--error:#bc4c00;
--error-bg:#fff1e5;--skip:#57606a;--skip-bg:#eaeef2;--line:#d0d7de;--muted:#57606a;--ink:#1f2328;
--code-bg:#f6f8fa;--waived:#6639ba;--waived-bg:#fbefff}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--ink);background:#fff}
main{max-width:1200px;margin:0 auto;padding:24px 28px 64px}
h1{font-size:22px;margin:0}
h2{font-size:19px;margin:0}
h3{font-size:16px;margin:18px 0 8px}
h4{font-size:14px;margin:14px 0 6px}
h5{font-size:12px;margin:0 0 4px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:13px}
.sub{color:var(--muted);margin:4px 0 0}
.top{border-bottom:1px solid var(--line);padding-bottom:14px;margin-bottom:18px}
.summary{display:grid;grid-template-columns:240px 1fr;gap:18px 24px;align-items:stretch}
.verdict-box{border-radius:10px;padding:18px;color:#fff;display:flex;flex-direction:column;
justify-content:center;align-items:center;text-align:center}
.verdict-pass .verdict-box{background:var(--pass)}
.verdict-fail .verdict-box{background:var(--fail)}
.verdict-box .label{text-transform:uppercase;letter-spacing:.12em;font-size:12px;opacity:.9}
.verdict{font-size:56px;font-weight:800;line-height:1.1;letter-spacing:.02em}
.verdict-note{font-size:13px;margin-top:6px;opacity:.95}
.counts{display:grid;grid-template-columns:repeat(6,1fr);gap:10px}
.count{border:1px solid var(--line);border-radius:10px;padding:10px 12px;border-top-width:5px}
.count .n{display:block;font-size:32px;font-weight:700;line-height:1.1}
.count .l{color:var(--muted);font-size:13px}
.count.passed{border-top-color:var(--pass)}.count.passed .n{color:var(--pass)}
.count.failed{border-top-color:var(--fail)}.count.failed .n{color:var(--fail)}
.count.errors{border-top-color:var(--error)}.count.errors .n{color:var(--error)}
.count.skipped{border-top-color:var(--skip)}.count.skipped .n{color:var(--skip)}
.count.total{border-top-color:var(--ink)}
.count.zero .n{color:#8c959f}.count.zero{border-top-color:var(--line)}
.right{display:flex;flex-direction:column;gap:10px}
.bar{width:100%;height:10px;border-radius:5px;overflow:hidden;display:block}
.bar .pass{fill:var(--pass)}.bar .fail{fill:var(--fail)}.bar .error{fill:var(--error)}
.bar .skip{fill:#afb8c1}.bar .waived{fill:var(--waived)}
.notes{margin:0;padding-left:18px;color:var(--fail)}
.meta{grid-column:1 / -1;border-collapse:collapse;width:100%}
.meta th{text-align:left;font-weight:600;color:var(--muted);width:180px;padding:3px 12px 3px 0;
vertical-align:top;white-space:nowrap}
.meta td{padding:3px 0;word-break:break-all}
.specs{grid-column:1 / -1}
table.grid{border-collapse:collapse;width:100%;margin-top:6px}
table.grid th,table.grid td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;
vertical-align:top}
table.grid th{background:var(--code-bg);font-size:13px}
td.hash{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
details>summary{cursor:pointer}
section.block{margin-top:34px}
.section-head{display:flex;align-items:center;justify-content:space-between;gap:12px;
border-bottom:2px solid var(--ink);padding-bottom:6px;margin-bottom:12px}
.pill{display:inline-block;min-width:24px;padding:0 8px;border-radius:12px;background:var(--fail);
color:#fff;font-size:14px;text-align:center;vertical-align:middle}
.pill.zero{background:var(--pass)}
button{font:inherit;font-size:13px;padding:4px 12px;border:1px solid var(--line);border-radius:6px;
background:#f6f8fa;cursor:pointer}
button:hover{background:#eaeef2}
.none{color:var(--pass);font-weight:600}
.badge{display:inline-block;font-size:11px;font-weight:700;letter-spacing:.04em;padding:1px 7px;
border-radius:4px;min-width:48px;text-align:center;font-family:system-ui,sans-serif}
.badge.pass{background:var(--pass-bg);color:var(--pass);border:1px solid var(--pass)}
.badge.fail{background:var(--fail);color:#fff;border:1px solid var(--fail)}
.badge.error{background:var(--error);color:#fff;border:1px solid var(--error)}
.badge.skip{background:var(--skip-bg);color:var(--skip);border:1px solid #afb8c1}
.badge.waived{background:var(--waived-bg);color:var(--waived);border:1px dashed var(--waived)}
.badge.flaky{background:#fff8c5;color:#7d4e00;border:1px solid #d4a72c;margin-left:4px}
.count.waived{border-top-color:var(--waived)}.count.waived .n{color:var(--waived)}
.tally .waived{background:var(--waived-bg);color:var(--waived)}
tr.row-waived td{background:#f7f4ff}
table.waivers td.state-expired,table.waivers td.state-stale{color:var(--fail);font-weight:600}
details.failure{border:1px solid var(--line);border-left:6px solid var(--fail);border-radius:8px;
margin:10px 0;background:#fff}
details.failure.status-error{border-left-color:var(--error)}
details.failure>summary{padding:10px 14px;display:flex;gap:10px;align-items:baseline;
list-style-position:outside}
details.failure>summary::before{content:"\\25B6";font-size:10px;color:var(--muted)}
details.failure[open]>summary::before{content:"\\25BC"}
details.failure>summary::-webkit-details-marker{display:none}
details.failure[open]>summary{border-bottom:1px solid var(--line);background:var(--fail-bg)}
details.failure.status-error[open]>summary{background:var(--error-bg)}
.check-id{font-weight:700;white-space:nowrap}
.case{font-weight:600}
.msg{color:var(--muted);overflow:hidden;text-overflow:ellipsis;white-space:nowrap;flex:1;min-width:0}
.failure-body{padding:6px 16px 16px}
dl.facts{display:grid;grid-template-columns:140px 1fr;gap:4px 12px;margin:8px 0}
dl.facts dt{color:var(--muted);font-weight:600}
dl.facts dd{margin:0;word-break:break-word}
.rerun-head{display:flex;align-items:center;gap:10px;font-weight:600;margin-top:10px}
pre{background:var(--code-bg);border:1px solid var(--line);border-radius:6px;padding:10px 12px;
margin:4px 0;white-space:pre-wrap;word-break:break-all;max-height:32em;overflow:auto}
.exchange{border-top:1px dashed var(--line);margin-top:10px}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.request-line,.status-line{font-weight:700}
.transport{color:var(--error);font-weight:600}
section.suite{margin:18px 0 26px}
.suite-head{display:flex;align-items:baseline;gap:12px;border-bottom:1px solid var(--line);
padding-bottom:4px}
.suite-head h3{margin:0}
details.group{border:1px solid var(--line);border-radius:8px;margin:8px 0}
details.group>summary{padding:8px 12px;display:flex;gap:10px;align-items:center}
details.group>summary::before{content:"\\25B6";font-size:10px;color:var(--muted)}
details.group[open]>summary::before{content:"\\25BC"}
details.group>summary::-webkit-details-marker{display:none}
details.group.has-failures{border-left:6px solid var(--fail)}
details.group.all-pass{border-left:6px solid var(--pass)}
.group-kind{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);
min-width:64px}
.group-name{font-weight:700;flex:1}
.tally{display:flex;gap:6px;flex-wrap:wrap}
.tally span{font-size:12px;padding:0 7px;border-radius:10px;font-weight:600}
.tally .pass{background:var(--pass-bg);color:var(--pass)}
.tally .fail{background:var(--fail-bg);color:var(--fail)}
.tally .error{background:var(--error-bg);color:var(--error)}
.tally .skip{background:var(--skip-bg);color:var(--skip)}
details.group table.grid{margin:0;table-layout:fixed}
table.results th:nth-child(1){width:120px}table.results th:nth-child(2){width:180px}
table.results th:nth-child(3){width:38%}
table.results td{word-break:break-word}
.status-line.bad{color:var(--fail)}.status-line.good{color:var(--pass)}
tr.row-fail td{background:#fff8f7}
tr.row-error td{background:#fffaf4}
.undeclared{font-size:11px;color:var(--fail);font-weight:600}
.offscreen{position:fixed;left:-9999px;top:0}
@media (max-width:800px){.summary{grid-template-columns:1fr}.counts{grid-template-columns:repeat(3,1fr)}
.pair{grid-template-columns:1fr}}
"""

_SCRIPT = """
(function () {
  "use strict";
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  function copied(button, ok) {
    button.textContent = ok ? "Copied" : "Copy failed: select the text";
    setTimeout(function () { button.textContent = "Copy"; }, 1500);
  }
  function copy(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    var text = source.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { copied(button, true); },
        function () { copied(button, fallbackCopy(text)); });
    } else {
      copied(button, fallbackCopy(text));
    }
  }
  function toggleFailures(button) {
    var open = button.getAttribute("aria-pressed") !== "true";
    document.querySelectorAll("details.failure").forEach(function (d) { d.open = open; });
    button.setAttribute("aria-pressed", open ? "true" : "false");
    button.textContent = open ? "Collapse all failures" : "Expand all failures";
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    if (button.classList.contains("copy")) { copy(button); }
    else if (button.id === "expand-failures") { toggleFailures(button); }
  });
})();
"""


def _hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


_STYLES = _STYLE + COVERAGE_STYLE

_CSP = (
    f"default-src 'none'; style-src {_hash(_STYLES)}; script-src {_hash(_SCRIPT)}; "
    "base-uri 'none'; form-action 'none'"
)

_BADGE = {
    Status.PASS: "pass",
    Status.FAIL: "fail",
    Status.ERROR: "error",
    Status.SKIP: "skip",
    Status.WAIVED: "waived",
}
_WORD = {
    Status.PASS: "passed",
    Status.FAIL: "failed",
    Status.ERROR: "error",
    Status.SKIP: "skipped",
    Status.WAIVED: "waived",
}


def _e(value: object) -> str:
    """Escape for text and for double- or single-quoted attributes alike."""
    return html.escape(str(value), quote=True)


def page_head(title: str, csp: str, style: str = _STYLE) -> list[str]:
    """The start of a self-contained page in the report's style, up to ``<main>``: nothing
    loads from anywhere, and ``csp`` admits exactly the page's own ``style`` and script."""
    return [
        "<!DOCTYPE html>\n",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(csp)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_e(title)}</title><style>{style}</style></head><body><main>",
    ]


def _badge(result: CheckResult) -> str:
    status = Status(result.status)
    flaky = '<span class="badge flaky">FLAKY</span>' if result.flaky else ""
    return f'<span class="badge {_BADGE[status]}">{_e(status)}</span>{flaky}'


def _tally(results: Iterable[CheckResult]) -> str:
    items = list(results)
    parts = []
    for status in (Status.FAIL, Status.ERROR, Status.WAIVED, Status.SKIP, Status.PASS):
        n = sum(1 for result in items if result.status == status)
        if n:
            word = _WORD[status] + ("s" if status == Status.ERROR and n != 1 else "")
            parts.append(f'<span class="{_BADGE[status]}">{n} {word}</span>')
    return f'<span class="tally">{"".join(parts) or "<span>no results</span>"}</span>'


def _pretty(text: str) -> str:
    """A JSON object or array indented for reading; anything else as it came."""
    if text.lstrip()[:1] not in ("{", "["):
        return text
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return text


def _body(body: Mapping[str, Any]) -> str:
    """A recorded body as readable text: JSON indented, non-UTF-8 as base64, cuts noted."""
    length = body.get("length", 0)
    if not length:
        return "(empty body)"
    if "text" in body:
        text = str(body["text"])
        if not body.get("truncated"):
            text = _pretty(text)
    else:
        text = f"(not UTF-8: {length} bytes, shown as base64)\n{body.get('base64', '')}"
    if body.get("truncated"):
        text += f"\n(cut: {length} bytes in all)"
    return text


def _headers(headers: Mapping[str, str]) -> str:
    return "".join(f"{_e(name)}: {_e(value)}\n" for name, value in headers.items())


def _message(start_line: str, message: Mapping[str, Any]) -> str:
    """An HTTP request or response as shown: start line, headers, a blank line, the body."""
    return f"{start_line}\n{_headers(message['headers'])}\n{_e(_body(message['body']))}"


def _status_class(status: int) -> str:
    if status >= 400:
        return "bad"
    return "good" if status < 300 else ""


def _exchange(index: int, exchange: RecordedExchange) -> str:
    record = exchange.to_dict()
    request = record["request"]
    out = [
        '<div class="exchange">',
        f"<h4>Exchange {index} · {_e(exchange.participant)} · {exchange.elapsed_ms:.1f} ms</h4>",
        '<div class="pair"><div><h5>Request</h5><pre class="request">',
        _message(
            f'<span class="request-line">{_e(request["method"])} '
            f'<span class="request-url">{_e(request["url"])}</span></span>',
            request,
        ),
        "</pre></div><div><h5>Response</h5>",
    ]
    response = record["response"]
    if response is None:
        reason = exchange.transport_error or "no response"
        out.append(f'<pre class="response"><span class="transport">{_e(reason)}</span></pre>')
    else:
        out += [
            '<pre class="response">',
            _message(
                f'<span class="status-line {_status_class(response["status"])}">'
                f"HTTP {_e(response['status'])}</span>",
                response,
            ),
            "</pre>",
        ]
        if exchange.transport_error:
            out.append(f'<p class="transport">{_e(exchange.transport_error)}</p>')
    out.append("</div></div></div>")
    return "".join(out)


def _failure(index: int, result: CheckResult) -> str:
    status = Status(result.status)
    facts = [
        ("Check ID", result.id),
        ("Status", status),
        ("Suite", result.suite),
        ("Operation", result.operation or "—"),
        ("Case", result.case),
        ("Spec clause", result.clause or "—"),
        ("Requirement", result.requirement),
        ("Message", result.message or "—"),
    ]
    if result.reruns:
        passed = sum(1 for status in result.reruns if status == Status.PASS)
        facts.append(
            (
                "Reruns",
                f"passed {passed} of {len(result.reruns)}: flaky"
                if passed
                else f"failed all {len(result.reruns)}",
            )
        )
    out = [
        f'<details class="failure status-{_BADGE[status]}" id="failure-{index}" '
        f'data-check-id="{_e(result.id)}" data-key="{_e(result.key)}" data-status="{_e(status)}">',
        f'<summary>{_badge(result)}<code class="check-id">{_e(result.id)}</code>'
        f'<span class="case">{_e(result.case)}</span>'
        f'<span class="msg">{_e(result.message)}</span></summary>',
        f'<div class="failure-body" id="failure-{index}-body"><dl class="facts">',
        *(f"<dt>{_e(name)}</dt><dd>{_e(value)}</dd>" for name, value in facts),
        "</dl>",
    ]
    if result.rerun:
        out += [
            '<div class="rerun"><div class="rerun-head">Rerun just this case '
            f'<button type="button" class="copy" data-copy="rerun-{index}">Copy</button></div>',
            f'<pre><code id="rerun-{index}">{_e(result.rerun)}</code></pre></div>',
        ]
    if result.evidence:
        out.append(f"<h3>Evidence ({len(result.evidence)} exchanges)</h3>")
        out += [_exchange(n, exchange) for n, exchange in enumerate(result.evidence, start=1)]
    else:
        out.append("<p><em>No exchange recorded for this check.</em></p>")
    out.append("</div></details>")
    return "".join(out)


def _bar(counts: Mapping[str, int], total: int) -> str:
    """A stacked bar of the outcome shares, as inline SVG (no style attribute needed)."""
    if not total:
        return ""
    x = 0.0
    rects = []
    for css, n in counts.items():
        width = 1000 * n / total
        if n:
            rects.append(f'<rect class="{css}" x="{x:.2f}" y="0" width="{width:.2f}" height="10"/>')
        x += width
    return (
        '<svg class="bar" viewBox="0 0 1000 10" preserveAspectRatio="none" role="img" '
        f'aria-label="share of outcomes">{"".join(rects)}</svg>'
    )


def _summary(report: RunReport) -> str:
    summary = report.summary()
    verdict = summary["verdict"]
    notes = []
    if report.interrupted:
        notes.append("The run was interrupted: these results are partial.")
    if not report.results:
        notes.append("No check ran.")
    undeclared = sum(1 for r in report.results if r.status == Status.SKIP and not r.declared_skip)
    if undeclared:
        notes.append(f"{undeclared} skipped checks were not declared by the target.")
    if summary["waived"]:
        notes.append(f"{summary['waived']} failures waived by the target's waivers.")
    if summary["flaky"]:
        notes.append(f"{summary['flaky']} failures passed on a rerun: flaky.")
    if report.below_min_coverage:
        notes.append(
            f"Error-code coverage {report.code_coverage:.0%} is below the minimum "
            f"{report.min_coverage:.0%}."
        )
    tiles = [
        ("passed", summary["passed"], "passed"),
        ("failed", summary["failed"], "failed"),
        ("errors", summary["errors"], "errors"),
        ("skipped", summary["skipped"], "skipped"),
        ("waived", summary["waived"], "waived"),
        ("total", summary["total"], "total"),
    ]
    target_rows = "".join(
        f"<tr><th>Target {_e(name)}</th><td>{_e(_plain(value))}</td></tr>"
        for name, value in report.target.items()
    )
    meta = [
        ("Harness version", report.harness_version),
        ("Started", report.started_at),
        ("Finished", report.finished_at or "not finished"),
        ("Seed", report.seed),
        ("Suites", ", ".join(report.suites) or "—"),
        ("Command", report.command),
    ]
    specs = "".join(
        f"<tr><td>{_e(s.file)}</td><td>{_e(s.service)}</td><td>{_e(s.version)}</td>"
        f'<td class="hash">{_e(s.sha256)}</td></tr>'
        for s in report.specs
    )
    bar = _bar(
        {
            "pass": summary["passed"],
            "fail": summary["failed"],
            "error": summary["errors"],
            "skip": summary["skipped"],
            "waived": summary["waived"],
        },
        summary["total"],
    )
    return "".join(
        [
            f'<section id="summary" class="summary verdict-{verdict.lower()}">',
            '<div class="verdict-box"><div class="label">Verdict</div>',
            f'<div id="verdict" class="verdict">{_e(verdict)}</div>',
            "".join(f'<div class="verdict-note">{_e(note)}</div>' for note in notes),
            '</div><div class="right"><div class="counts">',
            *(
                f'<div class="count {css}{" zero" if not n else ""}">'
                f'<span class="n" id="count-{css}">{n}</span>'
                f'<span class="l">{_e(label)}</span></div>'
                for css, n, label in tiles
            ),
            "</div>",
            bar,
            '</div><table class="meta">',
            target_rows,
            *(f"<tr><th>{_e(name)}</th><td>{_e(value)}</td></tr>" for name, value in meta),
            "</table>",
            f'<details class="specs"><summary>Spec files ({len(report.specs)})</summary>',
            '<table class="grid"><thead><tr><th>File</th><th>Service</th><th>Version</th>',
            f"<th>SHA-256</th></tr></thead><tbody>{specs}</tbody></table></details>",
            _preflight(report),
            "</section>",
        ]
    )


def _preflight(report: RunReport) -> str:
    """The test-data contract as the run found it: a small table, folded when all is found."""
    if not report.preflight:
        return ""
    missing = sum(1 for row in report.preflight if not row.get("found"))
    rows = "".join(
        f"<tr><td>{_e(row.get('suite'))}</td><td>{_e(row.get('need'))}</td>"
        f"<td>{'found' if row.get('found') else 'MISSING'}</td><td>{_e(row.get('detail'))}</td></tr>"
        for row in report.preflight
    )
    return (
        f'<details class="specs"{" open" if missing else ""}><summary>Preflight: test data '
        f"({missing} missing)</summary>"
        '<table class="grid"><thead><tr><th>Suite</th><th>Need</th><th>Status</th>'
        f"<th>Detail</th></tr></thead><tbody>{rows}</tbody></table></details>"
    )


def _plain(value: Any) -> str:
    if isinstance(value, str | int | float | bool) or value is None:
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _failures(failing: list[CheckResult]) -> str:
    count_class = "pill" if failing else "pill zero"
    out = [
        '<section id="failures" class="block"><div class="section-head">',
        f'<h2>Failures <span class="{count_class}">{len(failing)}</span></h2>',
    ]
    if failing:
        out.append(
            '<button type="button" id="expand-failures" aria-pressed="false">'
            "Expand all failures</button></div>"
        )
        out += [_failure(index, result) for index, result in enumerate(failing, start=1)]
    else:
        out.append('</div><p class="none">No check failed or errored.</p>')
    out.append("</section>")
    return "".join(out)


def _row(result: CheckResult, failure_index: int | None) -> str:
    status_class = _BADGE[Status(result.status)]
    message = _e(waived_text(result) if result.status == Status.WAIVED else result.message)
    if failure_index is not None:
        message += f' <a href="#failure-{failure_index}-body">evidence</a>'
    undeclared = ""
    if result.status == Status.SKIP and not result.declared_skip:
        undeclared = ' <span class="undeclared">not declared</span>'
    return (
        f'<tr class="row-{status_class}" data-key="{_e(result.key)}">'
        f"<td>{_badge(result)}{undeclared}</td><td><code>{_e(result.id)}</code></td>"
        f"<td>{_e(result.case)}</td><td>{message}</td></tr>"
    )


def _group(suite: str, group: Group, failure_links: Mapping[str, int]) -> str:
    bad = group.count(Status.FAIL) + group.count(Status.ERROR)
    state = "has-failures" if bad else ("all-pass" if group.count(Status.SKIP) == 0 else "")
    rows = "".join(_row(result, failure_links.get(result.key)) for result in group.results)
    return (
        f'<details class="group {state}" data-suite="{_e(suite)}" '
        f'data-group="{_e(group.kind)}:{_e(group.name)}">'
        f'<summary><span class="group-kind">{_e(group.kind)}</span>'
        f'<span class="group-name">{_e(group.name)}</span>{_tally(group.results)}</summary>'
        '<table class="grid results"><thead><tr><th>Status</th><th>Check</th><th>Case</th>'
        f"<th>Message</th></tr></thead><tbody>{rows}</tbody></table></details>"
    )


def _waivers(report: RunReport) -> str:
    """What each declared waiver did: applied, expired (waives nothing) or stale."""
    if report.waivers is None:
        return ""
    rows = "".join(
        f"<tr><td><code>{_e(use['check'])}</code></td>"
        f'<td class="state-{_e(use["state"])}">{_e(use["state"])}</td>'
        f"<td>{len(use['matched'])}</td><td>{_e(use['reason'])}</td>"
        f"<td>{_e(use['approved_by'])}</td><td>{_e(use['expires'])}</td></tr>"
        for use in report.waivers
    )
    return (
        '<section id="waivers" class="block"><div class="section-head">'
        f"<h2>Waivers ({len(report.waivers)})</h2></div>"
        '<table class="grid waivers"><thead><tr><th>Check</th><th>State</th><th>Failures</th>'
        "<th>Reason</th><th>Approved by</th><th>Expires</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _results(report: RunReport, failure_links: Mapping[str, int]) -> str:
    out = ['<section id="results" class="block"><div class="section-head">']
    out.append("<h2>Results by suite</h2></div>")
    for suite in suite_names(report):
        results = [result for result in report.results if result.suite == suite]
        out.append(
            f'<section class="suite" data-suite="{_e(suite)}"><div class="suite-head">'
            f"<h3>{_e(suite)}</h3>{_tally(results)}</div>"
        )
        out += [_group(suite, group, failure_links) for group in groups(results)]
        out.append("</section>")
    out.append("</section>")
    return "".join(out)


def render_html(report: RunReport) -> str:
    """The whole of report.html as one string."""
    failing = [r for r in report.results if r.status in (Status.FAIL, Status.ERROR)]
    failure_links = {result.key: index for index, result in enumerate(failing, start=1)}
    verdict = str(report.verdict)
    title = f"{verdict} · CRR conformance report · {report.run_id}"
    return "".join(
        [
            *page_head(title, _CSP, _STYLES),
            '<header class="top"><h1>CRR conformance report</h1>',
            f'<p class="sub">run <code>{_e(report.run_id)}</code> · '
            f"crr-harness {_e(report.harness_version)}</p></header>",
            _summary(report),
            _failures(failing),
            _waivers(report),
            coverage_section(report.coverage),
            _results(report, failure_links),
            f"</main><script>{_SCRIPT}</script></body></html>\n",
        ]
    )


def write_html(report: RunReport, path: Path) -> Path:
    """Write report.html atomically at ``path`` and return it."""
    return write_text_atomic(path, render_html(report))
