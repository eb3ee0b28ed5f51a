"""Every error the HTTP layer sends is a ``CRRServiceException`` built here, from the catalog.

The body is ``{"errorDetails": [{severity, errorCode, errorDescription}]}``;
the HTTP status and each detail's severity are the ones
``specs/errors/catalog.yaml`` gives the code, so the engine only decides
which rule was broken and never how the error travels.

The catalog also has the last word on what a code says and whether it is
still in use. A detail with no text of its own says the code's catalog
meaning. A code the catalog marks retired in the operation's service and
version, ``replaced_by`` another, is sent as its replacement (the detail
text stays the reference's own), so the reference never answers with a code
its spec version has given up, whichever module raised it.

An operation may answer only with the codes its spec lists in
``x-error-codes``. A code outside that list reaching this module is a defect
of the server (the engine or a handler broke the contract): it is logged,
and the caller gets ``SER0029`` (internal error) instead of a code the spec
says it can never see.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from starlette.responses import Response

from crr_contract.error_catalog import ALL_SERVICES, ErrorCatalog
from crr_contract.operations import Operation
from crr_contract.version import SpecVersion
from reference_impl.engine.errors import DomainError

__all__ = [
    "INTERNAL_ERROR",
    "NOT_FOUND",
    "ErrorResponder",
    "Problem",
    "current_code",
    "problems_from",
]

logger = logging.getLogger(__name__)

NOT_FOUND = "SER0028"
INTERNAL_ERROR = "SER0029"
MAX_DETAILS = 100
"""A body never carries more details than this; the last one says how many were left out."""
MAX_REPLACEMENTS = 8
"""How far a chain of ``replaced_by`` is followed; a longer one is a loop in the catalog."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One error to report: a catalog code and what went wrong, in words."""

    code: str
    description: str


def problems_from(error: DomainError) -> list[Problem]:
    """One problem per finding of an engine error, naming the field when the message does not."""
    problems = []
    for finding in error.details:
        text = finding.message
        if finding.field and finding.field not in text:
            text = f"{finding.field}: {text}"
        problems.append(Problem(finding.code, text))
    return problems


class ErrorResponder:
    """Turns problems into ``CRRServiceException`` responses, statuses and severities from the catalog."""

    def __init__(self, catalog: ErrorCatalog) -> None:
        self.catalog = catalog

    def respond(self, operation: Operation | None, problems: Sequence[Problem]) -> Response:
        """The error response for ``problems``; a code the operation does not list becomes SER0029."""
        if not problems:
            raise ValueError("an error response needs at least one problem")
        if operation is not None:
            problems = [
                Problem(current_code(self.catalog, p.code, operation), p.description)
                for p in problems
            ]
            unlisted = sorted({p.code for p in problems} - operation.error_codes)
            if unlisted:
                logger.error(
                    "%s %s answered %s, which its spec (%s %s) does not list; sending %s",
                    operation.method,
                    operation.path,
                    ", ".join(unlisted),
                    operation.service,
                    operation.version,
                    INTERNAL_ERROR,
                )
                problems = [Problem(INTERNAL_ERROR, self.meaning(INTERNAL_ERROR))]
        return self._response(problems)

    def not_found(self, description: str) -> Response:
        """404 SER0028, for a path no served spec defines."""
        return self._response([Problem(NOT_FOUND, description)])

    def internal_error(self) -> Response:
        """500 SER0029; the details of the failure stay in the log."""
        return self._response([Problem(INTERNAL_ERROR, self.meaning(INTERNAL_ERROR))])

    def status(self, code: str) -> int:
        """The HTTP status the catalog gives ``code`` (500 for a code it does not know)."""
        entry = self.catalog.get(code)
        return entry.http_status if entry is not None else 500

    def meaning(self, code: str) -> str:
        """The catalog's meaning of ``code``."""
        entry = self.catalog.get(code)
        return entry.meaning if entry is not None else code

    def _response(self, problems: Sequence[Problem]) -> Response:
        details = [self._detail(p) for p in _capped(problems)]
        body = json.dumps({"errorDetails": details}, separators=(",", ":")).encode("utf-8")
        return Response(body, self.status(problems[0].code), media_type="application/json")

    def _detail(self, problem: Problem) -> dict[str, str]:
        entry = self.catalog.get(problem.code)
        return {
            "severity": entry.severity if entry is not None else "ERROR",
            "errorCode": problem.code,
            "errorDescription": problem.description or self.meaning(problem.code),
        }


def current_code(catalog: ErrorCatalog, code: str, operation: Operation) -> str:
    """``code``, or what replaced it when the catalog retires it in ``operation``'s version.

    A code unknown to the catalog, or retired with no replacement, is kept:
    the operation's ``x-error-codes`` check decides what becomes of it.
    """
    version = SpecVersion.parse(operation.version)
    for _ in range(MAX_REPLACEMENTS):
        entry = catalog.get(code)
        if entry is None or entry.replaced_by is None:
            return code
        retired = entry.retired_in.get(operation.service, entry.retired_in.get(ALL_SERVICES))
        if retired is None or version < retired:
            return code
        code = entry.replaced_by
    raise ValueError(f"the catalog's replaced_by chain from {code} does not end")


def _capped(problems: Sequence[Problem]) -> Iterable[Problem]:
    if len(problems) <= MAX_DETAILS:
        return problems
    kept = list(problems[: MAX_DETAILS - 1])
    last = problems[MAX_DETAILS - 1]
    more = len(problems) - len(kept) - 1
    kept.append(Problem(last.code, f"{last.description} (and {more} more errors not listed)"))
    return kept
