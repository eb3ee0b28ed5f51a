"""``allure-results/``: the run in the format the Allure report generator reads.

Written with ``allure_commons``, the library allure-pytest itself uses, so the
files are exactly what ``allure generate`` expects: one ``*-result.json`` per
case (the checks applied to it are its steps, each with its own status), one
``*-attachment.json`` per recorded exchange of a failing check (of every
check with ``evidence="all"``), and an ``environment.properties`` for the
run's context. A full run applies some ten thousand checks to about a
thousand cases: one file per check, each with its exchanges, made the
results directory the largest part of a report by far. The run is not a pytest
session, so the results are built directly rather than through the
lifecycle hooks.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from allure_commons.logger import AllureFileLogger
from allure_commons.model2 import (
    ATTACHMENT_PATTERN,
    Attachment,
    Label,
    Parameter,
    StatusDetails,
    TestResult,
    TestStepResult,
)
from allure_commons.model2 import Status as AllureStatus
from allure_commons.types import AttachmentType, LabelType, Severity
from allure_commons.utils import md5, uuid4

from harness.reports._atomic import write_text_atomic
from harness.reports._grouping import group_of, service_of
from harness.results import CheckResult, RecordedExchange, RunReport, Status
from harness.waivers import waived_text

__all__ = ["EVIDENCE", "STATUS", "write_allure_results"]

EVIDENCE = ("failures", "all")
"""Which checks get their exchanges attached: FAIL and ERROR only (the default), or all."""

STATUS: Mapping[Status, str] = {
    Status.PASS: AllureStatus.PASSED,
    Status.FAIL: AllureStatus.FAILED,
    Status.ERROR: AllureStatus.BROKEN,
    Status.SKIP: AllureStatus.SKIPPED,
    Status.WAIVED: AllureStatus.SKIPPED,
}
"""FAIL is a product defect (failed); ERROR means the harness could not judge (broken); a
WAIVED failure is skipped with Allure's ``known`` flag and the waiver as its message."""


def _epoch_ms(timestamp: str | None) -> int | None:
    """An ISO 8601 timestamp as Allure's milliseconds since the epoch (None when unparsable)."""
    if not timestamp:
        return None
    try:
        return int(datetime.fromisoformat(timestamp).timestamp() * 1000)
    except ValueError:
        return None


def _exchange_title(index: int, exchange: RecordedExchange) -> str:
    answer = str(exchange.response.status) if exchange.response else "no response"
    request = exchange.request
    return f"exchange {index}: {request.method} {request.url} -> {answer}"


def _status_details(result: CheckResult) -> StatusDetails | None:
    trace = [f"requirement: {result.requirement}"]
    if result.clause:
        trace.append(f"clause: {result.clause}")
    if result.rerun:
        trace.append(f"rerun: {result.rerun}")
    if result.status == Status.PASS and not result.message:
        return None
    if result.status == Status.WAIVED:
        return StatusDetails(known=True, message=waived_text(result), trace="\n".join(trace))
    return StatusDetails(
        message=result.message or None, trace="\n".join(trace), flaky=result.flaky or None
    )


_SEVERITY_ORDER = (Status.PASS, Status.SKIP, Status.WAIVED, Status.FAIL, Status.ERROR)


def _case_status(checks: list[CheckResult]) -> Status:
    """A case is as bad as its worst check: ERROR, then FAIL, then SKIP, then PASS."""
    return max((Status(check.status) for check in checks), key=_SEVERITY_ORDER.index)


def _case_details(checks: list[CheckResult]) -> StatusDetails | None:
    """The first check that decided the case's status speaks for it."""
    status = _case_status(checks)
    if status == Status.PASS:
        return None
    deciding = next(check for check in checks if check.status == status)
    return _status_details(deciding)


def _labels(checks: list[CheckResult]) -> list[Label]:
    first = checks[0]
    labels = [
        Label(name=LabelType.SUITE, value=first.suite),
        Label(name=LabelType.SEVERITY, value=Severity.NORMAL.value),
        Label(name=LabelType.FRAMEWORK, value="crr-harness"),
    ]
    labels += [Label(name=LabelType.TAG, value=i) for i in dict.fromkeys(c.id for c in checks)]
    service = service_of(first.operation)
    if service:
        labels.append(Label(name=LabelType.FEATURE, value=service))
    if first.operation:
        labels.append(Label(name=LabelType.STORY, value=first.operation))
    if any(check.status == Status.SKIP and check.declared_skip for check in checks):
        labels.append(Label(name=LabelType.TAG, value="declared-skip"))
    return labels


def _parameters(checks: list[CheckResult]) -> list[Parameter]:
    first = checks[0]
    parameters = []
    if first.operation:
        parameters.append(Parameter(name="operation", value=first.operation))
    participants = sorted({exchange.participant for c in checks for exchange in c.evidence})
    if participants:
        parameters.append(Parameter(name="participant", value=", ".join(participants)))
    return parameters


def _attach(
    owner: TestResult | TestStepResult,
    check: CheckResult,
    logger: AllureFileLogger,
    seen: dict[str, str],
) -> None:
    """Attach the check's exchanges; an exchange already attached in this case is reused."""
    for index, exchange in enumerate(check.evidence, start=1):
        body = json.dumps(exchange.to_dict(check.body_limit), indent=2, ensure_ascii=False)
        file_name = seen.get(body)
        if file_name is None:
            file_name = ATTACHMENT_PATTERN.format(prefix=uuid4(), ext=AttachmentType.JSON.extension)
            logger.report_attached_data(body=body, file_name=file_name)
            seen[body] = file_name
        owner.attachments.append(
            Attachment(
                name=_exchange_title(index, exchange),
                source=file_name,
                type=AttachmentType.JSON.mime_type,
            )
        )


def _test_result(
    case: str,
    checks: list[CheckResult],
    logger: AllureFileLogger,
    start: int | None,
    evidence: str,
) -> TestResult:
    """One Allure test per case; each check applied to it is a step with its own status."""
    status = _case_status(checks)
    test = TestResult(
        uuid=uuid4(),
        name=case,
        fullName=case,
        historyId=md5(case),
        testCaseId=md5(case),
        status=STATUS[status],
        statusDetails=_case_details(checks),
        stage="finished",
        labels=_labels(checks),
        parameters=_parameters(checks),
        titlePath=[checks[0].suite, group_of(checks[0])[1]],
    )
    seen: dict[str, str] = {}
    for check in checks:
        step = TestStepResult(
            name=f"{check.id}: {check.requirement}",
            status=STATUS[Status(check.status)],
            statusDetails=_status_details(check),
            stage="finished",
        )
        if evidence == "all" or check.status in (Status.FAIL, Status.ERROR):
            _attach(step, check, logger, seen)
        test.steps.append(step)
    if start is not None:
        # The model keeps no per-check timestamps: place every case at the
        # run's start, lasting as long as its exchanges did on the wire.
        test.start = start
        test.stop = start + round(sum(e.elapsed_ms for c in checks for e in c.evidence))
        for step in test.steps:
            step.start, step.stop = test.start, test.stop
    return test


def _property_escape(text: str, key: bool = False) -> str:
    """Java .properties escaping, which Allure uses to read environment.properties."""
    out = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    if key:
        for char in " =:#!":
            out = out.replace(char, "\\" + char)
    return out


def _environment(report: RunReport) -> dict[str, str]:
    values = {
        "harness.version": report.harness_version,
        "run.id": report.run_id,
        "verdict": str(report.verdict),
        "seed": str(report.seed),
        "started_at": report.started_at,
        "finished_at": report.finished_at or "(not finished)",
    }
    for name, value in report.target.items():
        if isinstance(value, str | int | float | bool):
            values[f"target.{name}"] = str(value)
    for spec in report.specs:
        values[f"spec.{spec.service}"] = f"{spec.file} {spec.version} sha256:{spec.sha256}"
    return values


def write_allure_results(report: RunReport, directory: Path, evidence: str = "failures") -> Path:
    """Write ``directory`` afresh: its previous contents are removed first.

    Clearing matters because the runner rewrites the reports after each
    suite: Allure would otherwise show every earlier write's results again.
    ``evidence`` is ``"failures"`` (exchanges attached to FAIL and ERROR
    checks only, which keeps a full run's results small) or ``"all"``.
    """
    if evidence not in EVIDENCE:
        raise ValueError(f"evidence must be one of {EVIDENCE}, not {evidence!r}")
    if directory.exists():
        shutil.rmtree(directory)
    logger = AllureFileLogger(directory)
    start = _epoch_ms(report.started_at)
    cases: dict[str, list[CheckResult]] = {}
    for result in report.results:
        cases.setdefault(result.case, []).append(result)
    for case, checks in cases.items():
        logger.report_result(_test_result(case, checks, logger, start, evidence))
    lines = [
        f"{_property_escape(name, key=True)}={_property_escape(value)}"
        for name, value in _environment(report).items()
    ]
    write_text_atomic(directory / "environment.properties", "\n".join(lines) + "\n")
    return directory
