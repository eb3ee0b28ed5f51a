"""Checks as plain named functions in a registry, each with a stable ID and the clause it verifies.

A check looks at one ``Exchange`` and either returns (it holds), raises
``CheckFailed`` (it does not: the message says how, the clause where in
the spec) or raises ``NotApplicable`` (nothing to judge, e.g. an error
check on a 200). IDs are a contract: reports, ``-k`` selection and the
mutation self-test name checks by them, so an ID is never reused for a
different rule.

Every ID, with its title and requirement text, is data in
``requirements.yaml``, read when this module is imported: ``REGISTRY`` is
complete before any suite is, so ``certify --list-checks`` and the reports
need nothing else. Code only binds a function to an ID (``@check``) or
looks up an ID a suite judges itself (``case_check``); an ID the file does
not list is refused at import.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from crr_contract.error_catalog import ErrorCatalog
from crr_contract.operations import Operation
from crr_contract.pointer import join
from harness.checks.requirements import Producer, Requirement, load_requirements
from harness.client import Exchange
from harness.registry import Registry
from harness.results import Status
from harness.target.config import TargetConfig

__all__ = [
    "FAMILIES",
    "PRODUCERS",
    "REGISTRY",
    "Check",
    "CheckContext",
    "CheckFailed",
    "CheckOutcome",
    "NotApplicable",
    "UnknownCheckError",
    "bound_checks",
    "case_check",
    "check",
    "claimed_case_checks",
    "operation_clause",
    "run_check",
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


CheckFunction = Callable[[Exchange, CheckContext], str | None]
"""Raises ``CheckFailed`` or ``NotApplicable``, or returns: a PASS, whose message is the
returned text when the check has something to note that does not fail it (RSP-004)."""


@dataclass(frozen=True, slots=True)
class Check(Requirement):
    """A check of ``requirements.yaml`` as the harness runs it: its entry, and its function."""

    @property
    def function(self) -> CheckFunction | None:
        """The function bound to this ID; None for a check a suite judges over a whole case
        (a scenario step's expectation, a business outcome, a market-wide invariant) rather
        than per exchange, or while the module that binds it is not imported."""
        return _FUNCTIONS.get(self.id)


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    check: Check
    status: Status
    message: str
    clause: str | None


class UnknownCheckError(LookupError):
    """Code names a check ID that ``requirements.yaml`` does not list, or as the wrong kind."""


_FILE = load_requirements()

REGISTRY: Registry[Check] = Registry("check")
"""Every check of ``requirements.yaml`` by ID, complete on import."""
for _entry in _FILE.checks:
    REGISTRY.register(
        _entry.id,
        Check(**{field.name: getattr(_entry, field.name) for field in dataclasses.fields(_entry)}),
    )

FAMILIES: Mapping[str, str] = _FILE.families
"""ID prefix -> what the family checks."""
PRODUCERS: tuple[Producer, ...] = _FILE.producers
"""The suites whose results carry check IDs, ``certify``'s in run order, then ``connect``."""

_FUNCTIONS: Registry[CheckFunction] = Registry("check function")
_CLAIMED: set[str] = set()


def _listed(check_id: str, kind: str) -> Check:
    entry = REGISTRY.get(check_id)
    if entry is None:
        raise UnknownCheckError(f"check ID {check_id} is not listed in requirements.yaml")
    if entry.kind != kind:
        raise UnknownCheckError(
            f"check ID {check_id} is judged per {entry.kind} in requirements.yaml, not per {kind}"
        )
    return entry


def check(check_id: str) -> Callable[[CheckFunction], CheckFunction]:
    """Bind ``function`` to ``check_id``, an exchange check of the file; bound once only."""
    _listed(check_id, "exchange")

    def register(function: CheckFunction) -> CheckFunction:
        return _FUNCTIONS.register(check_id, function)

    return register


def case_check(check_id: str) -> Check:
    """The check a suite judges itself under ``check_id``, for its results.

    The lookup is remembered so that a test can tell every case check of the
    file has code that produces it (``claimed_case_checks``).
    """
    entry = _listed(check_id, "case")
    _CLAIMED.add(check_id)
    return entry


def run_check(check_id: str) -> Check:
    """The check the certify run judges around every suite under ``check_id``."""
    entry = _listed(check_id, "run")
    _CLAIMED.add(check_id)
    return entry


def bound_checks() -> frozenset[str]:
    """The IDs with a function bound so far (every exchange check once ``harness.checks`` is)."""
    return frozenset(_FUNCTIONS)


def claimed_case_checks() -> frozenset[str]:
    """The case- and run-check IDs that imported code has looked up (``case_check``, ``run_check``)."""
    return frozenset(_CLAIMED)


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
    chosen = list(REGISTRY) if ids is None else sorted(ids)
    outcomes = []
    for check_id in chosen:
        entry = REGISTRY[check_id]
        if entry.function is None:
            continue
        try:
            note = entry.function(exchange, context)
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
            outcomes.append(CheckOutcome(entry, Status.PASS, note or "", None))
    return outcomes
