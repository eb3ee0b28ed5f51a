"""One harmless write per service (CNX-007), as ``writes.yaml`` plans it.

``create-then-delete`` creates a draft the participant owns in an OPEN
market, deletes it and reads it back to prove it is gone. The validation
probe sends the write an empty JSON object: an authorized caller is refused
with 400 and a SER/GEN code, a caller without the role with 403 SEC0001,
and nothing changes either way.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from crr_contract.examples import example_request
from crr_contract.operations import Operation, ServiceSpec
from harness.checks.registry import operation_clause
from harness.client import Exchange
from harness.connect.layers import Layer, layer
from harness.connect.outcome import Context, Outcome, Probed, codes, describe_answer, refusal
from harness.connect.reads import tags
from harness.results import Status

__all__ = ["PLAN_FILE", "WritePlan", "check_write", "draft_name", "load_plans"]

PLAN_FILE = Path(__file__).with_name("writes.yaml")
CREATE_THEN_DELETE = "create-then-delete"
VALIDATION_PROBE = "validation-probe"
_VALIDATION_FAMILIES = ("SER", "GEN")


@dataclass(frozen=True, slots=True)
class WritePlan:
    service: str
    kind: str
    operation: str | None = None
    """The write to probe (validation probe) or to create with (create-then-delete)."""
    why: str = ""
    market: Mapping[str, Any] | None = None
    keep: Mapping[str, int] | None = None
    fields: Mapping[str, str] | None = None
    delete: str | None = None
    verify: str | None = None
    draft: str = "draft"
    """What the draft is called in messages (``portfolio``)."""


def load_plans(path: Path = PLAN_FILE) -> dict[str, WritePlan]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    plans: dict[str, WritePlan] = {}
    for service, entry in (data.get("services") or {}).items():
        kind = entry.get("kind", VALIDATION_PROBE)
        if kind not in (CREATE_THEN_DELETE, VALIDATION_PROBE):
            raise ValueError(f"{path}: {service}: unknown kind {kind!r}")
        create = entry.get("create") or {}
        plans[service] = WritePlan(
            service=service,
            kind=kind,
            operation=create.get("operation") or entry.get("operation"),
            why=" ".join(str(entry.get("why") or "").split()),
            market=entry.get("market"),
            keep=create.get("keep"),
            fields=entry.get("fields"),
            delete=(entry.get("delete") or {}).get("operation"),
            verify=(entry.get("verify") or {}).get("operation"),
            draft=str(entry.get("draft") or "draft"),
        )
    return plans


def draft_name(run_id: str) -> str:
    """A portfolio name unique to this run: ``CNX_<run id>`` in the spec's PortfolioName pattern."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", f"CNX_{run_id}")[:50]


def _writes(spec: ServiceSpec) -> list[Operation]:
    return [op for op in spec.operations() if "write" in tags(op)]


def _by_id(spec: ServiceSpec) -> dict[str, Operation]:
    return {op.operation_id: op for op in spec.operations()}


def check_write(
    context: Context, service: str, spec: ServiceSpec, plan: WritePlan | None
) -> Outcome:
    entry = layer("CNX-007")
    case = f"{service}: write"
    writes = _writes(spec)
    if not writes:
        return Outcome(
            entry,
            case,
            Status.SKIP,
            f"the {service} spec {spec.version} defines no write operation",
            declared_skip=True,
        )
    operations = _by_id(spec)
    planned = operations.get(plan.operation) if plan and plan.operation else None
    chosen = planned or writes[0]
    if not context.allowed(chosen):
        allowed = [op for op in writes if context.allowed(op)]
        if not allowed:
            return Outcome(
                entry,
                case,
                Status.SKIP,
                f"role {context.role} cannot call {chosen.operation_id} "
                f"(x-roles: {', '.join(chosen.roles) or 'none'})",
                operation=chosen.name,
                clause=operation_clause(chosen, "x-roles"),
                declared_skip=True,
            )
        return _validation_probe(context, case, allowed[0], note="")
    if plan is not None and plan.kind == CREATE_THEN_DELETE and planned is not None:
        return _create_then_delete(context, case, spec, plan, planned)
    return _validation_probe(context, case, chosen, note="")


# --------------------------------------------------------------------------- validation probe


def _probed(
    context: Context, entry: Layer, case: str, operation: Operation, exchanges: list[Exchange]
) -> Probed:
    """``operation``'s probe over all the exchanges the case made, judged by the checks."""
    evidence = tuple(e.record for e in exchanges)
    checks = context.judge(case, exchanges)
    return Probed(entry, case, operation, operation_clause(operation), evidence, checks)


def _validation_probe(
    context: Context, case: str, operation: Operation, note: str, earlier: tuple[Exchange, ...] = ()
) -> Outcome:
    entry = layer("CNX-007")
    body: dict | None = {} if operation.takes_body else None
    exchange = context.client.call(context.participant, operation, body=body)
    exchanges = [*earlier, exchange]
    probed = _probed(context, entry, case, operation, exchanges)
    refused = refusal(exchange, context)
    what = f"{operation.operation_id} with an empty request"
    status = exchange.status or 0
    found = codes(exchange)
    if (
        refused is None
        and status == 400
        and found
        and all(c.startswith(_VALIDATION_FAMILIES) for c in found)
    ):
        return probed.outcome(
            Status.PASS,
            f"{what} was refused with {describe_answer(exchange)}, the refusal an authorized "
            f"caller gets; nothing was changed{note}",
        )
    if refused is not None:
        cause, fix = refused
    elif 200 <= status < 300:
        cause = (
            f"the server accepted {what} ({describe_answer(exchange)}): it should have refused "
            "it with 400 and may have stored something"
        )
        fix = "look at what it stored with the service's reads and report it to your CAISO POC"
    else:
        cause = (
            f"{what} answered {describe_answer(exchange)}; an authorized caller must be refused "
            "with 400 and a SER/GEN code (required fields missing)"
        )
        fix = "send this report to your CAISO POC: the write path does not behave as specified"
    return probed.outcome(Status.FAIL, what, cause, fix)


# --------------------------------------------------------------------------- create then delete


def _open_market(context: Context, plan: WritePlan) -> tuple[str | None, list[Exchange], str]:
    """An OPEN market to put the draft in, the exchanges made to find it, and a note."""
    market = plan.market or {}
    spec = context.specs.get(str(market.get("service")))
    if spec is None:
        return None, [], f"the {market.get('service')} service is not declared"
    lookup = _by_id(spec).get(str(market.get("operation")))
    if lookup is None or not context.allowed(lookup):
        return None, [], f"{market.get('operation')} cannot be called to find an open market"
    params, body = example_request(lookup, context.participant.name)
    exchange = context.client.call(context.participant, lookup, params=params, body=body)
    answer = exchange.json()
    if exchange.status != 200 or not isinstance(answer, list):
        return None, [exchange], f"{lookup.operation_id} answered {describe_answer(exchange)}"
    where = dict(market.get("where") or {})
    field = str(market.get("field") or "marketName")
    for row in answer:
        matches = isinstance(row, dict) and all(row.get(k) == v for k, v in where.items())
        if matches and row.get(field):
            return str(row[field]), [exchange], ""
    return None, [exchange], f"{lookup.operation_id} lists no market with {where or 'a name'}"


def _draft_body(operation: Operation, plan: WritePlan, participant: str) -> dict:
    _params, example = example_request(operation, participant)
    body = copy.deepcopy(example) if isinstance(example, dict) else {}
    for name, count in (plan.keep or {}).items():
        if isinstance(body.get(name), list):
            if int(count) <= 0:
                body.pop(name)
            else:
                body[name] = body[name][: int(count)]
    return body


def _create_then_delete(
    context: Context, case: str, spec: ServiceSpec, plan: WritePlan, create: Operation
) -> Outcome:
    entry = layer("CNX-007")
    operations = _by_id(spec)
    delete = operations.get(plan.delete or "")
    verify = operations.get(plan.verify or "")
    if delete is None or not context.allowed(delete):
        why = (
            f"role {context.role} cannot call {plan.delete}"
            if delete is not None
            else f"the spec has no {plan.delete}"
        )
        return _validation_probe(context, case, create, note=f" (no draft: {why})")
    market, looked, note = _open_market(context, plan)
    if market is None:
        return _validation_probe(
            context, case, create, note=f" (no draft: {note})", earlier=tuple(looked)
        )
    fields = {"participant": "participantName", "market": "marketName", "name": "portfolioName"}
    fields.update(plan.fields or {})
    name = draft_name(context.run_id)
    participant = context.participant
    body = _draft_body(create, plan, participant.name)
    key = {
        fields["participant"]: participant.name,
        fields["market"]: market,
        fields["name"]: name,
    }
    body.update(key)
    created = context.client.call(participant, create, body=body)
    exchanges = [*looked, created]
    refused = refusal(created, context)
    status = created.status or 0
    what = f"draft {plan.draft} {name} in {market}"
    if refused is not None or not 200 <= status < 300:
        probed = _probed(context, entry, case, create, exchanges)
        if refused is not None:
            return probed.outcome(Status.FAIL, what, *refused)
        return probed.outcome(
            Status.PASS,
            f"{create.operation_id} of {what} is authorized; the server refused the draft on a "
            f"business rule: {describe_answer(created)}; nothing was created",
        )
    deleted = context.client.call(participant, delete, body=dict(key))
    exchanges.append(deleted)
    params = dict(key)
    gone = None
    if verify is not None and context.allowed(verify) and 200 <= (deleted.status or 0) < 300:
        gone = context.client.call(participant, verify, params=params)
        exchanges.append(gone)
    probed = _probed(context, entry, case, create, exchanges)
    left = replace(probed, operation=delete, clause=operation_clause(delete))
    if not 200 <= (deleted.status or 0) < 300:
        return left.outcome(
            Status.FAIL,
            what,
            f"{create.operation_id} created the {what}, but {delete.operation_id} "
            f"answered {describe_answer(deleted)}: the draft is still there",
            f"delete {plan.draft} {name} of market {market} yourself (CRR UI or "
            f"{delete.operation_id}); it was never submitted",
        )
    if gone is not None and gone.status is not None and 200 <= gone.status < 300:
        return left.outcome(
            Status.FAIL,
            what,
            f"{delete.operation_id} answered {describe_answer(deleted)} but "
            f"{verify.operation_id if verify else 'the read'} still finds the {what}",
            f"delete {plan.draft} {name} of market {market} yourself and report it to your "
            "CAISO POC",
        )
    proof = (
        f"; {verify.operation_id} no longer finds it ({describe_answer(gone)})"
        if gone is not None and verify is not None
        else ""
    )
    return probed.outcome(
        Status.PASS,
        f"created {what} ({describe_answer(created)}) and deleted it "
        f"({describe_answer(deleted)}){proof}",
    )
