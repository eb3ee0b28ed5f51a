"""Role and participant rules: who may call an operation, and for whom.

The declared spec is the authority: an operation's ``x-roles`` lists the
roles that may call it; a caller whose certificate carries another role is
refused with SEC0001 (ATH0002 in the specs that predate it), and a caller
naming a participant its certificate is not provisioned for is refused
with SEC0002. A refusal must also not be given to a caller the spec allows.
"""

from __future__ import annotations

from crr_contract.operations import Operation
from crr_contract.version import SpecVersion
from harness.checks.error_codes import error_codes_of
from harness.checks.registry import (
    CheckContext,
    CheckFailed,
    NotApplicable,
    check,
    operation_clause,
    rule_label,
)
from harness.client import Exchange

ROLE_REFUSAL = "SEC0001"
PARTICIPANT_REFUSAL = "SEC0002"


def refusal_codes(context: CheckContext, operation: Operation, code: str) -> set[str]:
    """``code`` and the codes it replaced, those valid for the operation's service version."""
    version = SpecVersion.parse(operation.version)
    family = {code} | {c for c, e in context.catalog.codes.items() if e.replaced_by == code}
    return {
        c for c in family if context.catalog.availability(c, operation.service, version) is None
    }


def named_participant(exchange: Exchange) -> str | None:
    """The participant a request acts for: ``participantName`` in the query or the body."""
    if "participantName" in exchange.params:
        return str(exchange.params["participantName"])
    if isinstance(exchange.body, dict) and "participantName" in exchange.body:
        return str(exchange.body["participantName"])
    return None


def _answered(exchange: Exchange) -> tuple[Operation, int, list[str]]:
    if exchange.operation is None or exchange.response is None:
        raise NotApplicable
    codes = error_codes_of(exchange.json()) if exchange.response.status >= 400 else []
    return exchange.operation, exchange.response.status, codes or []


@check("SEC-001")
def forbidden_role_refused(exchange: Exchange, context: CheckContext) -> None:
    operation, status, codes = _answered(exchange)
    if exchange.participant.role in operation.roles:
        raise NotApplicable
    expected = refusal_codes(context, operation, ROLE_REFUSAL)
    if status != 403 or not expected & set(codes):
        raise CheckFailed(
            f"{operation.name} called with role {exchange.participant.role!r} (not in "
            f"{rule_label(operation, 'x-roles')}) "
            f"answered HTTP {status} {', '.join(codes) or ''}; expected 403 "
            f"{' or '.join(sorted(expected))}",
            operation_clause(operation, "x-roles"),
        )


@check("SEC-002")
def allowed_role_served(exchange: Exchange, context: CheckContext) -> None:
    operation, _status, codes = _answered(exchange)
    if exchange.participant.role not in operation.roles:
        raise NotApplicable
    if exchange.participant.role in operation.unsettled_roles:
        raise NotApplicable  # the spec admits the role without settling it: no verdict
    refused = refusal_codes(context, operation, ROLE_REFUSAL) & set(codes)
    if refused:
        raise CheckFailed(
            f"{operation.name} refused role {exchange.participant.role!r} with "
            f"{', '.join(sorted(refused))} although {rule_label(operation, 'x-roles')} allows it",
            operation_clause(operation, "x-roles"),
        )


@check("SEC-003")
def other_participant_refused(exchange: Exchange, context: CheckContext) -> None:
    operation, status, codes = _answered(exchange)
    named = named_participant(exchange)
    if named is None or named == exchange.participant.name:
        raise NotApplicable
    if exchange.participant.role not in operation.roles:
        raise NotApplicable  # SEC-001 judges a forbidden role first
    if exchange.participant.role in operation.unsettled_roles:
        raise NotApplicable  # refused for its role or for the name: the spec does not settle it
    expected = refusal_codes(context, operation, PARTICIPANT_REFUSAL)
    if expected:
        if status != 403 or not expected & set(codes):
            raise CheckFailed(
                f"{operation.name} as {exchange.participant.name} naming {named} answered "
                f"HTTP {status} {', '.join(codes)}; expected 403 SEC0002",
                operation_clause(operation, "x-error-codes"),
            )
    elif status < 400:
        raise CheckFailed(
            f"{operation.name} as {exchange.participant.name} naming {named} was served "
            f"(HTTP {status})",
            operation_clause(operation),
        )
