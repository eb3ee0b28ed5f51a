"""The one exception the engine raises, carrying catalog error codes.

Every business rule the engine enforces ends in a :class:`DomainError`
whose ``code`` is a code of ``specs/errors/catalog.yaml``. The API layer
maps the code to the HTTP status and severity the catalog gives it, so the
engine never decides how an error travels, only which rule was broken.

A submission with many bad records is reported in one go: ``details``
holds one :class:`Finding` per broken rule and record, and ``code`` is the
first finding's code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["DomainError", "Finding", "FindingCollector"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule: which code, why, and where in the request (field path)."""

    code: str
    message: str
    field: str | None = None

    def to_dict(self) -> dict:
        """The finding as plain data, for error bodies and journals."""
        return {"code": self.code, "message": self.message, "field": self.field}


class DomainError(Exception):
    """A command or query broke a business rule; ``code`` is a catalog error code."""

    def __init__(
        self,
        code: str,
        message: str,
        field: str | None = None,
        details: Iterable[Finding] = (),
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.field = field
        found = tuple(details)
        self.details: tuple[Finding, ...] = found or (Finding(code, message, field),)

    @classmethod
    def from_findings(cls, findings: Iterable[Finding]) -> DomainError:
        """One error for several findings; the first finding names the code."""
        found = tuple(findings)
        if not found:
            raise ValueError("Expected at least one finding")
        first = found[0]
        return cls(first.code, first.message, first.field, found)

    @property
    def codes(self) -> tuple[str, ...]:
        """The distinct codes of all findings, in order of first appearance."""
        return tuple(dict.fromkeys(finding.code for finding in self.details))


class FindingCollector:
    """Gathers findings while a whole submission is checked, then raises them together.

    Checking every record before failing lets a participant fix all of a
    500-record submission at once instead of one error per round trip.
    """

    def __init__(self) -> None:
        self._findings: list[Finding] = []

    def add(self, code: str, message: str, field: str | None = None) -> None:
        """Record one broken rule."""
        self._findings.append(Finding(code, message, field))

    def __bool__(self) -> bool:
        return bool(self._findings)

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The findings so far."""
        return tuple(self._findings)

    def records(
        self, raws: list, field: str, kind: str, required: tuple[str, ...]
    ) -> Iterator[tuple[int, str, dict]]:
        """Each of ``raws`` that is an object with every ``required`` key: index, place, record.

        The place is ``field[i]``. Any other record is a finding and skipped:
        SER0002 "``kind`` must be an object", or SER0001 naming the missing keys.
        """
        for i, raw in enumerate(raws):
            where = f"{field}[{i}]"
            if not isinstance(raw, dict):
                self.add("SER0002", f"{kind} must be an object.", where)
                continue
            missing = [k for k in required if k not in raw]
            if missing:
                self.add("SER0001", f"Missing {', '.join(missing)}.", where)
                continue
            yield i, where, raw

    def raise_if_any(self) -> None:
        """Raise one :class:`DomainError` carrying every finding, if there are any."""
        if self._findings:
            raise DomainError.from_findings(self._findings)
