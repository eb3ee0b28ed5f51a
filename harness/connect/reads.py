"""Identity and role (CNX-005) and one read per service (CNX-006).

Which operation is read comes from the spec files alone: the first
``read``-tagged operation of the service whose ``x-roles`` include the
participant's role, called with the spec's own example request.
"""

from __future__ import annotations

from crr_contract.examples import example_request
from crr_contract.operations import Operation, ServiceSpec
from harness.checks.registry import operation_clause
from harness.connect.layers import layer
from harness.connect.outcome import Context, Outcome, Probed, describe_answer, refusal
from harness.results import Status

__all__ = ["check_identity", "check_read", "identity_operation", "read_operation", "tags"]

IDENTITY_SERVICE = "app_status"
IDENTITY_OPERATION = "getAppStatus"


def tags(operation: Operation) -> tuple[str, ...]:
    return tuple(str(t) for t in operation.definition.get("tags") or ())


def read_operation(spec: ServiceSpec, role: str) -> Operation | None:
    """The first read of ``spec`` the role may call."""
    for operation in spec.operations():
        if "read" in tags(operation) and role in operation.roles:
            return operation
    return None


def identity_operation(specs: dict[str, ServiceSpec], role: str) -> Operation | None:
    """App status's getAppStatus when the role may call it, else the first read it may call."""
    app_status = specs.get(IDENTITY_SERVICE)
    if app_status is not None:
        for operation in app_status.operations():
            if operation.operation_id == IDENTITY_OPERATION and role in operation.roles:
                return operation
    for spec in specs.values():
        found = read_operation(spec, role)
        if found is not None:
            return found
    return None


def check_identity(context: Context, sources: dict[str, str]) -> Outcome:
    entry = layer("CNX-005")
    case = "identity and role"
    participant = context.participant
    operation = identity_operation(dict(context.specs), participant.role)
    if operation is None:
        return Outcome(
            entry,
            case,
            Status.FAIL,
            "no read to call",
            cause=f"role {participant.role} may call no read operation of the declared specs "
            "(x-roles of every read leave it out)",
            fix="check the role (--role, or the certificate's OU) against the CAISO AIM roles; "
            "ask your CAISO UAA which role your user holds",
        )
    params, body = example_request(operation, participant.name)
    exchange = context.client.call(participant, operation, params=params, body=body)
    checks = context.judge(case, [exchange])
    if sources["name"] == sources["role"]:
        who = f"participant {participant.name}, role {participant.role} ({sources['name']})"
    else:
        who = (
            f"participant {participant.name} ({sources['name']}), role {participant.role} "
            f"({sources['role']})"
        )
    probed = Probed(
        entry, case, operation, operation_clause(operation, "x-roles"), (exchange.record,), checks
    )
    refused = refusal(exchange, context)
    if refused is not None:
        cause, fix = refused
        return probed.outcome(Status.FAIL, who, f"as {who}: {cause}", fix)
    return probed.outcome(
        Status.PASS,
        f"the server knows {who}: {operation.operation_id} answered {describe_answer(exchange)}",
    )


def check_read(context: Context, service: str, spec: ServiceSpec) -> Outcome:
    entry = layer("CNX-006")
    case = f"{service}: read"
    participant = context.participant
    operation = read_operation(spec, participant.role)
    if operation is None:
        reads = [op for op in spec.operations() if "read" in tags(op)]
        if not reads:
            why = f"the {service} spec {spec.version} defines no read operation"
        else:
            listed = ", ".join(
                f"{op.operation_id} (x-roles: {', '.join(op.roles) or 'none'})" for op in reads[:3]
            )
            why = f"role {participant.role} cannot call any read of {service}: {listed}"
        return Outcome(entry, case, Status.SKIP, why, declared_skip=True)
    params, body = example_request(operation, participant.name)
    exchange = context.client.call(participant, operation, params=params, body=body)
    checks = context.judge(case, [exchange])
    refused = refusal(exchange, context)
    probed = Probed(entry, case, operation, operation_clause(operation), (exchange.record,), checks)
    if refused is not None:
        return probed.outcome(Status.FAIL, operation.operation_id, *refused)
    status = exchange.status or 0
    note = (
        ": the spec example's data is not on this server, the path works"
        if 400 <= status < 500
        else ""
    )
    return probed.outcome(
        Status.PASS, f"{operation.operation_id} answered {describe_answer(exchange)}{note}"
    )
