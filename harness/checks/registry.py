"""Checks as plain named functions in a registry, each with a stable ID and the clause it verifies.

A check looks at one ``Exchange`` and either returns (it holds), raises
``CheckFailed`` (it does not: the message says how, the clause where in
the spec) or raises ``NotApplicable`` (nothing to judge, e.g. an error
check on a 200). IDs are a contract: reports, ``-k`` selection and the
mutation self-test name checks by them, so an ID is never reused for a
different rule. ``REQUIREMENTS`` lists every ID with its requirement text,
for ``certify --list-checks`` and for the reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from crr_contract.error_catalog import ErrorCatalog
from crr_contract.operations import Operation
from crr_contract.pointer import join
from harness.client import Exchange
from harness.results import Status
from harness.target.config import TargetConfig

__all__ = [
    "REGISTRY",
    "Check",
    "CheckContext",
    "CheckFailed",
    "CheckOutcome",
    "NotApplicable",
    "case_check",
    "check",
    "operation_clause",
    "run_checks",
]


class CheckFailed(Exception):
    """The exchange breaks the check's rule; ``clause`` points at the spec text it breaks."""

    def __init__(self, message: str, clause: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.clause = clause


class NotApplicable(Exception):
    """The check has nothing to judge in this exchange."""


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What checks may consult besides the exchange: the declaration and the spec catalog."""

    config: TargetConfig
    catalog: ErrorCatalog
    schemas_dir: Path


CheckFunction = Callable[[Exchange, CheckContext], None]


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    title: str
    requirement: str
    """The rule in words, with the spec clause or catalog field it comes from."""
    function: CheckFunction | None
    """None for a check a suite judges over a whole case (a scenario step's expectation,
    a business outcome, a market-wide invariant) rather than per exchange."""


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    check: Check
    status: Status
    message: str
    clause: str | None


REGISTRY: dict[str, Check] = {}


def check(check_id: str, title: str, requirement: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register ``function`` under ``check_id``; two checks may not share an ID."""

    def register(function: CheckFunction) -> CheckFunction:
        if check_id in REGISTRY:
            raise ValueError(f"check ID {check_id} registered twice")
        REGISTRY[check_id] = Check(check_id, title, requirement, function)
        return function

    return register


def case_check(check_id: str, title: str, requirement: str) -> Check:
    """Register a check that suites judge themselves; returns it for their results."""
    if check_id in REGISTRY:
        raise ValueError(f"check ID {check_id} registered twice")
    REGISTRY[check_id] = Check(check_id, title, requirement, None)
    return REGISTRY[check_id]


_SOURCE_LABELS = {
    "tag": "its read/write tag (roles.yaml)",
    "description": "the CRRServiceException description",
    "overlay": "{annotation} (from an overlay)",
    "default": "{annotation} (stated nowhere)",
}


def rule_label(operation: Operation, annotation: str) -> str:
    """How a failure message names a rule: ``x-roles`` when the file states it, else its source."""
    derived = operation.source_of(annotation)
    if derived is None or derived.source == "extension":
        return annotation
    return _SOURCE_LABELS[derived.source].format(annotation=annotation)


def operation_clause(operation: Operation, *parts: object) -> str:
    """``file#/paths/<path>/<method>/...``: where in the declared spec file a rule is written.

    For a rule the file does not state as our annotation (``x-roles`` of a
    CAISO file), the clause is where it was derived from instead: the
    operation's read/write tag, the ``CRRServiceException`` description, an
    overlay or the catalog's default (``Operation.provenance``).
    """
    if len(parts) == 1 and isinstance(parts[0], str):
        derived = operation.source_of(parts[0])
        if derived is not None and derived.source != "extension":
            return f"{derived.where} ({derived.source})"
    pointer = join(("paths", operation.path, operation.method.lower(), *parts))
    return f"{operation.spec.file}#{pointer}"


def run_checks(
    exchange: Exchange, context: CheckContext, ids: Iterable[str] | None = None
) -> list[CheckOutcome]:
    """Every applicable registered check (or those of ``ids``) on ``exchange``, in ID order.

    A check that crashes is an ERROR of that check (the harness could not
    judge), never a PASS.
    """
    chosen = sorted(REGISTRY) if ids is None else sorted(ids)
    outcomes = []
    for check_id in chosen:
        entry = REGISTRY[check_id]
        if entry.function is None:
            continue
        try:
            entry.function(exchange, context)
        except NotApplicable:
            continue
        except CheckFailed as failure:
            outcomes.append(CheckOutcome(entry, Status.FAIL, failure.message, failure.clause))
        except Exception as exc:
            outcomes.append(
                CheckOutcome(
                    entry, Status.ERROR, f"check crashed: {type(exc).__name__}: {exc}", None
                )
            )
        else:
            outcomes.append(CheckOutcome(entry, Status.PASS, "", None))
    return outcomes
