"""What a run found: one ``CheckResult`` per check applied to a case, gathered in a ``RunReport``.

These records are the contract between the suites (which produce them) and
the report writers (which only read them), and their ``to_dict`` form is
``report.json`` as ARCHITECTURE.md defines it. A verdict is PASS only when
every result is PASS or a SKIP for a reason the target declared (a service
it does not implement, no sim-control API); a FAIL or an ERROR (the harness
could not run the check) makes it FAIL.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

__all__ = [
    "CheckResult",
    "RecordedExchange",
    "RecordedRequest",
    "RecordedResponse",
    "RunReport",
    "SpecFileUsed",
    "StatedCheck",
    "Status",
    "Verdict",
    "new_run_id",
    "resolve_evidence",
]


def new_run_id(now: datetime | None = None) -> str:
    """Sortable and unique: UTC time to the second and a short random suffix."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{moment:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


BODY_LIMIT = 64 * 1024
"""Bodies longer than this are cut in the evidence of a failure (the length is kept)."""

PASS_BODY_LIMIT = 1024
"""The evidence of a PASS keeps this much of each body: enough to see what was exchanged,
small enough that a run of ten thousand checks stays a readable report."""


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    SKIP = "SKIP"
    ERROR = "ERROR"
    WAIVED = "WAIVED"
    """A FAIL or ERROR the target declared known and accepted (``harness.waivers``); it is
    counted apart and does not fail the verdict, and the check keeps its evidence."""


class Verdict(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"


def _body_text(body: bytes, limit: int = BODY_LIMIT) -> dict[str, Any]:
    """A body as evidence: text when it decodes, base64 otherwise, cut at ``limit``."""
    shown = body[:limit]
    record: dict[str, Any] = {"length": len(body)}
    try:
        record["text"] = shown.decode("utf-8")
    except UnicodeDecodeError:
        record["base64"] = base64.b64encode(shown).decode("ascii")
    if len(body) > limit:
        record["truncated"] = True
    return record


def _share(exchange: dict[str, Any], shared: dict[str, dict[str, Any]]) -> str:
    """Store ``exchange`` in ``shared`` under its content hash and return the hash."""
    text = json.dumps(exchange, sort_keys=True, ensure_ascii=False)
    ref = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    shared.setdefault(ref, exchange)
    return ref


def resolve_evidence(check: Mapping[str, Any], report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A check's evidence from a loaded report.json, references replaced by the exchanges."""
    shared = report.get("exchanges") or {}
    evidence = check.get("evidence") or []  # a hand-made or trimmed report may omit it
    return [
        shared.get(item["ref"], item) if isinstance(item, Mapping) and "ref" in item else item
        for item in evidence
    ]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""

    def to_dict(self, body_limit: int = BODY_LIMIT) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "headers": dict(self.headers),
            "body": _body_text(self.body, body_limit),
        }


@dataclass(frozen=True, slots=True)
class RecordedResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes = b""

    def json(self) -> Any:
        """The body parsed as JSON (``ValueError`` when it is not JSON)."""
        return json.loads(self.body)

    def to_dict(self, body_limit: int = BODY_LIMIT) -> dict[str, Any]:
        return {
            "status": self.status,
            "headers": dict(self.headers),
            "body": _body_text(self.body, body_limit),
        }


@dataclass(frozen=True, slots=True)
class RecordedExchange:
    """One request the harness sent and what came back (``response`` None: no answer)."""

    participant: str
    request: RecordedRequest
    response: RecordedResponse | None
    elapsed_ms: float
    transport_error: str | None = None

    def to_dict(self, body_limit: int = BODY_LIMIT) -> dict[str, Any]:
        return {
            "participant": self.participant,
            "request": self.request.to_dict(body_limit),
            "response": self.response.to_dict(body_limit) if self.response else None,
            "elapsed_ms": round(self.elapsed_ms, 3),
            "transport_error": self.transport_error,
        }


class StatedCheck(Protocol):
    """A check as a result cites it: a registered check, or a layer of ``connect``."""

    @property
    def id(self) -> str: ...

    @property
    def requirement(self) -> str: ...


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check applied to one case: the unit every report counts.

    ``case`` names what was exercised ("auction.getPortfolio as alpha_lse-rw:
    spec example"); ``clause`` points into the spec file that the check read
    (file#/json/pointer); ``rerun`` is a command that runs just this case.
    """

    id: str
    suite: str
    case: str
    requirement: str
    status: Status
    message: str = ""
    operation: str | None = None
    clause: str | None = None
    evidence: tuple[RecordedExchange, ...] = ()
    rerun: str | None = None
    declared_skip: bool = False
    """For a SKIP: the reason is one the target declared, so the verdict may still be PASS."""
    waiver: Mapping[str, Any] | None = None
    """For a WAIVED: the waiver that applied and the status the check had (``status``)."""
    reruns: tuple[str, ...] = ()
    """For a FAIL or ERROR under ``certify --repeat``: the check's status in each rerun."""

    @classmethod
    def of(
        cls,
        check: StatedCheck,
        suite: str,
        case: str,
        status: Status,
        message: str,
        requirement: str | None = None,
        **details: Any,
    ) -> CheckResult:
        """A result of ``check``: its ID, and its requirement text unless the case states a
        narrower one (a scenario step's own requirement)."""
        text = check.requirement if requirement is None else requirement
        return cls(check.id, suite, case, text, status, message, **details)

    @property
    def flaky(self) -> bool:
        """Failed, then passed on a rerun: still a failure, but not a reproducible one."""
        return self.status in (Status.FAIL, Status.ERROR) and str(Status.PASS) in self.reruns

    @property
    def body_limit(self) -> int:
        """How much of each body its evidence keeps: all that matters for a failure."""
        return PASS_BODY_LIMIT if self.status in (Status.PASS, Status.SKIP) else BODY_LIMIT

    @property
    def key(self) -> str:
        """Unique within a run: the case and the check."""
        return f"{self.case} [{self.id}]"

    @property
    def evidence_shared(self) -> bool:
        """A PASS or SKIP keeps its evidence by reference: many checks judge one exchange."""
        return self.status in (Status.PASS, Status.SKIP)

    def to_dict(self, shared: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
        """The check as report.json holds it.

        With ``shared``, the evidence of a PASS or SKIP is stored there once
        under a content hash and the check holds ``{"ref": hash}``; a FAIL or
        ERROR always holds its own full evidence, so nothing a failure needs
        is ever a lookup away.
        """
        evidence = [exchange.to_dict(self.body_limit) for exchange in self.evidence]
        if shared is not None and self.evidence_shared:
            evidence = [{"ref": _share(item, shared)} for item in evidence]
        record = {
            "id": self.id,
            "key": self.key,
            "suite": self.suite,
            "case": self.case,
            "requirement": self.requirement,
            "operation": self.operation,
            "clause": self.clause,
            "status": str(self.status),
            "message": self.message,
            "declared_skip": self.declared_skip,
            "rerun": self.rerun,
            "evidence": evidence,
        }
        if self.waiver is not None:
            record["waiver"] = dict(self.waiver)
        if self.reruns:
            record["reruns"] = list(self.reruns)
            record["flaky"] = self.flaky
        return record


@dataclass(frozen=True, slots=True)
class SpecFileUsed:
    file: str
    service: str
    version: str
    sha256: str
    rule_sources: Mapping[str, Mapping[str, int]] | None = None
    """How many operations took roles, error codes and body limit from each source
    (extension, overlay, tag, description, default): a CAISO file judged by derived rules
    says so in the report."""
    overlays: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "file": self.file,
            "service": self.service,
            "version": self.version,
            "sha256": self.sha256,
        }
        if self.rule_sources is not None:
            found["rule_sources"] = {k: dict(v) for k, v in self.rule_sources.items()}
        if self.overlays:
            found["overlays"] = list(self.overlays)
        return found


@dataclass(slots=True)
class RunReport:
    """A whole run; ``results`` grows as the suites go, so an interrupted run still reports."""

    run_id: str
    command: str
    harness_version: str
    target: Mapping[str, Any]
    specs: Sequence[SpecFileUsed]
    started_at: str
    seed: int
    suites: Sequence[str]
    finished_at: str | None = None
    interrupted: bool = False
    results: list[CheckResult] = field(default_factory=list)
    waivers: list[Mapping[str, Any]] | None = None
    """What each declared waiver did (applied, expired, stale); None: no waivers file."""
    preflight: list[dict[str, Any]] = field(default_factory=list)
    """The test-data contract as judged before the suites ran (``harness.certify.preflight``)."""
    coverage: Mapping[str, Any] | None = None
    """What the run tested (``harness.coverage``), recomputed each time the reports are written."""
    min_coverage: float | None = None
    """``certify --min-coverage``: the (operation, error code) share below which the verdict
    is FAIL even when every check passed; None: no minimum."""

    def counts(self) -> Counter[Status]:
        return Counter(result.status for result in self.results)

    @property
    def code_coverage(self) -> float | None:
        """The share of (operation, error code) pairs the run provoked; None: not computed."""
        if not self.coverage:
            return None
        return float(self.coverage["totals"]["codes"]["ratio"])

    @property
    def below_min_coverage(self) -> bool:
        """A minimum was set and the run's error-code coverage is known to fall short of it."""
        ratio = self.code_coverage
        return self.min_coverage is not None and ratio is not None and ratio < self.min_coverage

    @property
    def verdict(self) -> Verdict:
        """PASS: nothing failed or errored (a WAIVED is neither), every skip declared, the run
        was complete, and it tested at least the minimum coverage asked for."""
        if self.interrupted or not self.results or self.below_min_coverage:
            return Verdict.FAIL
        for result in self.results:
            if result.status in (Status.FAIL, Status.ERROR):
                return Verdict.FAIL
            if result.status is Status.SKIP and not result.declared_skip:
                return Verdict.FAIL
        return Verdict.PASS

    def summary(self) -> dict[str, Any]:
        counts = self.counts()
        return {
            "total": len(self.results),
            "passed": counts[Status.PASS],
            "failed": counts[Status.FAIL],
            "skipped": counts[Status.SKIP],
            "errors": counts[Status.ERROR],
            "waived": counts[Status.WAIVED],
            "flaky": sum(1 for result in self.results if result.flaky),
            "verdict": str(self.verdict),
            "interrupted": self.interrupted,
            **(
                {
                    "min_coverage": self.min_coverage,
                    "code_coverage": self.code_coverage,
                    "below_min_coverage": self.below_min_coverage,
                }
                if self.min_coverage is not None
                else {}
            ),
        }

    def to_dict(self) -> dict[str, Any]:
        """report.json; ``exchanges`` holds the evidence PASS and SKIP checks refer to."""
        shared: dict[str, dict[str, Any]] = {}
        return {
            "run_id": self.run_id,
            "command": self.command,
            "harness_version": self.harness_version,
            "target": dict(self.target),
            "specs": [spec.to_dict() for spec in self.specs],
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "seed": self.seed,
            "suites": list(self.suites),
            "summary": self.summary(),
            "preflight": [dict(row) for row in self.preflight],
            **({"coverage": dict(self.coverage)} if self.coverage is not None else {}),
            "checks": [result.to_dict(shared) for result in self.results],
            "exchanges": shared,
            **({"waivers": [dict(w) for w in self.waivers]} if self.waivers is not None else {}),
        }
