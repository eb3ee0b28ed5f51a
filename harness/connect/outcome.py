"""One layer's finding (``Outcome``), what every probe above TCP shares (``Context``), and how
an HTTP answer is judged from the participant's side (``refusal``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from crr_contract.operations import Operation, ServiceSpec
from harness.checks.error_codes import error_codes_of
from harness.client import Exchange, TargetClient
from harness.connect.certs import CertificateFacts
from harness.connect.layers import SUITE, Layer
from harness.results import CheckResult, RecordedExchange, Status
from harness.session import Session
from harness.target.config import Participant, TargetConfig

__all__ = ["Context", "Outcome", "Probed", "describe_answer", "error_description", "refusal"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one layer (or one service of a per-service layer) found."""

    layer: Layer
    case: str
    status: Status
    summary: str
    cause: str = ""
    fix: str = ""
    warnings: tuple[str, ...] = ()
    operation: str | None = None
    clause: str | None = None
    evidence: tuple[RecordedExchange, ...] = ()
    declared_skip: bool = False
    checks: tuple[CheckResult, ...] = ()
    """The exchange checks (Session.judge) run on this layer's calls."""

    @property
    def message(self) -> str:
        if self.status is Status.FAIL:
            text = self.cause or self.summary
            if self.fix:
                text += f" — fix: {self.fix}"
        else:
            text = self.summary
        for warning in self.warnings:
            text += f" (warning: {warning})"
        return text

    def to_result(self, rerun: str | None) -> CheckResult:
        return CheckResult.of(
            self.layer,
            SUITE,
            self.case,
            self.status,
            self.message,
            operation=self.operation,
            clause=self.clause,
            evidence=self.evidence,
            rerun=rerun,
            declared_skip=self.declared_skip,
        )


@dataclass(frozen=True, slots=True)
class Probed:
    """The calls one probe made and what the exchange checks made of them.

    Whatever a read or write probe concludes (refused, passed, the draft left
    behind), its outcome cites the same operation, clause, evidence and checks.
    """

    layer: Layer
    case: str
    operation: Operation
    clause: str
    evidence: tuple[RecordedExchange, ...]
    checks: tuple[CheckResult, ...]

    def outcome(self, status: Status, summary: str, cause: str = "", fix: str = "") -> Outcome:
        """The layer's outcome: ``status`` with ``summary`` (and, for a FAIL, cause and fix)."""
        return Outcome(
            self.layer,
            self.case,
            status,
            summary,
            cause=cause,
            fix=fix,
            operation=self.operation.name,
            clause=self.clause,
            evidence=self.evidence,
            checks=self.checks,
        )


@dataclass
class Context:
    """Everything the identity, read and write probes need."""

    config: TargetConfig
    participant: Participant
    facts: CertificateFacts
    client: TargetClient
    session: Session
    specs: Mapping[str, ServiceSpec]
    """Declared CAISO service → its spec (sim control left out)."""
    run_id: str
    now: datetime
    judge: Callable[[str, list[Exchange]], tuple[CheckResult, ...]] = field(repr=False)

    @property
    def role(self) -> str:
        return self.participant.role

    def allowed(self, operation: Operation) -> bool:
        return self.role in operation.roles


def error_description(exchange: Exchange) -> str:
    body = exchange.json()
    if isinstance(body, dict):
        details = body.get("errorDetails")
        if isinstance(details, list) and details and isinstance(details[0], dict):
            return str(details[0].get("errorDescription") or "")
        if body.get("errorDescription"):
            return str(body["errorDescription"])
    return ""


def codes(exchange: Exchange) -> list[str]:
    if exchange.response is None or exchange.response.status < 400:
        return []
    return error_codes_of(exchange.json()) or []


def describe_answer(exchange: Exchange) -> str:
    """``HTTP 404 MKT0001 (no such market)``."""
    if exchange.response is None:
        return f"no answer ({exchange.record.transport_error})"
    text = f"HTTP {exchange.response.status}"
    found = list(dict.fromkeys(codes(exchange)))
    if found:
        text += f" {', '.join(found)}"
        description = error_description(exchange)
        if description:
            text += f" ({description})"
    return text


_ROLE_CODES = {"SEC0001", "ATH0002"}


def refusal(exchange: Exchange, context: Context) -> tuple[str, str] | None:
    """Cause and fix when the answer shows the path does not work for this caller.

    A transport error, a 5xx and a 403 do; any other answer (a 4xx about
    the request's data included) proves the call reached the service.
    """
    operation = exchange.operation
    name = operation.operation_id if operation else exchange.record.request.url
    participant = context.participant
    if exchange.response is None:
        return (
            f"{name} got no HTTP answer: {exchange.record.transport_error}",
            "the lower layers passed a moment ago: retry; if it persists send this report to "
            "your CAISO POC",
        )
    status = exchange.response.status
    found = set(codes(exchange))
    answer = describe_answer(exchange)
    if status >= 500:
        return (
            f"the server failed on {name}: {answer}",
            "this is on CAISO's side: send this report (run id, time) to your CAISO POC",
        )
    if status == 403 and found & _ROLE_CODES:
        user = f" (user {context.facts.user})" if context.facts.user else ""
        return (
            f"the server refused role {participant.role} for {name}, which the spec allows that "
            f"role to call: the role is not provisioned for your certificate — {answer}",
            f"ask your CAISO UAA to provision role {participant.role} for {participant.name}"
            f"{user} in AIM",
        )
    if status == 403 and "SEC0002" in found:
        return (
            f"the server says your certificate is not provisioned for participant "
            f"{participant.name}: {answer}",
            f"act as the participant your certificate was issued for (subject O="
            f"{context.facts.participant or '?'}) with --participant-name, or ask your CAISO UAA "
            f"to provision the certificate for {participant.name}",
        )
    if status in (401, 403):
        return (
            f"the server refused {name}: {answer}",
            "ask your CAISO UAA/POC what the refusal means for your certificate",
        )
    return None
