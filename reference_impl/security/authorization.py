"""May this caller make this call? Role and participant-name decisions, read from the spec.

Both checks are pure functions of an OpenAPI operation object (the dict under
``paths.<path>.<method>``), the caller's ``Identity`` and the participant name
the request carries. They return the catalog code to answer with, or None
when the call may proceed, so that the reference implementation (which
answers with the code) and the harness (which predicts the code a conforming
server must answer with) share one decision.

- Role: the caller's role must be listed in the operation's ``x-roles``. An
  operation that lists no roles admits nobody: a spec omission must not open
  an operation to every certificate.
- Participant name: the request's ``participantName`` must be the
  participant the certificate was issued to (SEC0002). An absent name is not
  a security decision; request validation reports it (SER0001).

The code comes from the operation's own ``x-error-codes``, because spec
versions differ: the 1.0.0 files authorize with ``ATH0002``, later files with
``SEC0001`` (which replaced it), and SEC0002 exists only from the 2025 files
on; before that a foreign participant name is an authorization failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crr_contract.identity import Identity

__all__ = [
    "AUTHORIZATION_FAILED",
    "INVALID_PARTICIPANT",
    "RETIRED_AUTHORIZATION_FAILED",
    "authorization_code",
    "authorize",
    "participant_check",
    "requested_participant",
    "role_check",
]

AUTHORIZATION_FAILED = "SEC0001"
RETIRED_AUTHORIZATION_FAILED = "ATH0002"
INVALID_PARTICIPANT = "SEC0002"
PARTICIPANT_FIELD = "participantName"

Operation = Mapping[str, Any]


def _error_codes(operation: Operation) -> list[str]:
    codes = operation.get("x-error-codes") or []
    return [str(code) for code in codes] if isinstance(codes, list | tuple) else []


def authorization_code(operation: Operation) -> str:
    """The code this operation answers an authorization failure with: SEC0001, or ATH0002 in old specs."""
    codes = _error_codes(operation)
    if AUTHORIZATION_FAILED not in codes and RETIRED_AUTHORIZATION_FAILED in codes:
        return RETIRED_AUTHORIZATION_FAILED
    return AUTHORIZATION_FAILED


def role_check(operation: Operation, identity: Identity | None) -> str | None:
    """None when ``identity``'s role is in the operation's ``x-roles``, else the authorization code."""
    roles = operation.get("x-roles") or []
    if identity is None or not isinstance(roles, list | tuple) or identity.role not in roles:
        return authorization_code(operation)
    return None


def participant_check(
    operation: Operation, identity: Identity | None, participant_name: str | None
) -> str | None:
    """None when the request names the caller's own participant (or none), else SEC0002.

    Operations whose spec version predates SEC0002 answer with their
    authorization code instead.
    """
    if participant_name is None:
        return None
    if identity is not None and participant_name == identity.participant:
        return None
    if INVALID_PARTICIPANT in _error_codes(operation):
        return INVALID_PARTICIPANT
    return authorization_code(operation)


def authorize(
    operation: Operation, identity: Identity | None, participant_name: str | None = None
) -> str | None:
    """The first security code the call earns (role first, then participant name), or None."""
    return role_check(operation, identity) or participant_check(
        operation, identity, participant_name
    )


def requested_participant(query: Mapping[str, Any] | None, body: Any = None) -> str | None:
    """The ``participantName`` a request carries: in the JSON body of a write, in the query of a read.

    A value that is not a string is returned as None here; request
    validation reports it as a bad field.
    """
    if isinstance(body, Mapping) and PARTICIPANT_FIELD in body:
        value = body[PARTICIPANT_FIELD]
        return value if isinstance(value, str) else None
    if query is not None and PARTICIPANT_FIELD in query:
        value = query[PARTICIPANT_FIELD]
        return value if isinstance(value, str) else None
    return None
