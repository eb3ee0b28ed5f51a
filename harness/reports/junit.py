"""``junit.xml``: the run as CI servers (GitLab, Jenkins, GitHub annotations) read test results.

One ``<testsuite>`` per harness suite, one ``<testcase>`` per CheckResult.
A FAIL is a ``<failure>`` (the API under test broke a requirement), an ERROR
an ``<error>`` (the harness could not judge), a SKIP a ``<skipped>``, and a
WAIVED a ``<skipped type="WAIVED">`` whose message names the waiver (JUnit has
no status for an accepted failure, and a CI job must not fail on one); the
failure text carries what a developer needs to act: the message, the spec
clause and the command that reruns just that case.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from pathlib import Path

from harness.reports._atomic import write_bytes_atomic
from harness.reports._grouping import elapsed_seconds, suite_names
from harness.results import CheckResult, RunReport, Status
from harness.waivers import waived_text

__all__ = ["render_junit", "write_junit"]

# XML 1.0 cannot carry these at all, not even escaped; a response body quoted
# in a message may contain them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids shown as ``\\xNN`` escapes."""
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _counts(results: Iterable[CheckResult]) -> dict[str, str]:
    items = list(results)
    return {
        "tests": str(len(items)),
        "failures": str(sum(1 for r in items if r.status == Status.FAIL)),
        "errors": str(sum(1 for r in items if r.status == Status.ERROR)),
        "skipped": str(sum(1 for r in items if r.status in (Status.SKIP, Status.WAIVED))),
        "time": _seconds(sum(elapsed_seconds(r) for r in items)),
    }


def _properties(parent: ET.Element, values: Mapping[str, object]) -> None:
    properties = ET.SubElement(parent, "properties")
    for name, value in values.items():
        ET.SubElement(properties, "property", name=name, value=_xml_text(str(value)))


def _details(result: CheckResult) -> str:
    lines = [result.message or "(no message)"]
    lines.append(f"requirement: {result.requirement}")
    if result.clause:
        lines.append(f"clause: {result.clause}")
    if result.rerun:
        lines.append(f"rerun: {result.rerun}")
    return _xml_text("\n".join(lines))


def _reruns(result: CheckResult) -> str:
    passed = sum(1 for status in result.reruns if status == Status.PASS)
    return f"passed {passed} of {len(result.reruns)} reruns"


def _testcase(parent: ET.Element, result: CheckResult) -> None:
    case = ET.SubElement(
        parent,
        "testcase",
        classname=_xml_text(f"{result.suite}.{result.operation or 'run'}"),
        name=_xml_text(result.key),
        time=_seconds(elapsed_seconds(result)),
    )
    message = _xml_text(result.message)
    if result.flaky:
        message = _xml_text(f"flaky ({_reruns(result)}): {result.message}")
    if result.status == Status.FAIL:
        ET.SubElement(case, "failure", message=message, type=_xml_text(result.id)).text = _details(
            result
        )
    elif result.status == Status.ERROR:
        ET.SubElement(case, "error", message=message, type=_xml_text(result.id)).text = _details(
            result
        )
    elif result.status == Status.SKIP:
        reason = message or ("declared by the target" if result.declared_skip else "skipped")
        ET.SubElement(case, "skipped", message=reason)
    elif result.status == Status.WAIVED:
        ET.SubElement(case, "skipped", message=_xml_text(waived_text(result)), type="WAIVED")


def render_junit(report: RunReport) -> bytes:
    """The bytes of junit.xml (UTF-8, with an XML declaration)."""
    run_properties = {
        "verdict": str(report.verdict),
        "harness_version": report.harness_version,
        "seed": report.seed,
        "run_id": report.run_id,
        "interrupted": str(report.interrupted).lower(),
        "waived": sum(1 for r in report.results if r.status == Status.WAIVED),
    }
    root = ET.Element("testsuites", name="crr-harness", **_counts(report.results))
    _properties(root, run_properties)
    for suite in suite_names(report):
        results = [result for result in report.results if result.suite == suite]
        element = ET.SubElement(
            root,
            "testsuite",
            name=_xml_text(suite),
            timestamp=report.started_at,
            **_counts(results),
        )
        _properties(element, run_properties)
        for result in results:
            _testcase(element, result)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_junit(report: RunReport, path: Path) -> Path:
    """Write junit.xml atomically at ``path`` and return it."""
    return write_bytes_atomic(path, render_junit(report))
