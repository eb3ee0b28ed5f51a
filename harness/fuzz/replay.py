"""Replaying a finding: its stored requests sent again, its check run again on the last answer.

A fuzz finding's evidence (report.json, ``checks[].evidence``) holds the
exact requests: method, path, query, body bytes, and which participant sent
them; a stateful finding holds the chain that led to the failing request.
``replay_finding`` sends them in order to the target of ``config`` (after
the same setup as a fuzz run: the operator opens the windows), as the same
participants, and judges the last answer with the finding's check. The seed
reproduces a whole run; this reproduces exactly one request, whatever has
changed in the generator since.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from crr_contract.error_catalog import ErrorCatalog
from crr_contract.operations import Operation
from harness.checks import REGISTRY, CheckContext, run_checks
from harness.checks.fuzzing import FuzzedExchange, query_params, request_problems
from harness.client import TargetClient
from harness.errors import InputError
from harness.fuzz.findings import parse_finding_id
from harness.fuzz.target_state import open_windows
from harness.results import Status
from harness.target.config import TargetConfig

__all__ = ["ReplayOutcome", "find_finding", "replay_finding"]


@dataclass(frozen=True, slots=True)
class ReplayOutcome:
    """What replaying a finding gave: its check's verdict on the last answer."""

    finding: str
    check_id: str
    status: Status | None
    """FAIL or ERROR: reproduced; PASS: the check held; None: it did not apply to the answer."""
    message: str
    exchanges: tuple[FuzzedExchange, ...]

    @property
    def reproduced(self) -> bool:
        return self.status in (Status.FAIL, Status.ERROR)


def find_finding(report: Mapping[str, Any], finding: str) -> Mapping[str, Any]:
    """The failed result of ``finding`` (``<check>@<operation>``) in a report.json."""
    try:
        check_id, operation = parse_finding_id(finding)
    except ValueError as exc:
        raise InputError(f"--replay: {exc}") from None
    known = []
    for entry in report.get("checks") or ():
        if entry.get("status") not in ("FAIL", "ERROR") or not entry.get("evidence"):
            continue
        name = f"{entry.get('id')}@{entry.get('operation')}"
        known.append(name)
        if entry.get("id") == check_id and entry.get("operation") == operation:
            return entry
    listed = ", ".join(sorted(set(known))[:8]) or "none"
    raise InputError(f"--replay: no finding {finding} in the report (findings: {listed})")


def _body(recorded: Mapping[str, Any]) -> bytes:
    if recorded.get("truncated"):
        raise InputError("--replay: the request body was cut in the report; it cannot be replayed")
    if "base64" in recorded:
        return base64.b64decode(recorded["base64"])
    return str(recorded.get("text") or "").encode("utf-8")


def replay_finding(config: TargetConfig, report: Mapping[str, Any], finding: str) -> ReplayOutcome:
    """Send the finding's evidence again to ``config``'s target and judge the last answer."""
    entry = find_finding(report, finding)
    check_id = str(entry["id"])
    if check_id not in REGISTRY:
        raise InputError(f"--replay: check {check_id} is not known to this harness")
    specs = config.load_specs()
    operations = {(op.method, op.path): op for spec in specs for op in spec.operations()}
    catalog = ErrorCatalog.load(config.specs_dir / "errors" / "catalog.yaml")
    context = CheckContext(config, catalog, config.specs_dir / "schemas")
    sent: list[FuzzedExchange] = []
    with TargetClient(config) as client:
        every = [op for spec in specs for op in spec.operations()]
        open_windows(client, every, lambda _exchange: None)
        for recorded in entry["evidence"]:
            request = recorded.get("request") if isinstance(recorded, Mapping) else None
            if not isinstance(request, Mapping) or not {"method", "url"} <= set(request):
                raise InputError(f"--replay: the evidence of {finding} holds no request record")
            path = urlsplit(str(request["url"])).path
            operation: Operation | None = operations.get((request["method"], path))
            if operation is None:
                raise InputError(
                    f"--replay: {request['method']} {path} is not an operation of the declared specs"
                )
            try:
                participant = config.participant(str(recorded.get("participant")))
            except KeyError:
                raise InputError(
                    f"--replay: participant {recorded.get('participant')} is not in the target "
                    f"config"
                ) from None
            headers = {
                k: v
                for k, v in (request.get("headers") or {}).items()
                if k.lower() == "content-type"
            }
            body = _body(request.get("body") or {})
            url = str(request["url"])
            exchange = client.request(
                participant,
                request["method"],
                path,
                operation=operation,
                params=query_params(url),
                content=body or None,
                headers=headers,
            )
            sent.append(
                FuzzedExchange(
                    operation,
                    participant,
                    exchange.record,
                    exchange.params,
                    exchange.body,
                    generation="replay",
                    problems=tuple(request_problems(operation, exchange.record.request)),
                )
            )
    outcomes = run_checks(sent[-1], context, [check_id])
    if not outcomes:
        status = sent[-1].status
        return ReplayOutcome(
            finding,
            check_id,
            None,
            f"{check_id} does not apply to the answer (HTTP {status})",
            tuple(sent),
        )
    outcome = outcomes[0]
    message = outcome.message or f"{check_id} held (HTTP {sent[-1].status})"
    return ReplayOutcome(finding, check_id, outcome.status, message, tuple(sent))
