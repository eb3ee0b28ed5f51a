"""The records a diff produces: raw findings, classified changes, the result."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from crr_contract.version import BUMP_LEVELS

NO_BUMP = "NONE"


class Verdict(StrEnum):
    """How the actual version bump compares with the one the changes require."""

    OK = "OK"
    UNDER_BUMPED = "UNDER_BUMPED"
    OVER_BUMPED = "OVER_BUMPED"
    INVALID = "INVALID"

    @property
    def breaks_rule(self) -> bool:
        return self in (Verdict.UNDER_BUMPED, Verdict.INVALID)


@dataclass(frozen=True)
class SchemaSubject:
    """The two whole schemas a schema finding was found in, to build a witness from.

    ``path`` leads from the schemas' root to the change (``properties``,
    ``name``, ``maxLength``); ``direction`` says who sends the instances.
    """

    old: Any
    new: Any
    direction: str
    path: tuple[str, ...]
    root: str | None = None  # the component the schemas are, when cut down to it


@dataclass(frozen=True)
class Witness:
    """A JSON instance that shows a breaking schema change.

    Request side: a payload an existing client sends, accepted by the old
    schema and rejected by the new one. Response side: a response the new
    schema allows and the old one (the one existing clients validate
    against) rejects. ``instance`` is None when none could be made, and
    ``note`` says why.
    """

    instance: Any
    accepted_by: str  # old | new
    rejected_by: str
    note: str | None = None
    accepting_schema: Any = field(default=None, compare=False, repr=False)
    rejecting_schema: Any = field(default=None, compare=False, repr=False)
    schema: str | None = None  # the component it is an instance of; None: the whole body

    @property
    def found(self) -> bool:
        return self.note is None

    def to_dict(self) -> dict[str, Any]:
        if not self.found:
            return {"instance": None, "note": self.note}
        return {
            "instance": self.instance,
            "schema": self.schema,
            "accepted_by": self.accepted_by,
            "rejected_by": self.rejected_by,
        }


@dataclass(frozen=True)
class Finding:
    """One difference, named by its rule id; the policy decides its bump later.

    ``path`` is relative to whatever is being compared (an operation, a
    schema); callers prefix it. ``covers`` lists further paths the finding
    explains (a property that became required also explains the ``required``
    list), for the proof that no difference went unclassified.
    """

    rule: str
    path: tuple[str, ...]
    message: str
    origin: str | None = None
    operation_id: str | None = None
    covers: tuple[tuple[str, ...], ...] = ()
    subject: SchemaSubject | None = field(default=None, compare=False, repr=False)

    def under(self, *prefix: str) -> Finding:
        """The same finding seen from ``prefix`` levels higher."""
        return replace(
            self,
            path=(*prefix, *self.path),
            covers=tuple((*prefix, *c) for c in self.covers),
        )


@dataclass(frozen=True)
class Change:
    """A classified change: rule, bump, where, and why it needs that bump."""

    rule: str
    bump: str
    location: str
    message: str
    rationale: str
    direction: str
    operation_id: str | None = None
    origin: str | None = None
    witness: Witness | None = None

    def to_dict(self) -> dict[str, Any]:
        extra = {"witness": self.witness.to_dict()} if self.witness is not None else {}
        return {
            **extra,
            "kind": self.rule,
            "rule": self.rule,
            "bump": self.bump,
            "location": self.location,
            "operationId": self.operation_id,
            "origin": self.origin,
            "direction": self.direction,
            "message": self.message,
            "rationale": self.rationale,
        }


@dataclass
class DiffResult:
    """Everything ``crr-harness diff`` reports about one pair of files."""

    kind: str  # openapi | jsonschema | catalog
    name: str  # service key, schema name or "catalog"
    old_file: str
    new_file: str
    old_version: str | None
    new_version: str | None
    changes: list[Change] = field(default_factory=list)
    required_bump: str = NO_BUMP
    actual_bump: str = NO_BUMP
    verdict: Verdict = Verdict.OK
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    breaks_rule: bool = False

    def counts(self) -> dict[str, int]:
        """How many changes need each bump."""
        return {level: sum(1 for c in self.changes if c.bump == level) for level in BUMP_LEVELS}

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "old_file": self.old_file,
            "new_file": self.new_file,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "required_bump": self.required_bump,
            "actual_bump": self.actual_bump,
            "verdict": self.verdict.value,
            "breaks_rule": self.breaks_rule,
            "problems": list(self.problems),
            "warnings": list(self.warnings),
            "counts": self.counts(),
            "changes": [c.to_dict() for c in self.changes],
        }


def largest_bump(bumps: list[str]) -> str:
    """The largest of ``bumps`` (MAJOR > MINOR > MINI), NONE when empty."""
    for level in BUMP_LEVELS:
        if level in bumps:
            return level
    return NO_BUMP


def bump_rank(bump: str) -> int:
    """3 for MAJOR down to 0 for NONE, to compare bumps."""
    return len(BUMP_LEVELS) - BUMP_LEVELS.index(bump) if bump in BUMP_LEVELS else 0
