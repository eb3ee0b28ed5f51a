"""The role x operation matrix from ``x-roles``, and every participant-named operation
called with another participant's name.

Every operation of every declared spec is called with its spec example by
one participant of each role the config holds: a role ``x-roles`` allows
must not be refused with SEC0001 (SEC-002), any other must get 403 SEC0001
(SEC-001). Sim-control writes are only called by roles that may not make
them: executing one (reset, load a data set, move the clock) would change
the market under the rest of the run. Every operation that names a
participant is then called by each allowed role naming a participant other
than its own, which must be refused with SEC0002 (SEC-003). Every answer
also goes through every other check.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from crr_contract.examples import example_request, takes_participant
from crr_contract.operations import Operation
from harness.session import Session
from harness.suites.target_calls import allowed, by_role, writes
from harness.target.config import SIMCONTROL, Participant

__all__ = ["run_matrix", "run_other_names"]


def _other_name(session: Session, participant: Participant) -> str:
    for other in session.config.participants:
        if other.name != participant.name:
            return other.name
    return f"NOT_{participant.name}"


def _call_and_judge(
    session: Session,
    suite: str,
    case: str,
    participant: Participant,
    operation: Operation,
    who: str,
) -> None:
    params, body = example_request(operation, who)
    session.judge(
        suite, case, [session.client.call(participant, operation, params=params, body=body)]
    )


def _lane(operation: Operation, participant: Participant) -> str | None:
    """Reads may overlap anything; one participant's writes keep their order."""
    return participant.id if writes(operation) else None


def run_matrix(session: Session, suite: str) -> None:
    """Each operation x each role present in the config; the calls are independent cases."""
    with session.independent_cases() as submit:
        _matrix(session, suite, submit)


def _matrix(session: Session, suite: str, submit: Callable[..., None]) -> None:
    roles = by_role(session)
    for operation in session.operations():
        for role, participant in roles.items():
            may = role in operation.roles
            if may and operation.service == SIMCONTROL and writes(operation):
                continue  # an allowed sim-control write would really move the market
            verdict = "allowed" if may else "not allowed"
            case = f"{operation.name} as {participant.id}: role {verdict}"
            if not session.wants(suite, case):
                continue
            submit(
                functools.partial(
                    _call_and_judge, session, suite, case, participant, operation, participant.name
                ),
                lane=_lane(operation, participant),
            )


def run_other_names(session: Session, suite: str) -> None:
    """Each participant-named operation, by each allowed role, naming someone else."""
    with session.independent_cases() as submit:
        _other_names(session, suite, submit)


def _other_names(session: Session, suite: str, submit: Callable[..., None]) -> None:
    for operation in session.operations():
        if not takes_participant(operation):
            continue
        if operation.service == SIMCONTROL and writes(operation):
            continue
        seen_roles: set[str] = set()
        for participant in allowed(session, operation):
            if participant.role in seen_roles:
                continue
            seen_roles.add(participant.role)
            other = _other_name(session, participant)
            case = f"{operation.name} as {participant.id}: naming {other}"
            if not session.wants(suite, case):
                continue
            submit(
                functools.partial(
                    _call_and_judge, session, suite, case, participant, operation, other
                ),
                lane=_lane(operation, participant),
            )
