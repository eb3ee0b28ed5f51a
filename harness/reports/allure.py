"""``allure-results/``: the run in the format the Allure report generator reads.

Written with ``allure_commons``, the library allure-pytest itself uses, so the
files are exactly what ``allure generate`` expects: one ``*-result.json`` per
CheckResult, one ``*-attachment.json`` per recorded exchange, and an
``environment.properties`` for the run's context. The run is not a pytest
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
)
from allure_commons.model2 import Status as AllureStatus
from allure_commons.types import AttachmentType, LabelType, Severity
from allure_commons.utils import md5, uuid4

from harness.reports._atomic import write_text_atomic
from harness.reports._grouping import group_of, service_of
from harness.results import CheckResult, RecordedExchange, RunReport, Status

__all__ = ["STATUS", "write_allure_results"]

STATUS: Mapping[Status, str] = {
    Status.PASS: AllureStatus.PASSED,
    Status.FAIL: AllureStatus.FAILED,
    Status.ERROR: AllureStatus.BROKEN,
    Status.SKIP: AllureStatus.SKIPPED,
}
"""FAIL is a product defect (failed); ERROR means the harness could not judge (broken)."""


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
    return StatusDetails(message=result.message or None, trace="\n".join(trace))


def _labels(result: CheckResult) -> list[Label]:
    labels = [
        Label(name=LabelType.SUITE, value=result.suite),
        Label(name=LabelType.TAG, value=result.id),
        Label(name=LabelType.SEVERITY, value=Severity.NORMAL.value),
        Label(name=LabelType.FRAMEWORK, value="crr-harness"),
    ]
    service = service_of(result.operation)
    if service:
        labels.append(Label(name=LabelType.FEATURE, value=service))
    if result.operation:
        labels.append(Label(name=LabelType.STORY, value=result.operation))
    if result.status == Status.SKIP and result.declared_skip:
        labels.append(Label(name=LabelType.TAG, value="declared-skip"))
    return labels


def _parameters(result: CheckResult) -> list[Parameter]:
    parameters = [Parameter(name="check", value=result.id)]
    if result.operation:
        parameters.append(Parameter(name="operation", value=result.operation))
    participants = sorted({exchange.participant for exchange in result.evidence})
    if participants:
        parameters.append(Parameter(name="participant", value=", ".join(participants)))
    return parameters


def _test_result(result: CheckResult, logger: AllureFileLogger, start: int | None) -> TestResult:
    test = TestResult(
        uuid=uuid4(),
        name=f"{result.id}: {result.case}",
        fullName=result.key,
        historyId=md5(result.key),
        testCaseId=md5(result.key),
        description=result.requirement,
        status=STATUS[Status(result.status)],
        statusDetails=_status_details(result),
        stage="finished",
        labels=_labels(result),
        parameters=_parameters(result),
        titlePath=[result.suite, group_of(result)[1]],
    )
    if start is not None:
        # The model keeps no per-check timestamps: place every check at the
        # run's start, lasting as long as its exchanges did on the wire.
        test.start = start
        test.stop = start + round(sum(e.elapsed_ms for e in result.evidence))
    for index, exchange in enumerate(result.evidence, start=1):
        file_name = ATTACHMENT_PATTERN.format(prefix=uuid4(), ext=AttachmentType.JSON.extension)
        body = json.dumps(exchange.to_dict(result.body_limit), indent=2, ensure_ascii=False)
        logger.report_attached_data(body=body, file_name=file_name)
        test.attachments.append(
            Attachment(
                name=_exchange_title(index, exchange),
                source=file_name,
                type=AttachmentType.JSON.mime_type,
            )
        )
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


def write_allure_results(report: RunReport, directory: Path) -> Path:
    """Write ``directory`` afresh: its previous contents are removed first.

    Clearing matters because the runner rewrites the reports after each
    suite: Allure would otherwise show every earlier write's results again.
    """
    if directory.exists():
        shutil.rmtree(directory)
    logger = AllureFileLogger(directory)
    start = _epoch_ms(report.started_at)
    for result in report.results:
        logger.report_result(_test_result(result, logger, start))
    lines = [
        f"{_property_escape(name, key=True)}={_property_escape(value)}"
        for name, value in _environment(report).items()
    ]
    write_text_atomic(directory / "environment.properties", "\n".join(lines) + "\n")
    return directory
