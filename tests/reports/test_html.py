"""report.html without a browser: self-contained, escaped, and carrying the stable hooks."""

from __future__ import annotations

import base64
import html
import re

import pytest

from harness.reports.html import render_html
from tests.reports.sample import EXPECTED, HOSTILE, HOSTILE_URL, NOT_UTF8, run_report


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(run_report())


def test_nothing_is_loaded_from_anywhere(page: str) -> None:
    assert not re.search(r"<(link|img|iframe|object|embed|base)\b", page, re.I)
    assert not re.search(r"<[a-z][^>]*\ssrc\s*=", page, re.I)  # as text, "src=" is fine
    assert not re.search(r"@import|url\(", page, re.I)
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs and all(href.startswith("#") for href in hrefs)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    assert html.unescape(policy.group(1)).startswith("default-src 'none';")


def test_only_the_own_script_is_a_script(page: str) -> None:
    assert len(re.findall(r"<script\b", page)) == 1
    assert "innerHTML" not in page and "eval(" not in page


def test_the_hostile_body_is_escaped_text(page: str) -> None:
    assert HOSTILE not in page
    assert "window.__pwned=1" in page  # present, but only as text:
    assert "&lt;/pre&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "onerror=&quot;window.__pwned=2&quot;" in page


def test_stable_hooks_for_counts_verdict_and_failures(page: str) -> None:
    for name, value in EXPECTED.items():
        assert f'id="count-{name}">{value}<' in page
    assert '<div id="verdict" class="verdict">FAIL</div>' in page
    failures = re.findall(r'<details class="failure[^"]*"[^>]*data-check-id="([^"]+)"', page)
    assert failures == ["ERR-CATALOG-004", "DL-SCHEMA-002", "BIZ-AWARD-002"]
    assert HOSTILE_URL in page


def test_summary_comes_before_failures_before_results(page: str) -> None:
    order = [page.index(f'id="{name}"') for name in ("summary", "failures", "results")]
    assert order == sorted(order)


def test_groups_are_per_service_and_per_scenario(page: str) -> None:
    found = re.findall(r'data-suite="([^"]+)" data-group="([^"]+)"', page)
    assert found == [
        ("conformance", "service:auction"),
        ("conformance", "service:marketData"),
        ("conformance", "service:simControl"),
        ("scenarios", "scenario:monthly auction"),
    ]


def test_a_run_without_failures_says_so() -> None:
    page = render_html(run_report(results=[]))
    assert "No check failed or errored." in page
    assert '<div id="verdict" class="verdict">FAIL</div>' in page  # nothing ran: not a PASS
    assert 'id="count-total">0<' in page


def test_a_body_that_is_not_utf8_is_shown_as_base64(page: str) -> None:
    assert f"(not UTF-8: {len(NOT_UTF8)} bytes, shown as base64)" in page
    assert base64.b64encode(NOT_UTF8).decode("ascii") in page
